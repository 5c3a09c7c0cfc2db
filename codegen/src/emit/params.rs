//! How a parameter's value travels as text, shared by client and server so
//! both sides always agree.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::rust::{TypeWriter, ident};
use crate::model::{
    EnumValue, IntegerFormat, NumberFormat, Operation, ParamLocation, ParamStyle, Parameter,
    SecurityKind, StringFormat, TypeKind, TypeRef,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One value with a `ParamValue` impl.
    Scalar,
    /// A list of scalars: repeated, or delimited.
    Array,
    /// A struct or map: `key=value` pairs in a query (by its style); compact
    /// JSON in a header, cookie or path.
    Object,
    /// Anything else, as compact JSON text.
    Json,
}

pub fn shape(w: &TypeWriter<'_>, ty: &TypeRef) -> Shape {
    if is_scalar(w, ty) {
        return Shape::Scalar;
    }
    match ty {
        TypeRef::Array(item) if is_scalar(w, item) => Shape::Array,
        TypeRef::Named(_) => match w.newtype_inner(ty) {
            Some(TypeRef::Array(item)) if is_scalar(w, item) => Shape::Array,
            _ if object_type(w, ty).is_some() => Shape::Object,
            _ => Shape::Json,
        },
        TypeRef::Map(_) => Shape::Object,
        _ => Shape::Json,
    }
}

/// The properties of an object type, as far as the query needs them.
pub struct ObjectType {
    /// The wire names of its declared properties.
    pub fields: Vec<String>,
    /// Other keys are allowed too (a map, or `additionalProperties`).
    pub open: bool,
}

/// `Some` for a struct or map (through newtypes): what serializes as a JSON
/// object with a property per key.
pub fn object_type(w: &TypeWriter<'_>, ty: &TypeRef) -> Option<ObjectType> {
    object_type_at(w, ty, 0)
}

fn object_type_at(w: &TypeWriter<'_>, ty: &TypeRef, depth: usize) -> Option<ObjectType> {
    match ty {
        TypeRef::Map(_) => Some(ObjectType {
            fields: Vec::new(),
            open: true,
        }),
        TypeRef::Named(id) if depth < 8 => match &w.api.types.get(id)?.kind {
            TypeKind::Struct(s) => Some(ObjectType {
                fields: s.fields.iter().map(|f| f.name.clone()).collect(),
                open: s.additional.is_some(),
            }),
            TypeKind::Newtype(inner) => object_type_at(w, inner, depth + 1),
            _ => None,
        },
        _ => None,
    }
}

/// A `format: binary` string (directly or through a newtype): bytes, sent
/// as a file part in a multipart body.
pub fn is_binary(w: &TypeWriter<'_>, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String(StringFormat::Binary) => true,
        TypeRef::Named(_) => matches!(
            w.newtype_inner(ty),
            Some(TypeRef::String(StringFormat::Binary))
        ),
        _ => false,
    }
}

/// How a query array or object is laid out, from its `style` and `explode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLayout {
    /// One pair per item or property (`form`, exploded; exploded space or
    /// pipe delimited styles mean the same).
    Exploded,
    /// One pair, items joined by this `Delimiter` variant.
    Delimited(&'static str),
    /// `name[key]=value` (objects); arrays in `deepObject` are exploded.
    Deep,
}

pub fn query_layout(p: &Parameter) -> QueryLayout {
    match (p.style, p.explode) {
        (ParamStyle::DeepObject, _) => QueryLayout::Deep,
        (_, true) => QueryLayout::Exploded,
        (ParamStyle::SpaceDelimited, false) => QueryLayout::Delimited("Space"),
        (ParamStyle::PipeDelimited, false) => QueryLayout::Delimited("Pipe"),
        // `form`, and path or header styles a query cannot have.
        (_, false) => QueryLayout::Delimited("Comma"),
    }
}

