//! The spec's schemas as Rust type declarations: every name, derive, serde
//! attribute, boxed field and default decided here.

use std::collections::BTreeSet;

use super::Context;
use super::names;
use super::rust_type::RustType;
use super::shape::{is_primitive, strip_nullable};
use super::values::RustValue;
use crate::model::{
    Api, EnumValue, Field, OneOfDef, StructDef, TypeDef, TypeId, TypeKind, TypeRef,
};

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
    /// `additionalProperties: false`: an unknown property is refused
    /// (`#[serde(deny_unknown_fields)]`), naming it. Never with a
    /// flattened field, which serde cannot combine it with.
    pub deny_unknown: bool,
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
    /// Required but nullable: always sent, `null` for `None`; a message
    /// that leaves it out is refused (absent is not `null`).
    RequiredNullable,
    /// Optional, not nullable, in a type only responses carry: left out
    /// when `None`; `null` is read as absent (clients are lenient).
    Optional,
    /// The same in a type requests carry: `null`, which the spec does not
    /// allow, is refused by servers (never taken for "not given"), read as
    /// absent by clients.
    OptionalNotNull,
    /// Optional and nullable: `Option<Option<T>>`, so absent (`None`) and
    /// `null` (`Some(None)`) stay apart, both ways.
    OptionalNullable,
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
    Strings {
        variants: Vec<EnumVariant<String>>,
        /// The variant holding a value the spec does not list, as text:
        /// clients decode it, servers refuse it.
        catch_all: String,
    },
    /// Integers on the wire.
    Integers {
        variants: Vec<EnumVariant<i64>>,
        /// The variant holding a number the spec does not list.
        catch_all: String,
    },
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
        let requests = request_types(self.api);
        self.api
            .types
            .values()
            .map(|def| self.type_decl(def, requests.contains(&def.id)))
            .collect()
    }

    /// `in_requests`: a request carries the type, so a server reads it.
    fn type_decl(&self, def: &TypeDef, in_requests: bool) -> TypeDecl {
        let name = self.names.type_name(&def.id).to_string();
        let kind = match &def.kind {
            TypeKind::Struct(s) => DeclKind::Struct(self.struct_decl(def, &name, s, in_requests)),
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

    fn struct_decl(
        &self,
        def: &TypeDef,
        owner: &str,
        s: &StructDef,
        in_requests: bool,
    ) -> StructDecl {
        let members = self.names.members(&def.id);
        let fields: Vec<FieldDecl> = s
            .fields
            .iter()
            .zip(members)
            .enumerate()
            .map(|(i, (field, member))| {
                let boxed = self.boxing.field(&def.id, i);
                let mut decl = self.field_decl(owner, field, member, boxed);
                if in_requests && decl.serde == FieldSerde::Optional {
                    decl.serde = FieldSerde::OptionalNotNull;
                }
                decl
            })
            .collect();
        let flattens = fields
            .iter()
            .any(|f: &FieldDecl| f.serde == FieldSerde::Flatten);
        StructDecl {
            deny_unknown: s.closed && s.additional.is_none() && !flattens,
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
        } else if nullable {
            ty = ty.option().option();
            FieldSerde::OptionalNullable
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
            Some(integers) => EnumDecl::Integers {
                variants: names
                    .zip(integers)
                    .map(|(name, wire)| EnumVariant { name, wire })
                    .collect(),
                catch_all: names::CATCH_ALL_VARIANT.to_string(),
            },
            None => EnumDecl::Strings {
                variants: names
                    .zip(values)
                    .map(|(name, value)| EnumVariant {
                        name,
                        wire: match value {
                            EnumValue::String(s) => s.clone(),
                            EnumValue::Integer(i) => i.to_string(),
                        },
                    })
                    .collect(),
                catch_all: names::CATCH_ALL_VARIANT.to_string(),
            },
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

/// Every type a request carries: parameters' and request bodies' types, and
/// every type those hold. Only these are read by servers, so only their
/// fields need a server's strictness about `null`.
fn request_types(api: &Api) -> BTreeSet<TypeId> {
    let mut stack: Vec<&TypeRef> = api
        .operations
        .iter()
        .flat_map(|op| {
            let params = op.parameters.iter().map(|p| &p.ty);
            let bodies = op.body.iter().flat_map(|b| b.content.iter());
            params.chain(bodies.filter_map(|c| c.ty.as_ref()))
        })
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(ty) = stack.pop() {
        match ty {
            TypeRef::Named(id) => {
                if !seen.insert(id.clone()) {
                    continue;
                }
                match api.types.get(id).map(|def| &def.kind) {
                    Some(TypeKind::Struct(s)) => {
                        stack.extend(s.fields.iter().map(|f| &f.ty));
                        stack.extend(s.additional.iter());
                    }
                    Some(TypeKind::OneOf(o)) => stack.extend(o.variants.iter().map(|v| &v.ty)),
                    Some(TypeKind::Newtype(inner)) => stack.push(inner),
                    Some(TypeKind::Enum(_)) | None => {}
                }
            }
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                stack.push(inner);
            }
            _ => {}
        }
    }
    seen
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
