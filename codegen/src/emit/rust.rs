//! Small helpers every emitter uses: identifiers, doc comments and how a
//! [`TypeRef`] is written.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Api, IntegerFormat, NumberFormat, TypeKind, TypeRef};
use crate::naming::Names;

/// An identifier from a name decided by `naming` (which may be `r#type`).
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

/// How types are written from some module of the generated code.
pub struct TypeWriter<'a> {
    pub api: &'a Api,
    pub names: &'a Names,
    /// Path to the `types` module from where the code is written: empty
    /// inside it, `super::types::` elsewhere.
    pub prefix: TokenStream,
}

impl TypeWriter<'_> {
    pub fn ty(&self, ty: &TypeRef) -> TokenStream {
        match ty {
            TypeRef::Named(id) => {
                let name = ident(self.names.type_name(id));
                let prefix = &self.prefix;
                quote! { #prefix #name }
            }
            TypeRef::String(_) => quote! { ::std::string::String },
            TypeRef::Integer(IntegerFormat::I32) => quote! { i32 },
            TypeRef::Integer(IntegerFormat::I64) => quote! { i64 },
            TypeRef::Integer(IntegerFormat::U32) => quote! { u32 },
            TypeRef::Integer(IntegerFormat::U64) => quote! { u64 },
            TypeRef::Number(NumberFormat::F32) => quote! { f32 },
            TypeRef::Number(NumberFormat::F64) => quote! { f64 },
            TypeRef::Boolean => quote! { bool },
            TypeRef::Array(item) => {
                let item = self.ty(item);
                quote! { ::std::vec::Vec<#item> }
            }
            TypeRef::Map(value) => {
                let value = self.ty(value);
                quote! { ::std::collections::BTreeMap<::std::string::String, #value> }
            }
            TypeRef::Any => quote! { ::serde_json::Value },
            TypeRef::Nullable(inner) => {
                let inner = self.ty(inner);
                quote! { ::std::option::Option<#inner> }
            }
        }
    }

    /// Whether `ty` implements `Default` as generated.
    pub fn has_default(&self, ty: &TypeRef) -> bool {
        has_default(self.api, ty, 0)
    }

    /// The newtype's inner type, when `ty` names a newtype.
    pub fn newtype_inner<'t>(&'t self, ty: &'t TypeRef) -> Option<&'t TypeRef> {
        match ty {
            TypeRef::Named(id) => match &self.api.types.get(id)?.kind {
                TypeKind::Newtype(inner) => Some(inner),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Mirrors the derives in `emit::types`: structs whose fields all default,
/// newtypes of defaulting types, and the std containers.
pub fn has_default(api: &Api, ty: &TypeRef, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match ty {
        TypeRef::Named(id) => match api.types.get(id).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => s
                .fields
                .iter()
                .all(|f| !f.required || matches!(f.ty, TypeRef::Nullable(_) | TypeRef::Any)),
            Some(TypeKind::Newtype(inner)) => has_default(api, inner, depth + 1),
            _ => false,
        },
        TypeRef::String(_) | TypeRef::Integer(_) | TypeRef::Number(_) | TypeRef::Boolean => true,
        TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Any | TypeRef::Nullable(_) => true,
    }
}