/// `::mfa_runtime::query::Delimiter::Comma` and so on.
pub fn delimiter_tokens(variant: &str) -> TokenStream {
    let variant = ident(variant);
    quote! { ::mfa_runtime::query::Delimiter::#variant }
}

/// The `ObjectStyle` a client sends an object query parameter in.
pub fn object_style_tokens(p: &Parameter) -> TokenStream {
    match query_layout(p) {
        QueryLayout::Exploded => quote! { ::mfa_runtime::query::ObjectStyle::Exploded },
        QueryLayout::Deep => quote! { ::mfa_runtime::query::ObjectStyle::DeepObject },
        QueryLayout::Delimited(variant) => {
            let delimiter = delimiter_tokens(variant);
            quote! { ::mfa_runtime::query::ObjectStyle::Delimited(#delimiter) }
        }
    }
}

/// Which query pairs an exploded object reads: its properties, or for an
/// open object every pair but the operation's other query parameters, the
/// properties of its other exploded objects, and API keys sent in the query.
pub fn object_keys_tokens(
    w: &TypeWriter<'_>,
    op: &Operation,
    p: &Parameter,
    object: &ObjectType,
) -> TokenStream {
    if !object.open {
        let fields = &object.fields;
        return quote! { ::mfa_runtime::query::ObjectKeys::Only(&[#(#fields),*]) };
    }
    let mut others: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if !others.iter().any(|o| o == name) {
            others.push(name.to_string());
        }
    };
    for other in op.parameters_in(ParamLocation::Query) {
        if other.name == p.name {
            continue;
        }
        add(&other.name);
        let exploded =
            shape(w, &other.ty) == Shape::Object && query_layout(other) == QueryLayout::Exploded;
        if let Some(object) = object_type(w, &other.ty).filter(|_| exploded) {
            object.fields.iter().for_each(|f| add(f));
        }
    }
    for scheme in &w.api.security_schemes {
        if let SecurityKind::ApiKey {
            location: ParamLocation::Query,
            name,
        } = &scheme.kind
        {
            add(name);
        }
    }
    quote! { ::mfa_runtime::query::ObjectKeys::AllBut(&[#(#others),*]) }
}

fn is_scalar(w: &TypeWriter<'_>, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String(_)
        | TypeRef::Integer(_)
        | TypeRef::Number(_)
        | TypeRef::Boolean
        | TypeRef::Any => true,
        TypeRef::Named(id) => match w.api.types.get(id).map(|d| &d.kind) {
            Some(TypeKind::Enum(_)) => true,
            Some(TypeKind::Newtype(inner)) => {
                matches!(
                    inner,
                    TypeRef::String(_)
                        | TypeRef::Integer(_)
                        | TypeRef::Number(_)
                        | TypeRef::Boolean
                )
            }
            _ => false,
        },
        _ => false,
    }
}

/// A Rust expression for a schema `default`, when it can be written.
pub fn default_expr(
    w: &TypeWriter<'_>,
    ty: &TypeRef,
    value: &serde_json::Value,
) -> Option<TokenStream> {
    match (ty, value) {
        (TypeRef::String(_), serde_json::Value::String(s)) => {
            Some(quote! { ::std::string::String::from(#s) })
        }
        // Only literals that fit the integer or float type they are for.
        (TypeRef::Integer(format), serde_json::Value::Number(n)) => {
            let n = n.as_i64()?;
            let fits = match format {
                IntegerFormat::I32 => i32::try_from(n).is_ok(),
                IntegerFormat::I64 => true,
                IntegerFormat::U32 => u32::try_from(n).is_ok(),
                IntegerFormat::U64 => n >= 0,
            };
            let lit = Literal::i64_unsuffixed(n);
            fits.then(|| quote! { #lit })
        }
        (TypeRef::Number(format), serde_json::Value::Number(n)) => {
            let n = n.as_f64()?;
            let fits = *format == NumberFormat::F64 || (n as f32).is_finite();
            let lit = Literal::f64_unsuffixed(n);
            fits.then(|| quote! { #lit })
        }
        (TypeRef::Boolean, serde_json::Value::Bool(b)) => Some(quote! { #b }),
        (TypeRef::Named(id), serde_json::Value::String(_) | serde_json::Value::Number(_)) => {
            match &w.api.types.get(id)?.kind {
                TypeKind::Enum(e) => {
                    let wanted = match value {
                        serde_json::Value::String(s) => EnumValue::String(s.clone()),
                        _ => EnumValue::Integer(value.as_i64()?),
                    };
                    let index = e.values.iter().position(|v| *v == wanted)?;
                    let ty = w.ty(ty);
                    let variant = ident(w.names.members(id).get(index)?);
                    Some(quote! { #ty::#variant })
                }
                TypeKind::Newtype(inner @ TypeRef::String(_)) => {
                    let inner = default_expr(w, inner, value)?;
                    let ty = w.ty(ty);
                    Some(quote! { #ty(#inner) })
                }
                _ => None,
            }
        }
        _ => None,
    }
}
