//! The server side: one trait per spec with one async method per
//! operation, and an axum router that serves any implementation of it.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::{BodyKind, body_kind, carries_status, request_fields, response_kind};
use super::params::{
    QueryLayout, Shape, delimiter_tokens, object_keys_tokens, object_type, query_layout, shape,
};
use super::rejection::rejection_body;
use super::rust::{TypeWriter, doc_lines, doc_paragraphs, ident};
use super::security::scheme_value;
use crate::model::{
    Api, Operation, ParamLocation, ParamStyle, PathSegment, SegmentPart, StatusMatch,
};
use crate::naming::{Names, OperationNames};

pub fn emit(api: &Api, names: &Names) -> TokenStream {
    let w = TypeWriter {
        api,
        names,
        prefix: quote! { super::types:: },
    };
    let trait_name = ident(&names.server_trait);
    let ops: Vec<_> = api.operations.iter().zip(&names.operations).collect();
    let trait_methods = ops.iter().map(|(op, n)| trait_method(op, n));
    let routes = ops.iter().map(|(op, _)| route(op));
    let dispatch_arms = ops.iter().enumerate().map(|(i, (_, n))| {
        let handler = ident(&format!("handle_{}", n.method.trim_start_matches("r#")));
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
    let handlers = ops.iter().map(|(op, n)| handler(&w, op, n, &trait_name));
    let responses = ops.iter().map(|(op, n)| into_response(&w, op, n));
    let rejection = rejection_body(api);
    let security = security_consts(api, names);
    let trait_docs = doc_lines(&format!(
        "Implement this to serve {} (version {}); [`router`] turns an implementation into an axum router.",
        api.title, api.version
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
fn security_consts(api: &Api, names: &Names) -> TokenStream {
    if api.security_schemes.is_empty() {
        return TokenStream::new();
    }
    let consts = api
        .security_schemes
        .iter()
        .zip(&names.scheme_consts)
        .map(|(scheme, name)| {
            let name = ident(name);
            let key = &scheme.key;
            let value = scheme_value(scheme);
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

/// The trait method's caller argument: required for an operation that
/// declares security, optional otherwise.
fn caller_type(op: &Operation) -> TokenStream {
    if !op.requires_authentication() {
        quote! { ::std::option::Option<::mfa_runtime::server::Principal> }
    } else {
        quote! { ::mfa_runtime::server::Principal }
    }
}

fn trait_method(op: &Operation, n: &OperationNames) -> TokenStream {
    let method = ident(&n.method);
    let request = ident(&n.request);
    let response = ident(&n.response);
    let error = ident(&n.error);
    let endpoint = format!("`{} {}`", op.method.as_str(), op.path);
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

fn caller_docs(op: &Operation) -> String {
    let schemes: Vec<String> = op.security.iter().map(|s| format!("`{s}`")).collect();
    let schemes = schemes.join(" or ");
    let mut text = if op.security.is_empty() {
        "`caller`: who the auth layer authenticated, if anyone (the spec requires no authentication).".to_string()
    } else if op.anonymous_allowed {
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
            key.name
        ));
    }
    text
}

fn route(op: &Operation) -> TokenStream {
    let method = ident(op.method.as_str());
    let segments = op.segments.iter().map(|s| match s {
        PathSegment::Literal(text) => {
            quote! { ::mfa_runtime::server::routing::Segment::Literal(#text) }
        }
        PathSegment::Param(_) => quote! { ::mfa_runtime::server::routing::Segment::Param },
        PathSegment::Hierarchy { prefix, .. } => {
            quote! { ::mfa_runtime::server::routing::Segment::Hierarchy(#prefix) }
        }
        PathSegment::TrailingSlash => {
            quote! { ::mfa_runtime::server::routing::Segment::TrailingSlash }
        }
        PathSegment::Mixed(parts) => {
            let parts = parts.iter().map(|p| match p {
                SegmentPart::Literal(text) => {
                    quote! { ::mfa_runtime::server::routing::Part::Literal(#text) }
                }
                SegmentPart::Param(_) => quote! { ::mfa_runtime::server::routing::Part::Param },
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
fn location_reader(location: ParamLocation) -> (&'static str, proc_macro2::Ident) {
    match location {
        ParamLocation::Query => ("query parameter", ident("query")),
        ParamLocation::Header => ("header", ident("header")),
        _ => ("cookie", ident("cookie")),
    }
}

/// `.map(From::from)` when `ty` is a newtype over the list a reader returns.
fn into_newtype(w: &TypeWriter<'_>, ty: &crate::model::TypeRef) -> TokenStream {
    if w.newtype_inner(ty).is_some() {
        quote! { .map(::std::convert::From::from) }
    } else {
        TokenStream::new()
    }
}

/// The order path parameters are captured in: the template's order.
fn path_param_order(op: &Operation) -> Vec<&str> {
    let mut names = Vec::new();
    for segment in &op.segments {
        match segment {
            PathSegment::Param(name) | PathSegment::Hierarchy { param: name, .. } => {
                names.push(name.as_str())
            }
            PathSegment::Mixed(parts) => names.extend(parts.iter().filter_map(|p| match p {
                SegmentPart::Param(name) => Some(name.as_str()),
                SegmentPart::Literal(_) => None,
            })),
            _ => {}
        }
    }
    names
}

fn handler(
    w: &TypeWriter<'_>,
    op: &Operation,
    n: &OperationNames,
    trait_name: &proc_macro2::Ident,
) -> TokenStream {
    let handler = ident(&format!("handle_{}", n.method.trim_start_matches("r#")));
    let reader = ident(&format!("read_{}", n.method.trim_start_matches("r#")));
    let method = ident(&n.method);
    let request = ident(&n.request);
    let order = path_param_order(op);
    let constants = op.parameters.iter().filter_map(|p| {
        let constant = p.constant.as_ref()?;
        let wire = &p.name;
        let (what, reader) = location_reader(p.location);
        let read = quote! { incoming.#reader::<::std::string::String>(#wire)? };
        Some(quote! { ::mfa_runtime::server::expect_constant(#what, #wire, #read, #constant)?; })
    });
    let fields = request_fields(op, n).map(|(p, field)| {
        let field = ident(field);
        let wire = &p.name;
        let value = match p.location {
            ParamLocation::Path => {
                let index = order.iter().position(|name| *name == p.name).unwrap_or(0);
                let many = op.segments.iter().any(|s| matches!(s, PathSegment::Hierarchy { param, .. } if *param == p.name));
                let read = if many {
                    let converted = into_newtype(w, &p.ty);
                    quote! { value.parse_many(#wire)#converted }
                } else if shape(w, &p.ty) == Shape::Scalar {
                    quote! { value.parse(#wire) }
                } else {
                    quote! { value.parse::<::mfa_runtime::param::JsonParam<_>>(#wire).map(|v| v.0) }
                };
                let get = if index == 0 { quote! { params.first() } } else { quote! { params.get(#index) } };
                quote! {
                    match #get {
                        ::std::option::Option::Some(value) => #read?,
                        ::std::option::Option::None => return ::std::result::Result::Err(::mfa_runtime::server::missing("path parameter", #wire)),
                    }
                }
            }
            location => {
                let (what, reader) = location_reader(location);
                let read = match (location, shape(w, &p.ty)) {
                    (ParamLocation::Query, Shape::Array) => {
                        let explode = p.explode;
                        let converted = into_newtype(w, &p.ty);
                        let read = match (p.style, query_layout(p)) {
                            (ParamStyle::Form, _) => quote! { incoming.query_array(#wire, #explode)? },
                            (_, QueryLayout::Delimited(variant)) => {
                                let delimiter = delimiter_tokens(variant);
                                quote! { incoming.query_delimited(#wire, #delimiter)? }
                            }
                            _ => quote! { incoming.query_array(#wire, true)? },
                        };
                        quote! { #read #converted }
                    }
                    (ParamLocation::Query, Shape::Object) => {
                        let required = p.required;
                        match query_layout(p) {
                            QueryLayout::Exploded => {
                                let keys = object_type(w, &p.ty)
                                    .map(|object| object_keys_tokens(w, op, p, &object))
                                    .unwrap_or_else(|| quote! { ::mfa_runtime::query::ObjectKeys::AllBut(&[]) });
                                quote! { incoming.query_exploded_object(#wire, #keys, #required)? }
                            }
                            QueryLayout::Deep => quote! { incoming.query_deep_object(#wire, #required)? },
                            QueryLayout::Delimited(variant) => {
                                let delimiter = delimiter_tokens(variant);
                                quote! { incoming.query_delimited_object(#wire, #delimiter)? }
                            }
                        }
                    }
                    (_, Shape::Scalar) => quote! { incoming.#reader(#wire)? },
                    (_, _) => {
                        quote! { incoming.#reader::<::mfa_runtime::param::JsonParam<_>>(#wire)?.map(|v| v.0) }
                    }
                };
                if p.required {
                    quote! { #read.ok_or_else(|| ::mfa_runtime::server::missing(#what, #wire))? }
                } else {
                    read
                }
            }
        };
        quote! { #field: #value, }
    });
    let body = op.body_content().map(|(b, content)| {
        let field = ident(&n.body);
        let media = &content.media_type;
        let read = match body_kind(content) {
            BodyKind::Json => quote! { incoming.json_body()? },
            BodyKind::Form => quote! { incoming.form_body()? },
            BodyKind::Multipart => quote! { incoming.multipart_body().await? },
            BodyKind::Text => quote! { incoming.text_body(#media)? },
            BodyKind::Bytes => quote! { incoming.bytes_body(#media)? },
        };
        if b.required {
            quote! {
                #field: #read.ok_or_else(|| ::mfa_runtime::server::Rejection::new(
                    ::mfa_runtime::server::RejectionKind::MissingBody, "a request body is required"))?,
            }
        } else {
            quote! { #field: #read, }
        }
    });
    let params_arg = if order.is_empty() {
        quote! { _params }
    } else {
        quote! { params }
    };
    let uses_incoming = op.body.is_some()
        || op
            .parameters
            .iter()
            .any(|p| p.location != ParamLocation::Path || p.constant.is_some());
    let incoming_arg = if uses_incoming {
        quote! { incoming }
    } else {
        quote! { _incoming }
    };
    // Reading a multipart body is asynchronous (the parser works on a stream).
    let (asyncness, awaited) = if op
        .body_content()
        .is_some_and(|(_, content)| body_kind(content) == BodyKind::Multipart)
    {
        (quote! { async }, quote! { .await })
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let op_id = &op.id;
    let authenticate = if !op.requires_authentication() {
        quote! { let caller = incoming.principal().cloned(); }
    } else {
        let accepted = &op.security;
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
            let header = &key.name;
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
        ) -> ::std::result::Result<super::operations::#request, ::mfa_runtime::server::Rejection> {
            #(#constants)*
            ::std::result::Result::Ok(super::operations::#request {
                #(#fields)*
                #body
            })
        }
    }
}

fn into_response(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> TokenStream {
    let mut impls = Vec::new();
    for success in [true, false] {
        let name = ident(if success { &n.response } else { &n.error });
        let arms: Vec<_> = op
            .responses
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_success == success)
            .map(|(i, r)| {
                let variant = ident(&n.responses[i]);
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
                for (header, field) in r.headers.iter().zip(&n.response_headers[i]) {
                    let field = ident(field);
                    let wire = &header.name;
                    bindings.push(quote! { #field });
                    let value = match shape(w, &header.ty) {
                        Shape::Scalar => quote! { &#field },
                        _ => quote! { &::mfa_runtime::param::JsonParam(#field) },
                    };
                    steps.push(if header.required {
                        quote! { let builder = builder.header(#wire, #value); }
                    } else {
                        match shape(w, &header.ty) {
                            Shape::Scalar => quote! { let builder = builder.header_opt(#wire, &#field); },
                            _ => quote! { let builder = builder.header_opt(#wire, &#field.map(::mfa_runtime::param::JsonParam)); },
                        }
                    });
                }
                let finish = match r.primary_content() {
                    Some(content) => {
                        bindings.push(quote! { body });
                        let media = &content.media_type;
                        match response_kind(content) {
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
        let uses_code = op
            .responses
            .iter()
            .any(|r| r.is_success == success && !carries_status(r.status));
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
