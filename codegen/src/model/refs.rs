//! Resolving `$ref`s, with chains followed and loops caught.
//!
//! A `$ref` to a whole component of its own kind (`#/components/schemas/A`
//! for a schema) is looked up in openapiv3's components. Any other pointer
//! into the document is valid too and other tools follow it: bundlers
//! leave `#/paths/~1pets/get/responses/200`, specs point into a component
//! (`#/components/schemas/A/properties/b`), OpenAPI 3.1 has
//! `#/components/pathItems/X`. Those objects are read from the document at
//! the pointer, once each, and kept in [`Targets`] for the whole build, so
//! they are borrowed like everything else the model reads.

use std::collections::HashMap;

use indexmap::IndexMap;
use openapiv3::{
    Components, Example, Header, Parameter, ParameterData, PathItem, ReferenceOr, RequestBody,
    Response, Schema, SecurityScheme,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use typed_arena::Arena;

use super::builder::Builder;
use super::ir::StatusMatch;
use crate::diagnostics::{did_you_mean, escape_token};

/// A kind of object a `$ref` may stand for.
pub(crate) trait Referable: DeserializeOwned + Sized + 'static {
    /// Its key under `#/components/`.
    const KIND: &'static str;
    /// What it is, for messages: "a parameter".
    const WHAT: &'static str;
    /// The components of this kind openapiv3 read, if it reads them.
    fn map(components: &Components) -> Option<&IndexMap<String, ReferenceOr<Self>>>;
    fn arena(targets: &Targets) -> &Arena<ReferenceOr<Self>>;
    fn cache<'c, 'a>(cache: &'c mut Cache<'a>) -> &'c mut HashMap<String, &'a ReferenceOr<Self>>;
}

/// Objects read from the document at a `$ref`'s pointer, alive as long as
/// the model build borrows them.
#[derive(Default)]
pub(crate) struct Targets {
    schemas: Arena<ReferenceOr<Schema>>,
    parameters: Arena<ReferenceOr<Parameter>>,
    responses: Arena<ReferenceOr<Response>>,
    request_bodies: Arena<ReferenceOr<RequestBody>>,
    headers: Arena<ReferenceOr<Header>>,
    examples: Arena<ReferenceOr<Example>>,
    security_schemes: Arena<ReferenceOr<SecurityScheme>>,
    path_items: Arena<ReferenceOr<PathItem>>,
}

/// What has been read from [`Targets`] so far, by pointer.
#[derive(Default)]
pub(crate) struct Cache<'a> {
    schemas: HashMap<String, &'a ReferenceOr<Schema>>,
    parameters: HashMap<String, &'a ReferenceOr<Parameter>>,
    responses: HashMap<String, &'a ReferenceOr<Response>>,
    request_bodies: HashMap<String, &'a ReferenceOr<RequestBody>>,
    headers: HashMap<String, &'a ReferenceOr<Header>>,
    examples: HashMap<String, &'a ReferenceOr<Example>>,
    security_schemes: HashMap<String, &'a ReferenceOr<SecurityScheme>>,
    path_items: HashMap<String, &'a ReferenceOr<PathItem>>,
}

macro_rules! referable {
    ($t:ty, $kind:literal, $what:literal, $field:ident, $map:expr) => {
        impl Referable for $t {
            const KIND: &'static str = $kind;
            const WHAT: &'static str = $what;
            fn map(components: &Components) -> Option<&IndexMap<String, ReferenceOr<Self>>> {
                let map: fn(&Components) -> Option<&IndexMap<String, ReferenceOr<Self>>> = $map;
                map(components)
            }
            fn arena(targets: &Targets) -> &Arena<ReferenceOr<Self>> {
                &targets.$field
            }
            fn cache<'c, 'a>(
                cache: &'c mut Cache<'a>,
            ) -> &'c mut HashMap<String, &'a ReferenceOr<Self>> {
                &mut cache.$field
            }
        }
    };
}
referable!(Schema, "schemas", "a schema", schemas, |c| Some(&c.schemas));
referable!(
    Parameter,
    "parameters",
    "a parameter",
    parameters,
    |c| Some(&c.parameters)
);
referable!(Response, "responses", "a response", responses, |c| Some(
    &c.responses
));
referable!(
    RequestBody,
    "requestBodies",
    "a request body",
    request_bodies,
    |c| Some(&c.request_bodies)
);
referable!(Header, "headers", "a header", headers, |c| Some(&c.headers));
referable!(Example, "examples", "an example", examples, |c| Some(
    &c.examples
));
referable!(
    SecurityScheme,
    "securitySchemes",
    "a security scheme",
    security_schemes,
    |c| Some(&c.security_schemes)
);
// openapiv3 reads 3.0 components, which have no path items.
referable!(PathItem, "pathItems", "a path item", path_items, |_| None);

