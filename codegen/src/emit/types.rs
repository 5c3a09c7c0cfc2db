//! Schemas as Rust types: structs, enums, unions and newtypes with serde,
//! printed from the plan's [`TypeDecl`]s. What every enum or union does
//! alike (reading a wire value back, tagging) is the runtime's `enums`.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::rust::{Printer, Scope, deprecated, doc, doc_paragraphs, ident, runtime_alias};
use crate::plan::{
    DeclKind, EnumDecl, EnumVariant, FieldDecl, FieldSerde, NewtypeDecl, Plan, StructDecl, Tagging,
    TypeDecl, UnionDecl,
};

/// The `types` module of one spec.
pub fn emit(plan: &Plan) -> TokenStream {
    let p = Printer::new(Scope::Types, plan);
    let items = plan.types.iter().map(|decl| type_decl(&p, decl));
    // Structs name it for their optional and nullable fields only.
    let uses_runtime = plan.types.iter().any(|decl| match &decl.kind {
        DeclKind::Enum(_) => true,
        DeclKind::Union(u) => {
            matches!(u.tagging, Tagging::Discriminated { .. }) || u.text.is_some()
        }
        DeclKind::Newtype(n) => n.param_value,
        DeclKind::Struct(s) => s.fields.iter().any(|f| {
            matches!(
                f.serde,
                FieldSerde::OptionalNotNull
                    | FieldSerde::OptionalNullable
                    | FieldSerde::RequiredNullable
            )
        }),
    });
    let rt = uses_runtime.then(runtime_alias);
    quote! {
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]

        #rt

        #(#items)*
    }
}

