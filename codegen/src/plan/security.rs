//! The spec's security schemes: their constants and the client methods
//! that take their credentials.

use super::Context;
use crate::model::{ParamLocation, SecurityKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemePlan {
    /// The key under `components/securitySchemes`.
    pub key: String,
    pub description: Option<String>,
    pub kind: SchemeKind,
    /// The constant naming it on both sides: `BEARER_AUTH`.
    pub constant: String,
    /// The client method taking its credential: `with_bearer_auth`.
    pub method: String,
    /// For an API key, the same with the key's name given (for deployments
    /// that rename it): `with_sso_token_named`.
    pub named_method: Option<String>,
}

/// What a credential looks like on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (HTTP bearer, OAuth2, OpenID Connect).
    Bearer,
    /// HTTP Basic.
    Basic,
    /// A key in the named header, query parameter or cookie.
    ApiKey { location: KeyLocation, name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLocation {
    Header,
    Query,
    Cookie,
}

impl Context<'_> {
    pub(super) fn schemes(&self) -> Vec<SchemePlan> {
        self.api
            .security_schemes
            .iter()
            .zip(&self.names.schemes)
            .map(|(scheme, names)| SchemePlan {
                key: scheme.key.clone(),
                description: scheme.description.clone(),
                kind: match &scheme.kind {
                    SecurityKind::Bearer { .. } | SecurityKind::OAuth2 => SchemeKind::Bearer,
                    SecurityKind::Basic => SchemeKind::Basic,
                    SecurityKind::ApiKey { location, name } => SchemeKind::ApiKey {
                        location: match location {
                            ParamLocation::Query => KeyLocation::Query,
                            ParamLocation::Cookie => KeyLocation::Cookie,
                            ParamLocation::Header | ParamLocation::Path => KeyLocation::Header,
                        },
                        name: name.clone(),
                    },
                },
                constant: names.constant.clone(),
                method: names.method.clone(),
                named_method: names.named_method.clone(),
            })
            .collect()
    }
}
