//! Schemas as Rust types: structs, enums, unions and newtypes with serde.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::params::default_expr;
use super::rust::{TypeWriter, doc, doc_paragraphs, has_default, ident};
use crate::model::{
    Api, EnumValue, Field, OneOfDef, StructDef, TypeDef, TypeId, TypeKind, TypeRef,
};
use crate::naming::Names;

/// The `types` module of one spec.
pub fn emit(api: &Api, names: &Names) -> TokenStream {
    let writer = TypeWriter {
        api,
        names,
        prefix: TokenStream::new(),
    };
    let items = api.types.values().map(|def| type_def(&writer, def));
    quote! {
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
        #(#items)*
    }
}

fn type_def(w: &TypeWriter<'_>, def: &TypeDef) -> TokenStream {
    let docs = doc(def.description.as_deref());
    let deprecated = def.deprecated.then(|| quote! { #[deprecated] });
    let body = match &def.kind {
        TypeKind::Struct(s) => struct_def(w, def, s),
        TypeKind::Enum(e) => enum_def(w, def, &e.values),
        TypeKind::OneOf(o) => one_of_def(w, def, o),
        TypeKind::Newtype(inner) => newtype_def(w, def, inner),
    };
    quote! { #docs #deprecated #body }
}

fn struct_def(w: &TypeWriter<'_>, def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(w.names.type_name(&def.id));
    let members = w.names.members(&def.id);
    let cyclic = cyclic_fields(w.api, &def.id, s);
    let mut default_fns = Vec::new();
    let fields: Vec<TokenStream> = s
        .fields
        .iter()
        .zip(members)
        .enumerate()
        .map(|(i, (field, member))| {
            let boxed = cyclic.contains(&i);
            let default_fn = (!boxed)
                .then(|| missing_default(w, &name, field, member))
                .flatten();
            let attr = default_fn.as_ref().map(|(path, _)| path.clone());
            default_fns.extend(default_fn.map(|(_, item)| item));
            field_tokens(w, field, member, boxed, attr)
        })
        .collect();
    let additional = s.additional.as_ref().map(|ty| {
        let ty = w.ty(ty);
        quote! {
            /// Properties not listed in the schema, kept as sent.
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #ty>,
        }
    });
    let default = has_default(w.api, &TypeRef::Named(def.id.clone()), 0)
        .then(|| quote! { ::std::default::Default, });
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

/// For a required property with a `default` written as Rust: the path for
/// `#[serde(default = ..)]` and the private associated function it names,
/// so a message without the property still decodes, to the spec's value.
fn missing_default(
    w: &TypeWriter<'_>,
    owner: &proc_macro2::Ident,
    field: &Field,
    member: &str,
) -> Option<(String, TokenStream)> {
    if !field.required {
        return None;
    }
    let value = field.default.as_ref()?;
    let (ty, expr) = match &field.ty {
        TypeRef::Nullable(inner) => {
            let expr = default_expr(w, inner, value)?;
            let ty = w.ty(inner);
            (
                quote! { ::std::option::Option<#ty> },
                quote! { ::std::option::Option::Some(#expr) },
            )
        }
        ty => (w.ty(ty), default_expr(w, ty, value)?),
    };
    // Member names are unique per struct; `r#type` and `_2fa` lose their
    // prefixes so the function name stays snake case.
    let base = member.trim_start_matches("r#").trim_start_matches('_');
    let function = ident(&format!("default_{base}"));
    let path = format!("{owner}::{function}");
    Some((path, quote! { fn #function() -> #ty { #expr } }))
}

fn field_tokens(
    w: &TypeWriter<'_>,
    field: &Field,
    member: &str,
    boxed: bool,
    default_fn: Option<String>,
) -> TokenStream {
    if field.flatten {
        let name = ident(member);
        let ty = w.ty(&field.ty);
        return quote! {
            /// The `allOf` member that is a union: its properties sit beside these.
            #[serde(flatten)]
            pub #name: #ty,
        };
    }
    let name = ident(member);
    let wire = &field.name;
    let mut ty = w.ty(strip_nullable(&field.ty));
    if boxed {
        ty = quote! { ::std::boxed::Box<#ty> };
    }
    let nullable = matches!(field.ty, TypeRef::Nullable(_));
    let access = match (field.read_only, field.write_only) {
        (true, _) => Some("Read-only: the server sends it and ignores it in requests."),
        (_, true) => Some("Write-only: sent in requests, never returned."),
        _ => None,
    };
    let defaults = default_note(field);
    let docs = doc_paragraphs(&[field.description.as_deref(), defaults.as_deref(), access]);
    let deprecated = field.deprecated.then(|| quote! { #[deprecated] });
    let rename = (member.trim_start_matches("r#") != wire).then(|| quote! { rename = #wire, });
    if let Some(path) = default_fn {
        // Required with a default: always sent, filled in when missing.
        let ty = if nullable {
            quote! { ::std::option::Option<#ty> }
        } else {
            ty
        };
        quote! { #docs #deprecated #[serde(#rename default = #path)] pub #name: #ty, }
    } else if field.required && !nullable {
        let attrs = rename.map(|r| quote! { #[serde(#r)] });
        quote! { #docs #deprecated #attrs pub #name: #ty, }
    } else if field.required {
        // Required but nullable: always sent, `null` for `None`.
        quote! { #docs #deprecated #[serde(#rename default)] pub #name: ::std::option::Option<#ty>, }
    } else {
        quote! {
            #docs #deprecated
            #[serde(#rename default, skip_serializing_if = "::std::option::Option::is_none")]
            pub #name: ::std::option::Option<#ty>,
        }
    }
}

/// "Defaults to `20` when absent." for a property with a `default`; nothing
/// for `default: null`, which says no more than leaving the property out.
fn default_note(field: &Field) -> Option<String> {
    let value = field.default.as_ref().filter(|v| !v.is_null())?;
    let json = value.to_string();
    let fence = if json.contains('`') { "``" } else { "`" };
    let pad = if json.contains('`') { " " } else { "" };
    Some(format!(
        "Defaults to {fence}{pad}{json}{pad}{fence} when absent."
    ))
}

fn enum_def(w: &TypeWriter<'_>, def: &TypeDef, values: &[EnumValue]) -> TokenStream {
    let integers: Option<Vec<i64>> = values
        .iter()
        .map(|v| match v {
            EnumValue::Integer(i) => Some(*i),
            EnumValue::String(_) => None,
        })
        .collect();
    if let Some(integers) = integers {
        return integer_enum_def(w, def, &integers);
    }
    let name = ident(w.names.type_name(&def.id));
    let variants: Vec<_> = w.names.members(&def.id).iter().map(|v| ident(v)).collect();
    let wires: Vec<String> = values
        .iter()
        .map(|v| match v {
            EnumValue::String(s) => s.clone(),
            EnumValue::Integer(i) => i.to_string(),
        })
        .collect();
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
fn integer_enum_def(w: &TypeWriter<'_>, def: &TypeDef, values: &[i64]) -> TokenStream {
    let name = ident(w.names.type_name(&def.id));
    let variants: Vec<_> = w.names.members(&def.id).iter().map(|v| ident(v)).collect();
    let numbers: Vec<Literal> = values.iter().map(|v| Literal::i64_unsuffixed(*v)).collect();
    let expected = values
        .iter()
        .map(|v| format!("`{v}`"))
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

fn one_of_def(w: &TypeWriter<'_>, def: &TypeDef, o: &OneOfDef) -> TokenStream {
    let name = ident(w.names.type_name(&def.id));
    let variants: Vec<_> = w.names.members(&def.id).iter().map(|v| ident(v)).collect();
    let types = o.variants.iter().map(|v| w.ty(&v.ty));
    let tags: Option<Vec<&String>> = o.variants.iter().map(|v| v.tag.as_ref()).collect();
    match (&o.discriminator, tags) {
        (Some(property), Some(tags)) => {
            let derive = quote! {
                #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
                pub enum #name { #( #variants(#types), )* }
            };
            let serde = discriminated_serde(&name, property, &variants, &tags);
            quote! { #derive #serde }
        }
        _ => quote! {
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

fn newtype_def(w: &TypeWriter<'_>, def: &TypeDef, inner: &TypeRef) -> TokenStream {
    let name = ident(w.names.type_name(&def.id));
    let ty = w.ty(inner);
    let default = has_default(w.api, inner, 0).then(|| quote! { ::std::default::Default, });
    let param = matches!(inner, TypeRef::String(_) | TypeRef::Integer(_) | TypeRef::Number(_) | TypeRef::Boolean).then(|| {
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
    let from_array = matches!(inner, TypeRef::Array(item) if matches!(**item, TypeRef::String(_)))
        .then(|| {
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

fn strip_nullable(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) => inner,
        other => other,
    }
}

/// Fields whose type leads back to this struct without passing through a
/// `Vec` or map: they must be boxed, or the type would be infinitely large.
fn cyclic_fields(api: &Api, id: &TypeId, s: &StructDef) -> BTreeSet<usize> {
    s.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            let mut seen = BTreeSet::new();
            reaches(api, strip_nullable(&f.ty), id, &mut seen)
        })
        .map(|(i, _)| i)
        .collect()
}

fn reaches(api: &Api, ty: &TypeRef, target: &TypeId, seen: &mut BTreeSet<TypeId>) -> bool {
    let TypeRef::Named(id) = ty else { return false };
    if id == target {
        return true;
    }
    if !seen.insert(id.clone()) {
        return false;
    }
    match api.types.get(id).map(|d| &d.kind) {
        Some(TypeKind::Struct(s)) => s
            .fields
            .iter()
            .any(|f| reaches(api, strip_nullable(&f.ty), target, seen)),
        Some(TypeKind::Newtype(inner)) => reaches(api, strip_nullable(inner), target, seen),
        Some(TypeKind::OneOf(o)) => o
            .variants
            .iter()
            .any(|v| reaches(api, strip_nullable(&v.ty), target, seen)),
        _ => false,
    }
}
