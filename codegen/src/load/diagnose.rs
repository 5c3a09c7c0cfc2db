//! Finding the node a deserialization error is really about.
//!
//! openapiv3 leans on `#[serde(flatten)]`, internally tagged and untagged
//! enums, and a hand-written `ReferenceOr`; all of them buffer their input, so
//! serde_path_to_error loses the path at the first one (`paths`, every
//! `$ref`-able object, every schema). We walk down instead, knowing which
//! openapiv3 type sits at each place: deserialize each child as its own type,
//! step into the first that fails, and when no child fails, the node itself is
//! at fault and serde_path_to_error's path inside it is exact.

use super::pointer;
use crate::diagnostics::join_pointer;
use openapiv3::{
    AnySchema, Components, Encoding, Example, ExternalDocumentation, Header, Info, Link, MediaType,
    OpenAPI, Operation, Parameter, ParameterData, PathItem, ReferenceOr, RequestBody, Response,
    Responses, Schema, SchemaData, SecurityScheme, Server, Tag,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What openapiv3 expects at a node.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    OpenApi,
    Info,
    Server,
    Paths,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Responses,
    Response,
    Header,
    MediaType,
    Encoding,
    Example,
    Link,
    Callback,
    Schema,
    Components,
    SecurityScheme,
    Tag,
    ExternalDocs,
}

/// A failure inside one node: pointer relative to it, and serde's message.
type Failure = (String, String);

/// `$ref`-able objects between the subtrees checked on their own first.
///
/// openapiv3's `ReferenceOr` reads its item a second time when it fails, to
/// give a better message, so a failure under `n` nested `$ref`-able objects
/// (schemas in schemas...) costs 2^n: a spec with an error at the bottom of
/// 60 nested schemas would never finish. Checking the subtrees at every
/// `CHECKPOINT`-th such level first, deepest first, bounds every failing read
/// to 2^CHECKPOINT times its size; passing reads cost what they always do.
const CHECKPOINT: usize = 8;

/// The first error inside a deeply nested `$ref`-able object, if any, with
/// its pointer and message. Call before reading the whole document.
pub(super) fn deep_error(document: &Value) -> Option<(String, String)> {
    let mut checkpoints = Vec::new();
    let mut stack = vec![(String::new(), document, Kind::OpenApi, 0)];
    while let Some((pointer, node, kind, depth)) = stack.pop() {
        let depth = depth + usize::from(kind.is_referable());
        if kind.is_referable() && depth % CHECKPOINT == 0 {
            checkpoints.push((depth, pointer.clone(), node, kind));
        }
        for (tokens, child, child_kind) in children(kind, node).into_iter().rev() {
            let child_pointer = tokens
                .iter()
                .fold(pointer.clone(), |p, t| join_pointer(&p, t));
            stack.push((child_pointer, child, child_kind, depth));
        }
    }
    // Deepest first; document order among equals (the sort is stable).
    checkpoints.sort_by_key(|checkpoint| std::cmp::Reverse(checkpoint.0));
    let (_, pointer, node, kind) = checkpoints
        .into_iter()
        .find(|(_, _, node, kind)| check(*kind, node).is_err())?;
    descend(pointer, node, kind)
}

/// The pointer and message of the first error in `document`, or `None` if it
/// deserializes as an `OpenAPI`. Bounded in time once [`deep_error`] found nothing.
pub(super) fn first_error(document: &Value) -> Option<(String, String)> {
    descend(String::new(), document, Kind::OpenApi)
}

fn descend(mut pointer: String, mut node: &Value, mut kind: Kind) -> Option<(String, String)> {
    // Each step goes one or more levels down a finite tree, so this ends.
    loop {
        let (relative, message) = check(kind, node).err()?;
        let failing_child = children(kind, node)
            .into_iter()
            .find(|(_, child, kind)| check(*kind, child).is_err());
        match failing_child {
            Some((tokens, child, child_kind)) => {
                pointer = tokens.iter().fold(pointer, |p, t| join_pointer(&p, t));
                node = child;
                kind = child_kind;
            }
            None => {
                let (relative, message) = refine(kind, node).unwrap_or((relative, message));
                return Some((pointer + &relative, message));
            }
        }
    }
}

impl Kind {
    /// Read through openapiv3's `ReferenceOr`.
    fn is_referable(self) -> bool {
        matches!(
            self,
            Kind::PathItem
                | Kind::Parameter
                | Kind::RequestBody
                | Kind::Response
                | Kind::Header
                | Kind::Example
                | Kind::Link
                | Kind::Callback
                | Kind::Schema
                | Kind::SecurityScheme
        )
    }
}

