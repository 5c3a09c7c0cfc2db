//! The test double (feature `testing`): an implementation of the server
//! trait that records every call and answers each operation from a script.
//! Recording, scripting and answering are the runtime's
//! `testing::Script`; this file only gives each operation its script, its
//! variant in the record and its trait method.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{doc_lines, ident, inner_doc_lines, runtime_alias};
use crate::plan::{OperationPlan, Plan};

pub fn emit(plan: &Plan) -> TokenStream {
    let ops = &plan.operations;
    let double = ident(&plan.double);
    let received = ident(&plan.double_received);
    let server_trait = ident(&plan.server_trait);
    let rt = runtime_alias();
    let module_docs = inner_doc_lines(&format!(
        "A test double of [`{trait_name}`](super::server::{trait_name}) (feature `testing`): \
         [`{double}`] records each call's caller and typed input, and answers each operation \
         from a script the test writes. Serve it with [`router`](super::server::router) and \
         drive any client against it.",
        trait_name = plan.server_trait,
    ));
    let double_docs = doc_lines(&format!(
        "A [`{trait_name}`](super::server::{trait_name}) for tests and stand-ins: every call \
         is recorded, and answered from the script of its operation (the method of the same \
         name): first the answers queued with `answer_once`, then the default set with \
         `answer` or `respond_with`; a call with nothing scripted panics, naming its \
         operation. Clones share the record and the scripts.",
        trait_name = plan.server_trait,
    ));
    let imports = (!ops.is_empty()).then(|| quote! { use super::operations::*; });
    let variants = ops.iter().map(|op| {
        let variant = ident(&op.double_variant);
        let input = ident(&op.input);
        let docs = doc_lines(&format!("A `{}` call.", op.id));
        quote! { #docs #variant(rt::testing::Call<#input>), }
    });
    let fields = ops.iter().map(|op| {
        let field = ident(&op.method);
        let input = ident(&op.input);
        quote! { #field: rt::testing::Script<#input>, }
    });
    let accessors = ops.iter().map(accessor);
    let methods = ops.iter().map(|op| trait_method(op, &received));
    quote! {
        #module_docs
        #![allow(clippy::large_enum_variant)]

        #rt
        #imports

        /// A call the double received, of any of the API's operations.
        #[derive(Debug, Clone, PartialEq)]
        pub enum #received {
            #(#variants)*
        }

        #double_docs
        #[derive(Debug, Clone, Default)]
        pub struct #double(std::sync::Arc<Scripts>);

        #[derive(Debug, Default)]
        struct Scripts {
            received: rt::testing::Journal<#received>,
            rejections: rt::testing::Rejections,
            #(#fields)*
        }

        impl #double {
            /// A double with nothing scripted: script each operation the test calls.
            pub fn new() -> Self {
                Self::default()
            }

            /// Every call so far, of every operation, in the order they arrived.
            pub fn received(&self) -> Vec<#received> {
                self.0.received.entries()
            }

            /// Every call so far, emptying this record (each operation's script
            /// keeps its own).
            pub fn take_received(&self) -> Vec<#received> {
                self.0.received.take()
            }

            /// The requests refused before any operation ran, and how they are
            /// answered (by default, in this API's own error shape).
            pub fn rejections(&self) -> &rt::testing::Rejections {
                &self.0.rejections
            }

            #(#accessors)*
        }

        impl super::server::#server_trait for #double {
            #(#methods)*

            fn reject(&self, rejection: rt::server::Rejection) -> rt::axum::response::Response {
                self.0.rejections.run(rejection, super::server::default_rejection)
            }
        }
    }
}

/// `double.reset_device()`: the operation's script.
fn accessor(op: &OperationPlan) -> TokenStream {
    let method = ident(&op.method);
    let input = ident(&op.input);
    let docs = doc_lines(&format!(
        "`{}` (`{} {}`): what it answers, and the calls it received.",
        op.id,
        op.http_method.as_str(),
        op.path
    ));
    quote! {
        #docs
        pub fn #method(&self) -> &rt::testing::Script<#input> {
            &self.0.#method
        }
    }
}

/// The trait method: the call recorded and answered by its script.
fn trait_method(op: &OperationPlan, received: &proc_macro2::Ident) -> TokenStream {
    let method = ident(&op.method);
    let input = ident(&op.input);
    let success = ident(&op.success);
    let error = ident(&op.error);
    let variant = ident(&op.double_variant);
    let (caller_type, caller) = if op.security.requires_authentication() {
        (quote! { rt::server::Principal }, quote! { Some(caller) })
    } else {
        (quote! { Option<rt::server::Principal> }, quote! { caller })
    };
    // The script's own future, not an `async fn` around it: one future type
    // per operation fewer for the compiler to prove `Send`.
    quote! {
        fn #method(
            &self,
            caller: #caller_type,
            input: #input,
        ) -> impl Future<Output = Result<#success, #error>> + Send {
            let journal = &self.0.received;
            self.0.#method.run(#caller, input, journal, #received::#variant)
        }
    }
}
