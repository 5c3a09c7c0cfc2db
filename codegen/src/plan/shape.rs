//! What the model's types are like, as far as decisions need: whether a
//! value travels as one text, a list or an object, whether it is bytes,
//! whether its Rust type has a `Default`.

use super::Context;
use std::collections::BTreeSet;

use super::types::UnionVariant;
use crate::model::{Api, OneOfDef, StringFormat, TypeId, TypeKind, TypeRef};

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

    /// Whether the value travels as one text with a `ParamValue` impl:
    /// strings, numbers, booleans, enums, newtypes of those, and the unions
    /// of texts a parameter, header or form part holds (see
    /// [`text_unions`]).
    pub(super) fn is_scalar(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::String(_)
            | TypeRef::Integer(_)
            | TypeRef::Number(_)
            | TypeRef::Boolean
            | TypeRef::Any => true,
            TypeRef::Named(id) => match self.api.types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Newtype(inner)) => is_primitive(inner),
                Some(TypeKind::OneOf(_)) => self.text_unions.contains(id),
                _ => false,
            },
            _ => false,
        }
    }

    /// The order a union of texts tries its branches in when it reads one
    /// (see [`Self::is_scalar`]): text cannot tell `"5"` from `5`, so the
    /// branches that take the fewest texts go first (booleans and enums,
    /// then integers, then numbers, then nested unions), and those that take
    /// any text (strings, then any JSON) last; ties keep the spec's order.
    /// `5` reads as the integer branch of `oneOf: [string, integer]`, and
    /// writes back as the same text either way.
    pub(super) fn text_order(&self, variants: &[UnionVariant], union: &OneOfDef) -> Vec<String> {
        let mut ranked: Vec<(u8, &str)> = union
            .variants
            .iter()
            .zip(variants)
            .map(|(branch, variant)| (self.text_rank(&branch.ty), variant.name.as_str()))
            .collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        ranked
            .into_iter()
            .map(|(_, name)| name.to_string())
            .collect()
    }

    fn text_rank(&self, ty: &TypeRef) -> u8 {
        match ty {
            TypeRef::Boolean => 0,
            TypeRef::Integer(_) => 1,
            TypeRef::Number(_) => 2,
            TypeRef::String(_) => 4,
            TypeRef::Named(id) => match self.api.types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Enum(_)) => 0,
                Some(TypeKind::Newtype(inner)) if is_primitive(inner) => self.text_rank(inner),
                _ => 3,
            },
            _ => 5,
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

/// The unions whose every branch is one text (`oneOf: [integer, string]`;
/// enums, newtypes of texts and such unions count too) that a parameter, a
/// response header or a multipart part holds, directly or as list items:
/// those are parameter values (`ParamValue`, written as their branch's
/// text). Other unions, however simple, get no such code; a union left out
/// here travels as JSON, so the set only has to hold what is used.
pub(super) fn text_unions(api: &Api) -> BTreeSet<TypeId> {
    let mut found = BTreeSet::new();
    let mut roots: Vec<&TypeRef> = Vec::new();
    for op in &api.operations {
        roots.extend(op.parameters.iter().map(|p| &p.ty));
        roots.extend(op.responses.iter().flat_map(|r| &r.headers).map(|h| &h.ty));
        let multipart = op
            .body
            .iter()
            .flat_map(|b| &b.content)
            .filter(|c| c.media_type.to_ascii_lowercase().starts_with("multipart/"));
        for ty in multipart.filter_map(|c| c.ty.as_ref()) {
            if let TypeRef::Named(id) = ty
                && let Some(TypeKind::Struct(s)) = api.types.get(id).map(|d| &d.kind)
            {
                roots.extend(s.fields.iter().map(|f| &f.ty));
            }
        }
    }
    for ty in roots {
        add_text_unions(api, ty, &mut found);
    }
    found
}

fn add_text_unions(api: &Api, ty: &TypeRef, found: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Nullable(inner) | TypeRef::Array(inner) => add_text_unions(api, inner, found),
        TypeRef::Named(id) if !found.contains(id) && union_of_texts(api, id, 0) => {
            found.insert(id.clone());
            if let Some(TypeKind::OneOf(union)) = api.types.get(id).map(|d| &d.kind) {
                for variant in &union.variants {
                    add_text_unions(api, &variant.ty, found);
                }
            }
        }
        _ => {}
    }
}

/// Whether `id` is a union whose every branch is a text (nested unions
/// followed `depth` levels, at most 8).
fn union_of_texts(api: &Api, id: &TypeId, depth: usize) -> bool {
    let Some(TypeKind::OneOf(union)) = api.types.get(id).map(|d| &d.kind) else {
        return false;
    };
    depth < 8
        && !union.variants.is_empty()
        && union.variants.iter().all(|v| match &v.ty {
            TypeRef::Named(inner) => match api.types.get(inner).map(|d| &d.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Newtype(ty)) => is_primitive(ty),
                Some(TypeKind::OneOf(_)) => union_of_texts(api, inner, depth + 1),
                _ => false,
            },
            TypeRef::Nullable(_) | TypeRef::Array(_) | TypeRef::Map(_) => false,
            _ => true,
        })
}
