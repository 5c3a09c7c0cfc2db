//! The typed async client: one method per operation starting a call, the
//! call's setters for optional values, and how each operation writes its
//! request and reads its response (`rt::client::Callable`). Sending,
//! credentials, retries and timeouts are the runtime's `client::Call`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::rust::{Printer, Scope, deprecated, doc_lines, doc_paragraphs, ident, runtime_alias};
use crate::plan::{
    ArrayLayout, BodyKind, ClientInit, Delimiter, Encoding, InputField, KeyLocation, ObjectLayout,
    OperationPlan, ParamPlan, ParamRole, PathForm, Plan, QueryForm, ResponsePlan, SchemeKind,
    StatusMatch, TextForm,
};

pub fn emit(plan: &Plan) -> TokenStream {
    let p = Printer::new(Scope::Sibling, plan);
    let servers = servers(plan);
    let credentials = plan.schemes.iter().map(credential_methods);
    let methods = plan.operations.iter().map(|op| client_method(&p, op));
    let calls = plan.operations.iter().map(|op| call(&p, op));
    let title = format!("A client for {} (version {}).", plan.title, plan.version);
    let title = doc_lines(&title);
    let rt = runtime_alias();
    // Every operation method starts its call here.
    let start = (!plan.operations.is_empty()).then(|| {
        quote! {
            fn call<O: Callable>(&self, input: O) -> Call<'_, O> {
                Call(rt::client::Call::new(&self.api, input))
            }
        }
    });
    // What the operations' `Callable` impls name; `Callable` alone otherwise.
    let imports = if plan.operations.is_empty() {
        quote! { use rt::client::Callable; }
    } else {
        quote! { use rt::client::{Callable, Decoded, InvalidRequest, RawResponse, Request}; }
    };
    quote! {
        #![allow(clippy::too_many_arguments, clippy::large_enum_variant, clippy::result_large_err)]

        #rt
        #imports

        #servers

        #title
        ///
        /// Cheap to clone: clones share one connection pool. Settings
        /// (`with_*`) return a new client and leave this one as it was.
        #[must_use = "settings return a new client: use it, or the setting is lost"]
        #[derive(Debug, Clone)]
        pub struct Client {
            api: rt::client::ApiClient,
        }

        impl Client {
            /// A client for the API at `base_url` (one of [`SERVERS`], or any
            /// other URL: a proxy, a sandbox, a local test server).
            pub fn new(base_url: impl Into<String>) -> Self {
                Self::with_http_client(base_url, rt::client::ApiClient::default_http())
            }

            /// A client that sends through `http` (for custom TLS, proxies or timeouts):
            /// build it from `ApiClient::http_builder()`, which turns redirects off.
            pub fn with_http_client(base_url: impl Into<String>, http: rt::reqwest::Client) -> Self {
                Self { api: rt::client::ApiClient::new(base_url, http) }
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
            pub fn api_client(&self) -> &rt::client::ApiClient {
                &self.api
            }

            /// A client over `api`, configured with the runtime's own methods
            /// (for instance [`ApiClient::with_authenticator`](rt::client::ApiClient::with_authenticator)).
            pub fn from_api_client(api: rt::client::ApiClient) -> Self {
                Self { api }
            }

            /// Authenticate operations that accept the security scheme `scheme`
            /// (one of this client's scheme constants) with `credential`: a
            /// fixed token or key, or one from a token provider that refreshes.
            pub fn with_credential(&self, scheme: rt::security::Scheme, credential: rt::credentials::Credential) -> Self {
                Self { api: self.api.with_credential(scheme.key, credential) }
            }

            /// Run `signer` on every attempt of every call, after any scheme
            /// credential: for authentication the spec does not declare, such
            /// as a Fireblocks `SigningKey` (`mfa_runtime::fireblocks`, feature `fireblocks`).
            pub fn with_signer(&self, signer: impl rt::client::Authenticate + 'static) -> Self {
                Self { api: self.api.with_signer(signer) }
            }

            /// Give each call at most `timeout`, retries included (60 s unless
            /// set; a call's `.timeout(..)` overrides it).
            pub fn with_timeout(&self, timeout: std::time::Duration) -> Self {
                Self { api: self.api.with_timeout(timeout) }
            }

            /// Retry calls by `policy` (a call's `.retry_policy(..)` overrides
            /// it). Only requests safe to repeat are ever retried: idempotent
            /// methods, and requests that carry an idempotency key.
            pub fn with_retry_policy(&self, policy: rt::client::RetryPolicy) -> Self {
                Self { api: self.api.with_retry_policy(policy) }
            }

            #(#credentials)*

            #(#methods)*

            #start
        }

        /// A call being built: set its optional values, then `.await` it (or
        /// call `send`). Sending, retries and timeouts are the runtime's
        /// [`Call`](rt::client::Call).
        #[derive(Debug)]
        #[must_use = "a call does nothing until it is awaited"]
        pub struct Call<'a, O>(rt::client::Call<'a, O>);

        impl<'a, O: Callable> Call<'a, O> {
            /// Give this call at most `timeout`, retries included, instead of
            /// the client's.
            pub fn timeout(self, timeout: std::time::Duration) -> Self {
                Self(self.0.timeout(timeout))
            }

            /// Retry this call by `policy` instead of the client's.
            pub fn retry_policy(self, policy: rt::client::RetryPolicy) -> Self {
                Self(self.0.retry_policy(policy))
            }

            /// The request as it will be sent.
            pub fn request(&self) -> &O {
                self.0.input()
            }

            /// Send the request and decode the response.
            pub async fn send(self) -> rt::client::CallResult<O> {
                self.0.send().await
            }
        }

        impl<'a, O: Callable> std::future::IntoFuture for Call<'a, O> {
            type Output = rt::client::CallResult<O>;
            type IntoFuture = rt::client::CallFuture<'a, O>;

            fn into_future(self) -> Self::IntoFuture {
                self.0.into_future()
            }
        }

        #(#calls)*
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
            pub fn #name(#(#params: &str),*) -> String {
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
        pub const #constant: rt::security::Scheme = #value;
    };
    let methods = match &scheme.kind {
        SchemeKind::Bearer => {
            let what =
                format!("Authenticate as the `{key}` scheme: `Authorization: Bearer <token>`.");
            let docs = doc_paragraphs(&[Some(&what), described]);
            quote! {
                #docs
                pub fn #method(&self, token: impl Into<String>) -> Self {
                    Self { api: self.api.with_credential(#key, rt::credentials::Credential::bearer(token)) }
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
                    username: impl Into<String>,
                    password: impl Into<String>,
                ) -> Self {
                    Self { api: self.api.with_credential(#key, rt::credentials::Credential::basic(username, password)) }
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
                pub fn #method(&self, key: impl Into<String>) -> Self {
                    self.#named(#wire, key)
                }

                #named_docs
                pub fn #named(
                    &self,
                    name: impl Into<String>,
                    key: impl Into<String>,
                ) -> Self {
                    let credential = rt::credentials::Credential::api_key(
                        rt::security::KeyLocation::#location_tokens, name, key);
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
                 (see [`Call::request`]); every attempt of this call sends the same one.",
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
fn initial_value(p: &Printer<'_>, field: &InputField) -> Option<TokenStream> {
    let some = |value: TokenStream| match field.required {
        true => value,
        false => quote! { Some(#value) },
    };
    Some(match &field.init {
        ClientInit::Argument => return None,
        ClientInit::Unset => quote! { None },
        ClientInit::NewIdempotencyKey => some(quote! { rt::client::new_idempotency_key() }),
        ClientInit::Value(v) | ClientInit::SendDefault { value: v, .. } => some(p.value(v)),
        ClientInit::Default => some(quote! { Default::default() }),
    })
}

fn client_method(p: &Printer<'_>, op: &OperationPlan) -> TokenStream {
    let method = ident(&op.method);
    let call = ident(&op.builder);
    let input = ident(&op.input);
    let fields = input_fields(op);
    let args = fields
        .iter()
        .filter(|(f, _)| f.init == ClientInit::Argument)
        .map(|(f, _)| {
            let (field, ty) = (ident(&f.name), p.ty(&f.ty));
            quote! { #field: impl Into<#ty> }
        });
    let values = fields.iter().map(|(f, _)| {
        let field = ident(&f.name);
        match initial_value(p, f) {
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
        pub fn #method(&self, #(#args),*) -> #call<'_> {
            self.call(super::operations::#input { #(#values),* })
        }
    }
}

/// The operation's call type, its setters, and how it is written and read.
fn call(p: &Printer<'_>, op: &OperationPlan) -> TokenStream {
    let name = ident(&op.builder);
    let input = ident(&op.input);
    let docs = doc_lines(&format!(
        "A `{}` call being built: set optional values, then `.await` it (or call `send`).",
        op.id
    ));
    let setters = setters(p, op);
    let setters = (!setters.is_empty()).then(|| quote! { impl #name<'_> { #(#setters)* } });
    let writes = op.params.iter().filter_map(write_param);
    let body = op.body.as_ref().map(|b| {
        let field = ident(&b.field.name);
        let media = &b.media_type;
        let set = |body: TokenStream| match b.kind {
            BodyKind::Json => quote! { to.json(#body)?; },
            BodyKind::Text => quote! { to.text_body(#media, #body); },
            BodyKind::Bytes => quote! { to.bytes_body(#media, #body); },
            BodyKind::Form => quote! { to.form(#media, #body)?; },
            BodyKind::Multipart => quote! { to.multipart(#body)?; },
        };
        if b.field.required {
            set(quote! { &self.#field })
        } else {
            let set = set(quote! { body });
            quote! { if let Some(body) = &self.#field { #set } }
        }
    });
    // Nothing to write: no parameter, no body, no documented media type.
    let to = if op.accept.is_none() && op.params.is_empty() && op.body.is_none() {
        quote! { _to }
    } else {
        quote! { to }
    };
    let accept = op
        .accept
        .as_ref()
        .map(|value| quote! { to.accept(#value)?; });
    let has_default = op
        .responses
        .iter()
        .any(|r| r.status == StatusMatch::Default);
    let read = match op.responses.as_slice() {
        // `default` alone: every status is it.
        [only] if has_default => response_arm(only).1,
        responses => {
            let arms = responses.iter().map(|r| {
                let (pattern, read) = response_arm(r);
                quote! { #pattern => { #read } }
            });
            let fallback = (!has_default).then(|| quote! { _ => Err(from.undocumented()), });
            quote! {
                match from.status.as_u16() {
                    #(#arms)*
                    #fallback
                }
            }
        }
    };
    // A redirect the client does not follow is read as the spec says when
    // the plan found one documented; otherwise it ends the call in
    // `ClientError::Redirect`.
    let redirects = op
        .documents_redirects
        .then(|| quote! { const DOCUMENTS_REDIRECTS: bool = true; });
    quote! {
        #docs
        pub type #name<'a> = Call<'a, super::operations::#input>;

        #setters

        impl Callable for super::operations::#input {
            #redirects

            fn write(&self, #to: &mut Request) -> Result<(), InvalidRequest> {
                #accept
                #(#writes)*
                #body
                Ok(())
            }

            fn read(from: &RawResponse) -> Decoded<Self> {
                #read
            }
        }
    }
}

fn setters(p: &Printer<'_>, op: &OperationPlan) -> Vec<TokenStream> {
    input_fields(op)
        .into_iter()
        .filter(|(f, _)| f.init != ClientInit::Argument)
        .map(|(f, what)| {
            let (field, ty) = (ident(&f.name), p.ty(&f.ty));
            let value = if f.required {
                quote! { value.into() }
            } else {
                quote! { Some(value.into()) }
            };
            let docs = doc_lines(&what);
            quote! {
                #docs
                pub fn #field(mut self, value: impl Into<#ty>) -> Self {
                    self.0.input_mut().#field = #value;
                    self
                }
            }
        })
        .collect()
}

/// `rt::query::Delimiter::Comma` and so on.
fn delimiter(delimiter: Delimiter) -> TokenStream {
    match delimiter {
        Delimiter::Comma => quote! { rt::query::Delimiter::Comma },
        Delimiter::Space => quote! { rt::query::Delimiter::Space },
        Delimiter::Pipe => quote! { rt::query::Delimiter::Pipe },
    }
}

/// `rt::param::Location::Query` and so on.
fn location(encoding: &Encoding) -> TokenStream {
    match encoding {
        Encoding::Query(_) => quote! { rt::param::Location::Query },
        Encoding::Header(_) => quote! { rt::param::Location::Header },
        Encoding::Cookie(_) | Encoding::Path(_) => quote! { rt::param::Location::Cookie },
    }
}

/// How one parameter is written into the request.
fn write_param(param: &ParamPlan) -> Option<TokenStream> {
    let wire = &param.wire;
    let field = match &param.role {
        ParamRole::Constant { value } => {
            let location = location(&param.encoding);
            return Some(quote! { to.constant(#location, #wire, #value)?; });
        }
        ParamRole::IdempotencyKey(field) => {
            let name = ident(&field.name);
            return Some(quote! { to.idempotency_key(#wire, &self.#name)?; });
        }
        ParamRole::Path(field) | ParamRole::Hierarchy { field, .. } | ParamRole::Plain(field) => {
            field
        }
    };
    let name = ident(&field.name);
    // Scalars take the field as it is, optional or not; the rest is written
    // only when present.
    let value = |value: TokenStream| match &param.encoding {
        Encoding::Path(PathForm::Items { .. }) => quote! { to.path_items(#wire, #value)?; },
        Encoding::Path(PathForm::Array { .. }) => quote! { to.path_array(#wire, #value)?; },
        Encoding::Path(PathForm::Json) => quote! { to.path_json(#wire, #value)?; },
        Encoding::Path(PathForm::Scalar) => quote! { to.path_param(#wire, #value)?; },
        Encoding::Query(QueryForm::Array { layout, .. }) => match layout {
            ArrayLayout::Form { explode } => quote! { to.query_array(#wire, #value, #explode); },
            ArrayLayout::Delimited(d) => {
                let d = delimiter(*d);
                quote! { to.query_delimited(#wire, #value, #d); }
            }
        },
        Encoding::Query(QueryForm::Object(layout)) => {
            let style = match layout {
                ObjectLayout::Exploded(_) => quote! { rt::query::ObjectStyle::Exploded },
                ObjectLayout::Deep => quote! { rt::query::ObjectStyle::DeepObject },
                ObjectLayout::Delimited(d) => {
                    let d = delimiter(*d);
                    quote! { rt::query::ObjectStyle::Delimited(#d) }
                }
            };
            quote! { to.query_object(#wire, #value, #style)?; }
        }
        encoding => {
            let location = location(encoding);
            quote! { to.json_param(#location, #wire, #value)?; }
        }
    };
    Some(match &param.encoding {
        Encoding::Query(QueryForm::Scalar) => quote! { to.query(#wire, &self.#name); },
        Encoding::Header(TextForm::Scalar) => quote! { to.header(#wire, &self.#name)?; },
        Encoding::Cookie(TextForm::Scalar) => quote! { to.cookie(#wire, &self.#name)?; },
        _ if field.required => value(quote! { &self.#name }),
        _ => {
            let write = value(quote! { value });
            quote! { if let Some(value) = &self.#name { #write } }
        }
    })
}

/// The match arm for one documented response: its status pattern (exact
/// codes, then ranges, then `default`, the plan's order) and the
/// statements that read it.
fn response_arm(r: &ResponsePlan) -> (TokenStream, TokenStream) {
    let pattern = match r.status {
        StatusMatch::Code(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote! { #code }
        }
        StatusMatch::Range(d) => {
            let (lo, hi) = (u16::from(d) * 100, u16::from(d) * 100 + 99);
            let (lo, hi) = (Literal::u16_unsuffixed(lo), Literal::u16_unsuffixed(hi));
            quote! { #lo..=#hi }
        }
        StatusMatch::Default => quote! { _ },
    };
    let variant = ident(&r.variant);
    // A body read that can fail, without its `?`.
    let fallible_body = r.body.as_ref().and_then(|body| match body.kind {
        BodyKind::Json => Some(quote! { from.json() }),
        BodyKind::Form => Some(quote! { from.form() }),
        BodyKind::Text => Some(quote! { from.text() }),
        BodyKind::Bytes | BodyKind::Multipart => None,
    });
    // Each field and how it is read.
    let mut fields: Vec<(String, TokenStream)> = Vec::new();
    if r.carries_status() {
        fields.push(("status".into(), quote! { from.status }));
    }
    if r.body.is_some() {
        let read = match &fallible_body {
            Some(read) => quote! { #read? },
            None => quote! { from.bytes() },
        };
        fields.push(("body".into(), read));
    }
    for header in &r.headers {
        let wire = &header.wire;
        let read = match (header.form, header.required) {
            (TextForm::Scalar, _) => quote! { from.header(#wire)? },
            (TextForm::Json, false) => quote! { from.json_header(#wire)? },
            (TextForm::Json, true) => {
                quote! { from.json_header(#wire)?.ok_or_else(|| from.missing_header(#wire))? }
            }
        };
        fields.push((header.field.clone(), read));
    }
    let (wrap, enum_type) = if r.success {
        (quote! { Ok }, quote! { Self::Success })
    } else {
        (quote! { Err }, quote! { Self::Error })
    };
    // Each field read into a binding first, so the variant is short enough
    // to stay on one line.
    match (fields.as_slice(), fallible_body) {
        ([], _) => (pattern, quote! { Ok(#wrap(#enum_type::#variant)) }),
        ([(name, _)], Some(read)) if name == "body" => (
            pattern,
            quote! { #read.map(|body| #wrap(#enum_type::#variant { body })) },
        ),
        _ => {
            let fields = fields.iter().map(|(name, read)| {
                let name = ident(name);
                quote! { #name: #read }
            });
            let value = ident(if r.success { "success" } else { "error" });
            let read = quote! {
                let #value = #enum_type::#variant { #(#fields),* };
                Ok(#wrap(#value))
            };
            (pattern, read)
        }
    }
}
