//! OpenAPI 3.1 read as 3.0: the few constructs 3.1 (and its JSON Schema
//! 2020-12 dialect) adds are rewritten, as JSON, into the 3.0 constructs
//! that mean the same, before openapiv3 reads the document. Every later
//! stage then has one model to handle.
//!
//! Why rewrite rather than read 3.1 with a crate of its own: the model is
//! built from openapiv3's types, and the 3.1 crates (`oas3`,
//! `openapiv3-extended`'s fork) have other types, so either every stage
//! would handle two models or the 3.1 types would be mapped onto 3.0 ones
//! anyway. The differences that matter to generated code are few and local
//! (below), and a rewrite keeps the user's lines: each moved node records
//! where it was written, so diagnostics still point into the user's file.
//!
//! - `type: [T, "null"]` is `type: T, nullable: true`; several types are an
//!   `anyOf` of one branch per type, each with its own keywords.
//! - `const: v` is `enum: [v]` (with the type of `v` when none is given).
//! - `examples: [a, ...]` on a schema is `example: a`.
//! - `exclusiveMinimum: n` is `minimum: n, exclusiveMinimum: true`.
//! - `$ref` beside other keywords means both: `allOf: [{$ref}, {others}]`
//!   (annotations such as `description` stay beside the `allOf`).
//! - `prefixItems` (a tuple) is an array of its one item schema, or of any
//!   JSON value when they differ, with a warning.
//! - `true` and `false` as schemas are `{}` and `{not: {}}`.
//! - `contentEncoding: base64` is `format: byte`; `contentMediaType`
//!   without it is `format: binary`.
//! - `paths` and an operation's `responses` may be left out; `webhooks`
//!   (requests the API sends, not serves) are not generated, with a
//!   warning; `jsonSchemaDialect` is dropped; a `mutualTLS` security scheme
//!   is dropped with a warning (TLS client certificates are set on the
//!   HTTP client, not per request).
//! - `components/pathItems` are kept for `$ref`s to follow.

use serde_json::{Map, Value, json};

use super::origin::Origins;
use super::walk::{Kind, walk};
use crate::diagnostics::join_pointer;

/// Keywords that only describe a schema: beside a `$ref` they stay where
/// they are, as the description of the `allOf` that wraps the `$ref`.
const ANNOTATIONS: [&str; 12] = [
    "description",
    "title",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
    "examples",
    "default",
    "nullable",
    "externalDocs",
    "$comment",
    "discriminator",
];

/// Keywords that identify rather than constrain: dropped beside a `$ref`.
const IDENTIFIERS: [&str; 5] = ["$schema", "$id", "$anchor", "$dynamicAnchor", "$comment"];

/// The keywords that apply to values of one JSON type.
const KEYWORDS_BY_TYPE: [(&str, &[&str]); 5] = [
    (
        "string",
        &[
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "contentEncoding",
            "contentMediaType",
        ],
    ),
    (
        "number",
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
    ),
    (
        "integer",
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
    ),
    (
        "array",
        &[
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
        ],
    ),
    (
        "object",
        &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
            "patternProperties",
            "propertyNames",
        ],
    ),
];

/// The default dialect of OpenAPI 3.1's schemas.
const OAS_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Rewrite a 3.1 document as 3.0 in place. Returns `(pointer, message)`
/// warnings for what has no 3.0 form and was left out.
pub(super) fn downgrade(document: &mut Value, origins: &mut Origins) -> Vec<(String, String)> {
    let mut warnings = Vec::new();
    root(document, &mut warnings);
    walk(
        document,
        "",
        Kind::Document,
        &mut |node, pointer, kind| match kind {
            Kind::Operation => {
                if let Value::Object(operation) = node {
                    operation
                        .entry("responses")
                        .or_insert_with(|| Value::Object(Map::new()));
                }
            }
            Kind::Schema => schema(node, pointer, origins, &mut warnings),
            _ => {}
        },
    );
    warnings
}

