//! Schemas to types: primitives become [`TypeRef`]s in place, everything
//! with a shape of its own (objects, enums, unions, named components) becomes
//! a [`TypeDef`] registered once under its [`TypeId`].

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat as OaInt, NumberFormat as OaNum, ObjectType,
    ReferenceOr, Schema, SchemaKind, StringFormat as OaString, Type, VariantOrUnknownOrEmpty,
};

use super::builder::Builder;
use super::ir::*;
use super::refs::{component_name, missing_ref};
use crate::diagnostics::join_pointer;

/// A schema as found at some place: a `$ref` or inline.
#[derive(Clone, Copy)]
pub(crate) enum SchemaAt<'a> {
    Ref(&'a str),
    Inline(&'a Schema),
}

impl<'a> SchemaAt<'a> {
    pub fn of(schema: &'a ReferenceOr<Schema>) -> Self {
        match schema {
            ReferenceOr::Reference { reference } => SchemaAt::Ref(reference),
            ReferenceOr::Item(schema) => SchemaAt::Inline(schema),
        }
    }

    pub fn of_boxed(schema: &'a ReferenceOr<Box<Schema>>) -> Self {
        match schema {
            ReferenceOr::Reference { reference } => SchemaAt::Ref(reference),
            ReferenceOr::Item(schema) => SchemaAt::Inline(schema),
        }
    }
}

impl<'a> Builder<'a> {
    /// The type of the schema at `pointer`. `hint` names any type this has to
    /// create (`["ErrorResponse", "error"]`).
    pub(crate) fn schema_type(
        &mut self,
        schema: SchemaAt<'a>,
        pointer: &str,
        hint: &[String],
    ) -> TypeRef {
        match schema {
            SchemaAt::Ref(reference) => self.schema_ref(reference, pointer),
            SchemaAt::Inline(schema) => self.inline_schema(schema, pointer, hint),
        }
    }

    fn schema_ref(&mut self, reference: &str, pointer: &str) -> TypeRef {
        let Some(name) = component_name(reference, "schemas") else {
            let message = if reference.starts_with('#') {
                format!("`$ref: {reference}` must point into `#/components/schemas/`")
            } else {
                format!(
                    "`$ref: {reference}` points outside this file; only local refs are supported"
                )
            };
            self.error(pointer, message);
            return TypeRef::Any;
        };
        let Some(schema) = self.components.schemas.get(&name) else {
            let message = missing_ref(reference, &name, self.components.schemas.keys());
            self.error(pointer, message);
            return TypeRef::Any;
        };
        let target = join_pointer("/components/schemas", &name);
        let nullable = matches!(schema, ReferenceOr::Item(s) if s.schema_data.nullable);
        let ty = self.component_schema(&name, schema, &target);
        if nullable { nullable_of(ty) } else { ty }
    }

    /// A named component schema: always a [`TypeDef`] (so its name survives),
    /// except a bare alias of another ref, which is that ref's type.
    pub(crate) fn component_schema(
        &mut self,
        name: &str,
        schema: &'a ReferenceOr<Schema>,
        pointer: &str,
    ) -> TypeRef {
        let id = TypeId(format!("#{pointer}"));
        if self.types.contains_key(&id) || self.in_progress.contains(&id) {
            return TypeRef::Named(id);
        }
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                if self.alias_depth > 32 {
                    self.error(pointer, format!("`$ref` chain through `{name}` is a loop"));
                    return TypeRef::Any;
                }
                self.alias_depth += 1;
                let ty = self.schema_ref(reference, pointer);
                self.alias_depth -= 1;
                return ty;
            }
            ReferenceOr::Item(schema) => schema,
        };
        self.in_progress.insert(id.clone());
        let hint = vec![name.to_string()];
        let kind = match self.shaped_kind(schema, pointer, &hint) {
            Some(kind) => kind,
            None => TypeKind::Newtype(strip_nullable(self.inline_schema(schema, pointer, &hint))),
        };
        self.in_progress.remove(&id);
        self.define(id.clone(), hint, schema, kind);
        TypeRef::Named(id)
    }

    fn inline_schema(&mut self, schema: &'a Schema, pointer: &str, hint: &[String]) -> TypeRef {
        let ty = self.inline_schema_inner(schema, pointer, hint);
        if schema.schema_data.nullable {
            nullable_of(ty)
        } else {
            ty
        }
    }

    fn inline_schema_inner(
        &mut self,
        schema: &'a Schema,
        pointer: &str,
        hint: &[String],
    ) -> TypeRef {
        // A single-member `allOf: [$ref]` wraps a ref to add a description or
        // `nullable`: it is that ref's type.
        if let SchemaKind::AllOf { all_of } = &schema.schema_kind {
            if let [only] = all_of.as_slice() {
                return self.schema_type(SchemaAt::of(only), &format!("{pointer}/allOf/0"), hint);
            }
        }
        if let Some(kind) = self.shaped_kind(schema, pointer, hint) {
            let id = TypeId(format!("#{pointer}"));
            if !self.types.contains_key(&id) {
                self.define(id.clone(), hint.to_vec(), schema, kind);
            }
            return TypeRef::Named(id);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => TypeRef::String(match s.format {
                VariantOrUnknownOrEmpty::Item(OaString::Binary) => StringFormat::Binary,
                _ => StringFormat::Plain,
            }),
            SchemaKind::Type(Type::Integer(i)) => TypeRef::Integer(match i.format {
                VariantOrUnknownOrEmpty::Item(OaInt::Int32) => IntegerFormat::I32,
                _ => IntegerFormat::I64,
            }),
            SchemaKind::Type(Type::Number(n)) => TypeRef::Number(match n.format {
                VariantOrUnknownOrEmpty::Item(OaNum::Float) => NumberFormat::F32,
                _ => NumberFormat::F64,
            }),
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Boolean,
            SchemaKind::Type(Type::Array(a)) => self.array_type(a.items.as_ref(), pointer, hint),
            SchemaKind::Type(Type::Object(o)) => {
                self.map_type(o.additional_properties.as_ref(), pointer, hint)
            }
            SchemaKind::Any(any) => self.any_schema_type(any, pointer, hint),
            SchemaKind::OneOf { .. }
            | SchemaKind::AnyOf { .. }
            | SchemaKind::AllOf { .. }
            | SchemaKind::Not { .. } => TypeRef::Any,
        }
    }

    /// The [`TypeKind`] for schemas that need a type of their own: objects
    /// with properties, string enums, unions and merged `allOf`s.
    fn shaped_kind(
        &mut self,
        schema: &'a Schema,
        pointer: &str,
        hint: &[String],
    ) -> Option<TypeKind> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() || is_closed_empty(o) => {
                Some(TypeKind::Struct(self.struct_def(
                    &o.properties,
                    &o.required,
                    o.additional_properties.as_ref(),
                    pointer,
                    hint,
                )))
            }
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                let values: Vec<EnumValue> = s
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|v| EnumValue::String(v.clone()))
                    .collect();
                (!values.is_empty()).then_some(TypeKind::Enum(EnumDef { values }))
            }
            SchemaKind::OneOf { one_of } => {
                Some(self.one_of_kind(one_of, "oneOf", schema, pointer, hint))
            }
            SchemaKind::AnyOf { any_of } => {
                Some(self.one_of_kind(any_of, "anyOf", schema, pointer, hint))
            }
            SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
                Some(self.all_of_kind(all_of, pointer, hint))
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                Some(TypeKind::Struct(self.struct_def(
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    pointer,
                    hint,
                )))
            }
            _ => None,
        }
    }

    fn struct_def(
        &mut self,
        properties: &'a indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&'a AdditionalProperties>,
        pointer: &str,
        hint: &[String],
    ) -> StructDef {
        for name in required.iter().filter(|r| !properties.contains_key(*r)) {
            self.warning(
                &format!("{pointer}/required"),
                format!("`{name}` is required but is not among the properties; ignored"),
            );
        }
        let fields = properties
            .iter()
            .map(|(name, property)| {
                let at = format!(
                    "{}/{}",
                    join_pointer(pointer, "properties"),
                    crate::diagnostics::escape_token(name)
                );
                let ty = self.schema_type(SchemaAt::of_boxed(property), &at, &extend(hint, name));
                let data = match property {
                    ReferenceOr::Item(s) => Some(&s.schema_data),
                    ReferenceOr::Reference { .. } => None,
                };
                Field {
                    name: name.clone(),
                    ty,
                    required: required.contains(name),
                    description: data.and_then(|d| d.description.clone()),
                    deprecated: data.is_some_and(|d| d.deprecated),
                    read_only: data.is_some_and(|d| d.read_only),
                    write_only: data.is_some_and(|d| d.write_only),
                    default: data.and_then(|d| d.default.clone()),
                }
            })
            .collect();
        let additional = match additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Any),
            Some(AdditionalProperties::Schema(s)) => Some(self.schema_type(
                SchemaAt::of(s),
                &format!("{pointer}/additionalProperties"),
                &extend(hint, "value"),
            )),
            _ => None,
        };
        StructDef { fields, additional }
    }

    fn one_of_kind(
        &mut self,
        members: &'a [ReferenceOr<Schema>],
        keyword: &str,
        schema: &'a Schema,
        pointer: &str,
        hint: &[String],
    ) -> TypeKind {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let variants = members
            .iter()
            .enumerate()
            .map(|(i, member)| {
                let at = format!("{pointer}/{keyword}/{i}");
                let ty = self.schema_type(
                    SchemaAt::of(member),
                    &at,
                    &extend(hint, &format!("variant{i}")),
                );
                let tag = discriminator.and_then(|d| match member {
                    ReferenceOr::Reference { reference } => d
                        .mapping
                        .iter()
                        .find(|(_, target)| *target == reference)
                        .map(|(value, _)| value.clone())
                        .or_else(|| component_name(reference, "schemas")),
                    ReferenceOr::Item(_) => None,
                });
                OneOfVariant { tag, ty }
            })
            .collect();
        TypeKind::OneOf(OneOfDef {
            variants,
            discriminator: discriminator.map(|d| d.property_name.clone()),
        })
    }

    /// Merge every member's properties into one struct.
    fn all_of_kind(
        &mut self,
        members: &'a [ReferenceOr<Schema>],
        pointer: &str,
        hint: &[String],
    ) -> TypeKind {
        let mut merged = StructDef {
            fields: Vec::new(),
            additional: None,
        };
        for (i, member) in members.iter().enumerate() {
            let at = format!("{pointer}/allOf/{i}");
            let Some((schema, schema_pointer)) = self.object_schema(SchemaAt::of(member), &at)
            else {
                self.warning(&at, "an `allOf` member that is not an object is ignored");
                continue;
            };
            let part = match self.shaped_kind(schema, &schema_pointer, hint) {
                Some(TypeKind::Struct(part)) => part,
                _ => continue,
            };
            for field in part.fields {
                match merged.fields.iter_mut().find(|f| f.name == field.name) {
                    Some(existing) => existing.required |= field.required,
                    None => merged.fields.push(field),
                }
            }
            merged.additional = merged.additional.or(part.additional);
        }
        TypeKind::Struct(merged)
    }

    /// Resolve a ref to an inline schema and its pointer (for allOf merging).
    fn object_schema(
        &mut self,
        schema: SchemaAt<'a>,
        pointer: &str,
    ) -> Option<(&'a Schema, String)> {
        match schema {
            SchemaAt::Inline(s) => Some((s, pointer.to_string())),
            SchemaAt::Ref(reference) => {
                let name = component_name(reference, "schemas")?;
                match self.components.schemas.get(&name)? {
                    ReferenceOr::Item(s) => Some((s, join_pointer("/components/schemas", &name))),
                    ReferenceOr::Reference { reference } => {
                        self.object_schema(SchemaAt::Ref(reference), pointer)
                    }
                }
            }
        }
    }

    fn array_type(
        &mut self,
        items: Option<&'a ReferenceOr<Box<Schema>>>,
        pointer: &str,
        hint: &[String],
    ) -> TypeRef {
        match items {
            Some(items) => TypeRef::Array(Box::new(self.schema_type(
                SchemaAt::of_boxed(items),
                &format!("{pointer}/items"),
                &extend(hint, "item"),
            ))),
            None => {
                self.warning(
                    pointer,
                    "array without `items`: its items are any JSON value",
                );
                TypeRef::Array(Box::new(TypeRef::Any))
            }
        }
    }

    fn map_type(
        &mut self,
        additional: Option<&'a AdditionalProperties>,
        pointer: &str,
        hint: &[String],
    ) -> TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(s)) => TypeRef::Map(Box::new(self.schema_type(
                SchemaAt::of(s),
                &format!("{pointer}/additionalProperties"),
                &extend(hint, "value"),
            ))),
            _ => TypeRef::Map(Box::new(TypeRef::Any)),
        }
    }

    /// A schema openapiv3 could not put in one of its typed boxes.
    fn any_schema_type(&mut self, any: &'a AnySchema, pointer: &str, hint: &[String]) -> TypeRef {
        if any.items.is_some() || any.typ.as_deref() == Some("array") {
            return self.array_type(any.items.as_ref(), pointer, hint);
        }
        if any.additional_properties.is_some() || any.typ.as_deref() == Some("object") {
            return self.map_type(any.additional_properties.as_ref(), pointer, hint);
        }
        match any.typ.as_deref() {
            Some("string") => TypeRef::String(StringFormat::Plain),
            Some("integer") => TypeRef::Integer(IntegerFormat::I64),
            Some("number") => TypeRef::Number(NumberFormat::F64),
            Some("boolean") => TypeRef::Boolean,
            _ => TypeRef::Any,
        }
    }

    fn define(&mut self, id: TypeId, name_hint: Vec<String>, schema: &Schema, kind: TypeKind) {
        let data = &schema.schema_data;
        self.types.insert(
            id.clone(),
            TypeDef {
                id,
                name_hint,
                description: data.description.clone().or_else(|| data.title.clone()),
                deprecated: data.deprecated,
                kind,
                examples: data.example.iter().cloned().collect(),
            },
        );
    }
}

/// `type: object` with no properties and `additionalProperties: false`: an
/// empty struct, serialized as `{}`.
fn is_closed_empty(o: &ObjectType) -> bool {
    o.properties.is_empty()
        && matches!(
            o.additional_properties,
            Some(AdditionalProperties::Any(false))
        )
}

fn nullable_of(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(_) | TypeRef::Any => ty,
        other => TypeRef::Nullable(Box::new(other)),
    }
}

fn strip_nullable(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(inner) => *inner,
        other => other,
    }
}

pub(crate) fn extend(hint: &[String], word: &str) -> Vec<String> {
    let mut out = hint.to_vec();
    out.push(word.to_string());
    out
}
