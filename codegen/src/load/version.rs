//! Only OpenAPI 3.0.x is read: 2.0 and 3.1 differ in ways openapiv3's types
//! would silently get wrong, so they are refused with a clear message.

use serde_json::Value;

/// `Err((pointer, message))` unless the document declares `openapi: 3.0.x`.
pub(super) fn check(document: &Value) -> Result<(), (String, String)> {
    let Value::Object(root) = document else {
        return Err((
            String::new(),
            "an OpenAPI document must be a mapping (with `openapi`, `info` and `paths`)".into(),
        ));
    };
    if let Some(swagger) = root.get("swagger") {
        let version = text(swagger);
        let message = format!(
            "Swagger {version} is not supported; this generator reads OpenAPI 3.0.x (convert the spec first, e.g. with swagger2openapi)"
        );
        return Err(("/swagger".into(), message));
    }
    let Some(openapi) = root.get("openapi") else {
        return Err((
            String::new(),
            "missing `openapi: 3.0.x`: this does not look like an OpenAPI 3.0 document".into(),
        ));
    };
    let version = text(openapi);
    let mut parts = version.split('.');
    let (major, minor) = (parts.next(), parts.next());
    let message = match (major, minor) {
        (Some("3"), Some("0")) if openapi.is_string() => return Ok(()),
        (Some("3"), Some("0")) => format!(
            "`openapi` must be a string: write `openapi: \"{version}.0\"` or similar, quoted"
        ),
        (Some("3"), Some("1")) => {
            "OpenAPI 3.1 is not supported; this generator reads 3.0.x".to_string()
        }
        (Some("2"), _) => {
            format!("Swagger {version} is not supported; this generator reads OpenAPI 3.0.x")
        }
        _ => format!("OpenAPI version `{version}` is not supported; this generator reads 3.0.x"),
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
    fn accepts_3_0_x_strings() {
        assert_eq!(check(&json!({"openapi": "3.0.3"})), Ok(()));
        assert_eq!(check(&json!({"openapi": "3.0.0"})), Ok(()));
    }

    #[test]
    fn refuses_other_versions_clearly() {
        assert_eq!(
            message(json!({"openapi": "3.1.0"})),
            "OpenAPI 3.1 is not supported; this generator reads 3.0.x"
        );
        assert!(message(json!({"swagger": "2.0"})).starts_with("Swagger 2.0 is not supported"));
        assert!(message(json!({"openapi": "2.0"})).starts_with("Swagger 2.0 is not supported"));
        assert!(message(json!({"openapi": "4.0.0"})).contains("`4.0.0` is not supported"));
        assert!(message(json!({"openapi": 3.0})).contains("must be a string"));
        assert!(message(json!({"openapi": 3.1})).starts_with("OpenAPI 3.1 is not supported"));
        assert!(message(json!({"info": {}})).starts_with("missing `openapi"));
        assert!(message(json!([1])).contains("must be a mapping"));
    }
}