fn type_decl(p: &Printer<'_>, decl: &TypeDecl) -> TokenStream {
    let docs = doc(decl.description.as_deref());
    let deprecated = deprecated(decl.deprecated);
    let name = ident(&decl.name);
    let body = match &decl.kind {
        DeclKind::Struct(s) => struct_decl(p, &name, s),
        DeclKind::Enum(EnumDecl::Strings {
            variants,
            catch_all,
        }) => string_enum(p, &name, variants, catch_all),
        DeclKind::Enum(EnumDecl::Integers {
            variants,
            catch_all,
        }) => integer_enum(p, &name, variants, catch_all),
        DeclKind::Union(u) => union_decl(p, &name, u),
        DeclKind::Newtype(n) => newtype_decl(p, &name, n),
    };
    quote! { #docs #deprecated #body }
}

fn struct_decl(p: &Printer<'_>, name: &Ident, s: &StructDecl) -> TokenStream {
    let fields = s.fields.iter().map(|f| field(p, f));
    let additional = s.additional.as_ref().map(|value| {
        let (string, value) = (p.prelude("String"), p.ty(value));
        quote! {
            /// Properties not listed in the schema, kept as sent.
            #[serde(flatten)]
            pub additional_properties: std::collections::BTreeMap<#string, #value>,
        }
    });
    let default = s.derives_default.then(|| quote! { Default, });
    let default_fns: Vec<TokenStream> = s
        .fields
        .iter()
        .filter_map(|f| match &f.serde {
            FieldSerde::DefaultFn(default) => {
                let function = ident(&default.function);
                let ty = p.ty(&default.ty);
                let value = p.value(&default.value);
                Some(quote! { fn #function() -> #ty { #value } })
            }
            _ => None,
        })
        .collect();
    let default_impl = (!default_fns.is_empty()).then(|| {
        quote! {
            /// The spec's defaults for required properties a message leaves out.
            impl #name { #(#default_fns)* }
        }
    });
    let closed = s
        .deny_unknown
        .then(|| quote! { #[serde(deny_unknown_fields)] });
    quote! {
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #closed
        pub struct #name {
            #(#fields)*
            #additional
        }

        #default_impl
    }
}

fn field(p: &Printer<'_>, field: &FieldDecl) -> TokenStream {
    let name = ident(&field.name);
    let field_ty = p.ty(&field.ty);
    if field.serde == FieldSerde::Flatten {
        return quote! {
            /// The `allOf` member that is a union: its properties sit beside these.
            #[serde(flatten)]
            pub #name: #field_ty,
        };
    }
    let access = match (field.read_only, field.write_only) {
        (true, _) => Some("Read-only: the server sends it and ignores it in requests."),
        (_, true) => Some("Write-only: sent in requests, never returned."),
        _ => None,
    };
    let defaults = default_note(field.default.as_ref());
    let docs = doc_paragraphs(&[field.description.as_deref(), defaults.as_deref(), access]);
    let deprecated = deprecated(field.deprecated);
    let wire = &field.wire;
    let rename = field.rename.then(|| quote! { rename = #wire, });
    match &field.serde {
        FieldSerde::DefaultFn(default) => {
            let path = &default.path;
            quote! { #docs #deprecated #[serde(#rename default = #path)] pub #name: #field_ty, }
        }
        FieldSerde::Required => {
            let attrs = rename.map(|r| quote! { #[serde(#r)] });
            quote! { #docs #deprecated #attrs pub #name: #field_ty, }
        }
        FieldSerde::RequiredNullable => quote! {
            #docs #deprecated
            #[serde(#rename deserialize_with = "rt::nullable::required")]
            pub #name: #field_ty,
        },
        FieldSerde::Optional
        | FieldSerde::OptionalNotNull
        | FieldSerde::OptionalNullable
        | FieldSerde::Flatten => {
            // A path serde resolves here, where `Option` may be a type of
            // the spec's.
            let is_none = format!("{}::is_none", p.prelude("Option")).replace(' ', "");
            let read = match field.serde {
                FieldSerde::OptionalNotNull => Some(quote! { with = "rt::optional", }),
                FieldSerde::OptionalNullable => Some(quote! { with = "rt::nullable::double", }),
                _ => None,
            };
            quote! {
                #docs #deprecated
                #[serde(#rename default, #read skip_serializing_if = #is_none)]
                pub #name: #field_ty,
            }
        }
    }
}

/// "Defaults to `20` when absent." for a property with a `default`; nothing
/// for `default: null`, which says no more than leaving the property out.
fn default_note(default: Option<&serde_json::Value>) -> Option<String> {
    let value = default.filter(|v| !v.is_null())?;
    let json = value.to_string();
    let fence = if json.contains('`') { "``" } else { "`" };
    let pad = if json.contains('`') { " " } else { "" };
    Some(format!(
        "Defaults to {fence}{pad}{json}{pad}{fence} when absent."
    ))
}

/// An enum as text, read back by `from_str` (the body of
/// `FromStr::from_str`, given `value`): `FromStr`, and `ParamValue` (a
/// query, path or header value).
fn enum_text(p: &Printer<'_>, name: &Ident, as_wire: &Ident, from_str: TokenStream) -> TokenStream {
    let (string, result) = (p.prelude("String"), p.prelude("Result"));
    quote! {
        impl std::str::FromStr for #name {
            type Err = #string;

            fn from_str(value: &str) -> #result<Self, Self::Err> {
                #from_str
            }
        }

        impl rt::param::ParamValue for #name {
            fn to_param(&self) -> #string {
                self.#as_wire().to_string()
            }

            fn from_param(text: &str) -> #result<Self, #string> {
                text.parse()
            }
        }
    }
}

/// A string enum: the spec's values, and a catch-all keeping any other
/// text, which clients decode (a vendor's next release may add values) and
/// servers refuse with the allowed values (`rt::enums`).
fn string_enum(
    p: &Printer<'_>,
    name: &Ident,
    values: &[EnumVariant<String>],
    catch_all: &str,
) -> TokenStream {
    let variants: Vec<_> = values.iter().map(|v| ident(&v.name)).collect();
    let wires: Vec<&String> = values.iter().map(|v| &v.wire).collect();
    let unknown = ident(catch_all);
    let (string, result) = (p.prelude("String"), p.prelude("Result"));
    let text = enum_text(
        p,
        name,
        &ident("as_str"),
        quote! { rt::enums::read(value, Self::ALL, Self::as_str, Self::#unknown) },
    );
    quote! {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #variants, )*
            /// A value the spec does not list, as received: clients keep it,
            /// servers refuse it (400).
            #unknown(#string),
        }

        impl #name {
            /// Every value the spec lists, in its order.
            pub const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::#unknown(text) => text,
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                rt::enums::deserialize_text(deserializer, Self::ALL, Self::as_str, Self::#unknown)
            }
        }

        #text
    }
}

/// An integer enum: a number on the wire, so serde is written by hand
/// (serde's derive only renames to strings).
fn integer_enum(
    p: &Printer<'_>,
    name: &Ident,
    values: &[EnumVariant<i64>],
    catch_all: &str,
) -> TokenStream {
    let variants: Vec<_> = values.iter().map(|v| ident(&v.name)).collect();
    let numbers: Vec<TokenStream> = values
        .iter()
        .map(|v| {
            let number = Literal::i64_unsuffixed(v.wire);
            quote! { #number }
        })
        .collect();
    let (string, result) = (p.prelude("String"), p.prelude("Result"));
    let (from, try_from) = (p.prelude("From"), p.prelude("TryFrom"));
    let unknown = ident(catch_all);
    let text = enum_text(
        p,
        name,
        &ident("as_i64"),
        quote! { rt::enums::parse_number(value, Self::ALL, Self::as_i64, Self::#unknown) },
    );
    quote! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #variants, )*
            /// A number the spec does not list, as received: clients keep it,
            /// servers refuse it (400).
            #unknown(i64),
        }

        impl #name {
            /// Every value the spec lists, in its order.
            pub const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The value as it appears on the wire.
            pub fn as_i64(&self) -> i64 {
                match self {
                    #( Self::#variants => #numbers, )*
                    Self::#unknown(number) => *number,
                }
            }
        }

        impl #try_from<i64> for #name {
            type Error = #string;

            fn try_from(value: i64) -> #result<Self, Self::Error> {
                rt::enums::read_number(value, Self::ALL, Self::as_i64, Self::#unknown)
            }
        }

        impl #from<#name> for i64 {
            fn from(value: #name) -> i64 {
                value.as_i64()
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.as_i64(), f)
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                serializer.serialize_i64(self.as_i64())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                rt::enums::deserialize_number(deserializer, Self::ALL, Self::as_i64, Self::#unknown)
            }
        }

        #text
    }
}

fn union_decl(p: &Printer<'_>, name: &Ident, u: &UnionDecl) -> TokenStream {
    let decl = union_type(p, name, u);
    let text = u.text.as_ref().map(|order| union_text(p, name, u, order));
    quote! { #decl #text }
}

/// A union of texts as a parameter value: its branch's text, read back by
/// the first branch (in the plan's order) that takes it.
fn union_text(p: &Printer<'_>, name: &Ident, u: &UnionDecl, order: &[String]) -> TokenStream {
    let (string, result) = (p.prelude("String"), p.prelude("Result"));
    let variants = u.variants.iter().map(|v| ident(&v.name));
    let tried = order.iter().map(|v| ident(v));
    quote! {
        impl rt::param::ParamValue for #name {
            fn to_param(&self) -> #string {
                match self {
                    #( Self::#variants(value) => rt::param::ParamValue::to_param(value), )*
                }
            }

            fn from_param(text: &str) -> #result<Self, #string> {
                rt::param::first_branch(text, &[
                    #( |text| rt::param::ParamValue::from_param(text).map(Self::#tried), )*
                ])
            }
        }
    }
}

fn union_type(p: &Printer<'_>, name: &Ident, u: &UnionDecl) -> TokenStream {
    let variants: Vec<_> = u.variants.iter().map(|v| ident(&v.name)).collect();
    let types = u.variants.iter().map(|v| p.ty(&v.ty));
    match &u.tagging {
        Tagging::Discriminated { property } => {
            let tags: Vec<&String> = u.variants.iter().filter_map(|v| v.tag.as_ref()).collect();
            let result = p.prelude("Result");
            let (some, err) = (p.prelude("Some"), p.prelude("Err"));
            quote! {
                #[derive(Debug, Clone, PartialEq)]
                pub enum #name { #( #variants(#types), )* }

                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                        match self {
                            #( Self::#variants(value) => rt::enums::serialize_tagged(serializer, #property, #tags, value), )*
                        }
                    }
                }

                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                        let (tag, value) = rt::enums::tagged(deserializer, #property)?;
                        match tag.as_deref() {
                            #( #some(#tags) => rt::enums::branch(value).map(Self::#variants), )*
                            other => #err(rt::enums::unknown_tag(#property, &[#(#tags),*], other)),
                        }
                    }
                }
            }
        }
        Tagging::Untagged => quote! {
            #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
            #[serde(untagged)]
            pub enum #name { #( #variants(#types), )* }
        },
    }
}

