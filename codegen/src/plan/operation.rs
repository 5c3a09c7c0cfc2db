//! One operation, everything about it decided: its names, route,
//! parameters, body, responses and security. The client, the server and
//! the shared operation types all print this one plan.

use super::Context;
use super::body::BodyPlan;
use super::names::OperationNames;
use super::params::{ParamPlan, ParamRole};
use super::responses::ResponsePlan;
use crate::model::{Method, Operation, ParamLocation, PathSegment, SegmentPart};

#[derive(Debug, Clone, PartialEq)]
pub struct OperationPlan {
    /// `operationId` (or one made from the method and path).
    pub id: String,
    pub http_method: Method,
    /// The path template exactly as in the spec.
    pub path: String,
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
    /// The server's handler and request reader functions.
    pub handler: String,
    pub reader: String,

    pub route: Vec<RouteSegment>,
    pub params: Vec<ParamPlan>,
    pub body: Option<BodyPlan>,
    /// Successes and errors in the model's order: exact codes, then
    /// ranges, then `default`.
    pub responses: Vec<ResponsePlan>,
    /// The `Accept` header the client sends: every media type the
    /// documented responses can have, in spec order.
    pub accept: Option<String>,
    pub security: SecurityPlan,
}

/// One piece of the path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteSegment {
    /// A fixed segment.
    Literal(String),
    /// A segment that is exactly one parameter.
    Param(PathParam),
    /// A segment mixing text and parameters (`{id}.json`).
    Mixed(Vec<RoutePart>),
    /// A parameter spanning a run of segments, `{prefix}/{item}` each.
    Hierarchy { param: PathParam, prefix: String },
    /// The template ends with `/`.
    TrailingSlash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutePart {
    Literal(String),
    Param(PathParam),
}

/// A path parameter where the template uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathParam {
    /// Its name in the template.
    pub wire: String,
    /// The input field holding its value.
    pub field: String,
}

/// Who may call an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityPlan {
    /// Keys of the schemes that may authenticate it (any one of them), in
    /// the spec's order. Empty: none is required.
    pub schemes: Vec<String>,
    /// A requirement is empty (`{}`): callers may also come without
    /// credentials.
    pub anonymous_allowed: bool,
}

impl SecurityPlan {
    /// Whether the router must refuse a caller no scheme authenticated.
    pub fn requires_authentication(&self) -> bool {
        !self.schemes.is_empty() && !self.anonymous_allowed
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

    /// Parameters whose values the route captures.
    pub fn captures_path(&self) -> bool {
        self.route
            .iter()
            .any(|s| !matches!(s, RouteSegment::Literal(_) | RouteSegment::TrailingSlash))
    }
}

impl Context<'_> {
    pub(super) fn operation(&self, op: &Operation, names: &OperationNames) -> OperationPlan {
        let field_of = |wire: &str| PathParam {
            wire: wire.to_string(),
            field: op
                .parameters
                .iter()
                .zip(&names.params)
                .find(|(p, _)| p.location == ParamLocation::Path && p.name == wire)
                .map(|(_, field)| field.clone())
                // The model refuses a template naming no path parameter.
                .unwrap_or_default(),
        };
        let route = op
            .segments
            .iter()
            .map(|segment| match segment {
                PathSegment::Literal(text) => RouteSegment::Literal(text.clone()),
                PathSegment::Param(name) => RouteSegment::Param(field_of(name)),
                PathSegment::Mixed(parts) => RouteSegment::Mixed(
                    parts
                        .iter()
                        .map(|part| match part {
                            SegmentPart::Literal(text) => RoutePart::Literal(text.clone()),
                            SegmentPart::Param(name) => RoutePart::Param(field_of(name)),
                        })
                        .collect(),
                ),
                PathSegment::Hierarchy { param, prefix } => RouteSegment::Hierarchy {
                    param: field_of(param),
                    prefix: prefix.clone(),
                },
                PathSegment::TrailingSlash => RouteSegment::TrailingSlash,
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
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            method: names.method.clone(),
            builder: names.builder.clone(),
            input: names.input.clone(),
            success: names.success.clone(),
            error: names.error.clone(),
            handler: names.handler.clone(),
            reader: names.reader.clone(),
            route,
            params: self.params(op, &names.params),
            body: self.body(op, names),
            responses: self.responses(op, names),
            accept: (!accept.is_empty()).then(|| accept.join(", ")),
            security: SecurityPlan {
                schemes: op.security.clone(),
                anonymous_allowed: op.anonymous_allowed,
            },
        }
    }
}
