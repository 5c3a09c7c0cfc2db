//! Schemas as Rust types: structs, enums, unions and newtypes with serde,
//! printed from the plan's [`TypeDecl`]s.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::rust::{Scope, deprecated, doc, doc_paragraphs, ident, ty, value};
use crate::plan::{
    DeclKind, EnumDecl, EnumVariant, FieldDecl, FieldSerde, NewtypeDecl, Plan, StructDecl, Tagging,
    TypeDecl, UnionDecl,
};

/// The `types` module of one spec.
pub fn emit(plan: &Plan) -> TokenStream {
    let items = plan.types.iter().map(type_decl);
    quote! {
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
        #(#items)*
    }
}

fn type_decl(decl: &TypeDecl) -> TokenStream {
    let docs = doc(decl.description.as_deref());
    let deprecated = deprecated(decl.deprecated);
    let name = ident(&decl.name);
    let body = match &decl.kind {
        DeclKind::Struct(s) => struct_decl(&name, s),
        DeclKind::Enum(EnumDecl::Strings(variants)) => string_enum(&name, variants),
        DeclKind::Enum(EnumDecl::Integers(variants)) => integer_enum(&name, variants),
        DeclKind::Union(u) => union_decl(&name, u),
        DeclKind::Newtype(n) => newtype_decl(&name, n),
    };
    quote! { #docs #deprecated #body }
}

fn struct_decl(name: &proc_macro2::Ident, s: &StructDecl) -> TokenStream {
    let fields = s.fields.iter().map(field);
    let additional = s.additional.as_ref().map(|value| {
        let value = ty(value, Scope::Types);
        quote! {
            /// Properties not listed in the schema, kept as sent.
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #value>,
        }
    });
    let default = s
        .derives_default
        .then(|| quote! { ::std::default::Default, });
    let default_fns: Vec<TokenStream> = s
        .fields
        .iter()
        .filter_map(|f| match &f.serde {
            FieldSerde::DefaultFn(default) => {
                let function = ident(&default.function);
                let ty = ty(&default.ty, Scope::Types);
                let value = value(&default.value, Scope::Types);
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
    quote! {
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }

        #default_impl
    }
}

fn field(field: &FieldDecl) -> TokenStream {
    let name = ident(&field.name);
    let field_ty = ty(&field.ty, Scope::Types);
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
        FieldSerde::RequiredNullable => {
            quote! { #docs #deprecated #[serde(#rename default)] pub #name: #field_ty, }
        }
        FieldSerde::Optional | FieldSerde::Flatten => quote! {
            #docs #deprecated
            #[serde(#rename default, skip_serializing_if = "::std::option::Option::is_none")]
            pub #name: #field_ty,
        },
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

fn string_enum(name: &proc_macro2::Ident, values: &[EnumVariant<String>]) -> TokenStream {
    let variants: Vec<_> = values.iter().map(|v| ident(&v.name)).collect();
    let wires: Vec<&String> = values.iter().map(|v| &v.wire).collect();
    let expected = wires
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    quote! {
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq,
            ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum #name {
            #( #[serde(rename = #wires)] #variants, )*
        }

        impl #name {
            /// Every value, in the spec's order.
            pub const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &'static str {
                match self { #( Self::#variants => #wires, )* }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::string::String;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                match value {
                    #( #wires => ::std::result::Result::Ok(Self::#variants), )*
                    other => ::std::result::Result::Err(::std::format!("expected one of {}, found `{}`", #expected, other)),
                }
            }
        }

        impl ::mfa_runtime::param::ParamValue for #name {
            fn to_param(&self) -> ::std::string::String { self.as_str().to_string() }
            fn from_param(text: &str) -> ::std::result::Result<Self, ::std::string::String> { text.parse() }
        }
    }
}

/// An integer enum: a number on the wire, so serde is written by hand
/// (serde's derive only renames to strings).
fn integer_enum(name: &proc_macro2::Ident, values: &[EnumVariant<i64>]) -> TokenStream {
    let variants: Vec<_> = values.iter().map(|v| ident(&v.name)).collect();
    let numbers: Vec<Literal> = values
        .iter()
        .map(|v| Literal::i64_unsuffixed(v.wire))
        .collect();
    let expected = values
        .iter()
        .map(|v| format!("`{}`", v.wire))
        .collect::<Vec<_>>()
        .join(", ");
    let expecting = format!("one of {expected}");
    // The values are digits: no braces to escape in the format strings.
    let unknown_number = format!("expected {expecting}, found `{{other}}`");
    let unknown_text = format!("expected {expecting}, found `{{value}}`");
    quote! {
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq,
            ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord)]
        pub enum #name {
            #( #variants, )*
        }

        impl #name {
            /// Every value, in the spec's order.
            pub const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The value as it appears on the wire.
            pub fn as_i64(&self) -> i64 {
                match self { #( Self::#variants => #numbers, )* }
            }
        }

        impl ::std::convert::TryFrom<i64> for #name {
            type Error = ::std::string::String;
            fn try_from(value: i64) -> ::std::result::Result<Self, Self::Error> {
                match value {
                    #( #numbers => ::std::result::Result::Ok(Self::#variants), )*
                    other => ::std::result::Result::Err(::std::format!(#unknown_number)),
                }
            }
        }

        impl ::std::convert::From<#name> for i64 {
            fn from(value: #name) -> i64 { value.as_i64() }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.as_i64(), f)
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::string::String;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                match value.parse::<i64>() {
                    ::std::result::Result::Ok(number) => ::std::convert::TryFrom::try_from(number),
                    ::std::result::Result::Err(_) => ::std::result::Result::Err(::std::format!(#unknown_text)),
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.as_i64())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                // A visitor, so anything refused (a string, a float, an
                // unknown number) is reported with the allowed values.
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_i64<E: ::serde::de::Error>(self, value: i64) -> ::std::result::Result<#name, E> {
                        match value {
                            #( #numbers => ::std::result::Result::Ok(#name::#variants), )*
                            other => ::std::result::Result::Err(E::invalid_value(::serde::de::Unexpected::Signed(other), &self)),
                        }
                    }
                    fn visit_u64<E: ::serde::de::Error>(self, value: u64) -> ::std::result::Result<#name, E> {
                        match i64::try_from(value) {
                            ::std::result::Result::Ok(value) => self.visit_i64(value),
                            ::std::result::Result::Err(_) => ::std::result::Result::Err(E::invalid_value(::serde::de::Unexpected::Unsigned(value), &self)),
                        }
                    }
                }
                deserializer.deserialize_i64(Visitor)
            }
        }

        impl ::mfa_runtime::param::ParamValue for #name {
            fn to_param(&self) -> ::std::string::String { self.as_i64().to_string() }
            fn from_param(text: &str) -> ::std::result::Result<Self, ::std::string::String> { text.parse() }
        }
    }
}