fn root(document: &mut Value, warnings: &mut Vec<(String, String)>) {
    let Value::Object(root) = document else {
        return;
    };
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(dialect) = root.remove("jsonSchemaDialect")
        && dialect.as_str() != Some(OAS_DIALECT)
    {
        warnings.push((
            "/jsonSchemaDialect".into(),
            format!("schemas are read as OpenAPI's own dialect, not {dialect}"),
        ));
    }
    if let Some(Value::Object(webhooks)) = root.get("webhooks")
        && !webhooks.is_empty()
    {
        let names: Vec<String> = webhooks.keys().map(|k| format!("`{k}`")).collect();
        warnings.push((
                "/webhooks".into(),
                format!(
                    "webhooks are requests this API sends to its subscribers, not operations it serves; not generated: {}",
                    names.join(", ")
                ),
            ));
    }
    root.remove("webhooks");
    let schemes = root
        .get_mut("components")
        .and_then(|c| c.get_mut("securitySchemes"))
        .and_then(Value::as_object_mut);
    if let Some(schemes) = schemes {
        let mutual: Vec<String> = schemes
            .iter()
            .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("mutualTLS"))
            .map(|(k, _)| k.clone())
            .collect();
        for key in mutual {
            schemes.remove(&key);
            warnings.push((
                join_pointer("/components/securitySchemes", &key),
                "a `mutualTLS` scheme is a client certificate, set on the HTTP client rather than per request; left out".into(),
            ));
        }
    }
}

/// One schema node, rewritten in place; its subschemas are visited after.
fn schema(
    node: &mut Value,
    pointer: &str,
    origins: &mut Origins,
    warnings: &mut Vec<(String, String)>,
) {
    match node {
        Value::Bool(true) => *node = json!({}),
        Value::Bool(false) => *node = json!({"not": {}}),
        _ => {}
    }
    let Value::Object(map) = node else {
        return;
    };
    if map.contains_key("$ref") && map.len() > 1 {
        ref_with_siblings(map, pointer, origins);
    }
    type_list(map, pointer, origins, warnings);
    if let Some(value) = map.remove("const") {
        if !map.contains_key("type")
            && let Some(ty) = json_type(&value)
        {
            map.insert("type".into(), Value::String(ty.into()));
        }
        map.entry("enum").or_insert_with(|| json!([value]));
    }
    if let Some(Value::Array(mut examples)) = map.remove("examples")
        && !examples.is_empty()
        && !map.contains_key("example")
    {
        map.insert("example".into(), examples.swap_remove(0));
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(limit) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), limit);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    tuple(map, pointer, origins, warnings);
    let is_string = map.get("type").and_then(Value::as_str) == Some("string");
    if is_string && !map.contains_key("format") {
        let encoding = map.get("contentEncoding").and_then(Value::as_str);
        let media = map.get("contentMediaType").and_then(Value::as_str);
        let format = match (encoding, media) {
            (Some(e), _) if e.eq_ignore_ascii_case("base64") => Some("byte"),
            (None, Some(m)) if !m.contains("json") && !m.starts_with("text/") => Some("binary"),
            _ => None,
        };
        if let Some(format) = format {
            map.insert("format".into(), Value::String(format.into()));
        }
    }
}

/// `{$ref: A, description: d, properties: {...}}`: A and the rest both.
fn ref_with_siblings(map: &mut Map<String, Value>, pointer: &str, origins: &mut Origins) {
    for identifier in IDENTIFIERS {
        map.remove(identifier);
    }
    if map.len() == 1 {
        return;
    }
    let Some(reference) = map.remove("$ref") else {
        return;
    };
    let constraints: Map<String, Value> = map
        .keys()
        .filter(|k| !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-"))
        .cloned()
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|k| map.remove(&k).map(|v| (k, v)))
        .collect();
    let all_of = join_pointer(pointer, "allOf");
    origins.record(&join_pointer(&all_of, "0"), pointer);
    let mut members = vec![json!({"$ref": reference})];
    if !constraints.is_empty() {
        origins.record(&join_pointer(&all_of, "1"), pointer);
        for keyword in constraints.keys() {
            let to = join_pointer(&join_pointer(&all_of, "1"), keyword);
            origins.moved(&join_pointer(pointer, keyword), &to);
        }
        members.push(Value::Object(constraints));
    }
    map.insert("allOf".into(), Value::Array(members));
}

