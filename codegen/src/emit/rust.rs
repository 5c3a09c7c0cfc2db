//! Small helpers every emitter uses: identifiers, doc comments, and how
//! the plan's types and values are written.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::plan::{Plan, RustType, RustValue};

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
    let text = super::docs::unix_newlines(text);
    let lines = text.lines().map(|line| format!(" {line}"));
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = ...]` lines: the docs of the module or crate they open.
pub fn inner_doc_lines(text: &str) -> TokenStream {
    let text = super::docs::unix_newlines(text);
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

/// Docs that open with our own `lead` (`Status 400`, `` `id` (path
/// parameter) ``), then the spec's text after a colon: one paragraph, not
/// two, when the spec's text is one.
pub fn doc_lead(lead: &str, text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return doc_lines(&format!("{lead}."));
    };
    let text = super::docs::sanitize(text);
    // Text that opens with a list, heading, fence or table stays a block
    // of its own.
    let block = ["- ", "* ", "+ ", "#", "```", "|", ">"]
        .iter()
        .any(|m| text.starts_with(m))
        || text
            .split_once(". ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
    if block {
        doc_lines(&format!("{lead}.\n\n{text}"))
    } else {
        doc_lines(&format!("{lead}: {text}"))
    }
}

/// `#[deprecated]` when `deprecated`.
pub fn deprecated(deprecated: bool) -> Option<TokenStream> {
    deprecated.then(|| quote! { #[deprecated] })
}

/// Where a type is written from: inside the `types` file, the
/// `operations` file, or another file of the module (`client`, `server`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Types,
    Operations,
    Sibling,
}

/// Writes the plan's types and values from one file of the module.
#[derive(Debug, Clone, Copy)]
pub struct Printer<'p> {
    pub scope: Scope,
    /// Prelude names a generated type takes in the `types` file.
    shadowed: &'p [String],
}

impl<'p> Printer<'p> {
    pub fn new(scope: Scope, plan: &'p Plan) -> Self {
        let shadowed = match scope {
            Scope::Types => plan.shadowed.as_slice(),
            // The other files declare no name a prelude name could be.
            _ => &[],
        };
        Printer { scope, shadowed }
    }

    /// A prelude name (`Option`), or its full path where a generated type
    /// takes the name.
    pub fn prelude(&self, name: &str) -> TokenStream {
        if self.shadowed.iter().any(|s| s == name) {
            let path = match name {
                "Box" => quote! { ::std::boxed::Box },
                "Default" => quote! { ::std::default::Default },
                "Err" => quote! { ::std::result::Result::Err },
                "From" => quote! { ::std::convert::From },
                "None" => quote! { ::std::option::Option::None },
                "Ok" => quote! { ::std::result::Result::Ok },
                "Option" => quote! { ::std::option::Option },
                "Result" => quote! { ::std::result::Result },
                "Some" => quote! { ::std::option::Option::Some },
                "String" => quote! { ::std::string::String },
                "TryFrom" => quote! { ::std::convert::TryFrom },
                "Vec" => quote! { ::std::vec::Vec },
                other => {
                    let other = ident(other);
                    quote! { #other }
                }
            };
            return path;
        }
        let name = ident(name);
        quote! { #name }
    }

    /// A plan type as Rust tokens.
    pub fn ty(&self, ty: &RustType) -> TokenStream {
        let p = |name: &str| self.prelude(name);
        match ty {
            RustType::Named(name) => {
                let name = ident(name);
                match self.scope {
                    Scope::Types => quote! { #name },
                    Scope::Operations | Scope::Sibling => quote! { super::types::#name },
                }
            }
            RustType::Operation(name) => {
                let name = ident(name);
                match self.scope {
                    Scope::Operations => quote! { #name },
                    Scope::Types | Scope::Sibling => quote! { super::operations::#name },
                }
            }
            RustType::String => p("String"),
            RustType::I32 => quote! { i32 },
            RustType::I64 => quote! { i64 },
            RustType::F32 => quote! { f32 },
            RustType::F64 => quote! { f64 },
            RustType::Bool => quote! { bool },
            RustType::Json => quote! { serde_json::Value },
            RustType::Bytes => {
                let vec = p("Vec");
                quote! { #vec<u8> }
            }
            RustType::List(item) => {
                let (vec, item) = (p("Vec"), self.ty(item));
                quote! { #vec<#item> }
            }
            RustType::Map(value) => {
                let (string, value) = (p("String"), self.ty(value));
                quote! { std::collections::BTreeMap<#string, #value> }
            }
            RustType::Option(inner) => {
                let (option, inner) = (p("Option"), self.ty(inner));
                quote! { #option<#inner> }
            }
            RustType::Boxed(inner) => {
                let (boxed, inner) = (p("Box"), self.ty(inner));
                quote! { #boxed<#inner> }
            }
            RustType::FilePart => quote! { rt::form::FilePart },
            RustType::Multipart => quote! { rt::form::Multipart },
        }
    }

    /// A plan value as a Rust expression.
    pub fn value(&self, value: &RustValue) -> TokenStream {
        match value {
            RustValue::Str(s) => {
                let string = self.prelude("String");
                quote! { #string::from(#s) }
            }
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
                let ty = self.ty(ty);
                let variant = ident(variant);
                quote! { #ty::#variant }
            }
            RustValue::Newtype { ty, inner } => {
                let ty = self.ty(ty);
                let inner = self.value(inner);
                quote! { #ty(#inner) }
            }
            RustValue::Some(inner) => {
                let some = self.prelude("Some");
                let inner = self.value(inner);
                quote! { #some(#inner) }
            }
        }
    }
}

/// `use ::mfa_runtime as rt;`: every generated file names the runtime by
/// this reserved alias.
pub fn runtime_alias() -> TokenStream {
    let alias = ident(crate::plan::names::RUNTIME_ALIAS);
    quote! { use ::mfa_runtime as #alias; }
}