/// Deserialize `value` as what `kind` says. `$ref`-able kinds are read as the
/// item itself unless a `$ref` is present, so the message is about the item.
fn check(kind: Kind, value: &Value) -> Result<(), Failure> {
    match kind {
        Kind::OpenApi => read::<OpenAPI>(value),
        Kind::Info => read::<Info>(value),
        Kind::Server => read::<Server>(value),
        Kind::Paths => read::<openapiv3::Paths>(value),
        Kind::PathItem => read_ref::<PathItem>(value),
        Kind::Operation => read::<Operation>(value),
        Kind::Parameter => read_ref::<Parameter>(value),
        Kind::RequestBody => read_ref::<RequestBody>(value),
        Kind::Responses => read::<Responses>(value),
        Kind::Response => read_ref::<Response>(value),
        Kind::Header => read_ref::<Header>(value),
        Kind::MediaType => read::<MediaType>(value),
        Kind::Encoding => read::<Encoding>(value),
        Kind::Example => read_ref::<Example>(value),
        Kind::Link => read_ref::<Link>(value),
        Kind::Callback => read_ref::<openapiv3::Callback>(value),
        Kind::Schema => read_ref::<Schema>(value),
        Kind::Components => read::<Components>(value),
        Kind::SecurityScheme => read_ref::<SecurityScheme>(value),
        Kind::Tag => read::<Tag>(value),
        Kind::ExternalDocs => read::<ExternalDocumentation>(value),
    }
}

/// A node's own error, from the plain structs inside the buffered ones, whose
/// paths serde_path_to_error can follow.
fn refine(kind: Kind, value: &Value) -> Option<Failure> {
    if has_ref(value) {
        return None;
    }
    match kind {
        Kind::Schema => read::<SchemaData>(value)
            .and_then(|()| read::<AnySchema>(value))
            .err(),
        Kind::Parameter => match value.get("in").and_then(Value::as_str) {
            Some("query" | "header" | "path" | "cookie") => read::<ParameterData>(value).err(),
            Some(other) => Some((
                "/in".into(),
                format!("`in` must be query, header, path or cookie, not `{other}`"),
            )),
            None => Some((String::new(), "missing field `in`".into())),
        },
        _ => None,
    }
}

fn read<T: DeserializeOwned>(value: &Value) -> Result<(), Failure> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => Ok(()),
        Err(error) => Err((
            pointer::from_path(error.path()),
            error.into_inner().to_string(),
        )),
    }
}

fn read_ref<T: DeserializeOwned>(value: &Value) -> Result<(), Failure> {
    if has_ref(value) {
        read::<ReferenceOr<T>>(value)
    } else {
        read::<T>(value)
    }
}

fn has_ref(value: &Value) -> bool {
    value.get("$ref").is_some()
}

/// The children of a node that hold openapiv3 objects, each with the tokens
/// leading to it (one or two) and its kind.
fn children(kind: Kind, value: &Value) -> Vec<(Vec<String>, &Value, Kind)> {
    let Value::Object(map) = value else {
        return Vec::new();
    };
    let mut c = Children {
        map,
        out: Vec::new(),
    };
    if has_ref(value) && kind != Kind::OpenApi {
        return c.out;
    }
    match kind {
        Kind::OpenApi => {
            c.field("info", Kind::Info);
            c.field("paths", Kind::Paths);
            c.field("components", Kind::Components);
            c.field("externalDocs", Kind::ExternalDocs);
            c.list("servers", Kind::Server);
            c.list("tags", Kind::Tag);
        }
        Kind::Paths => c.own_entries(Kind::PathItem, |key| key.starts_with('/')),
        Kind::Callback => c.own_entries(Kind::PathItem, |_| true),
        Kind::Responses => c.own_entries(Kind::Response, |key| !key.starts_with("x-")),
        Kind::PathItem => {
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                c.field(method, Kind::Operation);
            }
            c.list("parameters", Kind::Parameter);
            c.list("servers", Kind::Server);
        }
        Kind::Operation => {
            c.field("requestBody", Kind::RequestBody);
            c.field("responses", Kind::Responses);
            c.field("externalDocs", Kind::ExternalDocs);
            c.list("parameters", Kind::Parameter);
            c.list("servers", Kind::Server);
            c.entries("callbacks", Kind::Callback);
        }
        Kind::Parameter | Kind::Header => {
            c.field("schema", Kind::Schema);
            c.entries("content", Kind::MediaType);
            c.entries("examples", Kind::Example);
        }
        Kind::RequestBody => c.entries("content", Kind::MediaType),
        Kind::Response => {
            c.entries("headers", Kind::Header);
            c.entries("content", Kind::MediaType);
            c.entries("links", Kind::Link);
        }
        Kind::MediaType => {
            c.field("schema", Kind::Schema);
            c.entries("examples", Kind::Example);
            c.entries("encoding", Kind::Encoding);
        }
        Kind::Encoding => c.entries("headers", Kind::Header),
        Kind::Schema => {
            c.field("items", Kind::Schema);
            c.field("not", Kind::Schema);
            if map
                .get("additionalProperties")
                .is_some_and(Value::is_object)
            {
                c.field("additionalProperties", Kind::Schema);
            }
            c.entries("properties", Kind::Schema);
            for name in ["allOf", "oneOf", "anyOf"] {
                c.list(name, Kind::Schema);
            }
        }
        Kind::Components => {
            for (name, kind) in [
                ("schemas", Kind::Schema),
                ("responses", Kind::Response),
                ("parameters", Kind::Parameter),
                ("examples", Kind::Example),
                ("requestBodies", Kind::RequestBody),
                ("headers", Kind::Header),
                ("securitySchemes", Kind::SecurityScheme),
                ("links", Kind::Link),
                ("callbacks", Kind::Callback),
            ] {
                c.entries(name, kind);
            }
        }
        Kind::Info
        | Kind::Server
        | Kind::Example
        | Kind::Link
        | Kind::SecurityScheme
        | Kind::Tag
        | Kind::ExternalDocs => {}
    }
    c.out
}