/// `type: [string, "null"]` and its kin.
fn type_list(
    map: &mut Map<String, Value>,
    pointer: &str,
    origins: &mut Origins,
    warnings: &mut Vec<(String, String)>,
) {
    let types: Vec<String> = match map.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        Some(Value::String(t)) if t == "null" => vec![t.clone()],
        _ => return,
    };
    map.remove("type");
    if types.iter().any(|t| t == "null") {
        map.insert("nullable".into(), Value::Bool(true));
    }
    let types: Vec<String> = types.into_iter().filter(|t| t != "null").collect();
    match types.as_slice() {
        [] => {}
        [only] => {
            map.insert("type".into(), Value::String(only.clone()));
        }
        several if map.contains_key("anyOf") || map.contains_key("oneOf") => {
            warnings.push((
                join_pointer(pointer, "type"),
                format!(
                    "a schema of several types ({}) that is also a union is read as the union alone",
                    several.join(", ")
                ),
            ));
        }
        several => {
            let mut branches = Vec::new();
            let mut moved: Vec<&str> = Vec::new();
            let any_of = join_pointer(pointer, "anyOf");
            for (i, ty) in several.iter().enumerate() {
                let branch_pointer = join_pointer(&any_of, &i.to_string());
                origins.record(&branch_pointer, pointer);
                let mut branch = Map::new();
                branch.insert("type".into(), Value::String(ty.clone()));
                let keywords = KEYWORDS_BY_TYPE
                    .iter()
                    .find(|(t, _)| t == ty)
                    .map_or(&[][..], |(_, k)| *k);
                for keyword in keywords {
                    if let Some(value) = map.get(*keyword) {
                        branch.insert((*keyword).into(), value.clone());
                        // A `$ref` into it finds the first branch's copy.
                        if !moved.contains(keyword) {
                            moved.push(keyword);
                            let to = join_pointer(&branch_pointer, keyword);
                            origins.moved(&join_pointer(pointer, keyword), &to);
                        }
                    }
                }
                if let Some(Value::Array(values)) = map.get("enum") {
                    let fitting: Vec<Value> =
                        values.iter().filter(|v| fits(v, ty)).cloned().collect();
                    if !fitting.is_empty() {
                        branch.insert("enum".into(), Value::Array(fitting));
                    }
                }
                branches.push(Value::Object(branch));
            }
            for (_, keywords) in KEYWORDS_BY_TYPE {
                for keyword in keywords {
                    map.remove(*keyword);
                }
            }
            map.remove("enum");
            map.insert("anyOf".into(), Value::Array(branches));
        }
    }
}

/// `prefixItems`: a tuple, which 3.0 has no way to say.
fn tuple(
    map: &mut Map<String, Value>,
    pointer: &str,
    origins: &mut Origins,
    warnings: &mut Vec<(String, String)>,
) {
    let Some(Value::Array(prefix)) = map.remove("prefixItems") else {
        return;
    };
    if matches!(map.get("items"), Some(Value::Bool(false))) {
        map.remove("items");
    }
    if map.contains_key("items") {
        warnings.push((
            join_pointer(pointer, "prefixItems"),
            "the first items' own schemas (`prefixItems`) are not kept; every item is read as `items`".into(),
        ));
        return;
    }
    let first = prefix.first().cloned().unwrap_or_else(|| json!({}));
    if prefix.iter().all(|item| *item == first) {
        origins.moved(
            &join_pointer(pointer, "prefixItems/0"),
            &join_pointer(pointer, "items"),
        );
        map.insert("items".into(), first);
    } else {
        warnings.push((
            join_pointer(pointer, "prefixItems"),
            "a tuple of different item schemas (`prefixItems`) is read as an array of any JSON values".into(),
        ));
        map.insert("items".into(), json!({}));
    }
}

/// The JSON Schema type of a value.
fn json_type(value: &Value) -> Option<&'static str> {
    match value {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        Value::Array(_) => Some("array"),
        Value::Object(_) => Some("object"),
        Value::Null => None,
    }
}

