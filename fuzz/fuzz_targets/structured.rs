//! OpenAPI-shaped documents through the whole pipeline. Raw text mutation
//! (the `generate` target) rarely gets past the parser into deep structure;
//! here the fuzzer's bytes choose a tree whose keys are OpenAPI keywords and
//! whose `$ref`s point at a handful of components, so deep nesting, `$ref`
//! cycles (direct, mutual, through parameters and responses) and keywords in
//! odd places are the common case. It must return generated files or
//! diagnostics, never panic, hang or overflow the stack.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

/// Keys the generator gives meaning to, anywhere in a document.
const KEYWORDS: &[&str] = &[
    "type", "format", "properties", "items", "required", "enum", "nullable",
    "allOf", "oneOf", "anyOf", "not", "discriminator", "propertyName", "mapping",
    "additionalProperties", "default", "description", "title", "example",
    "deprecated", "readOnly", "writeOnly", "minimum", "maximum", "pattern",
    "$ref", "parameters", "name", "in", "schema", "style", "explode",
    "requestBody", "content", "responses", "headers", "operationId", "tags",
    "security", "servers", "url", "x-path-segment-prefix", "application/json",
    "multipart/form-data", "application/x-www-form-urlencoded", "text/plain",
    "200", "204", "2XX", "4XX", "default", "get", "post", "delete",
];

/// Values that make sense for those keywords.
const WORDS: &[&str] = &[
    "object", "array", "string", "integer", "number", "boolean", "null",
    "int32", "int64", "binary", "date-time", "path", "query", "header",
    "cookie", "form", "deepObject", "pipeDelimited", "spaceDelimited", "",
    "type", "self", "3RD_PARTY", "*", "r#type", "a b", "ünï",
];

/// Component names every `$ref` chooses from, so refs often form cycles.
const KINDS: &[&str] = &["schemas", "parameters", "responses", "requestBodies", "headers"];

#[derive(Arbitrary, Debug)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Word(u8),
    Text(String),
    Ref { kind: u8, index: u8 },
    Array(Vec<Node>),
    Object(Vec<(Key, Node)>),
}

#[derive(Arbitrary, Debug)]
enum Key {
    Keyword(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
struct Document {
    json_text: bool,
    paths: Vec<(Vec<Segment>, Node)>,
    components: Vec<(u8, u8, Node)>,
}

#[derive(Arbitrary, Debug)]
enum Segment {
    Literal(u8),
    Param(u8),
}

fn pick<'a>(list: &[&'a str], index: u8) -> &'a str {
    list[usize::from(index) % list.len()]
}

fn component(kind: u8, index: u8) -> (String, String) {
    (pick(KINDS, kind).to_string(), format!("C{}", index % 4))
}

fn to_value(node: &Node) -> Value {
    match node {
        Node::Null => Value::Null,
        Node::Bool(b) => json!(b),
        Node::Int(i) => json!(i),
        Node::Float(f) => json!(f),
        Node::Word(w) => json!(pick(WORDS, *w)),
        Node::Text(t) => json!(t),
        Node::Ref { kind, index } => {
            let (kind, name) = component(*kind, *index);
            json!({ "$ref": format!("#/components/{kind}/{name}") })
        }
        Node::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Node::Object(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = match key {
                    Key::Keyword(k) => pick(KEYWORDS, *k).to_string(),
                    Key::Text(t) => t.clone(),
                };
                map.insert(key, to_value(value));
            }
            Value::Object(map)
        }
    }
}

fn to_document(doc: &Document) -> Value {
    let mut paths = Map::new();
    for (segments, item) in &doc.paths {
        let path: String = segments
            .iter()
            .map(|s| match s {
                Segment::Literal(w) => format!("/{}", pick(WORDS, *w)),
                Segment::Param(p) => format!("/{{{}}}", pick(WORDS, *p)),
            })
            .collect();
        paths.insert(if path.is_empty() { "/".into() } else { path }, to_value(item));
    }
    let mut components: Map<String, Value> = Map::new();
    for (kind, index, node) in &doc.components {
        let (kind, name) = component(*kind, *index);
        let section = components
            .entry(kind)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(section) = section {
            section.insert(name, to_value(node));
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "fuzzed", "version": "1" },
        "paths": paths,
        "components": components,
    })
}

fuzz_target!(|doc: Document| {
    let value = to_document(&doc);
    let Ok(text) = (if doc.json_text {
        serde_json::to_string(&value)
    } else {
        serde_json::to_string_pretty(&value)
    }) else {
        return;
    };
    let spec = mfa_codegen::SpecInput {
        module: "fuzzed".into(),
        path: if doc.json_text { "fuzzed.json" } else { "fuzzed.yaml" }.into(),
        text,
        options: Default::default(),
    };
    let _ = mfa_codegen::generate_module(&spec);
});
