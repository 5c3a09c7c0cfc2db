//! A rejected request is answered in the vendor's own error shape: the body
//! the spec documents for a 400 (or `4XX`, or `default`), filled in from the
//! rejection's status and message. A 401 uses the body the spec documents
//! for 401 when that differs (Fireblocks' `ErrorResponse`, `AUTHENTICATION`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Api, EnumValue, StatusMatch, TypeKind, TypeRef};

/// An expression building the rejection body as a `serde_json::Value`
/// from the local `rejection: &Rejection`.
pub fn rejection_body(api: &Api) -> TokenStream {
    let general = match error_schema(api) {
        Some(ty) => value_for(api, ty, "", 0, BAD_REQUEST_WORDS),
        None => {
            quote! { ::serde_json::json!({ "code": rejection.status.as_u16(), "message": rejection.message }) }
        }
    };
    // A 401 gets the body documented for 401, and its kind picked for a
    // missing credential; the same schema as the 400's may still need
    // another kind (`AUTHENTICATION`, not `VALIDATION`).
    let unauthorized = voted_schema(api, StatusMatch::Code(401))
        .map(|ty| value_for(api, ty, "", 0, UNAUTHORIZED_WORDS))
        .filter(|body| body.to_string() != general.to_string());
    match unauthorized {
        Some(unauthorized) => quote! {
            if rejection.status == ::mfa_runtime::http::StatusCode::UNAUTHORIZED { #unauthorized } else { #general }
        },
        None => general,
    }
}

/// Enum values an error body's kind takes for a malformed request...
const BAD_REQUEST_WORDS: &[&str] = &["VALIDATION", "BAD_REQUEST", "INVALID"];
/// ...and for a caller that is not authenticated.
const UNAUTHORIZED_WORDS: &[&str] = &["AUTHENTICATION", "UNAUTHORIZED", "UNAUTHENTICATED"];

/// The body most operations document for `status`, if any; ties go to the
/// first seen.
fn voted_schema(api: &Api, status: StatusMatch) -> Option<&TypeRef> {
    let mut votes: Vec<(&TypeRef, usize)> = Vec::new();
    for op in &api.operations {
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

/// The schema most operations document for a malformed request: the body
/// for 400, else `4XX`, else `default`; failing those, the most common error
/// body of the spec. Ties go to the first seen, so the choice is stable.
fn error_schema(api: &Api) -> Option<&TypeRef> {
    for preference in [
        StatusMatch::Code(400),
        StatusMatch::Range(4),
        StatusMatch::Default,
    ] {
        if let Some(ty) = voted_schema(api, preference) {
            return Some(ty);
        }
    }
    let mut votes: Vec<(&TypeRef, usize)> = Vec::new();
    for op in &api.operations {
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

/// A JSON value of type `ty` for a field named `name`.
fn value_for(api: &Api, ty: &TypeRef, name: &str, depth: usize, prefer: &[&str]) -> TokenStream {
    let lower = name.to_ascii_lowercase();
    match ty {
        TypeRef::Named(id) if depth < 8 => match api.types.get(id).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => {
                let entries = s
                    .fields
                    .iter()
                    .filter(|f| !f.flatten && (f.required || is_known(&f.name)))
                    .map(|f| {
                        let key = &f.name;
                        let value = value_for(api, &f.ty, &f.name, depth + 1, prefer);
                        quote! { (#key.to_string(), #value) }
                    });
                quote! { ::serde_json::Value::Object([#(#entries),*].into_iter().collect()) }
            }
            Some(TypeKind::Enum(e)) => {
                let pick = e
                    .values
                    .iter()
                    .find(|v| matches!(v, EnumValue::String(s) if prefer.iter().any(|k| s.to_ascii_uppercase().contains(k))))
                    .or_else(|| e.values.first());
                match pick {
                    Some(EnumValue::String(s)) => quote! { ::serde_json::Value::from(#s) },
                    Some(EnumValue::Integer(i)) => quote! { ::serde_json::Value::from(#i) },
                    None => quote! { ::serde_json::Value::Null },
                }
            }
            Some(TypeKind::Newtype(inner)) => value_for(api, inner, name, depth + 1, prefer),
            _ => quote! { ::serde_json::Value::from(rejection.message.as_str()) },
        },
        TypeRef::Nullable(inner) => value_for(api, inner, name, depth, prefer),
        TypeRef::Integer(_) | TypeRef::Number(_) => {
            quote! { ::serde_json::Value::from(rejection.status.as_u16()) }
        }
        TypeRef::Boolean => quote! { ::serde_json::Value::from(false) },
        TypeRef::String(_) if lower == "reason" || lower == "title" => {
            quote! { ::serde_json::Value::from(rejection.status.canonical_reason().unwrap_or("Error")) }
        }
        TypeRef::Array(_) => quote! { ::serde_json::Value::Array(::std::vec::Vec::new()) },
        TypeRef::Map(_) => quote! { ::serde_json::Value::Object(::serde_json::Map::new()) },
        _ => quote! { ::serde_json::Value::from(rejection.message.as_str()) },
    }
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

    fn body_for(yaml: &str) -> String {
        let loaded = crate::load::load("t.yaml", yaml).expect("loads");
        let built = crate::model::build(&loaded, &Default::default()).expect("builds");
        rejection_body(&built.api).to_string()
    }

    /// One error schema documented for both 400 and 401, its kind an enum:
    /// a 401 still says `AUTHENTICATION`, a 400 `VALIDATION`.
    #[test]
    fn a_401_picks_its_own_kind_from_a_shared_error_schema() {
        let body = body_for(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /x:
    get:
      responses:
        '200': {description: ok}
        '400': {description: bad, content: {application/json: {schema: {$ref: '#/components/schemas/E'}}}}
        '401': {description: who, content: {application/json: {schema: {$ref: '#/components/schemas/E'}}}}
components:
  schemas:
    E:
      type: object
      required: [type, message]
      properties:
        type: {type: string, enum: [INTERNAL, VALIDATION, AUTHENTICATION]}
        message: {type: string}
"#,
        );
        let (unauthorized, general) = body.split_once("else").expect("a separate body for 401");
        assert!(unauthorized.contains("UNAUTHORIZED"), "{body}");
        assert!(unauthorized.contains("\"AUTHENTICATION\""), "{body}");
        assert!(general.contains("\"VALIDATION\""), "{body}");
    }
}