/// Where a resolved object was found.
pub(crate) struct Resolved<'a, T> {
    pub item: &'a T,
    /// JSON pointer of the object itself (after following refs).
    pub pointer: String,
    /// The component's key when it came through a `$ref` to a whole component.
    pub component: Option<&'a str>,
}

/// Split `#/components/<kind>/<name>` into its name, if it has that form.
pub(crate) fn component_name(reference: &str, kind: &str) -> Option<String> {
    let rest = reference
        .strip_prefix("#/components/")?
        .strip_prefix(kind)?
        .strip_prefix('/')?;
    (!rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
}

impl<'a> Builder<'a> {
    /// Follow `item` to the object it names. `Err` carries the message for a
    /// diagnostic at `pointer`.
    pub(crate) fn resolve<T: Referable>(
        &mut self,
        item: &'a ReferenceOr<T>,
        pointer: &str,
    ) -> Result<Resolved<'a, T>, String> {
        let mut current = item;
        let mut current_pointer = pointer.to_string();
        let mut component = None;
        let mut seen: Vec<&str> = Vec::new();
        loop {
            let reference = match current {
                ReferenceOr::Item(item) => {
                    return Ok(Resolved {
                        item,
                        pointer: current_pointer,
                        component,
                    });
                }
                ReferenceOr::Reference { reference } => reference,
            };
            if seen.contains(&reference.as_str()) {
                seen.push(reference);
                return Err(format!("`$ref` loop: {}", seen.join(" -> ")));
            }
            seen.push(reference);
            let map = T::map(self.components);
            match (component_name(reference, T::KIND), map) {
                (Some(name), Some(map)) => {
                    let Some((key, next)) = map.get_key_value(&name) else {
                        return Err(missing_ref(reference, &name, map.keys()));
                    };
                    current = next;
                    current_pointer = format!("/components/{}/{}", T::KIND, escape_token(key));
                    component = Some(key.as_str());
                }
                _ => {
                    let (next, target) = self.target::<T>(reference, &current_pointer)?;
                    current = next;
                    current_pointer = target;
                    component = None;
                }
            }
        }
    }

    /// The object a local `$ref` points at anywhere in the document, read
    /// as a `T`, and its pointer. `site` is where the `$ref` is written.
    pub(crate) fn target<T: Referable>(
        &mut self,
        reference: &str,
        site: &str,
    ) -> Result<(&'a ReferenceOr<T>, String), String> {
        let pointer = local_pointer(reference)?;
        if let Some(found) = T::cache(&mut self.cache).get(&pointer) {
            return Ok((found, pointer));
        }
        let document = &self.spec.document;
        let Some(value) = document.pointer(&pointer) else {
            return Err(format!(
                "unresolved `$ref: {reference}`: {}",
                crate::diagnostics::nothing_at(document, &pointer)
            ));
        };
        let read = match header_as_parameter::<T>(document, &pointer, site) {
            Some(read) => read,
            None => serde_json::from_value::<ReferenceOr<T>>(value.clone()).map_err(|e| {
                format!(
                    "`$ref: {reference}` points at something that is not {}: {e}",
                    T::WHAT
                )
            })?,
        };
        let stored: &'a ReferenceOr<T> = T::arena(self.targets).alloc(read);
        // A header read as a parameter takes its name from the `$ref`'s
        // siblings, which differ from site to site: never shared.
        if !(T::KIND == "parameters" && pointer.starts_with("/components/headers/")) {
            T::cache(&mut self.cache).insert(pointer.clone(), stored);
        }
        Ok((stored, pointer))
    }
}

/// A header component `$ref`ed where a parameter belongs (an old Fireblocks
/// swagger: `{in: header, name: X-End-User-Wallet-Id, $ref:
/// '#/components/headers/X-End-User-Wallet-Id'}`). A Header Object is a
/// header parameter without `name` and `in`: it means the header parameter
/// named by the `$ref`'s siblings, or else by the component's key.
fn header_as_parameter<T: Referable>(
    document: &Value,
    pointer: &str,
    site: &str,
) -> Option<ReferenceOr<T>> {
    if T::KIND != "parameters" {
        return None;
    }
    let key = pointer.strip_prefix("/components/headers/")?;
    if key.contains('/') {
        return None;
    }
    let key = key.replace("~1", "/").replace("~0", "~");
    let mut header = document.pointer(pointer)?.as_object()?.clone();
    let siblings = document.pointer(site).and_then(Value::as_object);
    let name = siblings
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(&key);
    header.insert("name".into(), Value::String(name.to_string()));
    header.insert("in".into(), Value::String("header".into()));
    header.remove("style");
    // Sanity: the result must read as a parameter's data.
    serde_json::from_value::<ParameterData>(Value::Object(header.clone())).ok()?;
    serde_json::from_value(Value::Object(header)).ok()
}

