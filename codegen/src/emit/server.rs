//! The server side: one trait per spec with one async method per
//! operation, and an axum router that serves any implementation of it.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{doc_lines, doc_paragraphs, ident};
use crate::plan::{
    ArrayLayout, BodyKind, Delimiter, Encoding, JsonTemplate, ObjectKeys, ObjectLayout,
    OperationPlan, ParamRole, PathForm, Plan, QueryForm, RoutePart, RouteSegment, StatusMatch,
    TextForm,
};

pub fn emit(plan: &Plan) -> TokenStream {
    let trait_name = ident(&plan.server_trait);
    let ops = &plan.operations;
    let trait_methods = ops.iter().map(trait_method);
    let routes = ops.iter().map(route);
    let dispatch_arms = ops.iter().enumerate().map(|(i, op)| {
        let handler = ident(&op.handler);
        quote! { #i => #handler(&*api, incoming, &params).await, }
    });
    // Route indexes follow ROUTES; with no operations nothing can match.
    let dispatch = if ops.is_empty() {
        quote! {
            fn handle<A: #trait_name>(
                api: ::std::sync::Arc<A>,
                _route: usize,
                incoming: ::mfa_runtime::server::Incoming,
                _params: ::std::vec::Vec<::mfa_runtime::server::routing::PathValue>,
            ) -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::mfa_runtime::axum::response::Response> + ::std::marker::Send>> {
                ::std::boxed::Box::pin(async move { api.reject(::mfa_runtime::server::not_found(incoming.uri.path())) })
            }
        }
    } else {
        quote! {
            fn handle<A: #trait_name>(
                api: ::std::sync::Arc<A>,
                route: usize,
                incoming: ::mfa_runtime::server::Incoming,
                params: ::std::vec::Vec<::mfa_runtime::server::routing::PathValue>,
            ) -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::mfa_runtime::axum::response::Response> + ::std::marker::Send>> {
                ::std::boxed::Box::pin(async move {
                    match route {
                        #(#dispatch_arms)*
                        _ => api.reject(::mfa_runtime::server::not_found(incoming.uri.path())),
                    }
                })
            }
        }
    };
    let handlers = ops.iter().map(|op| handler(op, &trait_name));
    let responses = ops.iter().map(into_response);
    let rejection = rejection_body(plan);
    let security = security_consts(plan);
    let trait_docs = doc_lines(&format!(
        "Implement this to serve {} (version {}); [`router`] turns an implementation into an axum router.",
        plan.title, plan.version
    ));
    quote! {
        #![allow(clippy::large_enum_variant)]

        #security

        #trait_docs
        pub trait #trait_name: ::std::marker::Send + ::std::marker::Sync + 'static {
            #(#trait_methods)*

            /// Answer a request that could not be read (missing or invalid
            /// parameters, a malformed body, an unknown path) or was not
            /// authenticated (401). By default: the rejection's status with a
            /// body in this API's own error shape.
            fn reject(&self, rejection: ::mfa_runtime::server::Rejection) -> ::mfa_runtime::axum::response::Response {
                default_rejection(&rejection)
            }
        }

        /// The default answer to a rejected request, in this API's error shape.
        pub fn default_rejection(rejection: &::mfa_runtime::server::Rejection) -> ::mfa_runtime::axum::response::Response {
            ::mfa_runtime::server::rejection_response(rejection, &#rejection)
        }

        static ROUTES: &[::mfa_runtime::server::routing::Route] = &[#(#routes),*];

        /// An axum router serving `api`: nest it, layer it or serve it as is.
        pub fn router<A: #trait_name>(api: A) -> ::mfa_runtime::axum::Router {
            router_with_body_limit(api, ::mfa_runtime::server::DEFAULT_BODY_LIMIT)
        }

        /// Like [`router`], refusing request bodies over `limit` bytes with 413.
        pub fn router_with_body_limit<A: #trait_name>(api: A, limit: usize) -> ::mfa_runtime::axum::Router {
            ::mfa_runtime::server::router(api, ROUTES, limit, handle::<A>, <A as #trait_name>::reject)
        }

        #dispatch

        #(#handlers)*
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
            pub const #name: ::mfa_runtime::security::Scheme = #value;
        }
    });
    quote! {
        /// The security schemes this API declares, to configure an
        /// `mfa_runtime::server::auth::SchemeVerifier` with.
        pub mod security {
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
            quote! { ::serde_json::json!({ "code": rejection.status.as_u16(), "message": rejection.message }) }
        }
    };
    match &plan.rejection.unauthorized {
        Some(unauthorized) => {
            let unauthorized = json_value(unauthorized);
            quote! {
                if rejection.status == ::mfa_runtime::http::StatusCode::UNAUTHORIZED { #unauthorized } else { #general }
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
            quote! { ::serde_json::Value::Object([#(#entries),*].into_iter().collect()) }
        }
        JsonTemplate::Text(s) => quote! { ::serde_json::Value::from(#s) },
        JsonTemplate::Integer(i) => quote! { ::serde_json::Value::from(#i) },
        JsonTemplate::Null => quote! { ::serde_json::Value::Null },
        JsonTemplate::False => quote! { ::serde_json::Value::from(false) },
        JsonTemplate::EmptyArray => quote! { ::serde_json::Value::Array(::std::vec::Vec::new()) },
        JsonTemplate::EmptyObject => {
            quote! { ::serde_json::Value::Object(::serde_json::Map::new()) }
        }
        JsonTemplate::Status => quote! { ::serde_json::Value::from(rejection.status.as_u16()) },
        JsonTemplate::Reason => {
            quote! { ::serde_json::Value::from(rejection.status.canonical_reason().unwrap_or("Error")) }
        }
        JsonTemplate::Message => quote! { ::serde_json::Value::from(rejection.message.as_str()) },
    }
}

/// The trait method's caller argument: required for an operation that
/// declares security, optional otherwise.
fn caller_type(op: &OperationPlan) -> TokenStream {
    if !op.security.requires_authentication() {
        quote! { ::std::option::Option<::mfa_runtime::server::Principal> }
    } else {
        quote! { ::mfa_runtime::server::Principal }
    }
}

fn trait_method(op: &OperationPlan) -> TokenStream {
    let method = ident(&op.method);
    let request = ident(&op.input);
    let response = ident(&op.success);
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
            input: super::operations::#request,
        ) -> impl ::std::future::Future<
            Output = ::std::result::Result<super::operations::#response, super::operations::#error>,
        > + ::std::marker::Send;
    }
}

fn caller_docs(op: &OperationPlan) -> String {
    let schemes: Vec<String> = op
        .security
        .schemes
        .iter()
        .map(|s| format!("`{s}`"))
        .collect();
    let schemes = schemes.join(" or ");
    let mut text = if op.security.schemes.is_empty() {
        "`caller`: who the auth layer authenticated, if anyone (the spec requires no authentication).".to_string()
    } else if op.security.anonymous_allowed {
        format!(
            "`caller`: authenticated by {schemes}, or `None`: the spec also allows anonymous calls."
        )
    } else {
        format!(
            "`caller`: authenticated by {schemes}; the router answers 401 before this runs otherwise."
        )
    };
    if let Some(key) = op.idempotency_key() {
        text.push_str(&format!(
            " Under an idempotency layer, a request with `{}` runs this once per key and caller; retries get the stored response.",
            key.wire
        ));
    }
    text
}

fn route(op: &OperationPlan) -> TokenStream {
    let method = ident(op.http_method.as_str());
    let segments = op.route.iter().map(|s| match s {
        RouteSegment::Literal(text) => {
            quote! { ::mfa_runtime::server::routing::Segment::Literal(#text) }
        }
        RouteSegment::Param(_) => quote! { ::mfa_runtime::server::routing::Segment::Param },
        RouteSegment::Hierarchy { prefix, .. } => {
            quote! { ::mfa_runtime::server::routing::Segment::Hierarchy(#prefix) }
        }
        RouteSegment::TrailingSlash => {
            quote! { ::mfa_runtime::server::routing::Segment::TrailingSlash }
        }
        RouteSegment::Mixed(parts) => {
            let parts = parts.iter().map(|p| match p {
                RoutePart::Literal(text) => {
                    quote! { ::mfa_runtime::server::routing::Part::Literal(#text) }
                }
                RoutePart::Param(_) => quote! { ::mfa_runtime::server::routing::Part::Param },
            });
            quote! { ::mfa_runtime::server::routing::Segment::Mixed(&[#(#parts),*]) }
        }
    });
    quote! {
        ::mfa_runtime::server::routing::Route {
            method: ::mfa_runtime::http::Method::#method,
            segments: &[#(#segments),*],
        }
    }
}

/// For a query, header or cookie parameter: the word rejections use and the
/// `Incoming` method that reads it.
fn location_reader(encoding: &Encoding) -> (&'static str, proc_macro2::Ident) {
    match encoding {
        Encoding::Query(_) => ("query parameter", ident("query")),
        Encoding::Header(_) => ("header", ident("header")),
        Encoding::Cookie(_) | Encoding::Path { .. } => ("cookie", ident("cookie")),
    }
}

/// `.map(From::from)` when the field is a newtype over the list a reader
/// returns.
fn into_newtype(newtype: bool) -> TokenStream {
    if newtype {
        quote! { .map(::std::convert::From::from) }
    } else {
        TokenStream::new()
    }
}

/// `::mfa_runtime::query::Delimiter::Comma` and so on.
fn delimiter(delimiter: Delimiter) -> TokenStream {
    match delimiter {
        Delimiter::Comma => quote! { ::mfa_runtime::query::Delimiter::Comma },
        Delimiter::Space => quote! { ::mfa_runtime::query::Delimiter::Space },
        Delimiter::Pipe => quote! { ::mfa_runtime::query::Delimiter::Pipe },
    }
}

fn handler(op: &OperationPlan, trait_name: &proc_macro2::Ident) -> TokenStream {
    let handler = ident(&op.handler);
    let reader = ident(&op.reader);
    let method = ident(&op.method);
    let input = ident(&op.input);
    let constants = op.params.iter().filter_map(|p| {
        let ParamRole::Constant { value } = &p.role else {
            return None;
        };
        let wire = &p.wire;
        let (what, reader) = location_reader(&p.encoding);
        let read = quote! { incoming.#reader::<::std::string::String>(#wire)? };
        Some(quote! { ::mfa_runtime::server::expect_constant(#what, #wire, #read, #value)?; })
    });
    let fields = op.params.iter().filter_map(|p| {
        let input = p.input()?;
        let field = ident(&input.name);
        let wire = &p.wire;
        let value = match &p.encoding {
            Encoding::Path { capture, form } => {
                let read = match form {
                    PathForm::Items { newtype } => {
                        let converted = into_newtype(*newtype);
                        quote! { value.parse_many(#wire)#converted }
                    }
                    PathForm::Scalar => quote! { value.parse(#wire) },
                    PathForm::Json => {
                        quote! { value.parse::<::mfa_runtime::param::JsonParam<_>>(#wire).map(|v| v.0) }
                    }
                };
                let get = if *capture == 0 { quote! { params.first() } } else { quote! { params.get(#capture) } };
                quote! {
                    match #get {
                        ::std::option::Option::Some(value) => #read?,
                        ::std::option::Option::None => return ::std::result::Result::Err(::mfa_runtime::server::missing("path parameter", #wire)),
                    }
                }
            }
            encoding => {
                let (what, reader) = location_reader(encoding);
                let read = match encoding {
                    Encoding::Query(QueryForm::Array { layout, newtype }) => {
                        let converted = into_newtype(*newtype);
                        let read = match layout {
                            ArrayLayout::Form { explode } => quote! { incoming.query_array(#wire, #explode)? },
                            ArrayLayout::Delimited(d) => {
                                let d = delimiter(*d);
                                quote! { incoming.query_delimited(#wire, #d)? }
                            }
                        };
                        quote! { #read #converted }
                    }
                    Encoding::Query(QueryForm::Object(layout)) => {
                        let required = input.required;
                        match layout {
                            ObjectLayout::Exploded(keys) => {
                                let keys = match keys {
                                    ObjectKeys::Only(fields) => quote! { ::mfa_runtime::query::ObjectKeys::Only(&[#(#fields),*]) },
                                    ObjectKeys::AllBut(others) => quote! { ::mfa_runtime::query::ObjectKeys::AllBut(&[#(#others),*]) },
                                };
                                quote! { incoming.query_exploded_object(#wire, #keys, #required)? }
                            }
                            ObjectLayout::Deep => quote! { incoming.query_deep_object(#wire, #required)? },
                            ObjectLayout::Delimited(d) => {
                                let d = delimiter(*d);
                                quote! { incoming.query_delimited_object(#wire, #d)? }
                            }
                        }
                    }
                    Encoding::Query(QueryForm::Scalar)
                    | Encoding::Header(TextForm::Scalar)
                    | Encoding::Cookie(TextForm::Scalar) => quote! { incoming.#reader(#wire)? },
                    _ => {
                        quote! { incoming.#reader::<::mfa_runtime::param::JsonParam<_>>(#wire)?.map(|v| v.0) }
                    }
                };
                if input.required {
                    quote! { #read.ok_or_else(|| ::mfa_runtime::server::missing(#what, #wire))? }
                } else {
                    read
                }
            }
        };
        Some(quote! { #field: #value, })
    });
    let body = op.body.as_ref().map(|b| {
        let field = ident(&b.field.name);
        let media = &b.media_type;
        let read = match b.kind {
            BodyKind::Json => quote! { incoming.json_body()? },
            BodyKind::Form => quote! { incoming.form_body()? },
            BodyKind::Multipart => quote! { incoming.multipart_body().await? },
            BodyKind::Text => quote! { incoming.text_body(#media)? },
            BodyKind::Bytes => quote! { incoming.bytes_body(#media)? },
        };
        if b.field.required {
            quote! {
                #field: #read.ok_or_else(|| ::mfa_runtime::server::Rejection::new(
                    ::mfa_runtime::server::RejectionKind::MissingBody, "a request body is required"))?,
            }
        } else {
            quote! { #field: #read, }
        }
    });
    let params_arg = if !op.captures_path() {
        quote! { _params }
    } else {
        quote! { params }
    };
    let uses_incoming = op.body.is_some()
        || op.params.iter().any(|p| {
            !matches!(p.encoding, Encoding::Path { .. })
                || matches!(p.role, ParamRole::Constant { .. })
        });
    let incoming_arg = if uses_incoming {
        quote! { incoming }
    } else {
        quote! { _incoming }
    };
    // Reading a multipart body is asynchronous (the parser works on a stream).
    let (asyncness, awaited) = if op
        .body
        .as_ref()
        .is_some_and(|b| b.kind == BodyKind::Multipart)
    {
        (quote! { async }, quote! { .await })
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let op_id = &op.id;
    let authenticate = if !op.security.requires_authentication() {
        quote! { let caller = incoming.principal().cloned(); }
    } else {
        let accepted = &op.security.schemes;
        quote! {
            let caller = match ::mfa_runtime::server::auth::require(&incoming, #op_id, &[#(#accepted),*]) {
                ::std::result::Result::Ok(caller) => caller,
                ::std::result::Result::Err(rejection) => return api.reject(rejection),
            };
        }
    };
    let call = quote! {
        match api.#method(caller, request).await {
            ::std::result::Result::Ok(response) => ::mfa_runtime::axum::response::IntoResponse::into_response(response),
            ::std::result::Result::Err(error) => ::mfa_runtime::axum::response::IntoResponse::into_response(error),
        }
    };
    let run = match op.idempotency_key() {
        Some(key) => {
            let header = &key.wire;
            quote! {
                ::mfa_runtime::server::idempotency::run(&incoming, #op_id, #header, |rejection| api.reject(rejection), async move { #call }).await
            }
        }
        None => call,
    };
    quote! {
        async fn #handler<A: #trait_name>(
            api: &A,
            incoming: ::mfa_runtime::server::Incoming,
            params: &[::mfa_runtime::server::routing::PathValue],
        ) -> ::mfa_runtime::axum::response::Response {
            #authenticate
            let request = match #reader(&incoming, params)#awaited {
                ::std::result::Result::Ok(request) => request,
                ::std::result::Result::Err(rejection) => return api.reject(rejection),
            };
            #run
        }

        #asyncness fn #reader(
            #incoming_arg: &::mfa_runtime::server::Incoming,
            #params_arg: &[::mfa_runtime::server::routing::PathValue],
        ) -> ::std::result::Result<super::operations::#input, ::mfa_runtime::server::Rejection> {
            #(#constants)*
            ::std::result::Result::Ok(super::operations::#input {
                #(#fields)*
                #body
            })
        }
    }
}

fn into_response(op: &OperationPlan) -> TokenStream {
    let mut impls = Vec::new();
    for success in [true, false] {
        let name = ident(if success { &op.success } else { &op.error });
        let arms: Vec<_> = op
            .responses_of(success)
            .map(|r| {
                let variant = ident(&r.variant);
                let mut bindings = Vec::new();
                let builder = match r.status {
                    StatusMatch::Range(digit) => {
                        bindings.push(quote! { status });
                        let digit = u16::from(digit);
                        quote! { ::mfa_runtime::server::ResponseBuilder::in_range(status, #digit) }
                    }
                    StatusMatch::Default => {
                        bindings.push(quote! { status });
                        quote! { ::mfa_runtime::server::ResponseBuilder::new(status) }
                    }
                    StatusMatch::Code(_) => quote! { ::mfa_runtime::server::ResponseBuilder::new(code) },
                };
                let mut steps = Vec::new();
                for header in &r.headers {
                    let field = ident(&header.field);
                    let wire = &header.wire;
                    bindings.push(quote! { #field });
                    let value = match header.form {
                        TextForm::Scalar => quote! { &#field },
                        TextForm::Json => quote! { &::mfa_runtime::param::JsonParam(#field) },
                    };
                    steps.push(if header.required {
                        quote! { let builder = builder.header(#wire, #value); }
                    } else {
                        match header.form {
                            TextForm::Scalar => quote! { let builder = builder.header_opt(#wire, &#field); },
                            TextForm::Json => quote! { let builder = builder.header_opt(#wire, &#field.map(::mfa_runtime::param::JsonParam)); },
                        }
                    });
                }
                let finish = match &r.body {
                    Some(body) => {
                        bindings.push(quote! { body });
                        let media = &body.media_type;
                        match body.kind {
                            BodyKind::Json => quote! { builder.json(&body) },
                            BodyKind::Form => quote! { builder.form(#media, &body) },
                            BodyKind::Text => quote! { builder.text(#media, body) },
                            BodyKind::Bytes | BodyKind::Multipart => quote! { builder.bytes(#media, body) },
                        }
                    }
                    None => quote! { builder.empty() },
                };
                let pattern = if bindings.is_empty() {
                    quote! { Self::#variant }
                } else {
                    quote! { Self::#variant { #(#bindings),* } }
                };
                quote! {
                    #pattern => {
                        let builder = #builder;
                        #(#steps)*
                        #finish
                    }
                }
            })
            .collect();
        let uses_code = op.responses_of(success).any(|r| !r.carries_status());
        let code =
            uses_code.then(|| quote! { let code = ::mfa_runtime::HasStatus::status(&self); });
        let body = if arms.is_empty() {
            quote! { match self {} }
        } else {
            quote! {
                #code
                match self { #(#arms)* }
            }
        };
        impls.push(quote! {
            impl ::mfa_runtime::axum::response::IntoResponse for super::operations::#name {
                fn into_response(self) -> ::mfa_runtime::axum::response::Response {
                    #body
                }
            }
        });
    }
    quote! { #(#impls)* }
}
