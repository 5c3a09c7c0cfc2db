//! End-to-end tests of `load`: text in, spec or diagnostics out.

use super::*;
use crate::diagnostics::Severity;
use openapiv3::{ReferenceOr, StatusCode};
use serde_json::json;

const MINIMAL: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

fn spec(text: &str) -> LoadedSpec {
    match load("spec.yaml", text) {
        Ok(spec) => spec,
        Err(diagnostics) => panic!("{diagnostics:#?}"),
    }
}

fn only_error(text: &str) -> Diagnostic {
    let diagnostics = load("spec.yaml", text).map(|_| ()).unwrap_err();
    let errors: Vec<_> = diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

fn status_codes(spec: &LoadedSpec, path: &str) -> Vec<StatusCode> {
    let Some(ReferenceOr::Item(item)) = spec.openapi.paths.paths.get(path) else {
        panic!("no path {path}")
    };
    let operation = item.get.as_ref().expect("a get");
    operation.responses.responses.keys().cloned().collect()
}

#[test]
fn loads_yaml_with_positions() {
    let text = format!(
        "{MINIMAL}paths:\n  /users/{{id}}:\n    get:\n      responses:\n        '200':\n          description: ok\n"
    );
    let spec = spec(&text);
    assert_eq!(spec.openapi.info.title, "t");
    assert_eq!(
        spec.document["paths"]["/users/{id}"]["get"]["responses"]["200"]["description"],
        json!("ok")
    );
    assert_eq!(spec.source().locate(""), Some((1, 1)));
    assert_eq!(spec.source().locate("/paths"), Some((3, 1)));
    assert_eq!(
        spec.source().locate("/paths/~1users~1{id}/get"),
        Some((5, 5))
    );
    assert_eq!(
        spec.source()
            .locate("/paths/~1users~1{id}/get/responses/200/description"),
        Some((8, 11))
    );
    // Missing nodes fall back to the nearest ancestor that exists.
    assert_eq!(
        spec.source()
            .locate("/paths/~1users~1{id}/get/parameters/3"),
        Some((5, 5))
    );
    assert_eq!(spec.source().locate("/components/schemas/X"), Some((1, 1)));
    let diagnostic = spec.error("/paths/~1users~1{id}/get/responses", "boom");
    assert_eq!((diagnostic.line, diagnostic.column), (Some(6), Some(7)));
    assert_eq!(spec.warning("/info/title", "w").severity, Severity::Warning);
}

#[test]
fn loads_json() {
    let text = r#"{
  "openapi": "3.0.0",
  "info": {"title": "j", "version": "1.0.0"},
  "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}, "5XX": {"description": "e"}, "default": {"description": "d"}}}}},
  "x-numbers": [1, -2, 3.5, 1e2, true, null, "\u00e9\/"]
}"#;
    let spec = spec(text);
    assert_eq!(spec.openapi.info.title, "j");
    assert_eq!(
        status_codes(&spec, "/a"),
        vec![StatusCode::Code(200), StatusCode::Range(5)]
    );
    let Some(ReferenceOr::Item(item)) = spec.openapi.paths.paths.get("/a") else {
        panic!()
    };
    assert!(item.get.as_ref().unwrap().responses.default.is_some());
    assert_eq!(
        spec.document["x-numbers"],
        json!([1, -2, 3.5, 100.0, true, null, "é/"])
    );
    assert_eq!(spec.source().locate("/paths/~1a/get"), Some((4, 20)));
    assert_eq!(spec.source().locate("/x-numbers/2"), Some((5, 24)));
}

#[test]
fn unquoted_integer_response_keys_work() {
    let text = format!(
        "{MINIMAL}paths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n        4XX:\n          description: bad\n"
    );
    let spec = spec(&text);
    assert_eq!(
        status_codes(&spec, "/a"),
        vec![StatusCode::Code(200), StatusCode::Range(4)]
    );
    assert_eq!(
        spec.source().locate("/paths/~1a/get/responses/200"),
        Some((7, 9))
    );
}

#[test]
fn key_order_is_kept() {
    let text = format!("{MINIMAL}paths:\n  /z: {{}}\n  /a: {{}}\n  /m: {{}}\n");
    let spec = spec(&text);
    let paths: Vec<_> = spec.openapi.paths.paths.keys().cloned().collect();
    assert_eq!(paths, ["/z", "/a", "/m"]);
}

