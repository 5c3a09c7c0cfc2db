//! OpenAPI 3.0.x is read as it is and 3.1.x through `downgrade`; Swagger
//! 2.0 and anything else differ in ways openapiv3's types would silently get
//! wrong, so they are refused with a clear message.

use serde_json::Value;

/// The OpenAPI versions read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    V3_0,
    V3_1,
}

/// The document's version, or `Err((pointer, message))` unless it declares
/// `openapi: 3.0.x` or `3.1.x`.
pub(super) fn check(document: &Value) -> Result<Version, (String, String)> {
    let Value::Object(root) = document else {
        return Err((
            String::new(),
            "an OpenAPI document must be a mapping (with `openapi`, `info` and `paths`)".into(),
        ));
    };
    if let Some(swagger) = root.get("swagger") {
        let version = text(swagger);
        let message = format!(
            "Swagger {version} is not supported; this generator reads OpenAPI 3.0 and 3.1 (convert the spec first, e.g. with swagger2openapi)"
        );
        return Err(("/swagger".into(), message));
    }
    let Some(openapi) = root.get("openapi") else {
        return Err((
            String::new(),
            "missing `openapi: 3.0.x` or `3.1.x`: this does not look like an OpenAPI 3 document"
                .into(),
        ));
    };
    let version = text(openapi);
    let mut parts = version.split('.');
    let (major, minor) = (parts.next(), parts.next());
    let message = match (major, minor) {
        (Some("3"), Some("0")) if openapi.is_string() => return Ok(Version::V3_0),
        (Some("3"), Some("1")) if openapi.is_string() => return Ok(Version::V3_1),
        (Some("3"), Some("0" | "1")) => format!(
            "`openapi` must be a string: write `openapi: \"{version}.0\"` or similar, quoted"
        ),
        (Some("2"), _) => {
            format!("Swagger {version} is not supported; this generator reads OpenAPI 3.0 and 3.1")
        }
        _ => format!(
            "OpenAPI version `{version}` is not supported; this generator reads 3.0.x and 3.1.x"
        ),
    };
    Err(("/openapi".into(), message))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(document: Value) -> String {
        check(&document).unwrap_err().1
    }

    #[test]
    fn accepts_3_0_x_and_3_1_x_strings() {
        assert_eq!(check(&json!({"openapi": "3.0.3"})), Ok(Version::V3_0));
        assert_eq!(check(&json!({"openapi": "3.0.0"})), Ok(Version::V3_0));
        assert_eq!(check(&json!({"openapi": "3.1.0"})), Ok(Version::V3_1));
        assert_eq!(check(&json!({"openapi": "3.1.1"})), Ok(Version::V3_1));
    }

    #[test]
    fn refuses_other_versions_clearly() {
        assert!(message(json!({"swagger": "2.0"})).starts_with("Swagger 2.0 is not supported"));
        assert!(message(json!({"openapi": "2.0"})).starts_with("Swagger 2.0 is not supported"));
        assert!(message(json!({"openapi": "4.0.0"})).contains("`4.0.0` is not supported"));
        assert!(message(json!({"openapi": 3.0})).contains("must be a string"));
        assert!(message(json!({"openapi": 3.1})).contains("must be a string"));
        assert!(message(json!({"openapi": "3.2.0"})).contains("`3.2.0` is not supported"));
        assert!(message(json!({"info": {}})).starts_with("missing `openapi"));
        assert!(message(json!([1])).contains("must be a mapping"));
    }
}