/// The JSON pointer of a local `$ref` (`#/paths/~1a` is `/paths/~1a`), with
/// URI percent-escapes decoded (`%7Bid%7D` is `{id}`).
pub(crate) fn local_pointer(reference: &str) -> Result<String, String> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(format!(
            "`$ref: {reference}` points outside this file, which was given without the files around it"
        ));
    };
    let pointer = crate::load::percent_decoded(fragment)
        .ok_or_else(|| format!("`$ref: {reference}` has a bad `%` escape"))?;
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!(
            "`$ref: {reference}` is not a JSON pointer (`#/...`); anchors are not supported"
        ));
    }
    Ok(pointer)
}

/// The words a type found at `pointer` is named from: the ones its owner
/// gives it when converting it in place (`[Pet, tag]` for
/// `/components/schemas/Pet/properties/tag`, `[getPet, Ok, body]` for the
/// schema of `getPet`'s 200 response), so its name does not depend on
/// whether a `$ref` or its owner reached it first.
pub(crate) fn pointer_hint(document: &Value, pointer: &str) -> Vec<String> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let prefix = |end: usize| {
        tokens[..end].iter().fold(String::new(), |p, t| {
            crate::diagnostics::join_pointer(&p, t)
        })
    };
    let mut hint = Vec::new();
    match tokens.as_slice() {
        [first, _, name, ..] if first == "components" => hint.push(name.clone()),
        [first, path, method, ..] if first == "paths" => {
            let id = document
                .pointer(&prefix(3))
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
                .map_or_else(|| format!("{method} {path}"), String::from);
            hint.push(id);
        }
        _ => {
            hint.push(tokens.last().cloned().unwrap_or_else(|| "Type".into()));
            return hint;
        }
    }
    let mut i = 3;
    while i < tokens.len() {
        let next = tokens.get(i + 1);
        let step = match (tokens[i].as_str(), next) {
            (
                "properties" | "patternProperties" | "headers" | "$defs" | "definitions",
                Some(name),
            ) => {
                hint.push(name.clone());
                2
            }
            ("allOf" | "oneOf" | "anyOf", Some(index)) => {
                hint.push(format!("variant{index}"));
                2
            }
            ("parameters", Some(_)) => {
                let name = document
                    .pointer(&format!("{}/name", prefix(i + 2)))
                    .and_then(Value::as_str)
                    .unwrap_or("parameter");
                hint.push(name.to_string());
                2
            }
            ("responses", Some(code)) => {
                let status = match code.as_str() {
                    "default" => Some(StatusMatch::Default),
                    code => match code.as_bytes() {
                        [d, b'X' | b'x', b'X' | b'x'] => Some(StatusMatch::Range(d - b'0')),
                        _ => code.parse().ok().map(StatusMatch::Code),
                    },
                };
                hint.extend(status.map(|s| s.words().into_owned()));
                hint.push("body".into());
                2
            }
            ("content", Some(_)) => 2,
            ("items", _) => {
                hint.push("item".into());
                1
            }
            ("additionalProperties", _) => {
                hint.push("value".into());
                1
            }
            ("requestBody", _) => {
                hint.push("body".into());
                1
            }
            _ => 1,
        };
        i += step;
    }
    hint
}

