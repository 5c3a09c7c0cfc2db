//! A walk over a document as JSON that knows what each node is: a path
//! item, a parameter, a schema... Rewrites that depend on the kind of node
//! (3.1's schema keywords, `$ref`s to other files) use it before openapiv3
//! reads the document. It covers OpenAPI 3.0 and 3.1 and JSON Schema's
//! subschema keywords, and goes through `$ref` objects without following
//! them.

use serde_json::Value;

use crate::diagnostics::join_pointer;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Document,
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    MediaType,
    Encoding,
    Response,
    Callback,
    Components,
    Schema,
    SecurityScheme,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Visit every node of `kind` at `pointer` and below, parents first. `visit`
/// may rewrite the node it is given; its children are found afterwards, so
/// what it puts there is walked too. Nesting is bounded by the loader's
/// depth limit, so recursing is safe.
pub(super) fn walk(
    node: &mut Value,
    pointer: &str,
    kind: Kind,
    visit: &mut dyn FnMut(&mut Value, &str, Kind),
) {
    visit(node, pointer, kind);
    let Value::Object(map) = node else {
        return;
    };
    for (key, child) in map.iter_mut() {
        let child_pointer = join_pointer(pointer, key);
        match child_kinds(kind, key) {
            Child::None => {}
            Child::One(kind) => walk(child, &child_pointer, kind, visit),
            Child::Entries(kind) => {
                if let Value::Object(entries) = child {
                    for (name, entry) in entries.iter_mut() {
                        let entry_pointer = join_pointer(&child_pointer, name);
                        walk(entry, &entry_pointer, kind, visit);
                    }
                }
            }
            Child::Items(kind) => match child {
                Value::Array(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        let item_pointer = join_pointer(&child_pointer, &i.to_string());
                        walk(item, &item_pointer, kind, visit);
                    }
                }
                // `items` is a schema or, in old JSON Schema, a list of them.
                other => walk(other, &child_pointer, kind, visit),
            },
        }
    }
}

/// What is under `key` in a node of `kind`.
enum Child {
    None,
    One(Kind),
    /// A mapping of name to node.
    Entries(Kind),
    /// A list of nodes (or, for `items`, one node).
    Items(Kind),
}

fn child_kinds(kind: Kind, key: &str) -> Child {
    use Kind::*;
    if key.starts_with("x-") {
        return Child::None;
    }
    match (kind, key) {
        (Document, "paths" | "webhooks") => Child::Entries(PathItem),
        (Document, "components") => Child::One(Components),
        (PathItem, method) if METHODS.contains(&method) => Child::One(Operation),
        (PathItem | Operation, "parameters") => Child::Items(Parameter),
        (Operation, "requestBody") => Child::One(RequestBody),
        (Operation, "responses") => Child::Entries(Response),
        (Operation, "callbacks") => Child::Entries(Callback),
        (Callback, _) => Child::One(PathItem),
        (Parameter | Header | MediaType, "schema") => Child::One(Schema),
        (Parameter | Header | RequestBody | Response, "content") => Child::Entries(MediaType),
        (MediaType, "encoding") => Child::Entries(Encoding),
        (Encoding | Response, "headers") => Child::Entries(Header),
        (Components, "schemas") => Child::Entries(Schema),
        (Components, "responses") => Child::Entries(Response),
        (Components, "parameters") => Child::Entries(Parameter),
        (Components, "requestBodies") => Child::Entries(RequestBody),
        (Components, "headers") => Child::Entries(Header),
        (Components, "callbacks") => Child::Entries(Callback),
        (Components, "pathItems") => Child::Entries(PathItem),
        (Components, "securitySchemes") => Child::Entries(SecurityScheme),
        (
            Schema,
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas",
        ) => Child::Entries(Schema),
        (Schema, "allOf" | "anyOf" | "oneOf" | "prefixItems") => Child::Items(Schema),
        (Schema, "items") => Child::Items(Schema),
        (
            Schema,
            "additionalProperties"
            | "additionalItems"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames",
        ) => Child::One(Schema),
        _ => Child::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nodes_are_visited_with_their_kinds() {
        let mut document = json!({
            "paths": {"/a": {
                "parameters": [{"name": "p", "in": "query", "schema": {"type": "string"}}],
                "get": {"responses": {"200": {
                    "description": "ok",
                    "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"schema": {"items": [{"type": "string"}]}},
                        "x-extra": {"type": "ignored"},
                    }}},
                }}},
            }},
            "webhooks": {"ping": {"post": {}}},
            "components": {"schemas": {"S": {"allOf": [{"$ref": "#/x"}]}}},
        });
        let mut seen = Vec::new();
        walk(
            &mut document,
            "",
            Kind::Document,
            &mut |_, pointer, kind| {
                if kind == Kind::Schema || kind == Kind::Operation {
                    seen.push((pointer.to_string(), kind));
                }
            },
        );
        let schema = |p: &str| (p.to_string(), Kind::Schema);
        assert_eq!(
            seen,
            [
                schema("/paths/~1a/parameters/0/schema"),
                ("/paths/~1a/get".into(), Kind::Operation),
                schema("/paths/~1a/get/responses/200/headers/X-Rate/schema"),
                schema("/paths/~1a/get/responses/200/content/application~1json/schema"),
                // A property named `schema` is a schema by position, and an
                // extension is not looked into.
                schema(
                    "/paths/~1a/get/responses/200/content/application~1json/schema/properties/schema"
                ),
                schema(
                    "/paths/~1a/get/responses/200/content/application~1json/schema/properties/schema/items/0"
                ),
                ("/webhooks/ping/post".into(), Kind::Operation),
                schema("/components/schemas/S"),
                schema("/components/schemas/S/allOf/0"),
            ]
        );
    }

    #[test]
    fn rewrites_are_walked_too() {
        let mut document =
            json!({"components": {"schemas": {"S": {"$ref": "#/x", "description": "d"}}}});
        let mut seen = Vec::new();
        walk(
            &mut document,
            "",
            Kind::Document,
            &mut |node, pointer, kind| {
                if kind == Kind::Schema {
                    seen.push(pointer.to_string());
                    let map = node.as_object_mut().expect("schemas here are objects");
                    if map.len() > 1
                        && let Some(reference) = map.remove("$ref")
                    {
                        map.insert("allOf".into(), json!([{"$ref": reference}]));
                    }
                }
            },
        );
        assert_eq!(
            seen,
            ["/components/schemas/S", "/components/schemas/S/allOf/0"]
        );
    }
}
