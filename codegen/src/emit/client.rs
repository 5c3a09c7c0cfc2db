//! The typed async client: one method per operation returning a call
//! builder, which sends the request and decodes every documented response.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::{
    BodyKind, body_has_default, body_kind, body_type, carries_status, request_fields, response_kind,
};
use super::params::{
    QueryLayout, Shape, default_expr, delimiter_tokens, object_style_tokens, query_layout, shape,
};
use super::rust::{TypeWriter, doc_lines, doc_paragraphs, ident};
use super::security::scheme_value;
use crate::model::{
    Api, Operation, ParamLocation, ParamStyle, PathSegment, SecurityKind, SegmentPart, StatusMatch,
};
use crate::naming::{Names, OperationNames};

pub fn emit(api: &Api, names: &Names) -> TokenStream {
    let w = TypeWriter {
        api,
        names,
        prefix: quote! { super::types:: },
    };
    let servers = servers(api, names);
    let credentials = credential_methods(api, names);
    let methods = api
        .operations
        .iter()
        .zip(&names.operations)
        .map(|(op, n)| client_method(&w, op, n));
    let builders = api
        .operations
        .iter()
        .zip(&names.operations)
        .map(|(op, n)| builder(&w, op, n));
    let title = format!("A client for {} (version {}).", api.title, api.version);
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

            /// A client that sends through `http` (for custom TLS, proxies or timeouts):
            /// build it from `ApiClient::http_builder()`, which turns redirects off.
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

fn servers(api: &Api, names: &Names) -> TokenStream {
    let urls = api.servers.iter().map(|s| &s.url);
    let mut lines = vec!["The servers the spec lists, in its order.".to_string()];
    for s in &api.servers {
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
    let fills = api
        .servers
        .iter()
        .zip(&names.server_fns)
        .filter_map(|(server, f)| {
            let (name, args) = f.as_ref()?;
            let name = ident(name);
            let params = args.iter().map(|a| ident(a));
            let replaces = server.variables.iter().zip(args).map(|(v, a)| {
                let placeholder = format!("{{{}}}", v.name);
                let a = ident(a);
                quote! { .replace(#placeholder, #a) }
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

fn credential_methods<'a>(
    api: &'a Api,
    names: &'a Names,
) -> impl Iterator<Item = TokenStream> + 'a {
    let consts = &names.scheme_consts;
    api.security_schemes.iter().zip(names.schemes.iter().zip(consts)).map(|(scheme, (name, constant))| {
        let key = &scheme.key;
        let bare = name.trim_start_matches("r#");
        let method = ident(&format!("with_{bare}"));
        let described = scheme.description.as_deref();
        let constant = ident(constant);
        let constant_docs = doc_lines(&format!(
            "The `{key}` security scheme, for [`Self::with_credential`] (the same value as the server's)."
        ));
        let value = scheme_value(scheme);
        let constant = quote! {
            #constant_docs
            pub const #constant: ::mfa_runtime::security::Scheme = #value;
        };
        let methods = match &scheme.kind {
            SecurityKind::Bearer { .. } | SecurityKind::OAuth2 => {
                let what = format!("Authenticate as the `{key}` scheme: `Authorization: Bearer <token>`.");
                let docs = doc_paragraphs(&[Some(&what), described]);
                quote! {
                    #docs
                    pub fn #method(&self, token: impl ::std::convert::Into<::std::string::String>) -> Self {
                        Self { api: self.api.with_credential(#key, ::mfa_runtime::credentials::Credential::bearer(token)) }
                    }
                }
            }
            SecurityKind::Basic => {
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
            SecurityKind::ApiKey { location, name: wire } => {
                let (location_tokens, word) = match location {
                    ParamLocation::Header => (quote! { Header }, "header"),
                    ParamLocation::Cookie => (quote! { Cookie }, "cookie"),
                    _ => (quote! { Query }, "query parameter"),
                };
                let what = format!("Authenticate as the `{key}` scheme: the key in the `{wire}` {word}.");
                let docs = doc_paragraphs(&[Some(&what), described]);
                let named = ident(&format!("with_{}_named", name.trim_start_matches("r#")));
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
    })
}

/// How each request field is first set when the call is built.
enum Init {
    /// A positional argument of the client method.
    Argument,
    /// Starts as this expression; a setter changes it. `optional` fields
    /// hold an `Option`, so the setter wraps the value in `Some`.
    Preset { value: TokenStream, optional: bool },
}

/// One field of the request a call builds.
struct FieldInit {
    field: String,
    ty: TokenStream,
    init: Init,
    /// The setter's doc line.
    what: String,
}

fn field_inits(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> Vec<FieldInit> {
    let none = || Init::Preset {
        value: quote! { ::std::option::Option::None },
        optional: true,
    };
    let idempotency_key = op.idempotency_key();
    let mut out = Vec::new();
    for (p, field) in request_fields(op, n) {
        if idempotency_key.is_some_and(|key| std::ptr::eq(key, p)) {
            // A fresh key from the start, so the caller can read (or
            // replace) the one that every attempt of this call will send.
            let key = quote! { ::mfa_runtime::client::new_idempotency_key() };
            let value = match p.required {
                true => key,
                false => quote! { ::std::option::Option::Some(#key) },
            };
            out.push(FieldInit {
                field: field.clone(),
                ty: w.ty(&p.ty),
                init: Init::Preset {
                    value,
                    optional: !p.required,
                },
                what: format!(
                    "Set `{}`. A new random key is filled in when the call is created \
                     (see [`Self::request`]); every attempt of this call sends the same one.",
                    p.name
                ),
            });
            continue;
        }
        let init = if !p.required {
            none()
        } else {
            match p.default.as_ref().and_then(|d| default_expr(w, &p.ty, d)) {
                Some(value) => Init::Preset {
                    value,
                    optional: false,
                },
                None => Init::Argument,
            }
        };
        out.push(FieldInit {
            field: field.clone(),
            ty: w.ty(&p.ty),
            init,
            what: format!("Set `{}`.", p.name),
        });
    }
    if let Some((body, content)) = op.body_content() {
        let init = if !body.required {
            none()
        } else if body_has_default(w, content) {
            Init::Preset {
                value: quote! { ::std::default::Default::default() },
                optional: false,
            }
        } else {
            Init::Argument
        };
        let ty = body_type(w, n, content);
        out.push(FieldInit {
            field: n.body.clone(),
            ty,
            init,
            what: "Set the request body.".to_string(),
        });
    }
    out
}

fn client_method(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> TokenStream {
    let method = ident(&n.method);
    let builder = ident(&n.builder);
    let request = ident(&n.request);
    let inits = field_inits(w, op, n);
    let args = inits
        .iter()
        .filter(|f| matches!(f.init, Init::Argument))
        .map(|f| {
            let (field, ty) = (ident(&f.field), &f.ty);
            quote! { #field: impl ::std::convert::Into<#ty> }
        });
    let values = inits.iter().map(|f| {
        let field = ident(&f.field);
        match &f.init {
            Init::Argument => quote! { #field: #field.into() },
            Init::Preset { value, .. } => quote! { #field: #value },
        }
    });
    let endpoint = format!("`{} {}`", op.method.as_str(), op.path);
    let docs = doc_paragraphs(&[
        op.summary.as_deref(),
        op.description.as_deref(),
        Some(&endpoint),
    ]);
    let deprecated = op.deprecated.then(|| quote! { #[deprecated] });
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

fn builder(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> TokenStream {
    let name = ident(&n.builder);
    let request = ident(&n.request);
    let response = ident(&n.response);
    let error = ident(&n.error);
    let setters = setters(w, op, n);
    let send = send_body(w, op, n);
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

fn setters(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> Vec<TokenStream> {
    field_inits(w, op, n)
        .into_iter()
        .filter_map(|f| {
            let Init::Preset { optional, .. } = f.init else {
                return None;
            };
            let (field, ty) = (ident(&f.field), f.ty);
            let value = if optional {
                quote! { ::std::option::Option::Some(value.into()) }
            } else {
                quote! { value.into() }
            };
            let docs = doc_lines(&f.what);
            Some(quote! {
                #docs
                pub fn #field(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.request.#field = #value;
                    self
                }
            })
        })
        .collect()
}

fn send_body(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> TokenStream {
    let error = ident(&n.error);
    let id = &op.id;
    let method = ident(op.method.as_str());
    let path = path_code(op, n);
    let params = param_code(w, op, n);
    let security = &op.security;
    let body = op.body_content().map(|(b, content)| {
        let field = ident(&n.body);
        let media = &content.media_type;
        let set = match body_kind(content) {
            BodyKind::Json => quote! { http.json::<_, E>(body)?; },
            BodyKind::Text => quote! { http.text(#media, ::std::clone::Clone::clone(body)); },
            BodyKind::Bytes => quote! { http.bytes(#media, ::std::clone::Clone::clone(body)); },
            BodyKind::Form => quote! { http.form::<_, E>(#media, body)?; },
            BodyKind::Multipart => quote! { http.multipart::<_, E>(body)?; },
        };
        if b.required {
            quote! { { let body = &request.#field; #set } }
        } else {
            quote! { if let ::std::option::Option::Some(body) = &request.#field { #set } }
        }
    });
    let arms = response_arms(w, op, n);
    let has_default = op
        .responses
        .iter()
        .any(|r| r.status == StatusMatch::Default);
    let fallback =
        (!has_default).then(|| quote! { _ => ::std::result::Result::Err(response.unexpected()), });
    let has_query = op
        .parameters
        .iter()
        .any(|p| p.location == ParamLocation::Query);
    let query_start =
        has_query.then(|| quote! { let mut query = ::mfa_runtime::query::QueryString::new(); });
    let query_end = has_query.then(|| quote! { http.query = query.finish(); });
    // `Accept` lists what the documented responses can be, in spec order.
    let mut accept: Vec<&str> = Vec::new();
    for content in op.responses.iter().flat_map(|r| &r.content) {
        if !accept.contains(&content.media_type.as_str()) {
            accept.push(&content.media_type);
        }
    }
    let accept = (!accept.is_empty()).then(|| {
        let value = accept.join(", ");
        quote! { http.header::<::std::string::String, E>("accept", &::std::string::String::from(#value))?; }
    });
    // A redirect the spec documents is decoded as it says; any other one
    // ends the call in `ClientError::Redirect`.
    let documents_redirects = op.responses.iter().any(|r| match r.status {
        StatusMatch::Code(code) => (300..400).contains(&code),
        StatusMatch::Range(digit) => digit == 3,
        StatusMatch::Default => false,
    });
    let redirects = documents_redirects.then(|| quote! { http.documents_redirects = true; });
    let uses_request = op.body.is_some() || op.parameters.iter().any(|p| p.constant.is_none());
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
        #redirects
        http.options = self.options;
        #body
        let response = self.client.api.execute::<E>(http).await?;
        match response.status.as_u16() {
            #(#arms)*
            #fallback
        }
    }
}

/// Code that builds `path` from the template and the path parameters.
fn path_code(op: &Operation, n: &OperationNames) -> TokenStream {
    let field_of = |name: &str| {
        op.parameters
            .iter()
            .zip(&n.params)
            .find(|(p, _)| p.location == ParamLocation::Path && p.name == name)
            .map(|(_, f)| ident(f))
    };
    let mut steps = Vec::new();
    let mut literal = String::new();
    for segment in &op.segments {
        match segment {
            PathSegment::Literal(text) => {
                literal.push('/');
                literal.push_str(text);
            }
            PathSegment::TrailingSlash => literal.push('/'),
            PathSegment::Param(name) => {
                literal.push('/');
                flush(&mut literal, &mut steps);
                let field = field_of(name);
                steps.push(quote! { path.push_str(&::mfa_runtime::client::path_segment::<E>(#name, &::mfa_runtime::param::ParamValue::to_param(&request.#field))?); });
            }
            PathSegment::Hierarchy { param, prefix } => {
                flush(&mut literal, &mut steps);
                let field = field_of(param);
                let lead = format!("/{prefix}/");
                let empty = format!("path parameter `{param}` needs at least one item");
                steps.push(quote! {
                    if request.#field.is_empty() {
                        return ::std::result::Result::Err(::mfa_runtime::client::ClientError::InvalidRequest(#empty.to_string()));
                    }
                    for item in request.#field.iter() {
                        path.push_str(#lead);
                        path.push_str(&::mfa_runtime::client::path_segment::<E>(#param, &::mfa_runtime::param::ParamValue::to_param(item))?);
                    }
                });
            }
            PathSegment::Mixed(parts) => {
                literal.push('/');
                for part in parts {
                    match part {
                        SegmentPart::Literal(text) => literal.push_str(text),
                        SegmentPart::Param(name) => {
                            flush(&mut literal, &mut steps);
                            let field = field_of(name);
                            steps.push(quote! { path.push_str(&::mfa_runtime::client::path_segment::<E>(#name, &::mfa_runtime::param::ParamValue::to_param(&request.#field))?); });
                        }
                    }
                }
            }
        }
    }
    if op.segments.is_empty() {
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

/// Code that adds the query, header and cookie parameters.
fn param_code(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> Vec<TokenStream> {
    let idempotency_key = op.idempotency_key();
    let mut out = Vec::new();
    for (p, field) in op.parameters.iter().zip(&n.params) {
        let wire = &p.name;
        if p.location == ParamLocation::Path {
            continue;
        }
        if idempotency_key.is_some_and(|key| std::ptr::eq(key, p)) {
            let field = ident(field);
            out.push(if p.required {
                quote! { http.idempotency_key::<E>(#wire, &request.#field)?; }
            } else {
                quote! {
                    if let ::std::option::Option::Some(value) = &request.#field {
                        http.idempotency_key::<E>(#wire, value)?;
                    }
                }
            });
            continue;
        }
        if let Some(constant) = &p.constant {
            out.push(match p.location {
                ParamLocation::Query => quote! { query.push(#wire, #constant); },
                ParamLocation::Header => quote! { http.header::<::std::string::String, E>(#wire, &::std::string::String::from(#constant))?; },
                _ => quote! { http.cookie::<::std::string::String, E>(#wire, &::std::string::String::from(#constant))?; },
            });
            continue;
        }
        let field = ident(field);
        let explode = p.explode;
        let add = |value: TokenStream| match (p.location, shape(w, &p.ty)) {
            (ParamLocation::Query, Shape::Scalar) => quote! { query.push_value(#wire, #value); },
            (ParamLocation::Query, Shape::Array) => match (p.style, query_layout(p)) {
                (ParamStyle::Form, _) => quote! { query.push_array(#wire, #value, #explode); },
                (_, QueryLayout::Delimited(variant)) => {
                    let delimiter = delimiter_tokens(variant);
                    quote! { query.push_delimited(#wire, #value, #delimiter); }
                }
                _ => quote! { query.push_array(#wire, #value, true); },
            },
            (ParamLocation::Query, Shape::Object) => {
                let style = object_style_tokens(p);
                quote! { query.push_object(#wire, #value, #style)?; }
            }
            (ParamLocation::Query, Shape::Json) => {
                quote! { query.push(#wire, &::mfa_runtime::param::json_text(#value)); }
            }
            (ParamLocation::Header, Shape::Scalar) => {
                quote! { http.header::<_, E>(#wire, #value)?; }
            }
            (ParamLocation::Cookie, Shape::Scalar) => {
                quote! { http.cookie::<_, E>(#wire, #value)?; }
            }
            (ParamLocation::Header, _) => {
                quote! { http.header::<_, E>(#wire, &::mfa_runtime::param::json_text(#value))?; }
            }
            (_, _) => {
                quote! { http.cookie::<_, E>(#wire, &::mfa_runtime::param::json_text(#value))?; }
            }
        };
        if p.required {
            out.push(add(quote! { &request.#field }));
        } else {
            let inner = add(quote! { value });
            out.push(
                quote! { if let ::std::option::Option::Some(value) = &request.#field { #inner } },
            );
        }
    }
    out
}

/// One match arm per documented response: exact codes, then ranges, then
/// `default` (the model keeps them in that order).
fn response_arms(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> Vec<TokenStream> {
    op.responses
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let pattern = match r.status {
                StatusMatch::Code(code) => quote! { #code },
                StatusMatch::Range(d) => {
                    let (lo, hi) = (u16::from(d) * 100, u16::from(d) * 100 + 99);
                    quote! { #lo..=#hi }
                }
                StatusMatch::Default => quote! { _ },
            };
            let enum_name = ident(if r.is_success { &n.response } else { &n.error });
            let variant = ident(&n.responses[i]);
            let mut fields = Vec::new();
            if carries_status(r.status) {
                fields.push(quote! { status: response.status });
            }
            if let Some(content) = r.primary_content() {
                let read = match response_kind(content) {
                    BodyKind::Json => quote! { response.json::<_, E>()? },
                    BodyKind::Form => quote! { response.form::<_, E>()? },
                    BodyKind::Text => quote! { response.text::<E>()? },
                    BodyKind::Bytes | BodyKind::Multipart => quote! { response.body.to_vec() },
                };
                fields.push(quote! { body: #read });
            }
            for (header, field) in r.headers.iter().zip(&n.response_headers[i]) {
                let field = ident(field);
                let wire = &header.name;
                let read = match (header.required, shape(w, &header.ty)) {
                    (true, Shape::Scalar) => quote! { response.required_header::<_, E>(#wire)? },
                    (false, Shape::Scalar) => quote! { response.header::<_, E>(#wire)? },
                    (true, _) => quote! { response.required_header::<::mfa_runtime::param::JsonParam<_>, E>(#wire)?.0 },
                    (false, _) => quote! { response.header::<::mfa_runtime::param::JsonParam<_>, E>(#wire)?.map(|v| v.0) },
                };
                fields.push(quote! { #field: #read });
            }
            let value = if fields.is_empty() {
                quote! { super::operations::#enum_name::#variant }
            } else {
                quote! { super::operations::#enum_name::#variant { #(#fields),* } }
            };
            if r.is_success {
                quote! { #pattern => ::std::result::Result::Ok(#value), }
            } else {
                quote! { #pattern => ::std::result::Result::Err(::mfa_runtime::client::ClientError::Api(#value)), }
            }
        })
        .collect()
}
