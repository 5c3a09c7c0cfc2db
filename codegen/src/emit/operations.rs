//! Per operation, the types both sides share: the request the server
//! receives, and the response and error enums, one variant per documented
//! response.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{TypeWriter, doc_lines, doc_paragraphs, ident};
use crate::model::{Api, Content, Operation, Parameter, Response, StatusMatch, TypeRef};
use crate::naming::{Names, OperationNames};

pub fn emit(api: &Api, names: &Names) -> TokenStream {
    let writer = TypeWriter {
        api,
        names,
        prefix: quote! { super::types:: },
    };
    let items = api
        .operations
        .iter()
        .zip(&names.operations)
        .map(|(op, n)| operation(&writer, op, n));
    quote! {
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
        #(#items)*
    }
}

fn operation(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> TokenStream {
    let request = request_struct(w, op, n);
    let response = response_enum(w, op, n, true);
    let error = response_enum(w, op, n, false);
    quote! { #request #response #error }
}

/// The parameters a caller chooses: constants are not among them.
pub fn request_fields<'o>(
    op: &'o Operation,
    n: &'o OperationNames,
) -> impl Iterator<Item = (&'o Parameter, &'o String)> {
    op.parameters
        .iter()
        .zip(&n.params)
        .filter(|(p, _)| p.constant.is_none())
}

fn request_struct(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> TokenStream {
    let name = ident(&n.request);
    let fields = request_fields(op, n).map(|(p, field)| {
        let field = ident(field);
        let ty = param_type(w, p);
        let location = format!("`{}` ({} parameter).", p.name, location_word(p));
        let docs = doc_paragraphs(&[p.description.as_deref(), Some(&location)]);
        let deprecated = p.deprecated.then(|| quote! { #[deprecated] });
        quote! { #docs #deprecated pub #field: #ty, }
    });
    let body = op.body_content().map(|(b, content)| {
        let field = ident(&n.body);
        let ty = body_type(w, content);
        let ty = if b.required {
            ty
        } else {
            quote! { ::std::option::Option<#ty> }
        };
        let docs = doc_paragraphs(&[
            b.description.as_deref(),
            Some(&format!("Sent as `{}`.", content.media_type)),
        ]);
        quote! { #docs pub #field: #ty, }
    });
    let summary = format!(
        "What a `{}` call sends: `{} {}`.",
        op.id,
        op.method.as_str(),
        op.path
    );
    let docs = doc_lines(&summary);
    quote! {
        #docs
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        pub struct #name { #(#fields)* #body }
    }
}

pub fn param_type(w: &TypeWriter<'_>, p: &Parameter) -> TokenStream {
    let ty = w.ty(&p.ty);
    if p.required {
        ty
    } else {
        quote! { ::std::option::Option<#ty> }
    }
}

fn location_word(p: &Parameter) -> &'static str {
    match p.location {
        crate::model::ParamLocation::Path => "path",
        crate::model::ParamLocation::Query => "query",
        crate::model::ParamLocation::Header => "header",
        crate::model::ParamLocation::Cookie => "cookie",
    }
}

/// How a body of this media type is held: its schema's type for JSON, text
/// as a `String`, anything else as bytes.
pub fn body_type(w: &TypeWriter<'_>, content: &Content) -> TokenStream {
    match body_kind(content) {
        BodyKind::Json => match &content.ty {
            Some(ty) => w.ty(ty),
            None => quote! { ::serde_json::Value },
        },
        BodyKind::Text => quote! { ::std::string::String },
        BodyKind::Bytes => quote! { ::std::vec::Vec<u8> },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Text,
    Bytes,
}

pub fn body_kind(content: &Content) -> BodyKind {
    if content.is_json() {
        BodyKind::Json
    } else if content.media_type.starts_with("text/")
        && !matches!(
            content.ty,
            Some(TypeRef::String(crate::model::StringFormat::Binary))
        )
    {
        BodyKind::Text
    } else {
        BodyKind::Bytes
    }
}

/// Whether a response variant carries its status (ranges and `default`).
pub fn carries_status(status: StatusMatch) -> bool {
    !matches!(status, StatusMatch::Code(_))
}

fn response_enum(
    w: &TypeWriter<'_>,
    op: &Operation,
    n: &OperationNames,
    success: bool,
) -> TokenStream {
    let name = ident(if success { &n.response } else { &n.error });
    let entries: Vec<_> = op
        .responses
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_success == success)
        .collect();
    let variants = entries.iter().map(|(i, r)| {
        let variant = ident(&n.responses[*i]);
        let fields = variant_fields(w, r, &n.response_headers[*i]);
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
    let status_arms = entries.iter().map(|(i, r)| {
        let variant = ident(&n.responses[*i]);
        match r.status {
            StatusMatch::Code(code) => {
                let has_fields = !variant_fields(w, r, &n.response_headers[*i]).is_empty();
                let pattern = if has_fields { quote! { Self::#variant { .. } } } else { quote! { Self::#variant } };
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

fn variant_fields(w: &TypeWriter<'_>, r: &Response, header_fields: &[String]) -> Vec<TokenStream> {
    let mut fields = Vec::new();
    if carries_status(r.status) {
        fields.push(quote! {
            /// The status code actually sent.
            status: ::mfa_runtime::http::StatusCode,
        });
    }
    if let Some(content) = r.primary_content() {
        let ty = body_type(w, content);
        let docs = doc_lines(&format!("The `{}` body.", content.media_type));
        fields.push(quote! { #docs body: #ty, });
    }
    for (header, field) in r.headers.iter().zip(header_fields) {
        let field = ident(field);
        let ty = w.ty(&header.ty);
        let ty = if header.required {
            ty
        } else {
            quote! { ::std::option::Option<#ty> }
        };
        let docs = doc_paragraphs(&[
            header.description.as_deref(),
            Some(&format!("The `{}` header.", header.name)),
        ]);
        fields.push(quote! { #docs #field: #ty, });
    }
    fields
}
