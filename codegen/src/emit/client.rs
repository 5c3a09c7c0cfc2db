//! The typed async client: one method per operation returning a call
//! builder, which sends the request and decodes every documented response.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{Scope, deprecated, doc_lines, doc_paragraphs, ident, ty, value};
use crate::plan::{
    ArrayLayout, BodyKind, ClientInit, Delimiter, Encoding, InputField, KeyLocation, ObjectLayout,
    OperationPlan, ParamRole, Plan, QueryForm, RoutePart, RouteSegment, SchemeKind, StatusMatch,
    TextForm,
};

pub fn emit(plan: &Plan) -> TokenStream {
    let servers = servers(plan);
    let credentials = plan.schemes.iter().map(credential_methods);
    let methods = plan.operations.iter().map(client_method);
    let builders = plan.operations.iter().map(builder);
    let title = format!("A client for {} (version {}).", plan.title, plan.version);
    let title = doc_lines(&title);
    quote! {
        #![allow(clippy::too_many_arguments, clippy::large_enum_variant, clippy::result_large_err)]

        #servers

        #title
        ///
        /// Cheap to clone: clones share one connection pool. Settings
        /// (`with_*`) return a new client and leave this one as it was.
        #[must_use = "settings return a new client: use it, or the setting is lost"]
        #[derive(::std::fmt::Debug, ::std::clone::Clone)]
        pub struct Client {
            api: ::mfa_runtime::client::ApiClient,
        }

        impl Client {
            /// A client for the API at `base_url` (one of [`SERVERS`], or any
            /// other URL: a proxy, a sandbox, a local test server).
            pub fn new(base_url: impl ::std::convert::Into<::std::string::String>) -> Self {
                Self::with_http_client(base_url, ::mfa_runtime::client::ApiClient::default_http())
            }

            /// A client that sends through `http` (for custom TLS, proxies or timeouts).
            pub fn with_http_client(
                base_url: impl ::std::convert::Into<::std::string::String>,
                http: ::mfa_runtime::reqwest::Client,
            ) -> Self {
                Self { api: ::mfa_runtime::client::ApiClient::new(base_url, http) }
            }

            /// The base URL every path is appended to.
            pub fn base_url(&self) -> &str {
                self.api.base_url()
            }

            /// Refuse response bodies over `limit` bytes (16 MiB unless set), so a
            /// misbehaving server cannot make the client allocate without bound.
            pub fn with_max_response_bytes(&self, limit: usize) -> Self {
                Self { api: self.api.with_max_response_bytes(limit) }
            }

            /// The runtime client underneath.
            pub fn api_client(&self) -> &::mfa_runtime::client::ApiClient {
                &self.api
            }

            /// A client over `api`, configured with the runtime's own methods
            /// (for instance [`ApiClient::with_authenticator`](::mfa_runtime::client::ApiClient::with_authenticator)).
            pub fn from_api_client(api: ::mfa_runtime::client::ApiClient) -> Self {
                Self { api }
            }

            /// Authenticate operations that accept the security scheme `scheme`
            /// (one of this client's scheme constants) with `credential`: a
            /// fixed token or key, or one from a token provider that refreshes.
            pub fn with_credential(&self, scheme: ::mfa_runtime::security::Scheme, credential: ::mfa_runtime::credentials::Credential) -> Self {
                Self { api: self.api.with_credential(scheme.key, credential) }
            }

            /// Run `signer` on every attempt of every call, after any scheme
            /// credential: for authentication the spec does not declare, such
            /// as a Fireblocks `SigningKey` (`mfa_runtime::fireblocks`, feature `fireblocks`).
            pub fn with_signer(&self, signer: impl ::mfa_runtime::client::Authenticate + 'static) -> Self {
                Self { api: self.api.with_signer(signer) }
            }

            /// Give each call at most `timeout`, retries included (60 s unless
            /// set; a call's `.timeout(..)` overrides it).
            pub fn with_timeout(&self, timeout: ::std::time::Duration) -> Self {
                Self { api: self.api.with_timeout(timeout) }
            }

            /// Retry calls by `policy` (a call's `.retry_policy(..)` overrides
            /// it). Only requests safe to repeat are ever retried: idempotent
            /// methods, and requests that carry an idempotency key.
            pub fn with_retry_policy(&self, policy: ::mfa_runtime::client::RetryPolicy) -> Self {
                Self { api: self.api.with_retry_policy(policy) }
            }

            #(#credentials)*
            #(#methods)*
        }

        #(#builders)*
    }
}

