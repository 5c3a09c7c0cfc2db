//! What the model's types are like, as far as decisions need: whether a
//! value travels as one text, a list or an object, whether it is bytes,
//! whether its Rust type has a `Default`.

use super::Context;
use crate::model::{StringFormat, TypeKind, TypeRef};

/// How a parameter or header value travels as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
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

/// The properties of an object type, as far as the query needs them.
pub(super) struct ObjectType {
    /// The wire names of its declared properties.
    pub fields: Vec<String>,
    /// Other keys are allowed too (a map, or `additionalProperties`).
    pub open: bool,
}

impl Context<'_> {
    pub(super) fn shape(&self, ty: &TypeRef) -> Shape {
        if self.is_scalar(ty) {
            return Shape::Scalar;
        }
        match ty {
            TypeRef::Array(item) if self.is_scalar(item) => Shape::Array,
            TypeRef::Named(_) => match self.newtype_inner(ty) {
                Some(TypeRef::Array(item)) if self.is_scalar(item) => Shape::Array,
                _ if self.object_type(ty).is_some() => Shape::Object,
                _ => Shape::Json,
            },
            TypeRef::Map(_) => Shape::Object,
            _ => Shape::Json,
        }
    }

    fn is_scalar(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::String(_)
            | TypeRef::Integer(_)
            | TypeRef::Number(_)
            | TypeRef::Boolean
            | TypeRef::Any => true,
            TypeRef::Named(id) => match self.api.types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Newtype(inner)) => is_primitive(inner),
                _ => false,
            },
            _ => false,
        }
    }

    /// `Some` for a struct or map (through newtypes): what serializes as a
    /// JSON object with a property per key.
    pub(super) fn object_type(&self, ty: &TypeRef) -> Option<ObjectType> {
        self.object_type_at(ty, 0)
    }

    fn object_type_at(&self, ty: &TypeRef, depth: usize) -> Option<ObjectType> {
        match ty {
            TypeRef::Map(_) => Some(ObjectType {
                fields: Vec::new(),
                open: true,
            }),
            TypeRef::Named(id) if depth < 8 => match &self.api.types.get(id)?.kind {
                TypeKind::Struct(s) => Some(ObjectType {
                    fields: s.fields.iter().map(|f| f.name.clone()).collect(),
                    open: s.additional.is_some(),
                }),
                TypeKind::Newtype(inner) => self.object_type_at(inner, depth + 1),
                _ => None,
            },
            _ => None,
        }
    }

    /// A `format: binary` string (directly or through a newtype): bytes,
    /// sent as a file part in a multipart body.
    pub(super) fn is_binary(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::String(StringFormat::Binary) => true,
            TypeRef::Named(_) => matches!(
                self.newtype_inner(ty),
                Some(TypeRef::String(StringFormat::Binary))
            ),
            _ => false,
        }
    }

    /// The newtype's inner type, when `ty` names a newtype.
    pub(super) fn newtype_inner(&self, ty: &TypeRef) -> Option<&TypeRef> {
        match ty {
            TypeRef::Named(id) => match &self.api.types.get(id)?.kind {
                TypeKind::Newtype(inner) => Some(inner),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether `ty`'s generated Rust type implements `Default`: structs
    /// whose fields all default, newtypes of defaulting types, and the std
    /// containers (see the derives the plan decides in `types`).
    pub(super) fn has_default(&self, ty: &TypeRef) -> bool {
        self.has_default_at(ty, 0)
    }

    fn has_default_at(&self, ty: &TypeRef, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match ty {
            TypeRef::Named(id) => match self.api.types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => s
                    .fields
                    .iter()
                    .all(|f| !f.required || matches!(f.ty, TypeRef::Nullable(_) | TypeRef::Any)),
                Some(TypeKind::Newtype(inner)) => self.has_default_at(inner, depth + 1),
                _ => false,
            },
            TypeRef::String(_) | TypeRef::Integer(_) | TypeRef::Number(_) | TypeRef::Boolean => {
                true
            }
            TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Any | TypeRef::Nullable(_) => true,
        }
    }
}

/// A string, number or boolean.
pub(super) fn is_primitive(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::String(_) | TypeRef::Integer(_) | TypeRef::Number(_) | TypeRef::Boolean
    )
}

pub(super) fn strip_nullable(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) => inner,
        other => other,
    }
}