/// An unresolved ref names the nearest existing names, so a typo is obvious.
pub(crate) fn missing_ref<'k>(
    reference: &str,
    name: &str,
    keys: impl Iterator<Item = &'k String>,
) -> String {
    let near = did_you_mean(name, keys.map(String::as_str));
    format!("unresolved `$ref: {reference}`: no such component{near}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resolve a `$ref` of kind `T` in `yaml`'s document.
    fn resolved<T: Referable>(
        yaml: &str,
        reference: &str,
    ) -> Result<(String, Option<String>), String> {
        let loaded = crate::load::load("t.yaml", yaml).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = Targets::default();
        let start = ReferenceOr::<T>::ref_(reference);
        let mut builder = Builder::new(&loaded, &components, &targets);
        builder
            .resolve(&start, "/x")
            .map(|r| (r.pointer, r.component.map(String::from)))
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn chains_are_followed_and_loops_named() {
        let yaml = format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{type: string}}\n    L1: {{$ref: '#/components/schemas/L2'}}\n    L2: {{$ref: '#/components/schemas/L1'}}\n"
        );
        assert_eq!(
            resolved::<Schema>(&yaml, "#/components/schemas/A"),
            Ok(("/components/schemas/B".into(), Some("B".into())))
        );
        let err = resolved::<Schema>(&yaml, "#/components/schemas/L1").unwrap_err();
        assert!(
            err.contains("loop") && err.contains("L1") && err.contains("L2"),
            "{err}"
        );
    }

    #[test]
    fn missing_refs_suggest_near_names() {
        let yaml = format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    ErrorResponse: {{type: string}}\n    Other: {{type: string}}\n"
        );
        let err = resolved::<Schema>(&yaml, "#/components/schemas/ErorResponse").unwrap_err();
        assert!(err.contains("did you mean `ErrorResponse`"), "{err}");
        let err = resolved::<Schema>(&yaml, "other.yaml#/X").unwrap_err();
        assert!(err.contains("outside this file"), "{err}");
        let err = resolved::<Schema>(&yaml, "#/components/schema/Other").unwrap_err();
        assert!(
            err.contains("no `schema` in `#/components`") && err.contains("did you mean `schemas`"),
            "{err}"
        );
    }

    /// Bundlers leave `$ref`s into `#/paths/...`; specs point into a
    /// component. Both are JSON pointers other tools follow (24 specs in
    /// the APIs.guru directory were refused).
    #[test]
    fn any_pointer_into_the_document_is_followed() {
        let yaml = format!(
            "{HEAD}paths:\n  /pets/{{id}}:\n    get:\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses:\n        '200': {{description: ok}}\ncomponents:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        tag: {{type: string}}\n"
        );
        assert_eq!(
            resolved::<Response>(&yaml, "#/paths/~1pets~1{id}/get/responses/200"),
            Ok(("/paths/~1pets~1{id}/get/responses/200".into(), None))
        );
        assert_eq!(
            resolved::<Parameter>(&yaml, "#/paths/~1pets~1%7Bid%7D/get/parameters/0"),
            Ok(("/paths/~1pets~1{id}/get/parameters/0".into(), None))
        );
        assert_eq!(
            resolved::<Schema>(&yaml, "#/components/schemas/Pet/properties/tag"),
            Ok(("/components/schemas/Pet/properties/tag".into(), None))
        );
        let err = resolved::<Parameter>(&yaml, "#/components/schemas/Pet").unwrap_err();
        assert!(err.contains("is not a parameter"), "{err}");
    }

    #[test]
    fn a_header_component_is_a_header_parameter() {
        let yaml = format!(
            "{HEAD}paths: {{}}\ncomponents:\n  headers:\n    X-Wallet: {{schema: {{type: string}}, required: false, description: Wallet.}}\n"
        );
        let loaded = crate::load::load("t.yaml", &yaml).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        let (found, _) = builder
            .target::<Parameter>("#/components/headers/X-Wallet", "/nowhere")
            .unwrap();
        let ReferenceOr::Item(Parameter::Header { parameter_data, .. }) = found else {
            panic!("not a header parameter: {found:?}");
        };
        assert_eq!(parameter_data.name, "X-Wallet");
        assert_eq!(parameter_data.description.as_deref(), Some("Wallet."));
    }

    #[test]
    fn names_come_from_where_the_schema_is() {
        let document = serde_json::json!({"paths": {"/pets/{id}": {"get": {
            "operationId": "getPet",
            "parameters": [{"name": "id", "in": "path"}],
        }}}});
        let hint = |pointer: &str| pointer_hint(&document, pointer);
        assert_eq!(
            hint("/components/schemas/Pet/properties/tag/items"),
            ["Pet", "tag", "item"]
        );
        assert_eq!(
            hint(
                "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/properties/owner"
            ),
            ["getPet", "OK", "body", "owner"]
        );
        assert_eq!(
            hint("/paths/~1pets~1{id}/get/parameters/0/schema"),
            ["getPet", "id"]
        );
        assert_eq!(
            hint("/paths/~1pets/post/requestBody/content/a/schema/allOf/1"),
            ["post /pets", "body", "variant1"]
        );
        assert_eq!(hint("/x-things/Thing"), ["Thing"]);
    }

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(
            crate::load::percent_decoded("/a%7Bb%7D").as_deref(),
            Some("/a{b}")
        );
        assert_eq!(crate::load::percent_decoded("/a%2"), None);
        assert_eq!(local_pointer("#").as_deref(), Ok(""));
        assert!(local_pointer("#anchor").is_err());
    }
}