#[test]
fn anchors_aliases_and_merge_keys_are_resolved() {
    let text = format!(
        "{MINIMAL}paths: {{}}\ncomponents:\n  schemas:\n    Base: &base\n      type: object\n      description: base\n    Copy: *base\n    Merged:\n      <<: *base\n      description: merged\n"
    );
    let spec = spec(&text);
    let schemas = &spec.document["components"]["schemas"];
    assert_eq!(
        schemas["Copy"],
        json!({"type": "object", "description": "base"})
    );
    assert_eq!(
        schemas["Merged"],
        json!({"type": "object", "description": "merged"})
    );
    assert!(
        spec.openapi
            .components
            .as_ref()
            .unwrap()
            .schemas
            .contains_key("Copy")
    );
    // Aliased content is placed at the alias, merged keys at their `<<`.
    assert_eq!(
        spec.source().locate("/components/schemas/Base/type"),
        Some((7, 7))
    );
    assert_eq!(
        spec.source().locate("/components/schemas/Copy/type"),
        Some((9, 5))
    );
    assert_eq!(
        spec.source().locate("/components/schemas/Merged/type"),
        Some((11, 7))
    );
    assert_eq!(
        spec.source()
            .locate("/components/schemas/Merged/description"),
        Some((12, 7))
    );
    assert!(spec.diagnostics.is_empty(), "{:?}", spec.diagnostics);
    // Anchored keys, aliases as keys, and a list of merged mappings.
    let text = format!(
        "{MINIMAL}paths: {{}}\nx-a: {{&k key: 1, *k : 2}}\nx-b: {{<<: [{{p: 1}}, {{p: 2, q: 3}}], q: 4}}\n"
    );
    let document = self::spec(&text).document;
    assert_eq!(document["x-a"], json!({"key": 2}));
    assert_eq!(document["x-b"], json!({"q": 4, "p": 1}));
}

#[test]
fn duplicate_keys_warn_and_keep_the_last() {
    let text = format!("{MINIMAL}paths: {{}}\nx-a: 1\nx-a: 2\n");
    let spec = spec(&text);
    assert_eq!(spec.document["x-a"], json!(2));
    assert_eq!(spec.diagnostics.len(), 1);
    let warning = &spec.diagnostics[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!((warning.pointer.as_str(), warning.line), ("/x-a", Some(5)));
    assert!(warning.message.contains("last value is kept"));
}

#[test]
fn keys_openapiv3_would_drop_are_warned_about() {
    let text = format!(
        "{MINIMAL}paths:\n  users: {{}}\n  /a:\n    get:\n      responses:\n        ok: {{description: x}}\n"
    );
    let spec = spec(&text);
    let warnings: Vec<_> = spec
        .diagnostics
        .iter()
        .map(|d| (d.pointer.as_str(), d.line))
        .collect();
    assert_eq!(
        warnings,
        [
            ("/paths/users", Some(4)),
            ("/paths/~1a/get/responses/ok", Some(8))
        ]
    );
}

#[test]
fn syntax_errors_give_the_parser_position() {
    let error = only_error("openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\npaths: {}\n");
    assert!(
        error.message.starts_with("YAML syntax error"),
        "{}",
        error.message
    );
    assert!(error.line.is_some_and(|line| line >= 3), "{error:?}");
    let error = only_error("{\"openapi\": \"3.0.0\",, }");
    assert_eq!(error.line, Some(1));
    let error = only_error("a: b\n c: d\n");
    assert_eq!((error.line, error.column), (Some(2), Some(3)), "{error}");
}

#[test]
fn type_errors_name_the_pointer_and_line() {
    let error = only_error(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: 5}}}\n",
    );
    assert_eq!(error.pointer, "/paths/~1a/get/responses");
    assert_eq!((error.line, error.column), (Some(3), Some(20)));
    assert_eq!(
        error.message,
        "invalid type: integer `5`, expected a Responses object"
    );
    assert_eq!(error.file, "spec.yaml");
}

#[test]
fn missing_required_fields_are_reported() {
    let error = only_error("openapi: 3.0.3\npaths: {}\n");
    assert!(
        error.message.contains("missing field `info`"),
        "{}",
        error.message
    );
    let error = only_error("openapi: 3.0.3\ninfo:\n  title: t\n  version: 1.0\npaths: {}\n");
    assert_eq!(
        (error.pointer.as_str(), error.line),
        ("/info/version", Some(4))
    );
    assert!(error.message.contains("quote it"), "{}", error.message);
}

#[test]
fn other_versions_are_refused() {
    let error = only_error("openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert_eq!(
        error.message,
        "OpenAPI version `3.2.0` is not supported; this generator reads 3.0.x and 3.1.x"
    );
    assert_eq!((error.pointer.as_str(), error.line), ("/openapi", Some(1)));
    let error = only_error("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(
        error.message.starts_with("Swagger 2.0 is not supported"),
        "{}",
        error.message
    );
    let error = only_error("");
    assert!(
        error.message.contains("no YAML or JSON document"),
        "{}",
        error.message
    );
}

