//! Per operation, the types both sides share: the request the server
//! receives, and the response and error enums, one variant per documented
//! response.

use proc_macro2::TokenStream;
use quote::quote;

use super::params::{Shape, is_binary, shape};
use super::rust::{TypeWriter, doc_lines, doc_paragraphs, ident};
use crate::model::{
    Api, Content, Operation, Parameter, Response, StatusMatch, StructDef, TypeId, TypeKind, TypeRef,
};
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
    let multipart = multipart_struct(w, op, n);
    let response = response_enum(w, op, n, true);
    let error = response_enum(w, op, n, false);
    quote! { #request #multipart #response #error }
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
        let ty = body_type(w, n, content);
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

/// How a request body of this media type is held: its schema's type for
/// JSON and urlencoded forms, the operation's own struct for a multipart
/// form (binary properties as file parts), text as a `String`, anything
/// else as bytes.
pub fn body_type(w: &TypeWriter<'_>, n: &OperationNames, content: &Content) -> TokenStream {
    match body_kind(content) {
        BodyKind::Multipart => match multipart_schema(w, content) {
            Some(_) => {
                let name = ident(&multipart_name(n));
                quote! { super::operations::#name }
            }
            None => quote! { ::mfa_runtime::form::Multipart },
        },
        kind => value_type(w, content, kind),
    }
}

/// How a response body of this media type is held (see [`response_kind`]).
pub fn response_type(w: &TypeWriter<'_>, content: &Content) -> TokenStream {
    value_type(w, content, response_kind(content))
}

fn value_type(w: &TypeWriter<'_>, content: &Content, kind: BodyKind) -> TokenStream {
    match kind {
        BodyKind::Json | BodyKind::Form => match &content.ty {
            Some(ty) => w.ty(ty),
            None => quote! { ::serde_json::Value },
        },
        BodyKind::Text => quote! { ::std::string::String },
        BodyKind::Bytes | BodyKind::Multipart => quote! { ::std::vec::Vec<u8> },
    }
}

/// Whether the client starts a required body from `Default` (a setter
/// changes it) rather than taking it as a method argument.
pub fn body_has_default(w: &TypeWriter<'_>, content: &Content) -> bool {
    // A required text, binary or schemaless body is the caller's to give.
    match body_kind(content) {
        BodyKind::Text | BodyKind::Bytes => false,
        BodyKind::Multipart if multipart_schema(w, content).is_none() => false,
        _ => content.ty.as_ref().is_some_and(|t| w.has_default(t)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Text,
    Bytes,
    /// `application/x-www-form-urlencoded`: the schema's type as pairs.
    Form,
    /// `multipart/form-data`: one part per property.
    Multipart,
}

/// A media type's essence: no parameters, lower case.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub fn body_kind(content: &Content) -> BodyKind {
    let essence = essence(&content.media_type);
    if content.is_json() {
        BodyKind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence == "multipart/form-data" {
        BodyKind::Multipart
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

/// A response body's kind: multipart responses are kept as bytes (the
/// client has no multipart parser; servers rarely answer with forms).
pub fn response_kind(content: &Content) -> BodyKind {
    match body_kind(content) {
        BodyKind::Multipart => BodyKind::Bytes,
        kind => kind,
    }
}

/// The struct a multipart body's schema names, if it is one.
fn multipart_schema<'a>(
    w: &TypeWriter<'a>,
    content: &'a Content,
) -> Option<(&'a TypeId, &'a StructDef)> {
    match content.ty.as_ref()? {
        TypeRef::Named(id) => match &w.api.types.get(id)?.kind {
            TypeKind::Struct(s) => Some((id, s)),
            _ => None,
        },
        _ => None,
    }
}

/// `UploadFileMultipart` for the operation whose input is `UploadFileInput`:
/// no other name in the operations module ends in `Multipart`.
pub fn multipart_name(n: &OperationNames) -> String {
    let base = n.request.strip_suffix("Input").unwrap_or(&n.request);
    format!("{base}Multipart")
}

/// How one property of a multipart body travels.
enum PartKind {
    /// A text part (a scalar).
    Text,
    /// A text part per item; the item type, and whether the field is a
    /// newtype around the list.
    Texts(TokenStream, bool),
    /// A file part (`format: binary`).
    File,
    /// A file part per item.
    Files,
    /// An `application/json` part (objects, unions, lists of them).
    Json,
}

fn part_kind(w: &TypeWriter<'_>, ty: &TypeRef) -> PartKind {
    if is_binary(w, ty) {
        return PartKind::File;
    }
    match ty {
        TypeRef::Array(item) if is_binary(w, item) => return PartKind::Files,
        TypeRef::Array(item) if shape(w, ty) == Shape::Array => {
            return PartKind::Texts(w.ty(item), false);
        }
        _ => {}
    }
    match (shape(w, ty), w.newtype_inner(ty)) {
        (Shape::Scalar, _) => PartKind::Text,
        (Shape::Array, Some(TypeRef::Array(item))) => PartKind::Texts(w.ty(item), true),
        _ => PartKind::Json,
    }
}

/// A `multipart/form-data` request body with a struct schema gets a struct
/// of its own, beside the operation's input: binary properties are
/// `FilePart`s there (in the shared JSON types they are
/// strings), and it converts to and from the parts both sides exchange.
/// (`FilePart` is `mfa_runtime::form::FilePart`.)
fn multipart_struct(w: &TypeWriter<'_>, op: &Operation, n: &OperationNames) -> TokenStream {
    let Some((_, content)) = op.body_content() else {
        return TokenStream::new();
    };
    if body_kind(content) != BodyKind::Multipart {
        return TokenStream::new();
    }
    let Some((id, def)) = multipart_schema(w, content) else {
        return TokenStream::new();
    };
    let name = ident(&multipart_name(n));
    let members = w.names.members(id);
    let mut fields = Vec::new();
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    for (field, member) in def.fields.iter().zip(members) {
        let member = ident(member);
        let wire = &field.name;
        let (ty, nullable) = match &field.ty {
            TypeRef::Nullable(inner) => (&**inner, true),
            other => (other, false),
        };
        let optional = nullable || !field.required;
        let kind = part_kind(w, ty);
        let base = match &kind {
            PartKind::File => quote! { ::mfa_runtime::form::FilePart },
            PartKind::Files => quote! { ::std::vec::Vec<::mfa_runtime::form::FilePart> },
            _ => w.ty(ty),
        };
        let field_ty = if optional {
            quote! { ::std::option::Option<#base> }
        } else {
            base
        };
        let note = match &kind {
            PartKind::Text => None,
            PartKind::Texts(..) => Some("One text part per item."),
            PartKind::File => Some(
                "A file part (`application/octet-stream` unless its content type says otherwise).",
            ),
            PartKind::Files => Some("One file part per file."),
            PartKind::Json => Some("An `application/json` part."),
        };
        let docs = doc_paragraphs(&[field.description.as_deref(), note]);
        let deprecated = field.deprecated.then(|| quote! { #[deprecated] });
        fields.push(quote! { #docs #deprecated pub #member: #field_ty, });

        // `place` is the value itself, `value` a reference to it.
        let write = |place: TokenStream, value: TokenStream| match &kind {
            PartKind::Text => quote! { form.text(#wire, #value); },
            PartKind::Texts(..) => quote! { form.texts(#wire, #place.iter()); },
            PartKind::File => quote! { form.file(#wire, #value); },
            PartKind::Files => quote! { form.files(#wire, #place.iter()); },
            PartKind::Json => quote! { form.json(#wire, #value)?; },
        };
        writes.push(if optional {
            let write = write(quote! { value }, quote! { value });
            quote! { if let ::std::option::Option::Some(value) = &self.#member { #write } }
        } else {
            write(quote! { self.#member }, quote! { &self.#member })
        });

        let read = match (&kind, optional) {
            (PartKind::Text, false) => {
                quote! { ::mfa_runtime::form::required(#wire, form.take_text(#wire)?)? }
            }
            (PartKind::Text, true) => quote! { form.take_text(#wire)? },
            (PartKind::Texts(item, newtype), false) => {
                let values = quote! { form.take_texts::<#item>(#wire)? };
                if *newtype {
                    quote! { ::std::convert::From::from(#values) }
                } else {
                    values
                }
            }
            (PartKind::Texts(item, newtype), true) => {
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
    let default = w
        .has_default(&TypeRef::Named(id.clone()))
        .then(|| quote! { ::std::default::Default, });
    let docs = doc_lines(&format!(
        "The `{}` body of `{}`: one part per property.",
        content.media_type, op.id
    ));
    let (write_form, read_form) = if def.fields.is_empty() {
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
        let ty = response_type(w, content);
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
