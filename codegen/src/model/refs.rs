//! Resolving `$ref`s to components, with chains followed and loops caught.

use indexmap::IndexMap;
use openapiv3::{
    Components, Example, Header, Parameter, ReferenceOr, RequestBody, Response, Schema,
    SecurityScheme,
};

use crate::diagnostics::{did_you_mean, escape_token};

/// A kind of object that lives under `#/components/<KIND>`.
pub(crate) trait Component: Sized + 'static {
    const KIND: &'static str;
    fn map(components: &Components) -> &IndexMap<String, ReferenceOr<Self>>;
}

macro_rules! component {
    ($t:ty, $kind:literal, $field:ident) => {
        impl Component for $t {
            const KIND: &'static str = $kind;
            fn map(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
                &components.$field
            }
        }
    };
}
component!(Schema, "schemas", schemas);
component!(Parameter, "parameters", parameters);
component!(Response, "responses", responses);
component!(RequestBody, "requestBodies", request_bodies);
component!(Header, "headers", headers);
component!(Example, "examples", examples);
component!(SecurityScheme, "securitySchemes", security_schemes);

/// Where a resolved object was found.
pub(crate) struct Resolved<'a, T> {
    pub item: &'a T,
    /// JSON pointer of the object itself (after following refs).
    pub pointer: String,
    /// The component's key when it came through a `$ref`.
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

/// Follow `item` to the object it names. `Err` carries the message for a
/// diagnostic at `pointer`.
pub(crate) fn resolve<'a, T: Component>(
    components: &'a Components,
    item: &'a ReferenceOr<T>,
    pointer: &str,
) -> Result<Resolved<'a, T>, String> {
    let mut current = item;
    let mut current_pointer = pointer.to_string();
    let mut component = None;
    let mut seen: Vec<&str> = Vec::new();
    loop {
        match current {
            ReferenceOr::Item(item) => {
                return Ok(Resolved {
                    item,
                    pointer: current_pointer,
                    component,
                });
            }
            ReferenceOr::Reference { reference } => {
                if seen.contains(&reference.as_str()) {
                    seen.push(reference);
                    return Err(format!("`$ref` loop: {}", seen.join(" -> ")));
                }
                seen.push(reference);
                let map = T::map(components);
                let Some(name) = component_name(reference, T::KIND) else {
                    return Err(unsupported_ref(reference, T::KIND));
                };
                let Some((key, next)) = map.get_key_value(&name) else {
                    return Err(missing_ref(reference, &name, map.keys()));
                };
                current = next;
                current_pointer = format!("/components/{}/{}", T::KIND, escape_token(key));
                component = Some(key.as_str());
            }
        }
    }
}

fn unsupported_ref(reference: &str, kind: &str) -> String {
    if reference.starts_with('#') {
        format!("`$ref: {reference}` must point into `#/components/{kind}/`")
    } else {
        format!(
            "`$ref: {reference}` points outside this file; only local `#/components/{kind}/...` refs are supported"
        )
    }
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

    fn components(yaml: &str) -> Components {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn chains_are_followed_and_loops_named() {
        let c = components(
            "schemas:\n  A: {$ref: '#/components/schemas/B'}\n  B: {type: string}\n  L1: {$ref: '#/components/schemas/L2'}\n  L2: {$ref: '#/components/schemas/L1'}\n",
        );
        let start = ReferenceOr::<Schema>::ref_("#/components/schemas/A");
        let resolved = resolve(&c, &start, "/x").unwrap();
        assert_eq!(resolved.pointer, "/components/schemas/B");
        assert_eq!(resolved.component, Some("B"));
        let looped = ReferenceOr::<Schema>::ref_("#/components/schemas/L1");
        let err = resolve(&c, &looped, "/x").err().unwrap();
        assert!(
            err.contains("loop") && err.contains("L1") && err.contains("L2"),
            "{err}"
        );
    }

    #[test]
    fn missing_refs_suggest_near_names() {
        let c = components("schemas:\n  ErrorResponse: {type: string}\n  Other: {type: string}\n");
        let typo = ReferenceOr::<Schema>::ref_("#/components/schemas/ErorResponse");
        let err = resolve(&c, &typo, "/x").err().unwrap();
        assert!(err.contains("did you mean `ErrorResponse`"), "{err}");
        let external = ReferenceOr::<Schema>::ref_("other.yaml#/X");
        assert!(
            resolve(&c, &external, "/x")
                .err()
                .unwrap()
                .contains("outside this file")
        );
        let wrong_kind = ReferenceOr::<Schema>::ref_("#/components/parameters/X");
        assert!(
            resolve(&c, &wrong_kind, "/x")
                .err()
                .unwrap()
                .contains("must point into")
        );
    }
}