fn newtype_decl(p: &Printer<'_>, name: &Ident, n: &NewtypeDecl) -> TokenStream {
    let ty = p.ty(&n.inner);
    let default = n.derives_default.then(|| quote! { Default, });
    let (string, result) = (p.prelude("String"), p.prelude("Result"));
    let param = n.param_value.then(|| {
        quote! {
            impl rt::param::ParamValue for #name {
                fn to_param(&self) -> #string {
                    rt::param::ParamValue::to_param(&self.0)
                }

                fn from_param(text: &str) -> #result<Self, #string> {
                    <#ty as rt::param::ParamValue>::from_param(text).map(Self)
                }
            }
        }
    });
    let from = p.prelude("From");
    // A list of strings is built from a literal array: `["root", "alpha"]`.
    let from_array = n.from_str_array.then(|| {
        let string = p.prelude("String");
        quote! {
            impl<const N: usize> #from<[&str; N]> for #name {
                fn from(items: [&str; N]) -> Self {
                    Self(items.into_iter().map(#string::from).collect())
                }
            }
        }
    });
    quote! {
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct #name(pub #ty);

        #from_array

        impl #from<#ty> for #name {
            fn from(value: #ty) -> Self {
                Self(value)
            }
        }

        impl std::ops::Deref for #name {
            type Target = #ty;

            fn deref(&self) -> &#ty {
                &self.0
            }
        }

        #param
    }
}
