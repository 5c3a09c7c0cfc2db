//! Keys that openapiv3 drops without a word: a path that does not start with
//! `/`, a response key that is not a status code. Said out loud as warnings,
//! since the generated code silently lacks them otherwise.

use crate::diagnostics::join_pointer;
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `(pointer, message)` for each key under `paths` that openapiv3 ignores.
pub(super) fn ignored_keys(document: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let Some(Value::Object(paths)) = document.get("paths") else {
        return found;
    };
    for (path, item) in paths {
        let item_pointer = join_pointer("/paths", path);
        if !path.starts_with('/') {
            if !path.starts_with("x-") {
                found.push((
                    item_pointer,
                    format!("the path `{path}` does not start with `/` and is ignored"),
                ));
            }
            continue;
        }
        for method in METHODS {
            let Some(Value::Object(responses)) =
                item.get(method).and_then(|op| op.get("responses"))
            else {
                continue;
            };
            let responses_pointer = join_pointer(&join_pointer(&item_pointer, method), "responses");
            for key in responses.keys() {
                if !(key == "default" || key.starts_with("x-") || is_status_code(key)) {
                    let message = format!(
                        "the response key `{key}` is not a status code (like 200 or 4XX) or `default`, and is ignored"
                    );
                    found.push((join_pointer(&responses_pointer, key), message));
                }
            }
        }
    }
    found
}

/// What openapiv3's `StatusCode` accepts: 100 to 999, or a digit then `XX`.
fn is_status_code(key: &str) -> bool {
    match key.as_bytes() {
        [d, b'X' | b'x', b'X' | b'x'] => d.is_ascii_digit(),
        [_, _, _] => key
            .parse::<u16>()
            .is_ok_and(|code| (100..1000).contains(&code)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_codes() {
        for ok in ["200", "599", "4XX", "5xx", "100", "999"] {
            assert!(is_status_code(ok), "{ok}");
        }
        for bad in ["20", "2000", "ok", "099", "XXX", "+20", "é"] {
            assert!(!is_status_code(bad), "{bad}");
        }
    }

    #[test]
    fn ignored_paths_and_response_keys_are_named() {
        let document = json!({"paths": {
            "users": {},
            "x-note": {},
            "/a": {"get": {"responses": {"200": {}, "default": {}, "x-y": {}, "ok": {}}}},
        }});
        let found = ignored_keys(&document);
        let pointers: Vec<_> = found.iter().map(|(pointer, _)| pointer.as_str()).collect();
        assert_eq!(pointers, ["/paths/users", "/paths/~1a/get/responses/ok"]);
    }
}
