//! Stage 4: the plan as Rust tokens, one pure function per module file.
//! Emitters print what the plan decided: they never see the model, and
//! every identifier they write is a name from the plan.

mod client;
mod docs;
mod operations;
mod rust;
mod security;
mod server;
mod testing;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::plan::Plan;
use rust::{doc_lines, inner_doc_lines};

/// Writes one file of a spec's module from its plan.
pub type Emitter = fn(&Plan) -> TokenStream;

/// The files of one spec's module, relative to its directory, each with its
/// emitter. They are independent of each other, so the pipeline emits and
/// formats them in parallel.
pub const MODULE_FILES: &[(&str, Emitter)] = &[
    ("mod.rs", module_root),
    ("types.rs", emit_types),
    ("operations.rs", emit_operations),
    ("client.rs", emit_client),
    ("server.rs", emit_server),
    ("testing.rs", emit_testing),
];

fn emit_types(plan: &Plan) -> TokenStream {
    types::emit(plan)
}

fn emit_operations(plan: &Plan) -> TokenStream {
    operations::emit(plan)
}

fn emit_client(plan: &Plan) -> TokenStream {
    client::emit(plan)
}

fn emit_server(plan: &Plan) -> TokenStream {
    server::emit(plan)
}

fn emit_testing(plan: &Plan) -> TokenStream {
    testing::emit(plan)
}

/// Generated files are laid out by prettyplease, whose output is pinned by
/// Cargo.lock; rustfmt lays some constructs out differently. `rustfmt::skip`
/// on the module declarations keeps `cargo fmt` from rewriting them, so the
/// files stay byte-identical to what the generator writes.
fn module_root(plan: &Plan) -> TokenStream {
    let module = &plan.module;
    let title = format!("{} (version {}).", plan.title, plan.version);
    let description = plan.description.as_deref().map(docs::sanitize);
    let layout = format!(
        "Module `{module}`: `types` holds the spec's schemas; `operations` the request, response and error \
         types of each operation, shared by both sides; `client` (feature `client`) the typed client; \
         `server` (feature `server`) the `{}` trait and its axum router; `testing` (feature \
         `testing`) a scripted, recording `{}` of that trait for tests.",
        plan.server_trait, plan.double
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
    let trait_name = rust::ident(&plan.server_trait);
    let server_fns = plan
        .servers
        .iter()
        .filter_map(|server| server.function.as_deref())
        .map(rust::ident);
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
        #[cfg(feature = "testing")]
        #[rustfmt::skip]
        pub mod testing;

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
        #![doc = " One module per vendor spec. Enable feature `client` for the clients (reqwest with rustls),"]
        #![doc = " `server` for the server traits and their axum routers, and `testing` for a scripted,"]
        #![doc = " recording double of each server trait (`<module>::testing::Double`)."]
        #![allow(deprecated)]

        pub use mfa_runtime;

        #(#decls)*
    }
}