#[test]
fn non_finite_numbers_are_errors_with_positions() {
    let error = only_error(&format!("{MINIMAL}paths: {{}}\nx-limit: .inf\n"));
    assert_eq!(
        (error.pointer.as_str(), error.line, error.column),
        ("/x-limit", Some(4), Some(10))
    );
    assert!(error.message.contains("not a finite number"));
}

#[test]
fn structural_oddities_are_errors_not_panics() {
    let cases = [
        "? [a, b]\n: c\n",
        "a: &x [*x]\n",
        "--- 1\n--- 2\n",
        "a: !!int nope\n",
        "<<: 5\n",
        "\u{feff}openapi: 3.0.3\n",
        "[",
        "'",
        "\t",
        "&a",
        "*a",
        "- ? : : :",
        "{{{{}}}}",
        "%YAML 1.2\n---\n",
    ];
    for text in cases {
        assert!(load("x.yaml", text).is_err(), "{text:?} should not load");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let block: String = (0..100_000)
        .map(|i| format!("{}a:\n", " ".repeat(i % 1000)))
        .collect();
    for text in [
        "[".repeat(100_000),
        "{a: ".repeat(100_000),
        "- ".repeat(100_000),
        block,
    ] {
        let error = only_error(&text);
        assert!(error.message.contains("levels deep"), "{}", error.message);
        assert!(error.line.is_some());
    }
    // Aliases cannot stack nesting past the limit either.
    let mut text = String::from("a0: &a0 [[[[[[[[[[1]]]]]]]]]]\n");
    for i in 1..60 {
        text.push_str(&format!("a{i}: &a{i} [[[[[[[[[[*a{}]]]]]]]]]]\n", i - 1));
    }
    assert!(only_error(&text).message.contains("levels deep"));
}

/// A spec whose schema `Deep` nests `levels` schemas through `items`, in
/// block style (flow style stops at 255 levels in the scanner).
fn nested_items(levels: usize) -> String {
    let mut text = format!("{MINIMAL}paths: {{}}\ncomponents:\n  schemas:\n    Deep:\n");
    for level in 0..levels {
        text.push_str(&format!(
            "{:indent$}type: array\n{:indent$}items:\n",
            "",
            "",
            indent = 6 + 2 * level
        ));
    }
    text.push_str(&format!(
        "{:indent$}type: string\n",
        "",
        indent = 6 + 2 * levels
    ));
    text
}

#[test]
fn the_deepest_accepted_spec_deserializes_within_a_test_thread() {
    // The document, `components`, `schemas` and `Deep` are the first four levels.
    let deepest = nested_items(yaml::MAX_DEPTH - 4);
    let spec = spec(&deepest);
    assert!(spec.openapi.components.is_some());
    let error = only_error(&nested_items(yaml::MAX_DEPTH - 3));
    assert!(error.message.contains("levels deep"), "{}", error.message);
    // A type error at the bottom is still found and placed.
    let indent = " ".repeat(2 * yaml::MAX_DEPTH - 2);
    let broken = deepest.replace(
        "type: string",
        &format!("type: string\n{indent}required: 5"),
    );
    let error = only_error(&broken);
    assert!(
        error.pointer.ends_with("/items/required"),
        "{}",
        error.pointer
    );
    assert!(error.line.is_some());
}

#[test]
fn alias_bombs_are_stopped() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let previous = format!("*a{}", i - 1);
        let items = [previous.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    assert!(only_error(&text).message.contains("aliases expand"));
}

fn realspec(name: &str) -> String {
    let path = format!(
        "{}/../../shared/realspecs/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_seed_spec_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/fireblocks.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let spec = spec(&text);
    assert!(
        spec.openapi
            .paths
            .paths
            .contains_key("/management/users/{id}/reset_device")
    );
    assert!(
        spec.source()
            .locate("/paths/~1management~1users~1{id}~1reset_device/post")
            .is_some()
    );
}

#[test]
fn the_real_specs_load() {
    let spec = spec(&realspec("fireblocks-api-spec-v2.yaml"));
    assert_eq!(spec.openapi.paths.paths.len(), 236);
    assert!(spec.source().len() > 10_000);
    for name in [
        "oai-v3.0-petstore.yaml",
        "oai-v3.0-petstore-expanded.yaml",
        "oai-v3.0-uspto.yaml",
        "oai-v3.0-link-example.yaml",
        "oai-v3.0-callback-example.yaml",
        "oai-v3.0-api-with-examples.yaml",
    ] {
        let loaded = load(name, &realspec(name));
        assert!(loaded.is_ok(), "{name}: {:#?}", loaded.err());
    }
}
