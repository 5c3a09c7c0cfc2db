//! A security scheme as the runtime's `security::Scheme` value: printed
//! once here, so the client's and the server's constants for a scheme are
//! the same value of the same type.

use proc_macro2::TokenStream;
use quote::quote;

use crate::plan::{KeyLocation, SchemeKind, SchemePlan};

/// `::mfa_runtime::security::Scheme::bearer("bearerAuth")` and so on.
pub fn scheme_value(scheme: &SchemePlan) -> TokenStream {
    let key = &scheme.key;
    match &scheme.kind {
        SchemeKind::Bearer => quote! { ::mfa_runtime::security::Scheme::bearer(#key) },
        SchemeKind::Basic => quote! { ::mfa_runtime::security::Scheme::basic(#key) },
        SchemeKind::ApiKey { location, name } => {
            let location = match location {
                KeyLocation::Query => quote! { Query },
                KeyLocation::Cookie => quote! { Cookie },
                KeyLocation::Header => quote! { Header },
            };
            quote! {
                ::mfa_runtime::security::Scheme::api_key(#key, ::mfa_runtime::security::KeyLocation::#location, #name)
            }
        }
    }
}