fn fits(value: &Value, ty: &str) -> bool {
    match (json_type(value), ty) {
        (Some("integer"), "number") => true,
        (Some(actual), wanted) => actual == wanted,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::origin::SourceFile;

    fn downgraded(schema: Value) -> (Value, Vec<(String, String)>, Origins) {
        let mut document = json!({"openapi": "3.1.0", "components": {"schemas": {"S": schema}}});
        let mut origins = Origins::new(SourceFile {
            name: "api.yaml".into(),
            source: Default::default(),
        });
        let warnings = downgrade(&mut document, &mut origins);
        (
            document["components"]["schemas"]["S"].clone(),
            warnings,
            origins,
        )
    }

    #[test]
    fn type_lists_with_null_are_nullable() {
        let (s, warnings, _) = downgraded(json!({"type": ["string", "null"], "maxLength": 3}));
        assert_eq!(
            s,
            json!({"type": "string", "nullable": true, "maxLength": 3})
        );
        assert!(warnings.is_empty());
        assert_eq!(
            downgraded(json!({"type": "null"})).0,
            json!({"nullable": true})
        );
        assert_eq!(
            downgraded(json!({"type": ["null"], "description": "d"})).0,
            json!({"nullable": true, "description": "d"})
        );
    }

    #[test]
    fn several_types_are_a_union_with_each_its_keywords() {
        let (s, _, origins) = downgraded(json!({
            "type": ["string", "integer", "null"],
            "maxLength": 3,
            "minimum": 1,
            "enum": ["a", 2, null],
            "description": "d",
        }));
        assert_eq!(
            s,
            json!({
                "nullable": true,
                "description": "d",
                "anyOf": [
                    {"type": "string", "maxLength": 3, "enum": ["a"]},
                    {"type": "integer", "minimum": 1, "enum": [2]},
                ],
            })
        );
        assert_eq!(
            origins
                .place("/components/schemas/S/anyOf/1/minimum")
                .pointer,
            "/components/schemas/S/minimum"
        );
    }

    #[test]
    fn const_examples_and_exclusive_bounds() {
        assert_eq!(
            downgraded(json!({"const": "fixed"})).0,
            json!({"type": "string", "enum": ["fixed"]})
        );
        assert_eq!(
            downgraded(json!({"type": "integer", "const": 3})).0,
            json!({"type": "integer", "enum": [3]})
        );
        assert_eq!(
            downgraded(json!({"type": "string", "examples": ["a", "b"]})).0,
            json!({"type": "string", "example": "a"})
        );
        assert_eq!(
            downgraded(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5})).0,
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1.5, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn a_ref_with_siblings_means_both_and_points_back() {
        let (s, _, origins) = downgraded(
            json!({"$ref": "#/components/schemas/T", "description": "d", "$comment": "c"}),
        );
        assert_eq!(
            s,
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/T"}]})
        );
        // A problem with the `$ref` is reported where the user wrote it.
        assert_eq!(
            origins.place("/components/schemas/S/allOf/0").pointer,
            "/components/schemas/S"
        );
        let (s, _, _) = downgraded(
            json!({"$ref": "#/components/schemas/T", "required": ["a"], "properties": {"a": {"type": ["integer", "null"]}}}),
        );
        assert_eq!(
            s,
            json!({"allOf": [
                {"$ref": "#/components/schemas/T"},
                {"required": ["a"], "properties": {"a": {"type": "integer", "nullable": true}}},
            ]})
        );
        assert_eq!(
            downgraded(json!({"$ref": "#/x", "$id": "y"})).0,
            json!({"$ref": "#/x"})
        );
    }

    #[test]
    fn tuples_booleans_and_content_keywords() {
        let (s, warnings, _) = downgraded(
            json!({"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}], "items": false}),
        );
        assert_eq!(s, json!({"type": "array", "items": {"type": "number"}}));
        assert!(warnings.is_empty());
        let (s, warnings, _) = downgraded(
            json!({"type": "array", "prefixItems": [{"type": "number"}, {"type": "string"}]}),
        );
        assert_eq!(s, json!({"type": "array", "items": {}}));
        assert_eq!(warnings[0].0, "/components/schemas/S/prefixItems");
        let (s, _, _) =
            downgraded(json!({"type": "object", "properties": {"any": true, "none": false}}));
        assert_eq!(
            s,
            json!({"type": "object", "properties": {"any": {}, "none": {"not": {}}}})
        );
        assert_eq!(
            downgraded(json!({"type": "string", "contentEncoding": "base64"})).0["format"],
            json!("byte")
        );
        assert_eq!(
            downgraded(json!({"type": "string", "contentMediaType": "image/png"})).0["format"],
            json!("binary")
        );
    }

    #[test]
    fn documents_lose_what_3_0_cannot_say_with_warnings() {
        let mut document = json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "webhooks": {"newPet": {"post": {}}},
            "components": {
                "securitySchemes": {"mtls": {"type": "mutualTLS"}, "key": {"type": "apiKey", "in": "header", "name": "k"}},
                "pathItems": {"P": {"get": {}}},
            },
        });
        let mut origins = Origins::new(SourceFile {
            name: "api.yaml".into(),
            source: Default::default(),
        });
        let warnings = downgrade(&mut document, &mut origins);
        assert_eq!(document["openapi"], json!("3.0.3"));
        assert_eq!(document["paths"], json!({}));
        assert!(document.get("webhooks").is_none() && document.get("jsonSchemaDialect").is_none());
        assert_eq!(
            document["components"]["securitySchemes"],
            json!({"key": {"type": "apiKey", "in": "header", "name": "k"}})
        );
        // Kept for `$ref`s, and an operation without responses gets none.
        assert_eq!(
            document["components"]["pathItems"]["P"]["get"],
            json!({"responses": {}})
        );
        let pointers: Vec<&str> = warnings.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/jsonSchemaDialect",
                "/webhooks",
                "/components/securitySchemes/mtls"
            ]
        );
    }
}
