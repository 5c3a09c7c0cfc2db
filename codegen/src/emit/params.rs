//! How a parameter's value travels as text, shared by client and server so
//! both sides always agree.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::rust::{TypeWriter, ident};
use crate::model::{EnumValue, TypeKind, TypeRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One value with a `ParamValue` impl.
    Scalar,
    /// A list of scalars: repeated, or comma-separated.
    Array,
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
            _ => Shape::Json,
        },
        _ => Shape::Json,
    }
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
        (TypeRef::Integer(_), serde_json::Value::Number(n)) => n.as_i64().map(|n| {
            let lit = Literal::i64_unsuffixed(n);
            quote! { #lit }
        }),
        (TypeRef::Number(_), serde_json::Value::Number(n)) => n.as_f64().map(|n| {
            let lit = Literal::f64_unsuffixed(n);
            quote! { #lit }
        }),
        (TypeRef::Boolean, serde_json::Value::Bool(b)) => Some(quote! { #b }),
        (TypeRef::Named(id), serde_json::Value::String(s)) => match &w.api.types.get(id)?.kind {
            TypeKind::Enum(e) => {
                let index = e
                    .values
                    .iter()
                    .position(|v| *v == EnumValue::String(s.clone()))?;
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
        },
        _ => None,
    }
}
