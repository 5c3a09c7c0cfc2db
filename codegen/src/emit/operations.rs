//! Per operation, the types both sides share: the input the server
//! receives, and the success and error enums, one variant per documented
//! response.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{Scope, deprecated, doc_lines, doc_paragraphs, ident, ty};
use crate::plan::{
    BodyPlan, MultipartDecl, OperationPlan, ParamLocation, PartKind, Plan, ResponsePlan,
    StatusMatch,
};

pub fn emit(plan: &Plan) -> TokenStream {
    let items = plan.operations.iter().map(operation);
    quote! {
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
        #(#items)*
    }
}

fn operation(op: &OperationPlan) -> TokenStream {
    let input = input_struct(op);
    let multipart = op
        .body
        .as_ref()
        .and_then(|body| Some(multipart_struct(op, body, body.multipart.as_ref()?)));
    let success = response_enum(op, true);
    let error = response_enum(op, false);
    quote! { #input #multipart #success #error }
}

fn input_struct(op: &OperationPlan) -> TokenStream {
    let name = ident(&op.input);
    let fields = op.params.iter().filter_map(|p| {
        let input = p.input()?;
        let field = ident(&input.name);
        let field_ty = ty(&input.field_type(), Scope::Sibling);
        let location = format!(
            "`{}` ({} parameter).",
            p.wire,
            location_word(p.encoding.location())
        );
        let docs = doc_paragraphs(&[p.description.as_deref(), Some(&location)]);
        let deprecated = deprecated(p.deprecated);
        Some(quote! { #docs #deprecated pub #field: #field_ty, })
    });
    let body = op.body.as_ref().map(|body| {
        let field = ident(&body.field.name);
        let field_ty = ty(&body.field.field_type(), Scope::Sibling);
        let docs = doc_paragraphs(&[
            body.description.as_deref(),
            Some(&format!("Sent as `{}`.", body.media_type)),
        ]);
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
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        pub struct #name { #(#fields)* #body }
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
fn multipart_struct(op: &OperationPlan, body: &BodyPlan, decl: &MultipartDecl) -> TokenStream {
    let name = ident(&decl.name);
    let mut fields = Vec::new();
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    for part in &decl.parts {
        let member = ident(&part.field);
        let wire = &part.wire;
        let field_ty = ty(
            &part.ty.clone().optional_unless(!part.optional),
            Scope::Sibling,
        );
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
            quote! { if let ::std::option::Option::Some(value) = &self.#member { #write } }
        } else {
            write(quote! { self.#member }, quote! { &self.#member })
        });

        let read = match (&part.kind, part.optional) {
            (PartKind::Text, false) => {
                quote! { ::mfa_runtime::form::required(#wire, form.take_text(#wire)?)? }
            }
            (PartKind::Text, true) => quote! { form.take_text(#wire)? },
            (PartKind::Texts { item, newtype }, false) => {
                let item = ty(item, Scope::Sibling);
                let values = quote! { form.take_texts::<#item>(#wire)? };
                if *newtype {
                    quote! { ::std::convert::From::from(#values) }
                } else {
                    values
                }
            }
            (PartKind::Texts { item, newtype }, true) => {
                let item = ty(item, Scope::Sibling);
                let values =
                    quote! { ::mfa_runtime::form::non_empty(form.take_texts::<#item>(#wire)?) };
                if *newtype {
                    quote! { #values.map(::std::convert::From::from) }
                } else {
                    values
                }
            }
            (PartKind::File, false) => {
                quote! { ::mfa_runtime::form::required(#wire, form.take_file(#wire))? }
            }
            (PartKind::File, true) => quote! { form.take_file(#wire) },
            (PartKind::Files, false) => quote! { form.take_files(#wire) },
            (PartKind::Files, true) => {
                quote! { ::mfa_runtime::form::non_empty(form.take_files(#wire)) }
            }
            (PartKind::Json, false) => {
                quote! { ::mfa_runtime::form::required(#wire, form.take_json(#wire)?)? }
            }
            (PartKind::Json, true) => quote! { form.take_json(#wire)? },
        };
        reads.push(quote! { #member: #read, });
    }
    let default = decl
        .derives_default
        .then(|| quote! { ::std::default::Default, });
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
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default)]
        pub struct #name { #(#fields)* }

        impl ::mfa_runtime::form::MultipartBody for #name {
            fn to_multipart(&self) -> ::std::result::Result<::mfa_runtime::form::Multipart, ::mfa_runtime::form::FormError> {
                let #write_form = ::mfa_runtime::form::Multipart::new();
                #(#writes)*
                ::std::result::Result::Ok(form)
            }

            fn from_multipart(#read_form: ::mfa_runtime::form::Multipart) -> ::std::result::Result<Self, ::mfa_runtime::form::FormError> {
                ::std::result::Result::Ok(Self { #(#reads)* })
            }
        }
    }
}

fn response_enum(op: &OperationPlan, success: bool) -> TokenStream {
    let name = ident(if success { &op.success } else { &op.error });
    let entries: Vec<&ResponsePlan> = op.responses_of(success).collect();
    let variants = entries.iter().map(|r| {
        let variant = ident(&r.variant);
        let fields = variant_fields(r);
        let when = match r.status {
            StatusMatch::Code(c) => format!("Status {c}."),
            StatusMatch::Range(d) => format!("Any {d}xx status not listed separately."),
            StatusMatch::Default => "Any status not listed separately (`default`).".to_string(),
        };
        let docs = doc_paragraphs(&[Some(&r.description), Some(&when)]);
        if fields.is_empty() {
            quote! { #docs #variant, }
        } else {
            quote! { #docs #variant { #(#fields)* }, }
        }
    });
    let status_arms = entries.iter().map(|r| {
        let variant = ident(&r.variant);
        match r.status {
            StatusMatch::Code(code) => {
                let pattern = if r.has_fields() { quote! { Self::#variant { .. } } } else { quote! { Self::#variant } };
                quote! { #pattern => ::mfa_runtime::http::StatusCode::from_u16(#code).unwrap_or(::mfa_runtime::http::StatusCode::INTERNAL_SERVER_ERROR), }
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
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        pub enum #name { #(#variants)* }

        impl ::mfa_runtime::HasStatus for #name {
            fn status(&self) -> ::mfa_runtime::http::StatusCode { #status_fn }
        }
    }
}

fn variant_fields(r: &ResponsePlan) -> Vec<TokenStream> {
    let mut fields = Vec::new();
    if r.carries_status() {
        fields.push(quote! {
            /// The status code actually sent.
            status: ::mfa_runtime::http::StatusCode,
        });
    }
    if let Some(body) = &r.body {
        let body_ty = ty(&body.ty, Scope::Sibling);
        let docs = doc_lines(&format!("The `{}` body.", body.media_type));
        fields.push(quote! { #docs body: #body_ty, });
    }
    for header in &r.headers {
        let field = ident(&header.field);
        let header_ty = ty(
            &header.ty.clone().optional_unless(header.required),
            Scope::Sibling,
        );
        let docs = doc_paragraphs(&[
            header.description.as_deref(),
            Some(&format!("The `{}` header.", header.wire)),
        ]);
        fields.push(quote! { #docs #field: #header_ty, });
    }
    fields
}
