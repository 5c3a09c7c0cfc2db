//! A rejected request is answered in the vendor's own error shape: the body
//! the spec documents for a 400 (or `4XX`, or `default`), filled in from the
//! rejection's status and message. A 401 uses the body the spec documents
//! for 401 when that differs (Fireblocks' `ErrorResponse`, `AUTHENTICATION`).

use super::Context;
use crate::model::{EnumValue, StatusMatch, TypeKind, TypeRef};

/// The bodies a server answers rejected requests with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectionPlan {
    /// The body for every rejection; `None` when the spec documents no
    /// error body (the runtime's `{"code", "message"}` then).
    pub general: Option<JsonTemplate>,
    /// The body for a 401, when it differs from the general one.
    pub unauthorized: Option<JsonTemplate>,
}

/// A JSON value filled in from a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonTemplate {
    Object(Vec<(String, JsonTemplate)>),
    Text(String),
    Integer(i64),
    Null,
    False,
    EmptyArray,
    EmptyObject,
    /// The rejection's status code.
    Status,
    /// The rejection's status code as text (`"400"`), for a string field
    /// named like a status or a code (GitHub's `status: "400"`).
    StatusText,
    /// The status's reason phrase.
    Reason,
    /// The rejection's message.
    Message,
}

/// Enum values an error body's kind takes for a malformed request...
const BAD_REQUEST_WORDS: &[&str] = &["VALIDATION", "BAD_REQUEST", "INVALID"];
/// ...and for a caller that is not authenticated.
const UNAUTHORIZED_WORDS: &[&str] = &["AUTHENTICATION", "UNAUTHORIZED", "UNAUTHENTICATED"];

impl Context<'_> {
    pub(super) fn rejection(&self) -> RejectionPlan {
        let general = self
            .error_schema()
            .map(|ty| self.template(ty, "", 0, BAD_REQUEST_WORDS));
        // A 401 gets the body documented for 401, and its kind picked for a
        // missing credential; the same schema as the 400's may still need
        // another kind (`AUTHENTICATION`, not `VALIDATION`).
        let unauthorized = self
            .voted_schema(StatusMatch::Code(401))
            .map(|ty| self.template(ty, "", 0, UNAUTHORIZED_WORDS))
            .filter(|body| Some(body) != general.as_ref());
        RejectionPlan {
            general,
            unauthorized,
        }
    }

    /// The body most operations document for `status`, if any; ties go to
    /// the first seen.
    fn voted_schema(&self, status: StatusMatch) -> Option<&TypeRef> {
        let mut votes: Vec<(&TypeRef, usize)> = Vec::new();
        for op in &self.api.operations {
            if let Some(ty) = op
                .failures()
                .find(|r| r.status == status)
                .and_then(|r| r.primary_content())
                .and_then(|c| c.ty.as_ref())
            {
                tally(&mut votes, ty);
            }
        }
        winner(&votes)
    }

    /// The schema most operations document for a malformed request: the
    /// body for 400, else `4XX`, else `default`; failing those, the most
    /// common error body of the spec. Ties go to the first seen, so the
    /// choice is stable.
    fn error_schema(&self) -> Option<&TypeRef> {
        for preference in [
            StatusMatch::Code(400),
            StatusMatch::Range(4),
            StatusMatch::Default,
        ] {
            if let Some(ty) = self.voted_schema(preference) {
                return Some(ty);
            }
        }
        let mut votes: Vec<(&TypeRef, usize)> = Vec::new();
        for op in &self.api.operations {
            for ty in op
                .failures()
                .filter_map(|r| r.primary_content())
                .filter_map(|c| c.ty.as_ref())
            {
                tally(&mut votes, ty);
            }
        }
        winner(&votes)
    }

    /// A JSON value of type `ty` for a field named `name`.
    fn template(&self, ty: &TypeRef, name: &str, depth: usize, prefer: &[&str]) -> JsonTemplate {
        let lower = name.to_ascii_lowercase();
        match ty {
            TypeRef::Named(id) if depth < 8 => match self.api.types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => JsonTemplate::Object(
                    s.fields
                        .iter()
                        .filter(|f| !f.flatten && (f.required || is_known(&f.name)))
                        .map(|f| {
                            (
                                f.name.clone(),
                                self.template(&f.ty, &f.name, depth + 1, prefer),
                            )
                        })
                        .collect(),
                ),
                Some(TypeKind::Enum(e)) => {
                    let pick = e
                        .values
                        .iter()
                        .find(|v| matches!(v, EnumValue::String(s) if prefer.iter().any(|k| s.to_ascii_uppercase().contains(k))))
                        .or_else(|| e.values.first());
                    match pick {
                        Some(EnumValue::String(s)) => JsonTemplate::Text(s.clone()),
                        Some(EnumValue::Integer(i)) => JsonTemplate::Integer(*i),
                        None => JsonTemplate::Null,
                    }
                }
                Some(TypeKind::Newtype(inner)) => self.template(inner, name, depth + 1, prefer),
                _ => JsonTemplate::Message,
            },
            TypeRef::Nullable(inner) => self.template(inner, name, depth, prefer),
            TypeRef::Integer(_) | TypeRef::Number(_) => JsonTemplate::Status,
            TypeRef::Boolean => JsonTemplate::False,
            TypeRef::String(_) if lower == "reason" || lower == "title" => JsonTemplate::Reason,
            TypeRef::String(_) if is_status_name(&lower) => JsonTemplate::StatusText,
            TypeRef::Array(_) => JsonTemplate::EmptyArray,
            TypeRef::Map(_) => JsonTemplate::EmptyObject,
            _ => JsonTemplate::Message,
        }
    }
}