fn servers(plan: &Plan) -> TokenStream {
    let urls = plan.servers.iter().map(|s| &s.url);
    let mut lines = vec!["The servers the spec lists, in its order.".to_string()];
    for s in &plan.servers {
        lines.push(String::new());
        let mut line = format!("- `{}`", s.url);
        if let Some(d) = &s.description {
            line.push_str(": ");
            line.push_str(&super::docs::sanitize(d).replace('\n', " "));
        }
        lines.push(line);
        for v in &s.variables {
            let mut line = format!("  - `{{{}}}` (default `{}`)", v.name, v.default);
            if let Some(d) = &v.description {
                line.push_str(": ");
                line.push_str(&super::docs::sanitize(d).replace('\n', " "));
            }
            lines.push(line);
        }
    }
    let docs = doc_lines(&lines.join("\n"));
    let fills = plan.servers.iter().filter_map(|server| {
        let name = ident(server.function.as_ref()?);
        let params = server.variables.iter().map(|v| ident(&v.argument));
        let replaces = server.variables.iter().map(|v| {
            let placeholder = format!("{{{}}}", v.name);
            let argument = ident(&v.argument);
            quote! { .replace(#placeholder, #argument) }
        });
        let mut text = format!("`{}` with its variables filled in.", server.url);
        for v in &server.variables {
            text.push_str(&format!(
                "\n\n`{}`: the spec's default is `{}`.",
                v.name, v.default
            ));
            if let Some(d) = &v.description {
                text.push(' ');
                text.push_str(&super::docs::sanitize(d).replace('\n', " "));
            }
        }
        let url = &server.url;
        let fn_docs = doc_lines(&text);
        Some(quote! {
            #fn_docs
            pub fn #name(#(#params: &str),*) -> ::std::string::String {
                #url #(#replaces)*
            }
        })
    });
    quote! {
        #docs
        pub const SERVERS: &[&str] = &[#(#urls),*];

        #(#fills)*
    }
}

fn credential_methods(scheme: &crate::plan::SchemePlan) -> TokenStream {
    let key = &scheme.key;
    let method = ident(&scheme.method);
    let described = scheme.description.as_deref();
    let constant = ident(&scheme.constant);
    let constant_docs = doc_lines(&format!(
        "The `{key}` security scheme, for [`Self::with_credential`] (the same value as the server's)."
    ));
    let value = super::security::scheme_value(scheme);
    let constant = quote! {
        #constant_docs
        pub const #constant: ::mfa_runtime::security::Scheme = #value;
    };
    let methods = match &scheme.kind {
        SchemeKind::Bearer => {
            let what =
                format!("Authenticate as the `{key}` scheme: `Authorization: Bearer <token>`.");
            let docs = doc_paragraphs(&[Some(&what), described]);
            quote! {
                #docs
                pub fn #method(&self, token: impl ::std::convert::Into<::std::string::String>) -> Self {
                    Self { api: self.api.with_credential(#key, ::mfa_runtime::credentials::Credential::bearer(token)) }
                }
            }
        }
        SchemeKind::Basic => {
            let what = format!("Authenticate as the `{key}` scheme: HTTP Basic.");
            let docs = doc_paragraphs(&[Some(&what), described]);
            quote! {
                #docs
                pub fn #method(
                    &self,
                    username: impl ::std::convert::Into<::std::string::String>,
                    password: impl ::std::convert::Into<::std::string::String>,
                ) -> Self {
                    Self { api: self.api.with_credential(#key, ::mfa_runtime::credentials::Credential::basic(username, password)) }
                }
            }
        }
        SchemeKind::ApiKey {
            location,
            name: wire,
        } => {
            let (location_tokens, word) = match location {
                KeyLocation::Header => (quote! { Header }, "header"),
                KeyLocation::Cookie => (quote! { Cookie }, "cookie"),
                KeyLocation::Query => (quote! { Query }, "query parameter"),
            };
            let what =
                format!("Authenticate as the `{key}` scheme: the key in the `{wire}` {word}.");
            let docs = doc_paragraphs(&[Some(&what), described]);
            let named = scheme.named_method.as_deref().map(ident);
            let named_docs = doc_lines(&format!(
                "Like [`Self::{method}`], with the {word} name given here: for deployments that rename it."
            ));
            quote! {
                #docs
                pub fn #method(&self, key: impl ::std::convert::Into<::std::string::String>) -> Self {
                    self.#named(#wire, key)
                }

                #named_docs
                pub fn #named(
                    &self,
                    name: impl ::std::convert::Into<::std::string::String>,
                    key: impl ::std::convert::Into<::std::string::String>,
                ) -> Self {
                    let credential = ::mfa_runtime::credentials::Credential::api_key(
                        ::mfa_runtime::security::KeyLocation::#location_tokens, name, key);
                    Self { api: self.api.with_credential(#key, credential) }
                }
            }
        }
    };
    quote! { #constant #methods }
}

/// The operation's input fields in order: its parameters' (constants have
/// none), then its body's; each with the setter's doc line.
fn input_fields(op: &OperationPlan) -> Vec<(&InputField, String)> {
    let params = op.params.iter().filter_map(|p| {
        let field = p.input()?;
        let what = match (&p.role, &field.init) {
            (ParamRole::IdempotencyKey(_), _) => format!(
                "Set `{}`. A new random key is filled in when the call is created \
                 (see [`Self::request`]); every attempt of this call sends the same one.",
                p.wire
            ),
            (_, ClientInit::SendDefault { shown, .. }) => {
                format!("Set `{}` (the call sends `{shown}` unless set).", p.wire)
            }
            _ => format!("Set `{}`.", p.wire),
        };
        Some((field, what))
    });
    let body = op
        .body
        .as_ref()
        .map(|body| (&body.field, "Set the request body.".to_string()));
    params.chain(body).collect()
}

/// The value a field starts as when the call is built (`None` for an
/// argument, which the caller gives).
fn initial_value(field: &InputField) -> Option<TokenStream> {
    let some = |value: TokenStream| match field.required {
        true => value,
        false => quote! { ::std::option::Option::Some(#value) },
    };
    Some(match &field.init {
        ClientInit::Argument => return None,
        ClientInit::Unset => quote! { ::std::option::Option::None },
        ClientInit::NewIdempotencyKey => {
            some(quote! { ::mfa_runtime::client::new_idempotency_key() })
        }
        ClientInit::Value(v) | ClientInit::SendDefault { value: v, .. } => {
            some(value(v, Scope::Sibling))
        }
        ClientInit::Default => some(quote! { ::std::default::Default::default() }),
    })
}

fn client_method(op: &OperationPlan) -> TokenStream {
    let method = ident(&op.method);
    let builder = ident(&op.builder);
    let request = ident(&op.input);
    let fields = input_fields(op);
    let args = fields
        .iter()
        .filter(|(f, _)| f.init == ClientInit::Argument)
        .map(|(f, _)| {
            let (field, ty) = (ident(&f.name), ty(&f.ty, Scope::Sibling));
            quote! { #field: impl ::std::convert::Into<#ty> }
        });
    let values = fields.iter().map(|(f, _)| {
        let field = ident(&f.name);
        match initial_value(f) {
            None => quote! { #field: #field.into() },
            Some(value) => quote! { #field: #value },
        }
    });
    let endpoint = format!("`{} {}`", op.http_method.as_str(), op.path);
    let docs = doc_paragraphs(&[
        op.summary.as_deref(),
        op.description.as_deref(),
        Some(&endpoint),
    ]);
    let deprecated = deprecated(op.deprecated);
    quote! {
        #docs
        #deprecated
        pub fn #method(&self, #(#args),*) -> #builder<'_> {
            #builder {
                client: self,
                request: super::operations::#request { #(#values),* },
                options: ::std::default::Default::default(),
            }
        }
    }
}

fn builder(op: &OperationPlan) -> TokenStream {
    let name = ident(&op.builder);
    let request = ident(&op.input);
    let response = ident(&op.success);
    let error = ident(&op.error);
    let setters = setters(op);
    let send = send_body(op);
    let docs = doc_lines(&format!(
        "A `{}` call being built: set optional values, then `.await` it (or call `send`).",
        op.id
    ));
    let output = quote! {
        ::std::result::Result<super::operations::#response, ::mfa_runtime::client::ClientError<super::operations::#error>>
    };
    quote! {
        #docs
        #[derive(::std::fmt::Debug)]
        #[must_use = "a call does nothing until it is awaited"]
        pub struct #name<'a> {
            client: &'a Client,
            request: super::operations::#request,
            options: ::mfa_runtime::client::CallOptions,
        }

        impl<'a> #name<'a> {
            #(#setters)*

            /// Give this call at most `timeout`, retries included, instead of
            /// the client's.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.timeout = ::std::option::Option::Some(timeout);
                self
            }

            /// Retry this call by `policy` instead of the client's.
            pub fn retry_policy(mut self, policy: ::mfa_runtime::client::RetryPolicy) -> Self {
                self.options.retry = ::std::option::Option::Some(policy);
                self
            }

            /// The request as it will be sent.
            pub fn request(&self) -> &super::operations::#request {
                &self.request
            }

            /// Send the request and decode the response.
            pub async fn send(self) -> #output {
                #send
            }
        }

        impl<'a> ::std::future::IntoFuture for #name<'a> {
            type Output = #output;
            type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + ::std::marker::Send + 'a>>;
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    }
}

fn setters(op: &OperationPlan) -> Vec<TokenStream> {
    input_fields(op)
        .into_iter()
        .filter(|(f, _)| f.init != ClientInit::Argument)
        .map(|(f, what)| {
            let (field, ty) = (ident(&f.name), ty(&f.ty, Scope::Sibling));
            let value = if f.required {
                quote! { value.into() }
            } else {
                quote! { ::std::option::Option::Some(value.into()) }
            };
            let docs = doc_lines(&what);
            quote! {
                #docs
                pub fn #field(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.request.#field = #value;
                    self
                }
            }
        })
        .collect()
}

fn send_body(op: &OperationPlan) -> TokenStream {
    let error = ident(&op.error);
    let id = &op.id;
    let method = ident(op.http_method.as_str());
    let path = path_code(op);
    let params = param_code(op);
    let security = &op.security.schemes;
    let body = op.body.as_ref().map(|b| {
        let field = ident(&b.field.name);
        let media = &b.media_type;
        let set = match b.kind {
            BodyKind::Json => quote! { http.json::<_, E>(body)?; },
            BodyKind::Text => quote! { http.text(#media, ::std::clone::Clone::clone(body)); },
            BodyKind::Bytes => quote! { http.bytes(#media, ::std::clone::Clone::clone(body)); },
            BodyKind::Form => quote! { http.form::<_, E>(#media, body)?; },
            BodyKind::Multipart => quote! { http.multipart::<_, E>(body)?; },
        };
        if b.field.required {
            quote! { { let body = &request.#field; #set } }
        } else {
            quote! { if let ::std::option::Option::Some(body) = &request.#field { #set } }
        }
    });
    let arms = response_arms(op);
    let has_default = op
        .responses
        .iter()
        .any(|r| r.status == StatusMatch::Default);
    let fallback =
        (!has_default).then(|| quote! { _ => ::std::result::Result::Err(response.unexpected()), });
    let has_query = op
        .params
        .iter()
        .any(|p| matches!(p.encoding, Encoding::Query(_)));
    let query_start =
        has_query.then(|| quote! { let mut query = ::mfa_runtime::query::QueryString::new(); });
    let query_end = has_query.then(|| quote! { http.query = query.finish(); });
    // `Accept` lists what the documented responses can be, in spec order.
    let accept = op.accept.as_ref().map(|value| {
        quote! { http.header::<::std::string::String, E>("accept", &::std::string::String::from(#value))?; }
    });
    let uses_request = op.body.is_some() || op.params.iter().any(|p| p.input().is_some());
    let take_request = uses_request.then(|| quote! { let request = self.request; });
    quote! {
        type E = super::operations::#error;
        #take_request
        #path
        #query_start
        let mut http = ::mfa_runtime::client::Request::new(#id, ::mfa_runtime::http::Method::#method, path);
        #accept
        #(#params)*
        #query_end
        http.security = &[#(#security),*];
        http.options = self.options;
        #body
        let response = self.client.api.execute::<E>(http).await?;
        match response.status.as_u16() {
            #(#arms)*
            #fallback
        }
    }
}

/// Code that builds `path` from the route and the path parameters.
fn path_code(op: &OperationPlan) -> TokenStream {
    let mut steps = Vec::new();
    let mut literal = String::new();
    let push_param = |steps: &mut Vec<TokenStream>, wire: &str, field: &str| {
        let field = ident(field);
        steps.push(quote! { path.push_str(&::mfa_runtime::client::path_segment::<E>(#wire, &::mfa_runtime::param::ParamValue::to_param(&request.#field))?); });
    };
    for segment in &op.route {
        match segment {
            RouteSegment::Literal(text) => {
                literal.push('/');
                literal.push_str(text);
            }
            RouteSegment::TrailingSlash => literal.push('/'),
            RouteSegment::Param(param) => {
                literal.push('/');
                flush(&mut literal, &mut steps);
                push_param(&mut steps, &param.wire, &param.field);
            }
            RouteSegment::Hierarchy { param, prefix } => {
                flush(&mut literal, &mut steps);
                let field = ident(&param.field);
                let wire = &param.wire;
                let lead = format!("/{prefix}/");
                let empty = format!("path parameter `{wire}` needs at least one item");
                steps.push(quote! {
                    if request.#field.is_empty() {
                        return ::std::result::Result::Err(::mfa_runtime::client::ClientError::InvalidRequest(#empty.to_string()));
                    }
                    for item in request.#field.iter() {
                        path.push_str(#lead);
                        path.push_str(&::mfa_runtime::client::path_segment::<E>(#wire, &::mfa_runtime::param::ParamValue::to_param(item))?);
                    }
                });
            }
            RouteSegment::Mixed(parts) => {
                literal.push('/');
                for part in parts {
                    match part {
                        RoutePart::Literal(text) => literal.push_str(text),
                        RoutePart::Param(param) => {
                            flush(&mut literal, &mut steps);
                            push_param(&mut steps, &param.wire, &param.field);
                        }
                    }
                }
            }
        }
    }
    if op.route.is_empty() {
        literal.push('/');
    }
    flush(&mut literal, &mut steps);
    quote! {
        let mut path = ::std::string::String::new();
        #(#steps)*
    }
}

fn flush(literal: &mut String, steps: &mut Vec<TokenStream>) {
    if !literal.is_empty() {
        let text = std::mem::take(literal);
        steps.push(quote! { path.push_str(#text); });
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

/// Code that adds the query, header and cookie parameters.
fn param_code(op: &OperationPlan) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for p in &op.params {
        let wire = &p.wire;
        if matches!(p.encoding, Encoding::Path { .. }) {
            continue;
        }
        let field = match &p.role {
            ParamRole::Constant { value } => {
                out.push(match p.encoding {
                    Encoding::Query(_) => quote! { query.push(#wire, #value); },
                    Encoding::Header(_) => quote! { http.header::<::std::string::String, E>(#wire, &::std::string::String::from(#value))?; },
                    _ => quote! { http.cookie::<::std::string::String, E>(#wire, &::std::string::String::from(#value))?; },
                });
                continue;
            }
            ParamRole::IdempotencyKey(field) => {
                let name = ident(&field.name);
                out.push(if field.required {
                    quote! { http.idempotency_key::<E>(#wire, &request.#name)?; }
                } else {
                    quote! {
                        if let ::std::option::Option::Some(value) = &request.#name {
                            http.idempotency_key::<E>(#wire, value)?;
                        }
                    }
                });
                continue;
            }
            ParamRole::Path(field)
            | ParamRole::Hierarchy { field, .. }
            | ParamRole::Plain(field) => field,
        };
        let name = ident(&field.name);
        let add = |value: TokenStream| match &p.encoding {
            Encoding::Query(QueryForm::Scalar) => quote! { query.push_value(#wire, #value); },
            Encoding::Query(QueryForm::Array { layout, .. }) => match layout {
                ArrayLayout::Form { explode } => {
                    quote! { query.push_array(#wire, #value, #explode); }
                }
                ArrayLayout::Delimited(d) => {
                    let d = delimiter(*d);
                    quote! { query.push_delimited(#wire, #value, #d); }
                }
            },
            Encoding::Query(QueryForm::Object(layout)) => {
                let style = match layout {
                    ObjectLayout::Exploded(_) => {
                        quote! { ::mfa_runtime::query::ObjectStyle::Exploded }
                    }
                    ObjectLayout::Deep => quote! { ::mfa_runtime::query::ObjectStyle::DeepObject },
                    ObjectLayout::Delimited(d) => {
                        let d = delimiter(*d);
                        quote! { ::mfa_runtime::query::ObjectStyle::Delimited(#d) }
                    }
                };
                quote! { query.push_object(#wire, #value, #style)?; }
            }
            Encoding::Query(QueryForm::Json) => {
                quote! { query.push(#wire, &::mfa_runtime::param::json_text(#value)); }
            }
            Encoding::Header(TextForm::Scalar) => quote! { http.header::<_, E>(#wire, #value)?; },
            Encoding::Cookie(TextForm::Scalar) => quote! { http.cookie::<_, E>(#wire, #value)?; },
            Encoding::Header(TextForm::Json) => {
                quote! { http.header::<_, E>(#wire, &::mfa_runtime::param::json_text(#value))?; }
            }
            Encoding::Cookie(TextForm::Json) | Encoding::Path { .. } => {
                quote! { http.cookie::<_, E>(#wire, &::mfa_runtime::param::json_text(#value))?; }
            }
        };
        if field.required {
            out.push(add(quote! { &request.#name }));
        } else {
            let inner = add(quote! { value });
            out.push(
                quote! { if let ::std::option::Option::Some(value) = &request.#name { #inner } },
            );
        }
    }
    out
}

/// One match arm per documented response: exact codes, then ranges, then
/// `default` (the plan keeps them in that order).
fn response_arms(op: &OperationPlan) -> Vec<TokenStream> {
    op.responses
        .iter()
        .map(|r| {
            let pattern = match r.status {
                StatusMatch::Code(code) => quote! { #code },
                StatusMatch::Range(d) => {
                    let (lo, hi) = (u16::from(d) * 100, u16::from(d) * 100 + 99);
                    quote! { #lo..=#hi }
                }
                StatusMatch::Default => quote! { _ },
            };
            let enum_name = ident(if r.success { &op.success } else { &op.error });
            let variant = ident(&r.variant);
            let mut fields = Vec::new();
            if r.carries_status() {
                fields.push(quote! { status: response.status });
            }
            if let Some(body) = &r.body {
                let read = match body.kind {
                    BodyKind::Json => quote! { response.json::<_, E>()? },
                    BodyKind::Form => quote! { response.form::<_, E>()? },
                    BodyKind::Text => quote! { response.text::<E>()? },
                    BodyKind::Bytes | BodyKind::Multipart => quote! { response.body.to_vec() },
                };
                fields.push(quote! { body: #read });
            }
            for header in &r.headers {
                let field = ident(&header.field);
                let wire = &header.wire;
                let read = match (header.required, header.form) {
                    (true, TextForm::Scalar) => quote! { response.required_header::<_, E>(#wire)? },
                    (false, TextForm::Scalar) => quote! { response.header::<_, E>(#wire)? },
                    (true, TextForm::Json) => quote! { response.required_header::<::mfa_runtime::param::JsonParam<_>, E>(#wire)?.0 },
                    (false, TextForm::Json) => quote! { response.header::<::mfa_runtime::param::JsonParam<_>, E>(#wire)?.map(|v| v.0) },
                };
                fields.push(quote! { #field: #read });
            }
            let value = if fields.is_empty() {
                quote! { super::operations::#enum_name::#variant }
            } else {
                quote! { super::operations::#enum_name::#variant { #(#fields),* } }
            };
            if r.success {
                quote! { #pattern => ::std::result::Result::Ok(#value), }
            } else {
                quote! { #pattern => ::std::result::Result::Err(::mfa_runtime::client::ClientError::Api(#value)), }
            }
        })
        .collect()
}