/// Collects the children of one mapping.
struct Children<'v> {
    map: &'v serde_json::Map<String, Value>,
    out: Vec<(Vec<String>, &'v Value, Kind)>,
}

impl<'v> Children<'v> {
    /// `name: {...}`
    fn field(&mut self, name: &str, kind: Kind) {
        if let Some(child) = self.map.get(name) {
            self.out.push((vec![name.to_string()], child, kind));
        }
    }

    /// `name: [{...}, ...]`
    fn list(&mut self, name: &str, kind: Kind) {
        if let Some(Value::Array(items)) = self.map.get(name) {
            for (i, item) in items.iter().enumerate() {
                self.out
                    .push((vec![name.to_string(), i.to_string()], item, kind));
            }
        }
    }

    /// `name: {key: {...}, ...}`
    fn entries(&mut self, name: &str, kind: Kind) {
        if let Some(Value::Object(entries)) = self.map.get(name) {
            for (key, item) in entries {
                self.out
                    .push((vec![name.to_string(), key.clone()], item, kind));
            }
        }
    }

    /// `key: {...}` for the node's own keys (paths, callbacks, responses).
    fn own_entries(&mut self, kind: Kind, wanted: impl Fn(&str) -> bool) {
        for (key, item) in self.map.iter().filter(|(key, _)| wanted(key)) {
            self.out.push((vec![key.clone()], item, kind));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    #[test]
    fn a_valid_document_has_no_error() {
        assert_eq!(
            first_error(&doc(
                json!({"/a": {"get": {"responses": {"200": {"description": "ok"}}}}})
            )),
            None
        );
    }

    #[test]
    fn errors_are_found_below_flattened_and_untagged_types() {
        let (pointer, message) =
            first_error(&doc(json!({"/a": {"get": {"responses": 5}}}))).unwrap();
        assert_eq!(pointer, "/paths/~1a/get/responses");
        assert!(message.contains("integer `5`"), "{message}");

        let schema = json!({"type": "object", "properties": {"p": {"type": "array", "items": {"required": 7}}}});
        let paths = json!({"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}, "responses": {}}}});
        let (pointer, message) = first_error(&doc(paths)).unwrap();
        assert_eq!(
            pointer,
            "/paths/~1a/post/requestBody/content/application~1json/schema/properties/p/items/required"
        );
        assert!(message.contains("expected a sequence"), "{message}");

        let paths = json!({"/a": {"get": {"parameters": [{"in": "query", "name": "q", "required": "yes", "schema": {}}], "responses": {}}}});
        let (pointer, message) = first_error(&doc(paths)).unwrap();
        assert_eq!(pointer, "/paths/~1a/get/parameters/0/required");
        assert!(message.contains("expected a boolean"), "{message}");
    }

    #[test]
    fn errors_under_many_nested_schemas_are_found_quickly() {
        // 2^60 reads if left to openapiv3 alone.
        let mut schema = json!({"type": "object", "required": 5});
        for _ in 0..60 {
            schema = json!({"type": "array", "items": schema});
        }
        let document = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"Deep": schema}}});
        let (pointer, message) = deep_error(&document).unwrap();
        assert_eq!(
            pointer,
            format!("/components/schemas/Deep{}/required", "/items".repeat(60))
        );
        assert!(message.contains("expected a sequence"), "{message}");
        let valid = document
            .to_string()
            .replace("\"required\":5", "\"required\":[]");
        assert_eq!(deep_error(&serde_json::from_str(&valid).unwrap()), None);
    }

    #[test]
    fn a_parameter_in_the_body_is_reported_at_in() {
        let paths = json!({"/a": {"post": {"parameters": [{"in": "body", "name": "b", "schema": {}}], "responses": {}}}});
        let (pointer, message) = first_error(&doc(paths)).unwrap();
        assert_eq!(pointer, "/paths/~1a/post/parameters/0/in");
        assert!(message.contains("not `body`"), "{message}");
    }

    #[test]
    fn a_bad_ref_is_reported_at_the_ref() {
        let paths = json!({"/a": {"get": {"responses": {"200": {"$ref": 5}}}}});
        let (pointer, _) = first_error(&doc(paths)).unwrap();
        assert_eq!(pointer, "/paths/~1a/get/responses/200");
    }

    #[test]
    fn missing_fields_are_reported_at_their_object() {
        let paths = json!({"/a": {"get": {"responses": {"200": {"content": {}}}}}});
        let (pointer, message) = first_error(&doc(paths)).unwrap();
        assert_eq!(pointer, "/paths/~1a/get/responses/200");
        assert_eq!(message, "missing field `description`");
    }
}
