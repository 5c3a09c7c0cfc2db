//! A security scheme as the runtime's `security::Scheme` value: printed
//! once here, so the client's and the server's constants for a scheme are
//! the same value of the same type.

use proc_macro2::TokenStream;
use quote::quote;

use crate::plan::{KeyLocation, SchemeKind, SchemePlan};

/// `rt::security::Scheme::bearer("bearerAuth")` and so on.
pub fn scheme_value(scheme: &SchemePlan) -> TokenStream {
    let key = &scheme.key;
    match &scheme.kind {
        SchemeKind::Bearer => quote! { rt::security::Scheme::bearer(#key) },
        SchemeKind::Basic => quote! { rt::security::Scheme::basic(#key) },
        SchemeKind::ApiKey { location, name } => {
            let location = match location {
                KeyLocation::Query => quote! { Query },
                KeyLocation::Cookie => quote! { Cookie },
                KeyLocation::Header => quote! { Header },
            };
            quote! {
                rt::security::Scheme::api_key(#key, rt::security::KeyLocation::#location, #name)
            }
        }
    }
}
