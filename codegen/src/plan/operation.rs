//! One operation, everything about it decided: its names, path,
//! parameters, body, responses and security. The client, the server and
//! the shared operation types all print this one plan.

use super::Context;
use super::body::BodyPlan;
use super::names::OperationNames;
use super::params::{ParamPlan, ParamRole};
use super::responses::ResponsePlan;
use crate::model::{
    Method, Operation, ParamLocation, PathSegment, SegmentPart, StatusMatch, adjacent_params,
};

#[derive(Debug, Clone, PartialEq)]
pub struct OperationPlan {
    /// `operationId` (or one made from the method and path).
    pub id: String,
    pub http_method: Method,
    /// The path template exactly as in the spec.
    pub path: String,
    /// The template requests are sent to and routes match: the spec's,
    /// with each constant path parameter written in as its (escaped) value,
    /// so only the parameters a caller passes are left as `{name}`.
    pub template: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,

    /// Client and trait method: `reset_device`.
    pub method: String,
    /// The client's call builder: `ResetDevice`.
    pub builder: String,
    /// What the server receives: `ResetDeviceInput`.
    pub input: String,
    /// Documented successes and errors: `ResetDeviceSuccess`, `ResetDeviceError`.
    pub success: String,
    pub error: String,
    /// The test double's variant for calls of it: `ResetDevice`.
    pub double_variant: String,

    /// Path parameters spanning several segments, each item after a prefix:
    /// (parameter, prefix), as `x-path-segment-prefix` says.
    pub segment_prefixes: Vec<(String, String)>,
    /// Path parameters whose value may hold a `/` (`allowReserved: true`),
    /// by wire name.
    pub allow_reserved: Vec<String>,
    /// Path parameters with nothing between them, (first, second)
    /// (`{id}{format}`): the first is an integer (the model refuses any
    /// other pair) and ends where its digits do, so the router splits the
    /// text there and the client refuses a second value that starts with a
    /// digit.
    pub adjacent: Vec<(String, String)>,
    pub params: Vec<ParamPlan>,
    pub body: Option<BodyPlan>,
    /// Successes and errors in the model's order: exact codes, then
    /// ranges, then `default`.
    pub responses: Vec<ResponsePlan>,
    /// The `Accept` header the client sends: every media type the
    /// documented responses can have, in spec order.
    pub accept: Option<String>,
    /// The spec documents a redirect (a 3xx code or `3XX`): a redirect the
    /// client does not follow itself (another origin, a changed method) is
    /// decoded as the spec says instead of ending the call in
    /// `ClientError::Redirect`.
    pub documents_redirects: bool,
    pub security: SecurityPlan,
}

/// Who may call an operation: any one of `requirements` (OR), each met
/// by every scheme it lists (AND) with the scopes listed for it, in the
/// spec's order. No requirements: nothing is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityPlan {
    pub requirements: Vec<RequirementPlan>,
}

/// One requirement: `(scheme key, scopes)` for each scheme it needs;
/// empty (`{}`) lets anonymous callers in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementPlan {
    pub schemes: Vec<(String, Vec<String>)>,
}

impl SecurityPlan {
    /// Whether the router must refuse a caller who meets no requirement:
    /// there is one, and none is empty.
    pub fn requires_authentication(&self) -> bool {
        !self.requirements.is_empty() && !self.anonymous_allowed()
    }

    /// A requirement is empty (`{}`): callers may also come without
    /// credentials.
    pub fn anonymous_allowed(&self) -> bool {
        self.requirements.iter().any(|r| r.schemes.is_empty())
    }

    /// The requirements that name schemes.
    pub fn named(&self) -> impl Iterator<Item = &RequirementPlan> {
        self.requirements.iter().filter(|r| !r.schemes.is_empty())
    }
}

impl OperationPlan {
    /// The successes (`true`) or the errors (`false`).
    pub fn responses_of(&self, success: bool) -> impl Iterator<Item = &ResponsePlan> {
        self.responses.iter().filter(move |r| r.success == success)
    }

    /// The idempotency key parameter, if the operation has one.
    pub fn idempotency_key(&self) -> Option<&ParamPlan> {
        self.params
            .iter()
            .find(|p| matches!(p.role, ParamRole::IdempotencyKey(_)))
    }
}

impl Context<'_> {
    pub(super) fn operation(&self, op: &Operation, names: &OperationNames) -> OperationPlan {
        let segment_prefixes = op
            .segments
            .iter()
            .filter_map(|segment| match segment {
                PathSegment::Hierarchy { param, prefix } => Some((param.clone(), prefix.clone())),
                _ => None,
            })
            .collect();
        let mut accept: Vec<&str> = Vec::new();
        for content in op.responses.iter().flat_map(|r| &r.content) {
            if !accept.contains(&content.media_type.as_str()) {
                accept.push(&content.media_type);
            }
        }
        OperationPlan {
            id: op.id.clone(),
            http_method: op.method,
            path: op.path.clone(),
            template: template(&op.segments),
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            method: names.method.clone(),
            builder: names.builder.clone(),
            input: names.input.clone(),
            success: names.success.clone(),
            error: names.error.clone(),
            double_variant: names.stem.clone(),
            segment_prefixes,
            allow_reserved: op
                .parameters_in(ParamLocation::Path)
                .filter(|p| p.allow_reserved)
                .map(|p| p.name.clone())
                .collect(),
            adjacent: op
                .segments
                .iter()
                .flat_map(adjacent_params)
                .map(|(first, second)| (first.to_string(), second.to_string()))
                .collect(),
            params: self.params(op, &names.params),
            body: self.body(op, names),
            responses: self.responses(op, names),
            accept: (!accept.is_empty()).then(|| accept.join(", ")),
            documents_redirects: op.responses.iter().any(|r| match r.status {
                StatusMatch::Code(code) => (300..400).contains(&code),
                StatusMatch::Range(digit) => digit == 3,
                StatusMatch::Default => false,
            }),
            security: SecurityPlan {
                requirements: op
                    .security
                    .iter()
                    .map(|requirement| RequirementPlan {
                        schemes: requirement
                            .schemes
                            .iter()
                            .map(|s| (s.scheme.clone(), s.scopes.clone()))
                            .collect(),
                    })
                    .collect(),
            },
        }
    }
}

/// The path template the model's segments spell: the spec's own, except
/// that constant parameters are already fixed text there.
fn template(segments: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        match segment {
            PathSegment::Literal(text) => out.push_str(text),
            PathSegment::Param(name) | PathSegment::Hierarchy { param: name, .. } => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            PathSegment::Mixed(parts) => {
                for part in parts {
                    match part {
                        SegmentPart::Literal(text) => out.push_str(text),
                        SegmentPart::Param(name) => {
                            out.push('{');
                            out.push_str(name);
                            out.push('}');
                        }
                    }
                }
            }
            PathSegment::TrailingSlash => {}
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}