fn union_decl(name: &proc_macro2::Ident, u: &UnionDecl) -> TokenStream {
    let variants: Vec<_> = u.variants.iter().map(|v| ident(&v.name)).collect();
    let types = u.variants.iter().map(|v| ty(&v.ty, Scope::Types));
    match &u.tagging {
        Tagging::Discriminated { property } => {
            let tags: Vec<&String> = u.variants.iter().filter_map(|v| v.tag.as_ref()).collect();
            let derive = quote! {
                #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
                pub enum #name { #( #variants(#types), )* }
            };
            let serde = discriminated_serde(name, property, &variants, &tags);
            quote! { #derive #serde }
        }
        Tagging::Untagged => quote! {
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(untagged)]
            pub enum #name { #( #variants(#types), )* }
        },
    }
}

/// serde's internally tagged enums consume the tag, but each branch's own
/// schema declares it too (often as a required field): peek at the tag,
/// then decode the whole object as that branch, and write the tag back
/// when a branch's struct does not carry it.
fn discriminated_serde(
    name: &proc_macro2::Ident,
    property: &str,
    variants: &[proc_macro2::Ident],
    tags: &[&String],
) -> TokenStream {
    let expected = tags
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let (tag, value) = match self {
                    #( Self::#variants(value) => (#tags, ::serde_json::to_value(value)), )*
                };
                let mut value = value.map_err(::serde::ser::Error::custom)?;
                if let ::std::option::Option::Some(object) = value.as_object_mut() {
                    object.entry(#property).or_insert_with(|| ::serde_json::Value::from(tag));
                }
                ::serde::Serialize::serialize(&value, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(::std::string::ToString::to_string);
                match tag.as_deref() {
                    #( ::std::option::Option::Some(#tags) => ::serde_json::from_value(value).map(Self::#variants).map_err(::serde::de::Error::custom), )*
                    other => ::std::result::Result::Err(::serde::de::Error::custom(::std::format!(
                        "`{}` must be one of {}, found {:?}", #property, #expected, other
                    ))),
                }
            }
        }
    }
}

fn newtype_decl(name: &proc_macro2::Ident, n: &NewtypeDecl) -> TokenStream {
    let ty = ty(&n.inner, Scope::Types);
    let default = n
        .derives_default
        .then(|| quote! { ::std::default::Default, });
    let param = n.param_value.then(|| {
        quote! {
            impl ::mfa_runtime::param::ParamValue for #name {
                fn to_param(&self) -> ::std::string::String { ::mfa_runtime::param::ParamValue::to_param(&self.0) }
                fn from_param(text: &str) -> ::std::result::Result<Self, ::std::string::String> {
                    <#ty as ::mfa_runtime::param::ParamValue>::from_param(text).map(Self)
                }
            }
        }
    });
    // A list of strings is built from a literal array: `["root", "alpha"]`.
    let from_array = n.from_str_array.then(|| {
        quote! {
            impl<const N: usize> ::std::convert::From<[&str; N]> for #name {
                fn from(items: [&str; N]) -> Self {
                    Self(items.into_iter().map(::std::string::String::from).collect())
                }
            }
        }
    });
    quote! {
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct #name(pub #ty);

        #from_array

        impl ::std::convert::From<#ty> for #name {
            fn from(value: #ty) -> Self { Self(value) }
        }

        impl ::std::ops::Deref for #name {
            type Target = #ty;
            fn deref(&self) -> &#ty { &self.0 }
        }

        #param
    }
}
