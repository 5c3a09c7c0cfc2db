//! A security scheme as the runtime's `security::Scheme` value: printed
//! once here, so the client's and the server's constants for a scheme are
//! the same value of the same type.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::ident;
use crate::model::{ParamLocation, SecurityKind, SecurityScheme};

/// `::mfa_runtime::security::Scheme::bearer("bearerAuth")` and so on.
pub fn scheme_value(scheme: &SecurityScheme) -> TokenStream {
    let key = &scheme.key;
    match &scheme.kind {
        SecurityKind::Bearer { .. } | SecurityKind::OAuth2 => {
            quote! { ::mfa_runtime::security::Scheme::bearer(#key) }
        }
        SecurityKind::Basic => quote! { ::mfa_runtime::security::Scheme::basic(#key) },
        SecurityKind::ApiKey { location, name } => {
            let location = ident(match location {
                ParamLocation::Query => "Query",
                ParamLocation::Cookie => "Cookie",
                _ => "Header",
            });
            quote! {
                ::mfa_runtime::security::Scheme::api_key(#key, ::mfa_runtime::security::KeyLocation::#location, #name)
            }
        }
    }
}
