//! Per operation, the types both sides share: the input the server
//! receives, what the runtime needs to know of the operation
//! (`rt::Operation`), and the success and error enums, one variant per
//! documented response.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::rust::{
    Printer, Scope, deprecated, doc_lead, doc_lines, doc_paragraphs, ident, runtime_alias,
};
use crate::plan::{
    BodyKind, BodyPlan, MultipartDecl, OperationPlan, ParamLocation, PartKind, Plan, ResponsePlan,
    StatusMatch,
};

pub fn emit(plan: &Plan) -> TokenStream {
    let p = Printer::new(Scope::Operations, plan);
    let items = plan.operations.iter().map(|op| operation(&p, op));
    let rt = (!plan.operations.is_empty()).then(|| {
        let alias = runtime_alias();
        quote! { #alias use rt::http::{Method, StatusCode}; }
    });
    quote! {
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]

        #rt

        #(#items)*
    }
}

fn operation(p: &Printer<'_>, op: &OperationPlan) -> TokenStream {
    let input = input_struct(p, op);
    let operation = operation_impl(op);
    let multipart = op
        .body
        .as_ref()
        .and_then(|body| Some(multipart_struct(p, op, body, body.multipart.as_ref()?)));
    let success = response_enum(p, op, true);
    let error = response_enum(p, op, false);
    quote! { #input #operation #multipart #success #error }
}

fn input_struct(p: &Printer<'_>, op: &OperationPlan) -> TokenStream {
    let name = ident(&op.input);
    let fields = op.params.iter().filter_map(|param| {
        let input = param.input()?;
        let field = ident(&input.name);
        let field_ty = p.ty(&input.field_type());
        let location = format!(
            "`{}` ({} parameter)",
            param.wire,
            location_word(param.encoding.location())
        );
        let docs = doc_lead(&location, param.description.as_deref());
        let deprecated = deprecated(param.deprecated);
        Some(quote! { #docs #deprecated pub #field: #field_ty, })
    });
    let body = op.body.as_ref().map(|body| {
        let field = ident(&body.field.name);
        let field_ty = p.ty(&body.field.field_type());
        let docs = doc_lead(
            &format!("The `{}` body", body.media_type),
            body.description.as_deref(),
        );
        quote! { #docs pub #field: #field_ty, }
    });
    let summary = format!(
        "What a `{}` call sends: `{} {}`.",
        op.id,
        op.http_method.as_str(),
        op.path
    );
    let docs = doc_lines(&summary);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name { #(#fields)* #body }
    }
}

/// What the runtime's generic call and handler need to know of the
/// operation; constants the spec leaves at their defaults are not written.
fn operation_impl(op: &OperationPlan) -> TokenStream {
    let name = ident(&op.input);
    let (id, path) = (&op.id, &op.template);
    let method = ident(op.http_method.as_str());
    let (success, error) = (ident(&op.success), ident(&op.error));
    let prefixes = (!op.segment_prefixes.is_empty()).then(|| {
        let pairs = op
            .segment_prefixes
            .iter()
            .map(|(param, prefix)| quote! { (#param, #prefix) });
        quote! { const SEGMENT_PREFIXES: rt::SegmentPrefixes = &[#(#pairs),*]; }
    });
    let reserved = (!op.allow_reserved.is_empty()).then(|| {
        let names = &op.allow_reserved;
        quote! { const ALLOW_RESERVED: &'static [&'static str] = &[#(#names),*]; }
    });
    let security = (!op.security.requirements.is_empty())
        .then(|| {
            let requirements = op.security.requirements.iter().map(|requirement| {
                let schemes = requirement
                    .schemes
                    .iter()
                    .map(|(scheme, scopes)| quote! { (#scheme, &[#(#scopes),*]) });
                quote! { &[#(#schemes),*] }
            });
            quote! { rt::Security::any_of(&[#(#requirements),*]) }
        })
        .map(|value| quote! { const SECURITY: rt::Security = #value; });
    let adjacent = (!op.adjacent.is_empty()).then(|| {
        let pairs = op
            .adjacent
            .iter()
            .map(|(first, second)| quote! { (#first, #second) });
        quote! { const ADJACENT_PARAMS: rt::AdjacentParams = &[#(#pairs),*]; }
    });
    let key = op.idempotency_key().map(|key| {
        let header = &key.wire;
        quote! { const IDEMPOTENCY_KEY: Option<&'static str> = Some(#header); }
    });
    quote! {
        impl rt::Operation for #name {
            const ID: &'static str = #id;
            const METHOD: Method = Method::#method;
            const PATH: &'static str = #path;
            #prefixes
            #reserved
            #adjacent
            #security
            #key
            type Success = #success;
            type Error = #error;
        }
    }
}

fn location_word(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// A `multipart/form-data` request body with a struct schema gets a struct
/// of its own, beside the operation's input: binary properties are
/// `FilePart`s there (in the shared JSON types they are
/// strings), and it converts to and from the parts both sides exchange.
/// (`FilePart` is `mfa_runtime::form::FilePart`.)
fn multipart_struct(
    p: &Printer<'_>,
    op: &OperationPlan,
    body: &BodyPlan,
    decl: &MultipartDecl,
) -> TokenStream {
    let name = ident(&decl.name);
    let mut fields = Vec::new();
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    for part in &decl.parts {
        let member = ident(&part.field);
        let wire = &part.wire;
        let field_ty = p.ty(&part.ty.clone().optional_unless(!part.optional));
        let note = match &part.kind {
            PartKind::Text => None,
            PartKind::Texts { .. } => Some("One text part per item."),
            PartKind::File => Some(
                "A file part (`application/octet-stream` unless its content type says otherwise).",
            ),
            PartKind::Files => Some("One file part per file."),
            PartKind::Json => Some("An `application/json` part."),
        };
        let docs = doc_paragraphs(&[part.description.as_deref(), note]);
        let deprecated = deprecated(part.deprecated);
        fields.push(quote! { #docs #deprecated pub #member: #field_ty, });

        // `place` is the value itself, `value` a reference to it.
        let write = |place: TokenStream, value: TokenStream| match &part.kind {
            PartKind::Text => quote! { form.text(#wire, #value); },
            PartKind::Texts { .. } => quote! { form.texts(#wire, #place.iter()); },
            PartKind::File => quote! { form.file(#wire, #value); },
            PartKind::Files => quote! { form.files(#wire, #place.iter()); },
            PartKind::Json => quote! { form.json(#wire, #value)?; },
        };
        writes.push(if part.optional {
            let write = write(quote! { value }, quote! { value });
            quote! { if let Some(value) = &self.#member { #write } }
        } else {
            write(quote! { self.#member }, quote! { &self.#member })
        });

        let read = match (&part.kind, part.optional) {
            (PartKind::Text, false) => {
                quote! { rt::form::required(#wire, form.take_text(#wire)?)? }
            }
            (PartKind::Text, true) => quote! { form.take_text(#wire)? },
            (PartKind::Texts { item, newtype }, false) => {
                let item = p.ty(item);
                let values = quote! { form.take_texts::<#item>(#wire)? };
                if *newtype {
                    quote! { From::from(#values) }
                } else {
                    values
                }
            }
            (PartKind::Texts { item, newtype }, true) => {
                let item = p.ty(item);
                let values = quote! { rt::form::non_empty(form.take_texts::<#item>(#wire)?) };
                if *newtype {
                    quote! { #values.map(From::from) }
                } else {
                    values
                }
            }
            (PartKind::File, false) => {
                quote! { rt::form::required(#wire, form.take_file(#wire))? }
            }
            (PartKind::File, true) => quote! { form.take_file(#wire) },
            (PartKind::Files, false) => quote! { form.take_files(#wire) },
            (PartKind::Files, true) => {
                quote! { rt::form::non_empty(form.take_files(#wire)) }
            }
            (PartKind::Json, false) => {
                quote! { rt::form::required(#wire, form.take_json(#wire)?)? }
            }
            (PartKind::Json, true) => quote! { form.take_json(#wire)? },
        };
        reads.push(quote! { #member: #read, });
    }
    let default = decl.derives_default.then(|| quote! { Default, });
    let docs = doc_lines(&format!(
        "The `{}` body of `{}`: one part per property.",
        body.media_type, op.id
    ));
    let (write_form, read_form) = if decl.parts.is_empty() {
        (quote! { form }, quote! { _form })
    } else {
        (quote! { mut form }, quote! { mut form })
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name { #(#fields)* }

        impl rt::form::MultipartBody for #name {
            fn to_multipart(&self) -> Result<rt::form::Multipart, rt::form::FormError> {
                let #write_form = rt::form::Multipart::new();
                #(#writes)*
                Ok(form)
            }

            fn from_multipart(#read_form: rt::form::Multipart) -> Result<Self, rt::form::FormError> {
                Ok(Self { #(#reads)* })
            }
        }
    }
}

fn response_enum(p: &Printer<'_>, op: &OperationPlan, success: bool) -> TokenStream {
    let name = ident(if success { &op.success } else { &op.error });
    let entries: Vec<&ResponsePlan> = op.responses_of(success).collect();
    let variants = entries.iter().map(|r| {
        let variant = ident(&r.variant);
        let fields = variant_fields(p, r);
        let when = match r.status {
            StatusMatch::Code(c) => format!("Status {c}"),
            StatusMatch::Range(d) => format!("Any {d}xx status not listed separately"),
            StatusMatch::Default => "Any status not listed separately (`default`)".to_string(),
        };
        // A JSON body's type is its schema's; others say their media type.
        let when = match &r.body {
            Some(body) if body.kind != BodyKind::Json => {
                format!("{when}, a `{}` body", body.media_type)
            }
            _ => when,
        };
        let docs = doc_lead(&when, Some(&r.description));
        if fields.is_empty() {
            quote! { #docs #variant, }
        } else {
            quote! { #docs #variant { #(#fields)* }, }
        }
    });
    let status_arms = entries.iter().map(|r| {
        let variant = ident(&r.variant);
        let pattern = if r.has_fields() {
            quote! { Self::#variant { .. } }
        } else {
            quote! { Self::#variant }
        };
        match (r.status, r.status_constant) {
            (StatusMatch::Code(_), Some(constant)) => {
                let constant = ident(constant);
                quote! { #pattern => StatusCode::#constant, }
            }
            (StatusMatch::Code(code), None) => {
                let code = Literal::u16_unsuffixed(code);
                quote! { #pattern => rt::status_code(#code), }
            }
            _ => quote! { Self::#variant { status, .. } => *status, },
        }
    });
    let what = if success { "successes" } else { "errors" };
    let docs = doc_lines(&format!("The documented {what} of `{}`.", op.id));
    let status_fn = if entries.is_empty() {
        quote! { match *self {} }
    } else {
        quote! { match self { #(#status_arms)* } }
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variants)* }

        impl rt::HasStatus for #name {
            fn status(&self) -> StatusCode { #status_fn }
        }
    }
}

fn variant_fields(p: &Printer<'_>, r: &ResponsePlan) -> Vec<TokenStream> {
    let mut fields = Vec::new();
    if r.carries_status() {
        fields.push(quote! {
            /// The status code actually sent.
            status: StatusCode,
        });
    }
    // The variant's docs say the body's media type.
    if let Some(body) = &r.body {
        let body_ty = p.ty(&body.ty);
        fields.push(quote! { body: #body_ty, });
    }
    for header in &r.headers {
        let field = ident(&header.field);
        let header_ty = p.ty(&header.ty.clone().optional_unless(header.required));
        let docs = doc_lead(
            &format!("The `{}` header", header.wire),
            header.description.as_deref(),
        );
        fields.push(quote! { #docs #field: #header_ty, });
    }
    fields
}
