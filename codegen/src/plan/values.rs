//! Values the generated code writes out: a schema's `default` as a Rust
//! expression, decided once for the struct that fills it in and the client
//! that starts a call with it.

use super::Context;
use super::rust_type::RustType;
use crate::model::{EnumValue, IntegerFormat, NumberFormat, TypeKind, TypeRef};

/// A Rust value, as a literal or a constructor of a generated type.
#[derive(Debug, Clone, PartialEq)]
pub enum RustValue {
    /// `String::from("..")`.
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// An enum's variant: `Type::Variant`.
    Variant {
        ty: RustType,
        variant: String,
    },
    /// A newtype around a value: `Type(inner)`.
    Newtype {
        ty: RustType,
        inner: Box<RustValue>,
    },
    /// `Some(value)`.
    Some(Box<RustValue>),
}

impl Context<'_> {
    /// A Rust value of type `ty` for a schema `default`, when it can be
    /// written: only literals that fit the type they are for.
    pub(super) fn default_value(
        &self,
        ty: &TypeRef,
        value: &serde_json::Value,
    ) -> Option<RustValue> {
        match (ty, value) {
            (TypeRef::String(_), serde_json::Value::String(s)) => Some(RustValue::Str(s.clone())),
            (TypeRef::Integer(format), serde_json::Value::Number(n)) => {
                let n = n.as_i64()?;
                let fits = match format {
                    IntegerFormat::I32 => i32::try_from(n).is_ok(),
                    IntegerFormat::I64 => true,
                };
                fits.then_some(RustValue::Int(n))
            }
            (TypeRef::Number(format), serde_json::Value::Number(n)) => {
                let n = n.as_f64()?;
                let fits = *format == NumberFormat::F64 || (n as f32).is_finite();
                fits.then_some(RustValue::Float(n))
            }
            (TypeRef::Boolean, serde_json::Value::Bool(b)) => Some(RustValue::Bool(*b)),
            (TypeRef::Named(id), serde_json::Value::String(_) | serde_json::Value::Number(_)) => {
                match &self.api.types.get(id)?.kind {
                    TypeKind::Enum(e) => {
                        let wanted = match value {
                            serde_json::Value::String(s) => EnumValue::String(s.clone()),
                            _ => EnumValue::Integer(value.as_i64()?),
                        };
                        let index = e.values.iter().position(|v| *v == wanted)?;
                        Some(RustValue::Variant {
                            ty: self.rust_type(ty),
                            variant: self.names.members(id).get(index)?.clone(),
                        })
                    }
                    TypeKind::Newtype(inner @ TypeRef::String(_)) => Some(RustValue::Newtype {
                        ty: self.rust_type(ty),
                        inner: Box::new(self.default_value(inner, value)?),
                    }),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
