//! The spec's schemas as Rust type declarations: every name, derive, serde
//! attribute, boxed field and default decided here.

use super::Context;
use super::names;
use super::rust_type::RustType;
use super::shape::{is_primitive, strip_nullable};
use super::values::RustValue;
use crate::model::{EnumValue, Field, OneOfDef, StructDef, TypeDef, TypeId, TypeKind, TypeRef};

/// One type of the `types` file.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDecl {
    pub name: String,
    pub description: Option<String>,
    pub deprecated: bool,
    pub kind: DeclKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeclKind {
    Struct(StructDecl),
    Enum(EnumDecl),
    Union(UnionDecl),
    /// A named schema that is just another type: a newtype, so the spec's
    /// name survives.
    Newtype(NewtypeDecl),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructDecl {
    pub fields: Vec<FieldDecl>,
    /// `additionalProperties`: kept in a flattened map of this value type.
    pub additional: Option<RustType>,
    /// Every field can be left out, so the struct derives `Default`.
    pub derives_default: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub name: String,
    /// The JSON property name.
    pub wire: String,
    /// The field's type as declared (`Option` and `Box` included).
    pub ty: RustType,
    pub serde: FieldSerde,
    /// `#[serde(rename = wire)]`, because the name differs from the wire's.
    pub rename: bool,
    pub description: Option<String>,
    /// The schema's `default`, as JSON, for the docs.
    pub default: Option<serde_json::Value>,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
}

/// How serde reads and writes a field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldSerde {
    /// An `allOf` member that is a union: its properties sit beside the
    /// struct's own (`#[serde(flatten)]`).
    Flatten,
    /// Required and not nullable: always present.
    Required,
    /// Required but nullable: always sent, `null` for `None`.
    RequiredNullable,
    /// Optional: left out when `None`.
    Optional,
    /// Required with a default the spec gives: always sent, and filled in
    /// by this function of the struct when a message leaves it out.
    DefaultFn(DefaultFn),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DefaultFn {
    /// The associated function's name: `default_page_size`.
    pub function: String,
    /// The path `#[serde(default = ..)]` names: `Page::default_page_size`.
    pub path: String,
    pub ty: RustType,
    pub value: RustValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EnumDecl {
    /// Strings on the wire (an integer among strings is written as text).
    Strings(Vec<EnumVariant<String>>),
    /// Integers on the wire.
    Integers(Vec<EnumVariant<i64>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant<T> {
    pub name: String,
    pub wire: T,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionDecl {
    pub variants: Vec<UnionVariant>,
    pub tagging: Tagging,
    /// Every branch is one text (a string, number, boolean or enum), so
    /// the union is a parameter value too (`ParamValue`): written as its
    /// branch's text, read back by trying these variants in this order.
    pub text: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub name: String,
    pub ty: RustType,
    /// The discriminator value, when tagged.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tagging {
    /// Every branch has a value of this property.
    Discriminated { property: String },
    /// The first branch that decodes wins.
    Untagged,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewtypeDecl {
    pub inner: RustType,
    pub derives_default: bool,
    /// A string, number or boolean inside: a parameter value too.
    pub param_value: bool,
    /// A list of strings inside: built from a literal array of `&str`.
    pub from_str_array: bool,
}

impl Context<'_> {
    pub(super) fn type_decls(&self) -> Vec<TypeDecl> {
        self.api
            .types
            .values()
            .map(|def| self.type_decl(def))
            .collect()
    }

    fn type_decl(&self, def: &TypeDef) -> TypeDecl {
        let name = self.names.type_name(&def.id).to_string();
        let kind = match &def.kind {
            TypeKind::Struct(s) => DeclKind::Struct(self.struct_decl(def, &name, s)),
            TypeKind::Enum(e) => DeclKind::Enum(self.enum_decl(&def.id, &e.values)),
            TypeKind::OneOf(o) => DeclKind::Union(self.union_decl(&def.id, o)),
            TypeKind::Newtype(inner) => DeclKind::Newtype(NewtypeDecl {
                inner: boxed_if(self.rust_type(inner), self.boxing.inner(&def.id)),
                derives_default: self.has_default(inner),
                param_value: is_primitive(inner),
                from_str_array: matches!(inner, TypeRef::Array(item) if matches!(**item, TypeRef::String(_))),
            }),
        };
        TypeDecl {
            name,
            description: def.description.clone(),
            deprecated: def.deprecated,
            kind,
        }
    }

    fn struct_decl(&self, def: &TypeDef, owner: &str, s: &StructDef) -> StructDecl {
        let members = self.names.members(&def.id);
        let fields = s
            .fields
            .iter()
            .zip(members)
            .enumerate()
            .map(|(i, (field, member))| {
                self.field_decl(owner, field, member, self.boxing.field(&def.id, i))
            })
            .collect();
        StructDecl {
            fields,
            additional: s.additional.as_ref().map(|ty| self.rust_type(ty)),
            derives_default: self.has_default(&TypeRef::Named(def.id.clone())),
        }
    }

    fn field_decl(&self, owner: &str, field: &Field, member: &str, boxed: bool) -> FieldDecl {
        let nullable = matches!(field.ty, TypeRef::Nullable(_));
        let mut ty = self.rust_type(strip_nullable(&field.ty));
        if boxed {
            ty = RustType::Boxed(Box::new(ty));
        }
        let default_fn = (!boxed)
            .then(|| self.default_fn(owner, field, member))
            .flatten();
        let serde = if field.flatten {
            ty = boxed_if(self.rust_type(&field.ty), boxed);
            FieldSerde::Flatten
        } else if let Some(default_fn) = default_fn {
            if nullable {
                ty = ty.option();
            }
            FieldSerde::DefaultFn(default_fn)
        } else if field.required && !nullable {
            FieldSerde::Required
        } else if field.required {
            ty = ty.option();
            FieldSerde::RequiredNullable
        } else {
            ty = ty.option();
            FieldSerde::Optional
        };
        FieldDecl {
            name: member.to_string(),
            wire: field.name.clone(),
            ty,
            rename: member.trim_start_matches("r#") != field.name,
            serde,
            description: field.description.clone(),
            default: field.default.clone(),
            read_only: field.read_only,
            write_only: field.write_only,
            deprecated: field.deprecated,
        }
    }

    /// For a required property with a `default` that can be written in
    /// Rust: the private associated function that supplies it, so a
    /// message without the property still decodes, to the spec's value.
    fn default_fn(&self, owner: &str, field: &Field, member: &str) -> Option<DefaultFn> {
        if !field.required {
            return None;
        }
        let value = field.default.as_ref()?;
        let (ty, value) = match &field.ty {
            TypeRef::Nullable(inner) => (
                self.rust_type(inner).option(),
                RustValue::Some(Box::new(self.default_value(inner, value)?)),
            ),
            ty => (self.rust_type(ty), self.default_value(ty, value)?),
        };
        let function = names::default_fn(member);
        Some(DefaultFn {
            path: format!("{owner}::{function}"),
            function,
            ty,
            value,
        })
    }

    fn enum_decl(&self, id: &TypeId, values: &[EnumValue]) -> EnumDecl {
        let names = self.names.members(id).iter().cloned();
        let integers: Option<Vec<i64>> = values
            .iter()
            .map(|v| match v {
                EnumValue::Integer(i) => Some(*i),
                EnumValue::String(_) => None,
            })
            .collect();
        match integers {
            Some(integers) => EnumDecl::Integers(
                names
                    .zip(integers)
                    .map(|(name, wire)| EnumVariant { name, wire })
                    .collect(),
            ),
            None => EnumDecl::Strings(
                names
                    .zip(values)
                    .map(|(name, value)| EnumVariant {
                        name,
                        wire: match value {
                            EnumValue::String(s) => s.clone(),
                            EnumValue::Integer(i) => i.to_string(),
                        },
                    })
                    .collect(),
            ),
        }
    }

    fn union_decl(&self, id: &TypeId, o: &OneOfDef) -> UnionDecl {
        let variants: Vec<UnionVariant> = self
            .names
            .members(id)
            .iter()
            .zip(&o.variants)
            .enumerate()
            .map(|(i, (name, v))| UnionVariant {
                name: name.clone(),
                ty: boxed_if(self.rust_type(&v.ty), self.boxing.variant(id, i)),
                tag: v.tag.clone(),
            })
            .collect();
        let all_tagged = variants.iter().all(|v| v.tag.is_some());
        let tagging = match &o.discriminator {
            Some(property) if all_tagged => Tagging::Discriminated {
                property: property.clone(),
            },
            _ => Tagging::Untagged,
        };
        let text = self
            .text_unions
            .contains(id)
            .then(|| self.text_order(&variants, o));
        UnionDecl {
            variants,
            tagging,
            text,
        }
    }
}

/// `ty` boxed when `boxed` (see `boxing`), inside its `Option` when it is
/// one: `Option<Box<T>>`.
fn boxed_if(ty: RustType, boxed: bool) -> RustType {
    match ty {
        _ if !boxed => ty,
        RustType::Option(inner) => RustType::Option(Box::new(RustType::Boxed(inner))),
        ty => RustType::Boxed(Box::new(ty)),
    }
}
