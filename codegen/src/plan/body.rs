//! Request and response bodies: which media type the generated code sends
//! and reads, how it is held, and a multipart form's parts.

use super::Context;
use super::names::OperationNames;
use super::params::{ClientInit, InputField};
use super::rust_type::RustType;
use super::shape::Shape;
use crate::model::{Content, Operation, StringFormat, StructDef, TypeId, TypeKind, TypeRef};

/// How a body of some media type is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    /// `application/x-www-form-urlencoded`: the schema's type as pairs.
    Form,
    /// `multipart/form-data`: one part per property.
    Multipart,
    Text,
    Bytes,
}

/// An operation's request body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyPlan {
    /// The input field holding it.
    pub field: InputField,
    /// The media type sent (JSON when offered, else the first listed).
    pub media_type: String,
    pub kind: BodyKind,
    pub description: Option<String>,
    /// A multipart body with a struct schema gets a struct of its own (the
    /// field's type): binary properties are file parts there.
    pub multipart: Option<MultipartDecl>,
}

/// The operation's own struct for a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartDecl {
    pub name: String,
    pub parts: Vec<PartDecl>,
    pub derives_default: bool,
}

/// One property of a multipart body: a field of its struct, one part (or
/// a part per item) on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct PartDecl {
    pub field: String,
    /// The part's name.
    pub wire: String,
    /// The value's type; the field holds `Option<ty>` when `optional`.
    pub ty: RustType,
    pub optional: bool,
    pub kind: PartKind,
    pub description: Option<String>,
    pub deprecated: bool,
}

/// How one property of a multipart body travels.
#[derive(Debug, Clone, PartialEq)]
pub enum PartKind {
    /// A text part (a scalar).
    Text,
    /// A text part per item of this type; `newtype`: the field is a newtype
    /// around the list.
    Texts { item: RustType, newtype: bool },
    /// A file part (`format: binary`).
    File,
    /// A file part per item.
    Files,
    /// An `application/json` part (objects, unions, lists of them).
    Json,
}

/// A documented response's body.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseBody {
    pub media_type: String,
    /// Multipart responses are kept as bytes (the client has no multipart
    /// parser; servers rarely answer with forms).
    pub kind: BodyKind,
    pub ty: RustType,
}

/// A media type's essence: no parameters, lower case.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn body_kind(content: &Content) -> BodyKind {
    let essence = essence(&content.media_type);
    if content.is_json() {
        BodyKind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence == "multipart/form-data" {
        BodyKind::Multipart
    } else if content.media_type.starts_with("text/")
        && !matches!(content.ty, Some(TypeRef::String(StringFormat::Binary)))
    {
        BodyKind::Text
    } else {
        BodyKind::Bytes
    }
}

impl Context<'_> {
    pub(super) fn body(&self, op: &Operation, names: &OperationNames) -> Option<BodyPlan> {
        let (body, content) = op.body_content()?;
        let kind = body_kind(content);
        let multipart = match kind {
            BodyKind::Multipart => self
                .multipart_schema(content)
                .map(|(id, def)| self.multipart_decl(&names.multipart, id, def)),
            _ => None,
        };
        let ty = match (&multipart, kind) {
            (Some(decl), _) => RustType::Operation(decl.name.clone()),
            (None, BodyKind::Multipart) => RustType::Multipart,
            (None, kind) => self.value_type(content, kind),
        };
        // A required text, binary or schemaless body is the caller's to
        // give; one whose type has a `Default` starts from it.
        let has_default = match kind {
            BodyKind::Text | BodyKind::Bytes => false,
            BodyKind::Multipart if multipart.is_none() => false,
            _ => content.ty.as_ref().is_some_and(|t| self.has_default(t)),
        };
        let init = if !body.required {
            ClientInit::Unset
        } else if has_default {
            ClientInit::Default
        } else {
            ClientInit::Argument
        };
        Some(BodyPlan {
            field: InputField {
                name: names.body.clone(),
                ty,
                required: body.required,
                init,
            },
            media_type: content.media_type.clone(),
            kind,
            description: body.description.clone(),
            multipart,
        })
    }

    pub(super) fn response_body(&self, content: &Content) -> ResponseBody {
        let kind = match body_kind(content) {
            BodyKind::Multipart => BodyKind::Bytes,
            kind => kind,
        };
        ResponseBody {
            media_type: content.media_type.clone(),
            kind,
            ty: self.value_type(content, kind),
        }
    }

    /// How a body of this kind is held: its schema's type for JSON and
    /// urlencoded forms, text as a `String`, anything else as bytes.
    fn value_type(&self, content: &Content, kind: BodyKind) -> RustType {
        match kind {
            BodyKind::Json | BodyKind::Form => match &content.ty {
                Some(ty) => self.rust_type(ty),
                None => RustType::Json,
            },
            BodyKind::Text => RustType::String,
            BodyKind::Bytes | BodyKind::Multipart => RustType::Bytes,
        }
    }

    /// The struct a multipart body's schema names, if it is one.
    fn multipart_schema<'c>(&'c self, content: &'c Content) -> Option<(&'c TypeId, &'c StructDef)> {
        match content.ty.as_ref()? {
            TypeRef::Named(id) => match &self.api.types.get(id)?.kind {
                TypeKind::Struct(s) => Some((id, s)),
                _ => None,
            },
            _ => None,
        }
    }

    fn multipart_decl(&self, name: &str, id: &TypeId, def: &StructDef) -> MultipartDecl {
        let parts = def
            .fields
            .iter()
            .zip(self.names.members(id))
            .map(|(field, member)| {
                let (ty, nullable) = match &field.ty {
                    TypeRef::Nullable(inner) => (&**inner, true),
                    other => (other, false),
                };
                let kind = self.part_kind(ty);
                PartDecl {
                    field: member.clone(),
                    wire: field.name.clone(),
                    ty: match kind {
                        PartKind::File => RustType::FilePart,
                        PartKind::Files => RustType::List(Box::new(RustType::FilePart)),
                        _ => self.rust_type(ty),
                    },
                    optional: nullable || !field.required,
                    kind,
                    description: field.description.clone(),
                    deprecated: field.deprecated,
                }
            })
            .collect();
        MultipartDecl {
            name: name.to_string(),
            parts,
            derives_default: self.has_default(&TypeRef::Named(id.clone())),
        }
    }

    fn part_kind(&self, ty: &TypeRef) -> PartKind {
        if self.is_binary(ty) {
            return PartKind::File;
        }
        match ty {
            TypeRef::Array(item) if self.is_binary(item) => return PartKind::Files,
            TypeRef::Array(item) if self.shape(ty) == Shape::Array => {
                return PartKind::Texts {
                    item: self.rust_type(item),
                    newtype: false,
                };
            }
            _ => {}
        }
        match (self.shape(ty), self.newtype_inner(ty)) {
            (Shape::Scalar, _) => PartKind::Text,
            (Shape::Array, Some(TypeRef::Array(item))) => PartKind::Texts {
                item: self.rust_type(item),
                newtype: true,
            },
            _ => PartKind::Json,
        }
    }
}
