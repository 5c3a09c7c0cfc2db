//! Keys that openapiv3 drops without a word: a path that does not start with
//! `/`, a response key that is not a status code. A path without its `/`
//! means the path with it, and is read so; the rest are said out loud as
//! warnings, since the generated code silently lacks them otherwise.

use super::origin::Origins;
use crate::diagnostics::join_pointer;
use serde_json::{Map, Value};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Give `users` its leading `/` (in place, keeping the order of paths),
/// unless `/users` is there too. `(pointer, message)` for each such path.
pub(super) fn normalize_paths(
    document: &mut Value,
    origins: &mut Origins,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return found;
    };
    let missing_slash = |path: &str| !path.starts_with('/') && !path.starts_with("x-");
    if !paths.keys().any(|path| missing_slash(path)) {
        return found;
    }
    let old = std::mem::take(paths);
    let mut renamed = Map::new();
    for (path, item) in &old {
        let fixed = format!("/{path}");
        if missing_slash(path) && !old.contains_key(&fixed) {
            origins.record(
                &join_pointer("/paths", &fixed),
                &join_pointer("/paths", path),
            );
            found.push((
                join_pointer("/paths", &fixed),
                format!("the path `{path}` does not start with `/`; read as `{fixed}`"),
            ));
            renamed.insert(fixed, item.clone());
        } else {
            renamed.insert(path.clone(), item.clone());
        }
    }
    *paths = renamed;
    found
}

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
                    format!(
                        "the path `{path}` does not start with `/`, and `/{path}` is there too; ignored"
                    ),
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
    fn a_path_without_its_slash_gets_one_in_place() {
        use super::super::origin::SourceFile;
        let mut document = json!({"paths": {
            "/a": {},
            "users/{id}": {"get": {}},
            "x-note": {},
            "b": {},
            "/b": {},
        }});
        let mut origins = Origins::new(SourceFile {
            name: "api.yaml".into(),
            source: Default::default(),
        });
        let found = normalize_paths(&mut document, &mut origins);
        let keys: Vec<_> = document["paths"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["/a", "/users/{id}", "x-note", "b", "/b"]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/paths/~1users~1{id}");
        assert!(
            found[0].1.contains("read as `/users/{id}`"),
            "{}",
            found[0].1
        );
        // Diagnostics about the renamed path point where it is written.
        assert_eq!(
            origins.place("/paths/~1users~1{id}/get").pointer,
            "/paths/users~1{id}/get"
        );
        // `b` beside `/b` stays ignored, and says why.
        let ignored = ignored_keys(&document);
        assert_eq!(ignored[0].0, "/paths/b");
        assert!(
            ignored[0].1.contains("`/b` is there too"),
            "{}",
            ignored[0].1
        );
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
