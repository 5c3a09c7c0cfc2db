//! The server side: one trait per spec with one async method per
//! operation, and an axum router that serves any implementation of it.
//! Each operation says how its input is read and which method runs
//! (`rt::server::Endpoint`); authenticating, reading, running and answering
//! are the runtime's `server::endpoint::serve`.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{doc_lines, doc_paragraphs, ident, runtime_alias};
use crate::plan::{
    ArrayLayout, BodyKind, Delimiter, Encoding, JsonTemplate, ObjectKeys, ObjectLayout,
    OperationPlan, ParamPlan, ParamRole, PathForm, Plan, QueryForm, ResponsePlan, StatusMatch,
    TextForm,
};

pub fn emit(plan: &Plan) -> TokenStream {
    let trait_name = ident(&plan.server_trait);
    let ops = &plan.operations;
    let trait_methods = ops.iter().map(trait_method);
    // One statement per operation, not one method chain: a chain is an
    // expression nested as deep as the spec has operations, and rustc's
    // stack overflows on it (Microsoft Graph beta's 22,361 operations).
    let routes = ops.iter().map(|op| {
        let input = ident(&op.input);
        quote! { routes = routes.operation::<#input>(); }
    });
    let binding = if ops.is_empty() {
        quote! { let routes }
    } else {
        quote! { let mut routes }
    };
    let endpoints = ops.iter().map(|op| endpoint(op, &trait_name));
    let responses = ops.iter().map(into_responses);
    let rejection = rejection_body(plan);
    let security = security_consts(plan);
    let trait_docs = doc_lines(&format!(
        "Implement this to serve {} (version {}); [`router`] turns an implementation into an axum router.",
        plan.title, plan.version
    ));
    let rt = runtime_alias();
    // What the operations' impls name; what `reject` names otherwise.
    let imports = if ops.is_empty() {
        quote! {
            use rt::axum::response::Response;
            use rt::server::Rejection;
        }
    } else {
        quote! {
            use rt::axum::response::{IntoResponse, Response};
            use rt::server::{Endpoint, Incoming, Outcome, Rejection};
            use super::operations::*;
        }
    };
    quote! {
        #![allow(clippy::large_enum_variant)]

        #rt
        #imports

        #security

        #trait_docs
        pub trait #trait_name: Send + Sync + 'static {
            #(#trait_methods)*

            /// Answer a request that could not be read (missing or invalid
            /// parameters, a malformed body, an unknown path) or was not
            /// authenticated (401). By default: the rejection's status with a
            /// body in this API's own error shape.
            fn reject(&self, rejection: Rejection) -> Response {
                default_rejection(&rejection)
            }
        }

        /// The default answer to a rejected request, in this API's error shape.
        pub fn default_rejection(rejection: &Rejection) -> Response {
            rt::server::rejection_response(rejection, &#rejection)
        }

        /// An axum router serving `api`: nest it, layer it or serve it as is.
        pub fn router<A: #trait_name>(api: A) -> rt::axum::Router {
            router_with_body_limit(api, rt::server::DEFAULT_BODY_LIMIT)
        }

        /// Like [`router`], refusing request bodies over `limit` bytes with 413.
        pub fn router_with_body_limit<A: #trait_name>(api: A, limit: usize) -> rt::axum::Router {
            #binding = rt::server::Routes::new(A::reject);
            #(#routes)*
            routes.into_router(api, limit)
        }

        #(#endpoints)*

        #(#responses)*
    }
}

/// `pub mod security`: each scheme the spec declares, for
/// `mfa_runtime::server::auth::SchemeVerifier`, so users never retype a
/// header name.
fn security_consts(plan: &Plan) -> TokenStream {
    if plan.schemes.is_empty() {
        return TokenStream::new();
    }
    let consts = plan.schemes.iter().map(|scheme| {
        let name = ident(&scheme.constant);
        let key = &scheme.key;
        let value = super::security::scheme_value(scheme);
        let docs = doc_paragraphs(&[
            Some(&format!("The `{key}` security scheme.")),
            scheme.description.as_deref(),
        ]);
        quote! {
            #docs
            pub const #name: rt::security::Scheme = #value;
        }
    });
    quote! {
        /// The security schemes this API declares, to configure an
        /// `mfa_runtime::server::auth::SchemeVerifier` with.
        pub mod security {
            use super::rt;

            #(#consts)*
        }
    }
}