fn tally<'a>(votes: &mut Vec<(&'a TypeRef, usize)>, ty: &'a TypeRef) {
    match votes.iter_mut().find(|(t, _)| *t == ty) {
        Some((_, n)) => *n += 1,
        None => votes.push((ty, 1)),
    }
}

fn winner<'a>(votes: &[(&'a TypeRef, usize)]) -> Option<&'a TypeRef> {
    let best = votes.iter().map(|(_, n)| *n).max()?;
    votes.iter().find(|(_, n)| *n == best).map(|(t, _)| *t)
}

/// A field holding the status (or a code standing for it), by its lower-case
/// name: filled with the status, as a number or as text, never the message.
fn is_status_name(lower: &str) -> bool {
    matches!(lower, "status" | "code" | "status_code" | "statuscode")
}

/// Fields an error body conventionally has, filled even when optional.
fn is_known(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "message"
            | "error"
            | "code"
            | "status"
            | "reason"
            | "success"
            | "title"
            | "detail_message"
            | "description"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec with one operation documenting the error schema `E` for the
    /// statuses in place of `RESPONSES`; `E`'s YAML follows at the end.
    const SPEC: &str = r#"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /x:
    get:
      responses:
        '200': {description: ok}
RESPONSES
components:
  schemas:
    E:
"#;

    /// The rejection bodies of [`SPEC`] with `E` documented for each of
    /// `statuses`.
    fn rejection_for(statuses: &[u16], error_schema: &str) -> RejectionPlan {
        let responses: Vec<String> = statuses
            .iter()
            .map(|status| {
                format!(
                    "        '{status}': {{description: e, content: \
                     {{application/json: {{schema: {{$ref: '#/components/schemas/E'}}}}}}}}"
                )
            })
            .collect();
        let yaml = SPEC.replace("RESPONSES", &responses.join("\n")) + error_schema;
        let loaded = crate::load::load("t.yaml", &yaml).expect("loads");
        let built = crate::model::build(&loaded, &Default::default()).expect("builds");
        super::super::build(&built.api, "t").rejection
    }

    /// One error schema documented for both 400 and 401, its kind an enum:
    /// a 401 still says `AUTHENTICATION`, a 400 `VALIDATION`.
    #[test]
    fn a_401_picks_its_own_kind_from_a_shared_error_schema() {
        let plan = rejection_for(
            &[400, 401],
            r#"      type: object
      required: [type, message]
      properties:
        type: {type: string, enum: [INTERNAL, VALIDATION, AUTHENTICATION]}
        message: {type: string}
"#,
        );
        let kind = |template: Option<&JsonTemplate>| match template {
            Some(JsonTemplate::Object(fields)) => fields[0].1.clone(),
            other => panic!("an object body, not {other:?}"),
        };
        assert_eq!(
            kind(plan.general.as_ref()),
            JsonTemplate::Text("VALIDATION".into())
        );
        assert_eq!(
            kind(plan.unauthorized.as_ref()),
            JsonTemplate::Text("AUTHENTICATION".into())
        );
    }

    /// GitHub's `basic-error` has `status` as a string: it carries the
    /// status (`"400"`), not the message a string field otherwise gets.
    #[test]
    fn a_string_status_field_carries_the_status_as_text() {
        let plan = rejection_for(
            &[400],
            r#"      type: object
      properties:
        message: {type: string}
        status: {type: string}
        code: {type: integer}
"#,
        );
        assert_eq!(
            plan.general,
            Some(JsonTemplate::Object(vec![
                ("message".into(), JsonTemplate::Message),
                ("status".into(), JsonTemplate::StatusText),
                ("code".into(), JsonTemplate::Status),
            ]))
        );
    }
}
