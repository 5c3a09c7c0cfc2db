//! Small helpers every emitter uses: identifiers, doc comments, and how
//! the plan's types and values are written.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::plan::{RustType, RustValue};

/// An identifier from a name the plan decided (which may be `r#type`).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[doc = ...]` lines from spec text, made safe for rustdoc: no doctests,
/// no broken intra-doc links, no bare URLs, no stray HTML.
pub fn doc(text: Option<&str>) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => doc_lines(&super::docs::sanitize(text)),
        None => TokenStream::new(),
    }
}

/// Doc lines from text that is already rustdoc-safe (our own wording).
pub fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| format!(" {line}"));
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = ...]` lines: the docs of the module or crate they open.
pub fn inner_doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| format!(" {line}"));
    quote! { #( #![doc = #lines] )* }
}

/// Several doc paragraphs, skipping empty ones.
pub fn doc_paragraphs(parts: &[Option<&str>]) -> TokenStream {
    let text: Vec<String> = parts
        .iter()
        .flatten()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(super::docs::sanitize)
        .collect();
    if text.is_empty() {
        TokenStream::new()
    } else {
        doc_lines(&text.join("\n\n"))
    }
}

/// `#[deprecated]` when `deprecated`.
pub fn deprecated(deprecated: bool) -> Option<TokenStream> {
    deprecated.then(|| quote! { #[deprecated] })
}

/// Where a type is written from: inside the `types` file, or beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Types,
    Sibling,
}

/// A plan type as Rust tokens, written from `scope`.
pub fn ty(ty: &RustType, scope: Scope) -> TokenStream {
    match ty {
        RustType::Named(name) => {
            let name = ident(name);
            match scope {
                Scope::Types => quote! { #name },
                Scope::Sibling => quote! { super::types::#name },
            }
        }
        RustType::Operation(name) => {
            let name = ident(name);
            quote! { super::operations::#name }
        }
        RustType::String => quote! { ::std::string::String },
        RustType::I32 => quote! { i32 },
        RustType::I64 => quote! { i64 },
        RustType::U32 => quote! { u32 },
        RustType::U64 => quote! { u64 },
        RustType::F32 => quote! { f32 },
        RustType::F64 => quote! { f64 },
        RustType::Bool => quote! { bool },
        RustType::Json => quote! { ::serde_json::Value },
        RustType::Bytes => quote! { ::std::vec::Vec<u8> },
        RustType::List(item) => {
            let item = self::ty(item, scope);
            quote! { ::std::vec::Vec<#item> }
        }
        RustType::Map(value) => {
            let value = self::ty(value, scope);
            quote! { ::std::collections::BTreeMap<::std::string::String, #value> }
        }
        RustType::Option(inner) => {
            let inner = self::ty(inner, scope);
            quote! { ::std::option::Option<#inner> }
        }
        RustType::Boxed(inner) => {
            let inner = self::ty(inner, scope);
            quote! { ::std::boxed::Box<#inner> }
        }
        RustType::FilePart => quote! { ::mfa_runtime::form::FilePart },
        RustType::Multipart => quote! { ::mfa_runtime::form::Multipart },
    }
}

/// A plan value as a Rust expression, written from `scope`.
pub fn value(value: &RustValue, scope: Scope) -> TokenStream {
    match value {
        RustValue::Str(s) => quote! { ::std::string::String::from(#s) },
        RustValue::Int(n) => {
            let lit = Literal::i64_unsuffixed(*n);
            quote! { #lit }
        }
        RustValue::Float(n) => {
            let lit = Literal::f64_unsuffixed(*n);
            quote! { #lit }
        }
        RustValue::Bool(b) => quote! { #b },
        RustValue::Variant { ty, variant } => {
            let ty = self::ty(ty, scope);
            let variant = ident(variant);
            quote! { #ty::#variant }
        }
        RustValue::Newtype { ty, inner } => {
            let ty = self::ty(ty, scope);
            let inner = self::value(inner, scope);
            quote! { #ty(#inner) }
        }
        RustValue::Some(inner) => {
            let inner = self::value(inner, scope);
            quote! { ::std::option::Option::Some(#inner) }
        }
    }
}