/// An expression building the rejection body as a `serde_json::Value`
/// from the local `rejection: &Rejection`.
fn rejection_body(plan: &Plan) -> TokenStream {
    let general = match &plan.rejection.general {
        Some(template) => json_value(template),
        None => {
            quote! { serde_json::json!({ "code": rejection.status.as_u16(), "message": rejection.message }) }
        }
    };
    match &plan.rejection.unauthorized {
        Some(unauthorized) => {
            let unauthorized = json_value(unauthorized);
            quote! {
                if rejection.status == rt::http::StatusCode::UNAUTHORIZED { #unauthorized } else { #general }
            }
        }
        None => general,
    }
}

fn json_value(template: &JsonTemplate) -> TokenStream {
    match template {
        JsonTemplate::Object(fields) => {
            let entries = fields.iter().map(|(key, value)| {
                let value = json_value(value);
                quote! { (#key.to_string(), #value) }
            });
            quote! { serde_json::Value::Object([#(#entries),*].into_iter().collect()) }
        }
        JsonTemplate::Text(s) => quote! { serde_json::Value::from(#s) },
        JsonTemplate::Integer(i) => quote! { serde_json::Value::from(#i) },
        JsonTemplate::Null => quote! { serde_json::Value::Null },
        JsonTemplate::False => quote! { serde_json::Value::from(false) },
        JsonTemplate::EmptyArray => quote! { serde_json::Value::Array(Vec::new()) },
        JsonTemplate::EmptyObject => {
            quote! { serde_json::Value::Object(serde_json::Map::new()) }
        }
        JsonTemplate::Status => quote! { serde_json::Value::from(rejection.status.as_u16()) },
        JsonTemplate::StatusText => quote! { serde_json::Value::from(rejection.status.as_str()) },
        JsonTemplate::Reason => {
            quote! { serde_json::Value::from(rejection.status.canonical_reason().unwrap_or("Error")) }
        }
        JsonTemplate::Message => quote! { serde_json::Value::from(rejection.message.as_str()) },
    }
}

/// The trait method's caller argument: required for an operation that
/// declares security, optional otherwise.
fn caller_type(op: &OperationPlan) -> TokenStream {
    if op.security.requires_authentication() {
        quote! { rt::server::Principal }
    } else {
        quote! { Option<rt::server::Principal> }
    }
}

fn trait_method(op: &OperationPlan) -> TokenStream {
    let method = ident(&op.method);
    let input = ident(&op.input);
    let success = ident(&op.success);
    let error = ident(&op.error);
    let endpoint = format!("`{} {}`", op.http_method.as_str(), op.path);
    let docs = doc_paragraphs(&[
        op.summary.as_deref(),
        op.description.as_deref(),
        Some(&endpoint),
        Some(&caller_docs(op)),
    ]);
    let caller = caller_type(op);
    quote! {
        #docs
        fn #method(
            &self,
            caller: #caller,
            input: #input,
        ) -> impl Future<Output = Result<#success, #error>> + Send;
    }
}

fn caller_docs(op: &OperationPlan) -> String {
    // `a` and `b` (scopes `x`), or `c`.
    let requirements: Vec<String> = op
        .security
        .named()
        .map(|requirement| {
            let schemes: Vec<String> = requirement
                .schemes
                .iter()
                .map(|(scheme, scopes)| match scopes.as_slice() {
                    [] => format!("`{scheme}`"),
                    scopes => {
                        let scopes: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
                        format!("`{scheme}` (scopes {})", scopes.join(", "))
                    }
                })
                .collect();
            schemes.join(" and ")
        })
        .collect();
    // `a`, `b` or `c`; with an AND among them, `a and b, or c`.
    let and = requirements.iter().any(|r| r.contains(" and "));
    let requirements = match requirements.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) if and => format!("{}, or {last}", rest.join(", or ")),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    let scoped = op
        .security
        .named()
        .any(|r| r.schemes.iter().any(|(_, scopes)| !scopes.is_empty()));
    let mut text = if requirements.is_empty() {
        "`caller`: who the auth layer authenticated, if anyone (the spec requires no authentication).".to_string()
    } else if op.security.anonymous_allowed() {
        format!(
            "`caller`: authenticated by {requirements}, or `None`: the spec also allows anonymous calls."
        )
    } else {
        let refused = match scoped {
            true => "others get 401, or 403 without the scopes",
            false => "others get 401",
        };
        format!("`caller`: authenticated by {requirements} ({refused}).")
    };
    if let Some(key) = op.idempotency_key() {
        text.push_str(&format!(
            " Under an idempotency layer, a request with `{}` runs this once per key and caller; retries get the stored response.",
            key.wire
        ));
    }
    text
}

/// `rt::query::Delimiter::Comma` and so on.
fn delimiter(delimiter: Delimiter) -> TokenStream {
    match delimiter {
        Delimiter::Comma => quote! { rt::query::Delimiter::Comma },
        Delimiter::Space => quote! { rt::query::Delimiter::Space },
        Delimiter::Pipe => quote! { rt::query::Delimiter::Pipe },
    }
}

/// For a query, header or cookie parameter: the word rejections use, and
/// the location the runtime reads.
fn location(encoding: &Encoding) -> (&'static str, TokenStream) {
    match encoding {
        Encoding::Query(_) => ("query parameter", quote! { rt::param::Location::Query }),
        Encoding::Header(_) => ("header", quote! { rt::param::Location::Header }),
        Encoding::Cookie(_) | Encoding::Path(_) => {
            ("cookie", quote! { rt::param::Location::Cookie })
        }
    }
}

/// How the operation is served: who may call, how its input is read, which
/// trait method runs.
fn endpoint(op: &OperationPlan, trait_name: &proc_macro2::Ident) -> TokenStream {
    let input = ident(&op.input);
    let method = ident(&op.method);
    let caller = caller_type(op);
    let constants = op.params.iter().filter_map(|p| {
        let ParamRole::Constant { value } = &p.role else {
            return None;
        };
        let (wire, (_, location)) = (&p.wire, location(&p.encoding));
        Some(quote! { from.constant(#location, #wire, #value)?; })
    });
    let fields = op.params.iter().filter_map(read_param);
    let body = op.body.as_ref().map(|b| {
        let field = ident(&b.field.name);
        let media = &b.media_type;
        let read = match b.kind {
            BodyKind::Json => quote! { from.json_body()? },
            BodyKind::Form => quote! { from.form_body()? },
            BodyKind::Multipart => quote! { from.multipart_body()? },
            BodyKind::Text => quote! { from.text_body(#media)? },
            BodyKind::Bytes => quote! { from.bytes_body(#media)? },
        };
        if b.field.required {
            quote! { #field: #read.ok_or_else(rt::server::missing_body)?, }
        } else {
            quote! { #field: #read, }
        }
    });
    let uses_request = op.body.is_some() || !op.params.is_empty();
    let from = if uses_request {
        quote! { from }
    } else {
        quote! { _from }
    };
    quote! {
        impl<A: #trait_name> Endpoint<A> for #input {
            type Caller = #caller;

            fn read(#from: &Incoming) -> Result<Self, Rejection> {
                #(#constants)*
                Ok(Self { #(#fields)* #body })
            }

            fn call(
                api: &A,
                caller: Self::Caller,
                input: Self,
            ) -> impl Future<Output = Outcome<Self>> + Send {
                api.#method(caller, input)
            }
        }
    }
}

/// How one parameter's field is read from the request.
fn read_param(param: &ParamPlan) -> Option<TokenStream> {
    let input = param.input()?;
    let field = ident(&input.name);
    let wire = &param.wire;
    let read = match &param.encoding {
        Encoding::Path(PathForm::Scalar) => quote! { from.path(#wire)? },
        Encoding::Path(PathForm::Json) => quote! { from.path_json(#wire)? },
        Encoding::Path(PathForm::Items { .. }) => quote! { from.path_items(#wire)? },
        Encoding::Path(PathForm::Array { .. }) => quote! { from.path_array(#wire)? },
        Encoding::Query(QueryForm::Scalar) => quote! { from.query(#wire)? },
        Encoding::Header(TextForm::Scalar) => quote! { from.header(#wire)? },
        Encoding::Cookie(TextForm::Scalar) => quote! { from.cookie(#wire)? },
        encoding => {
            let (what, location) = location(encoding);
            let read = match encoding {
                Encoding::Query(QueryForm::Array { layout, newtype }) => {
                    let read = match layout {
                        ArrayLayout::Form { explode } => {
                            quote! { from.query_array(#wire, #explode)? }
                        }
                        ArrayLayout::Delimited(d) => {
                            let d = delimiter(*d);
                            quote! { from.query_delimited(#wire, #d)? }
                        }
                    };
                    if *newtype {
                        quote! { #read.map(From::from) }
                    } else {
                        read
                    }
                }
                Encoding::Query(QueryForm::Object(layout)) => {
                    let required = input.required;
                    match layout {
                        ObjectLayout::Exploded(keys) => {
                            let keys = match keys {
                                ObjectKeys::Only(fields) => {
                                    quote! { rt::query::ObjectKeys::Only(&[#(#fields),*]) }
                                }
                                ObjectKeys::AllBut(others) => {
                                    quote! { rt::query::ObjectKeys::AllBut(&[#(#others),*]) }
                                }
                            };
                            quote! { from.query_exploded_object(#wire, #keys, #required)? }
                        }
                        ObjectLayout::Deep => quote! { from.query_deep_object(#wire, #required)? },
                        ObjectLayout::Delimited(d) => {
                            let d = delimiter(*d);
                            quote! { from.query_delimited_object(#wire, #d)? }
                        }
                    }
                }
                _ => quote! { from.json_param(#location, #wire)? },
            };
            if input.required {
                quote! { #read.ok_or_else(|| rt::server::missing(#what, #wire))? }
            } else {
                read
            }
        }
    };
    Some(quote! { #field: #read, })
}

/// `IntoResponse` for the operation's success and error enums: each
/// variant's status, headers and body.
fn into_responses(op: &OperationPlan) -> TokenStream {
    let impls = [true, false].map(|success| {
        let name = ident(if success { &op.success } else { &op.error });
        let arms: Vec<TokenStream> = op.responses_of(success).map(response_arm).collect();
        let body = if arms.is_empty() {
            quote! { match self {} }
        } else {
            quote! {
                let reply = rt::server::ResponseBuilder::of(&self);
                match self { #(#arms)* }
            }
        };
        quote! {
            impl IntoResponse for #name {
                fn into_response(self) -> Response {
                    #body
                }
            }
        }
    });
    quote! { #(#impls)* }
}

fn response_arm(r: &ResponsePlan) -> TokenStream {
    let variant = ident(&r.variant);
    let mut bindings = Vec::new();
    let mut steps = Vec::new();
    if let StatusMatch::Range(digit) = r.status {
        let digit = proc_macro2::Literal::u16_unsuffixed(u16::from(digit));
        steps.push(quote! { .in_range(#digit) });
    }
    for header in &r.headers {
        let field = ident(&header.field);
        let wire = &header.wire;
        bindings.push(quote! { #field });
        steps.push(match (header.form, header.required) {
            (TextForm::Scalar, _) => quote! { .header(#wire, &#field) },
            (TextForm::Json, true) => quote! { .json_header(#wire, Some(&#field)) },
            (TextForm::Json, false) => quote! { .json_header(#wire, #field.as_ref()) },
        });
    }
    let finish = match &r.body {
        Some(body) => {
            bindings.push(quote! { body });
            let media = &body.media_type;
            match body.kind {
                BodyKind::Json => quote! { .json(&body) },
                BodyKind::Form => quote! { .form(#media, &body) },
                BodyKind::Text => quote! { .text(#media, body) },
                BodyKind::Bytes | BodyKind::Multipart => quote! { .bytes(#media, body) },
            }
        }
        None => quote! { .empty() },
    };
    let rest = r.carries_status().then(|| quote! { .. });
    let pattern = match (bindings.is_empty(), rest.is_some()) {
        (true, false) => quote! { Self::#variant },
        _ => quote! { Self::#variant { #(#bindings,)* #rest } },
    };
    quote! { #pattern => reply #(#steps)* #finish, }
}

#[cfg(test)]
mod tests {
    /// The router adds each operation in a statement of its own: a method
    /// chain as long as the spec is an expression rustc's stack cannot hold
    /// (Microsoft Graph beta, 22,361 operations, crashed `cargo check`).
    #[test]
    fn the_router_adds_operations_one_statement_each() {
        let paths: String = (0..3)
            .map(|i| {
                format!(
                    "  /x{i}:\n    get:\n      responses:\n        '200': {{description: ok}}\n"
                )
            })
            .collect();
        let yaml = format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}");
        // Through the whole pipeline: emit never reads the model itself.
        let spec = crate::SpecInput {
            module: "t".into(),
            path: "t.yaml".into(),
            text: yaml,
            options: Default::default(),
        };
        let generated = crate::generate_module(&spec).expect("generates");
        let server = &generated.tree[std::path::Path::new("src/t/server.rs")];
        let file = syn::parse_file(server).expect("parses");
        let router = file
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Fn(f) if f.sig.ident == "router_with_body_limit" => Some(f),
                _ => None,
            })
            .expect("router_with_body_limit");
        // `let mut routes`, one assignment per operation, the tail.
        assert_eq!(router.block.stmts.len(), 3 + 2);
        for stmt in &router.block.stmts[1..4] {
            let syn::Stmt::Expr(syn::Expr::Assign(assign), Some(_)) = stmt else {
                panic!("an assignment statement, not {}", quote::quote!(#stmt));
            };
            let syn::Expr::MethodCall(call) = &*assign.right else {
                panic!("a method call");
            };
            assert!(matches!(&*call.receiver, syn::Expr::Path(_)), "not a chain");
        }
    }
}
