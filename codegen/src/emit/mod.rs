//! Stage 4: the model as Rust tokens, one pure function per module kind.

mod client;
mod docs;
mod operations;
mod params;
mod rejection;
mod rust;
mod security;
mod server;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Api;
use crate::naming::Names;
use rust::{doc_lines, inner_doc_lines};

/// Writes one file of a spec's module from the model.
pub type Emitter = fn(&Api, &Names, &str) -> TokenStream;

/// The files of one spec's module, relative to its directory, each with its
/// emitter. They are independent of each other, so the pipeline emits and
/// formats them in parallel.
pub const MODULE_FILES: &[(&str, Emitter)] = &[
    ("mod.rs", module_root),
    ("types.rs", emit_types),
    ("operations.rs", emit_operations),
    ("client.rs", emit_client),
    ("server.rs", emit_server),
];

fn emit_types(api: &Api, names: &Names, _: &str) -> TokenStream {
    types::emit(api, names)
}

fn emit_operations(api: &Api, names: &Names, _: &str) -> TokenStream {
    operations::emit(api, names)
}

fn emit_client(api: &Api, names: &Names, _: &str) -> TokenStream {
    client::emit(api, names)
}

fn emit_server(api: &Api, names: &Names, _: &str) -> TokenStream {
    server::emit(api, names)
}

/// Generated files are laid out by prettyplease, whose output is pinned by
/// Cargo.lock; rustfmt lays some constructs out differently. `rustfmt::skip`
/// on the module declarations keeps `cargo fmt` from rewriting them, so the
/// files stay byte-identical to what the generator writes.
fn module_root(api: &Api, names: &Names, module: &str) -> TokenStream {
    let title = format!("{} (version {}).", api.title, api.version);
    let description = api.description.as_deref().map(docs::sanitize);
    let layout = format!(
        "Module `{module}`: `types` holds the spec's schemas; `operations` the request, response and error \
         types of each operation, shared by both sides; `client` (feature `client`) the typed client; \
         `server` (feature `server`) the `{}` trait and its axum router.",
        names.server_trait
    );
    let text: Vec<&str> = [
        Some(title.as_str()),
        description.as_deref(),
        Some(layout.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let docs = inner_doc_lines(&text.join("\n\n"));
    let trait_name = rust::ident(&names.server_trait);
    let server_fns = names
        .server_fns
        .iter()
        .flatten()
        .map(|(name, _)| rust::ident(name));
    let server_fn_uses = quote! { #( #[cfg(feature = "client")] pub use client::#server_fns; )* };
    quote! {
        #docs

        #[rustfmt::skip]
        pub mod operations;
        #[rustfmt::skip]
        pub mod types;

        #[cfg(feature = "client")]
        #[rustfmt::skip]
        pub mod client;
        #[cfg(feature = "server")]
        #[rustfmt::skip]
        pub mod server;

        #[cfg(feature = "client")]
        pub use client::{Client, SERVERS};
        #server_fn_uses
        #[cfg(feature = "server")]
        pub use server::{#trait_name, router};
    }
}

/// The crate root: module declarations and crate docs.
pub fn crate_root(modules: &[(String, String)]) -> TokenStream {
    let decls = modules.iter().map(|(module, title)| {
        let name = rust::ident(module);
        let docs = doc_lines(title);
        quote! { #docs #[rustfmt::skip] pub mod #name; }
    });
    quote! {
        #![doc = " Typed clients, models and server traits for the APIs that reset a user's MFA devices."]
        #![doc = ""]
        #![doc = " One module per vendor spec. Enable feature `client` for the clients (reqwest with rustls)"]
        #![doc = " and `server` for the server traits and their axum routers."]
        #![allow(deprecated)]

        pub use mfa_runtime;

        #(#decls)*
    }
}
