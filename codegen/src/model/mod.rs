//! Stage 2: the loaded spec, every `$ref` resolved, as our own [`Api`].
//! Emitters only ever see this model, never openapiv3.

mod builder;
mod cycles;
mod ir;
mod operations;
mod refs;
mod schemas;
mod select;

pub use ir::*;
pub use operations::adjacent_params;
pub use select::Selection;

use openapiv3::{APIKeyLocation, ReferenceOr, SecurityScheme as OaScheme};

use crate::diagnostics::{Diagnostic, join_pointer};
use crate::load::LoadedSpec;
use builder::Builder;

/// A built model and the warnings found on the way.
#[derive(Debug)]
pub struct Built {
    pub api: Api,
    pub warnings: Vec<Diagnostic>,
}

/// Build the model of `spec`, keeping the operations `selection` names and
/// the types they reach. Errors (anything with no sensible code) are all
/// collected and returned together; warnings ride along with the model.
pub fn build(spec: &LoadedSpec, selection: &Selection) -> Result<Built, Vec<Diagnostic>> {
    let openapi = &spec.openapi;
    let default_components = openapiv3::Components::default();
    let components = openapi.components.as_ref().unwrap_or(&default_components);
    let targets = refs::Targets::default();
    let mut builder = Builder::new(spec, components, &targets);

    // Every component schema becomes a type, even one no operation uses:
    // a spec's vocabulary is part of its API.
    for (name, schema) in &components.schemas {
        builder.component_schema(name, schema, &join_pointer("/components/schemas", name));
    }
    let operations = builder.operations(&openapi.security);
    let security_schemes = security_schemes(&mut builder, components);
    builder.break_newtype_loops();
    builder.break_union_loops();
    let servers = openapi
        .servers
        .iter()
        .map(|s| Server {
            url: s.url.clone(),
            description: s.description.clone(),
            variables: s
                .variables
                .iter()
                .flatten()
                .map(|(name, v)| ServerVariable {
                    name: name.clone(),
                    default: v.default.clone(),
                    values: v.enumeration.clone(),
                    description: v.description.clone(),
                })
                .collect(),
        })
        .collect();

    let (errors, warnings): (Vec<_>, Vec<_>) = builder
        .diagnostics
        .into_iter()
        .partition(Diagnostic::is_error);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut api = Api {
        title: openapi.info.title.clone(),
        version: openapi.info.version.clone(),
        description: openapi.info.description.clone(),
        servers,
        security_schemes,
        operations,
        types: builder.types,
    };
    let unmatched = select::unmatched(&api, selection);
    if !unmatched.is_empty() {
        return Err(unmatched
            .into_iter()
            .map(|m| spec.error("/paths", m))
            .collect());
    }
    select::apply(&mut api, selection);
    let warnings = if selection.is_everything() {
        warnings
    } else {
        warnings
            .into_iter()
            .filter(|w| select::concerns(&api, &w.pointer))
            .collect()
    };
    Ok(Built { api, warnings })
}

fn security_schemes(
    builder: &mut Builder<'_>,
    components: &openapiv3::Components,
) -> Vec<SecurityScheme> {
    let mut out = Vec::new();
    for (key, scheme) in &components.security_schemes {
        let pointer = join_pointer("/components/securitySchemes", key);
        let scheme = match scheme {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { reference } => {
                builder.error(
                    &pointer,
                    format!("security scheme `$ref: {reference}` is not supported"),
                );
                continue;
            }
        };
        let (kind, description) = match scheme {
            OaScheme::HTTP {
                scheme,
                bearer_format,
                description,
                ..
            } => {
                match scheme.to_ascii_lowercase().as_str() {
                    "bearer" => (
                        SecurityKind::Bearer {
                            format: bearer_format.clone(),
                        },
                        description,
                    ),
                    "basic" => (SecurityKind::Basic, description),
                    other => {
                        builder.warning(&pointer, format!("HTTP auth scheme `{other}` is not supported; the client cannot send it"));
                        continue;
                    }
                }
            }
            OaScheme::APIKey {
                location,
                name,
                description,
                ..
            } => {
                let location = match location {
                    APIKeyLocation::Query => ParamLocation::Query,
                    APIKeyLocation::Header => ParamLocation::Header,
                    APIKeyLocation::Cookie => ParamLocation::Cookie,
                };
                (
                    SecurityKind::ApiKey {
                        location,
                        name: name.clone(),
                    },
                    description,
                )
            }
            OaScheme::OAuth2 { description, .. } | OaScheme::OpenIDConnect { description, .. } => {
                (SecurityKind::OAuth2, description)
            }
        };
        out.push(SecurityScheme {
            key: key.clone(),
            description: description.clone(),
            kind,
        });
    }
    out
}
