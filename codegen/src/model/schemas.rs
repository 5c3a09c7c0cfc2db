//! Schemas to types: primitives become [`TypeRef`]s in place, everything
//! with a shape of its own (objects, enums, unions, named components) becomes
//! a [`TypeDef`] registered once under its [`TypeId`].

use openapiv3::{
    AdditionalProperties, AnySchema, Discriminator, IntegerFormat as OaInt, NumberFormat as OaNum,
    ObjectType, ReferenceOr, Schema, SchemaKind, StringFormat as OaString, Type,
    VariantOrUnknownOrEmpty,
};

use super::builder::Builder;
use super::ir::*;
use super::refs::{component_name, missing_ref, pointer_hint};
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
        if let Some(name) = component_name(reference, "schemas") {
            let Some(schema) = self.components.schemas.get(&name) else {
                let message = missing_ref(reference, &name, self.components.schemas.keys());
                self.error(pointer, message);
                return TypeRef::Any;
            };
            return self.component_ref(&name, schema);
        }
        let (target, target_pointer) = match self.target::<Schema>(reference, pointer) {
            Ok(found) => found,
            Err(message) => {
                self.error(pointer, message);
                return TypeRef::Any;
            }
        };
        // `#/components/schemas/A%20B`, percent-escaped: still a whole component.
        if let Some(name) = component_name(&format!("#{target_pointer}"), "schemas")
            && let Some(schema) = self.components.schemas.get(&name)
        {
            return self.component_ref(&name, schema);
        }
        match target {
            ReferenceOr::Reference { reference } => {
                if self.alias_depth > 32 {
                    self.error(
                        pointer,
                        format!("`$ref` chain through `{reference}` is a loop"),
                    );
                    return TypeRef::Any;
                }
                self.alias_depth += 1;
                let ty = self.schema_ref(reference, &target_pointer);
                self.alias_depth -= 1;
                ty
            }
            // A schema with a shape of its own is a type named by its
            // pointer, shared with wherever else it is reached from, and
            // guarded against loops like any other; one without is its
            // shape again here, unless that leads back to itself.
            ReferenceOr::Item(schema) => {
                let hint = pointer_hint(&self.spec.document, &target_pointer);
                if is_shaped(schema) {
                    return self.inline_schema(schema, &target_pointer, &hint);
                }
                if self.resolving.contains(&target_pointer) {
                    self.warning(
                        pointer,
                        format!("`$ref: {reference}` leads back to itself through schemas with no type of their own; read as any JSON value"),
                    );
                    return TypeRef::Any;
                }
                self.resolving.push(target_pointer.clone());
                let ty = self.inline_schema(schema, &target_pointer, &hint);
                self.resolving.pop();
                ty
            }
        }
    }

    /// The type of the component schema `name`, nullable when it says so.
    fn component_ref(&mut self, name: &str, schema: &'a ReferenceOr<Schema>) -> TypeRef {
        let target = join_pointer("/components/schemas", name);
        let nullable = matches!(schema, ReferenceOr::Item(s) if s.schema_data.nullable);
        let ty = self.component_schema(name, schema, &target);
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
        let kind = self.without_self_reference(kind, &id, pointer);
        self.in_progress.remove(&id);
        self.define(id.clone(), hint, schema, kind);
        TypeRef::Named(id)
    }

    /// `A: {allOf: [{$ref: A}]}` says A is A, and `A: {oneOf: [{$ref: A},
    /// B]}` that A is A or B: a type containing itself directly would have
    /// infinite size. The self-reference adds nothing and goes, with a
    /// warning; a newtype or union left with nothing is any JSON value.
    fn without_self_reference(&mut self, kind: TypeKind, id: &TypeId, pointer: &str) -> TypeKind {
        let is_self =
            |ty: &TypeRef| matches!(strip_nullable(ty.clone()), TypeRef::Named(n) if n == *id);
        match kind {
            TypeKind::Newtype(inner) if is_self(&inner) => {
                self.warning(
                    pointer,
                    "the schema is defined as itself (through `$ref`, `allOf`, `oneOf` or `anyOf`); read as any JSON value",
                );
                TypeKind::Newtype(TypeRef::Any)
            }
            TypeKind::OneOf(mut union) if union.variants.iter().any(|v| is_self(&v.ty)) => {
                self.warning(
                    pointer,
                    "a `oneOf`/`anyOf` branch is the schema itself, which adds nothing; that branch is ignored",
                );
                union.variants.retain(|v| !is_self(&v.ty));
                if union.variants.is_empty() {
                    TypeKind::Newtype(TypeRef::Any)
                } else {
                    TypeKind::OneOf(union)
                }
            }
            kind => kind,
        }
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
        if let SchemaKind::AllOf { all_of } = &schema.schema_kind
            && let [only] = all_of.as_slice()
        {
            return self.schema_type(SchemaAt::of(only), &format!("{pointer}/allOf/0"), hint);
        }
        if is_shaped(schema) {
            // Reached again while its own shape is being worked out (a
            // property that leads back to it through an `allOf` merge), or
            // already made: the type, by name.
            let id = TypeId(format!("#{pointer}"));
            if self.types.contains_key(&id) || !self.in_progress.insert(id.clone()) {
                return TypeRef::Named(id);
            }
            let kind = self.shaped_kind(schema, pointer, hint);
            self.in_progress.remove(&id);
            if let Some(kind) = kind {
                self.define(id.clone(), hint.to_vec(), schema, kind);
                return TypeRef::Named(id);
            }
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
    /// with properties, string and integer enums, unions and merged `allOf`s.
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
            // `null` among the values only says the enum is nullable, which
            // `nullable: true` carries; repeated values become one variant.
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => enum_kind(
                s.enumeration
                    .iter()
                    .flatten()
                    .map(|v| EnumValue::String(v.clone())),
            ),
            SchemaKind::Type(Type::Integer(i)) if !i.enumeration.is_empty() => enum_kind(
                i.enumeration
                    .iter()
                    .flatten()
                    .map(|v| EnumValue::Integer(*v)),
            ),
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
                // A number enum stays a number: its values are documented.
                let allowed = match property {
                    ReferenceOr::Item(s) => allowed_numbers(s),
                    ReferenceOr::Reference { .. } => None,
                };
                Field {
                    name: name.clone(),
                    ty,
                    required: required.contains(name),
                    description: with_note(data.and_then(|d| d.description.clone()), allowed),
                    deprecated: data.is_some_and(|d| d.deprecated),
                    read_only: data.is_some_and(|d| d.read_only),
                    write_only: data.is_some_and(|d| d.write_only),
                    default: data.and_then(|d| d.default.clone()),
                    flatten: false,
                }
            })
            .collect();
        let closed = matches!(additional, Some(AdditionalProperties::Any(false)));
        let additional = match additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Any),
            Some(AdditionalProperties::Schema(s)) => Some(self.schema_type(
                SchemaAt::of(s),
                &format!("{pointer}/additionalProperties"),
                &extend(hint, "value"),
            )),
            _ => None,
        };
        StructDef {
            fields,
            additional,
            closed,
        }
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
        let mapping = discriminator
            .map(|d| self.discriminator_mapping(d, pointer))
            .unwrap_or_default();
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
                // The mapping's value for this branch's schema, else the
                // schema's own name (OpenAPI's implicit mapping).
                let tag = discriminator.and_then(|_| match member {
                    ReferenceOr::Reference { reference } => {
                        let name = component_name(reference, "schemas")?;
                        mapping
                            .iter()
                            .find(|(_, target)| *target == name)
                            .map(|(value, _)| value.clone())
                            .or(Some(name))
                    }
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

    /// The discriminator's `mapping` as (value, component schema name) pairs.
    /// A target is `#/components/schemas/X` or the bare name `X`; one that
    /// names no schema of this file is reported and left out.
    fn discriminator_mapping(
        &mut self,
        discriminator: &Discriminator,
        pointer: &str,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (value, target) in &discriminator.mapping {
            let schemas = &self.components.schemas;
            let name = if schemas.contains_key(target) {
                Some(target.clone())
            } else {
                component_name(target, "schemas").filter(|name| schemas.contains_key(name))
            };
            let at = join_pointer(&format!("{pointer}/discriminator/mapping"), value);
            match (
                name,
                local_namesake(target).filter(|n| schemas.contains_key(n)),
            ) {
                (Some(name), _) => out.push((value.clone(), name)),
                // `./FixedFee.yml` in a bundled spec: the file was inlined as
                // the schema of the same name, which is what it means here.
                (None, Some(name)) => {
                    self.warning(
                        &at,
                        format!(
                            "discriminator value `{value}` maps to `{target}`, outside this file; using the local schema `{name}`"
                        ),
                    );
                    out.push((value.clone(), name));
                }
                (None, None) => {
                    let message = mapping_problem(value, target);
                    self.warning(&at, message);
                }
            }
        }
        out
    }

    /// Merge every member's properties into one struct.
    fn all_of_kind(
        &mut self,
        members: &'a [ReferenceOr<Schema>],
        pointer: &str,
        hint: &[String],
    ) -> TypeKind {
        // `additionalProperties: false` on a member would refuse the other
        // members' properties: a merged struct is never closed.
        let mut merged = StructDef {
            fields: Vec::new(),
            additional: None,
            closed: false,
        };
        self.merging.push(pointer.to_string());
        for (i, member) in members.iter().enumerate() {
            let at = format!("{pointer}/allOf/{i}");
            let Some((schema, schema_pointer)) = self.object_schema(SchemaAt::of(member), &at, 0)
            else {
                // A `$ref` that leads nowhere is that error, not a shape.
                if let ReferenceOr::Reference { reference } = member {
                    self.schema_ref(reference, &at);
                }
                continue;
            };
            // `A: {allOf: [{$ref: A}, ...]}`: A's properties are those of its
            // other members; merging A into itself would never end.
            if self.merging.contains(&schema_pointer) {
                self.warning(
                    &at,
                    "this `allOf` member refers back to the schema that contains it, which adds nothing; it is ignored",
                );
                continue;
            }
            let part = match self.shaped_kind(schema, &schema_pointer, hint) {
                Some(TypeKind::Struct(part)) => part,
                Some(TypeKind::OneOf(_)) => {
                    let name = match member {
                        ReferenceOr::Reference { reference } => {
                            component_name(reference, "schemas").unwrap_or_else(|| "variant".into())
                        }
                        ReferenceOr::Item(_) => "variant".into(),
                    };
                    let ty = self.schema_type(SchemaAt::of(member), &at, &extend(hint, "variant"));
                    merged.fields.push(flattened(name, ty));
                    continue;
                }
                _ if matches!(
                    self.schema_type(SchemaAt::of(member), &at, hint),
                    TypeRef::Map(_)
                ) =>
                {
                    merged.additional = merged.additional.or(Some(TypeRef::Any));
                    continue;
                }
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
        // A union's branches declare their own properties (the discriminator
        // among them): the struct must leave those to the flattened union, or
        // serde would hand them to the struct and the union would not see them.
        let owned_by_unions: Vec<String> = merged
            .fields
            .iter()
            .filter(|f| f.flatten)
            .flat_map(|f| self.branch_properties(&f.ty))
            .collect();
        merged
            .fields
            .retain(|f| f.flatten || !owned_by_unions.contains(&f.name));
        self.merging.pop();
        TypeKind::Struct(merged)
    }

    /// The property names a union's branches declare.
    fn branch_properties(&self, ty: &TypeRef) -> Vec<String> {
        let TypeRef::Named(id) = ty else {
            return Vec::new();
        };
        let Some(TypeKind::OneOf(union)) = self.types.get(id).map(|d| &d.kind) else {
            return Vec::new();
        };
        union
            .variants
            .iter()
            .filter_map(|v| match &v.ty {
                TypeRef::Named(id) => match self.types.get(id).map(|d| &d.kind) {
                    Some(TypeKind::Struct(s)) => {
                        Some(s.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>())
                    }
                    _ => None,
                },
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Resolve a ref to an inline schema and its pointer (for allOf merging).
    fn object_schema(
        &mut self,
        schema: SchemaAt<'a>,
        pointer: &str,
        depth: usize,
    ) -> Option<(&'a Schema, String)> {
        match schema {
            SchemaAt::Inline(s) => Some((s, pointer.to_string())),
            // A chain of aliases longer than this is a loop (reported where
            // the component itself is converted).
            SchemaAt::Ref(_) if depth > 32 => None,
            SchemaAt::Ref(reference) => {
                let (target, target_pointer) = match component_name(reference, "schemas") {
                    Some(name) => (
                        self.components.schemas.get(&name)?,
                        join_pointer("/components/schemas", &name),
                    ),
                    None => self.target::<Schema>(reference, pointer).ok()?,
                };
                match target {
                    ReferenceOr::Item(s) => Some((s, target_pointer)),
                    ReferenceOr::Reference { reference } => {
                        self.object_schema(SchemaAt::Ref(reference), pointer, depth + 1)
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
        let description = data.description.clone().or_else(|| data.title.clone());
        self.types.insert(
            id.clone(),
            TypeDef {
                id,
                name_hint,
                description: with_note(description, allowed_numbers(schema)),
                deprecated: data.deprecated,
                kind,
                examples: data.example.iter().cloned().collect(),
            },
        );
    }
}

/// Whether [`Builder::shaped_kind`] makes a type of its own for `schema`.
fn is_shaped(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty() || is_closed_empty(o),
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
        SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().any(Option::is_some),
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => true,
        SchemaKind::AllOf { all_of } => all_of.len() > 1,
        SchemaKind::Any(any) => !any.properties.is_empty(),
        _ => false,
    }
}

/// An enum of `values` (spec order, repeats dropped), or `None` when only
/// `null` was listed.
fn enum_kind(values: impl Iterator<Item = EnumValue>) -> Option<TypeKind> {
    let mut unique: Vec<EnumValue> = Vec::new();
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    (!unique.is_empty()).then_some(TypeKind::Enum(EnumDef { values: unique }))
}

/// `Allowed values: ...` for a `type: number` enum, which stays an `f64`
/// (its values need not be integers, and `1` and `1.0` are the same number).
fn allowed_numbers(schema: &Schema) -> Option<String> {
    let SchemaKind::Type(Type::Number(n)) = &schema.schema_kind else {
        return None;
    };
    let values: Vec<String> = n
        .enumeration
        .iter()
        .flatten()
        .map(|v| format!("`{v}`"))
        .collect();
    (!values.is_empty()).then(|| format!("Allowed values: {}.", values.join(", ")))
}

/// `description` followed by `note` as its own paragraph.
fn with_note(description: Option<String>, note: Option<String>) -> Option<String> {
    match (description, note) {
        (Some(d), Some(n)) if !d.trim().is_empty() => Some(format!("{}\n\n{n}", d.trim_end())),
        (d, None) => d,
        (_, n) => n,
    }
}

/// Why a discriminator mapping's target is ignored.
fn mapping_problem(value: &str, target: &str) -> String {
    let external = !target.starts_with('#') && (target.contains('#') || target.contains('/'));
    let external = external
        || [".yaml", ".yml", ".json"]
            .iter()
            .any(|e| target.ends_with(e));
    if external {
        return format!(
            "discriminator value `{value}` maps to `{target}`, outside this file; only \
             `#/components/schemas/...` refs and schema names are supported, so this mapping \
             is ignored"
        );
    }
    match component_name(target, "schemas") {
        Some(name) => format!(
            "discriminator value `{value}` maps to `{target}`, but there is no schema \
             `{name}`; this mapping is ignored"
        ),
        None if target.starts_with('#') => format!(
            "discriminator value `{value}` maps to `{target}`, which is not a \
             `#/components/schemas/<name>` ref; this mapping is ignored"
        ),
        None => format!(
            "discriminator value `{value}` maps to `{target}`, but there is no schema of that \
             name; this mapping is ignored"
        ),
    }
}

/// The schema name an external mapping target most plausibly means: its
/// file's stem (`./FixedFee.yml`) or its pointer's last token
/// (`other.yaml#/components/schemas/Push`).
fn local_namesake(target: &str) -> Option<String> {
    let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
    if let Some(last) = fragment.rsplit('/').next().filter(|t| !t.is_empty()) {
        return Some(last.replace("~1", "/").replace("~0", "~"));
    }
    let stem = file.rsplit('/').next()?;
    let stem = stem
        .strip_suffix(".yml")
        .or_else(|| stem.strip_suffix(".yaml"))
        .or_else(|| stem.strip_suffix(".json"))?;
    (!stem.is_empty()).then(|| stem.to_string())
}

/// A union merged into a struct by `allOf`, named after its schema.
fn flattened(name: String, ty: TypeRef) -> Field {
    Field {
        name,
        ty,
        required: true,
        description: None,
        deprecated: false,
        read_only: false,
        write_only: false,
        default: None,
        flatten: true,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::diagnostics::Diagnostic;

    /// Every component schema of `yaml` as a type, and the diagnostics.
    fn types(yaml: &str) -> (BTreeMap<TypeId, TypeDef>, Vec<Diagnostic>) {
        let loaded = crate::load::load("t.yaml", yaml).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = crate::model::refs::Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        for (name, schema) in &components.schemas {
            builder.component_schema(name, schema, &join_pointer("/components/schemas", name));
        }
        builder.break_newtype_loops();
        builder.break_union_loops();
        (builder.types, builder.diagnostics)
    }

    fn fields(types: &BTreeMap<TypeId, TypeDef>, id: &str) -> Vec<(String, TypeRef)> {
        match kind(types, id) {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| (f.name.clone(), strip_nullable(f.ty.clone())))
                .collect(),
            other => panic!("{id} is not a struct: {other:?}"),
        }
    }

    fn named(id: &str) -> TypeRef {
        TypeRef::Named(TypeId(id.to_string()))
    }

    /// Seven AWS specs (Cost Explorer's `Expression`): a property that is
    /// the schema itself plus a description, through `allOf`. Merging the
    /// member's properties used to recurse without end: a stack overflow.
    #[test]
    fn a_property_that_is_its_own_schema_through_all_of_is_a_recursive_type() {
        let (types, diagnostics) = types(&format!(
            "{HEAD}components:\n  schemas:\n    Expression:\n      type: object\n      properties:\n        Dimension: {{type: string}}\n        Not:\n          allOf:\n            - $ref: '#/components/schemas/Expression'\n            - description: Return results that do not match.\n"
        ));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let not = "#/components/schemas/Expression/properties/Not";
        assert_eq!(
            fields(&types, "#/components/schemas/Expression"),
            vec![
                ("Dimension".into(), TypeRef::String(StringFormat::Plain)),
                ("Not".into(), named(not))
            ]
        );
        // `Not` has Expression's properties: its own `Not` is itself again.
        assert_eq!(
            fields(&types, not),
            vec![
                ("Dimension".into(), TypeRef::String(StringFormat::Plain)),
                ("Not".into(), named(not))
            ]
        );
    }

    #[test]
    fn a_schema_that_is_all_of_itself_and_more_is_the_more() {
        let (types, diagnostics) = types(&format!(
            "{HEAD}components:\n  schemas:\n    A:\n      allOf:\n        - $ref: '#/components/schemas/A'\n        - type: object\n          properties: {{x: {{type: integer}}}}\n"
        ));
        assert_eq!(
            fields(&types, "#/components/schemas/A"),
            vec![("x".into(), TypeRef::Integer(IntegerFormat::I64))]
        );
        let pointers: Vec<_> = diagnostics
            .iter()
            .map(|d| (d.pointer.as_str(), d.is_error()))
            .collect();
        assert_eq!(pointers, [("/components/schemas/A/allOf/0", false)]);
    }

    /// A newtype of itself, or a union with itself as a branch, has
    /// infinite size (E0072): the self-reference says nothing and goes.
    #[test]
    fn self_references_through_one_member_compositions_are_dropped() {
        let (types, diagnostics) = types(&format!(
            "{HEAD}components:\n  schemas:\n    Same:\n      allOf: [{{$ref: '#/components/schemas/Same'}}]\n    Either:\n      oneOf: [{{$ref: '#/components/schemas/Either'}}, {{type: string}}]\n    Only:\n      anyOf: [{{$ref: '#/components/schemas/Only'}}]\n      nullable: true\n    Ping: {{allOf: [{{$ref: '#/components/schemas/Pong'}}]}}\n    Pong: {{oneOf: [{{$ref: '#/components/schemas/Ping'}}]}}\n"
        ));
        assert!(matches!(
            kind(&types, "#/components/schemas/Same"),
            TypeKind::Newtype(TypeRef::Any)
        ));
        let TypeKind::OneOf(either) = kind(&types, "#/components/schemas/Either") else {
            panic!("Either is not a union");
        };
        let branches: Vec<_> = either.variants.iter().map(|v| v.ty.clone()).collect();
        assert_eq!(branches, [TypeRef::String(StringFormat::Plain)]);
        assert!(matches!(
            kind(&types, "#/components/schemas/Only"),
            TypeKind::Newtype(TypeRef::Any)
        ));
        // Ping is Pong is Ping: a loop only visible once both exist.
        assert!(matches!(
            kind(&types, "#/components/schemas/Ping"),
            TypeKind::Newtype(TypeRef::Any)
        ));
        let mut warned: Vec<_> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();
        warned.sort();
        assert_eq!(
            warned,
            [
                "/components/schemas/Either",
                "/components/schemas/Only",
                "/components/schemas/Ping",
                "/components/schemas/Pong",
                "/components/schemas/Same",
            ]
        );
        assert!(diagnostics.iter().all(|d| !d.is_error()));
    }

    fn kind<'t>(types: &'t BTreeMap<TypeId, TypeDef>, id: &str) -> &'t TypeKind {
        &types[&TypeId(id.to_string())].kind
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";

    #[test]
    fn integer_enums_are_enums_without_null() {
        let (types, diagnostics) = types(&format!(
            "{HEAD}components:\n  schemas:\n    P: {{type: integer, enum: [0, 1, 5, -1, 1]}}\n    T:\n      type: object\n      properties:\n        r: {{type: integer, nullable: true, enum: [1, null]}}\n        n: {{type: number, description: Ratio., enum: [0.5, 1]}}\n"
        ));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let TypeKind::Enum(p) = kind(&types, "#/components/schemas/P") else {
            panic!("P is not an enum");
        };
        let values: Vec<_> = [0, 1, 5, -1].into_iter().map(EnumValue::Integer).collect();
        assert_eq!(p.values, values);
        let TypeKind::Struct(t) = kind(&types, "#/components/schemas/T") else {
            panic!("T is not a struct");
        };
        let r_id = TypeId("#/components/schemas/T/properties/r".into());
        assert_eq!(
            t.fields[0].ty,
            TypeRef::Nullable(Box::new(TypeRef::Named(r_id.clone())))
        );
        let TypeKind::Enum(r) = &types[&r_id].kind else {
            panic!("r is not an enum");
        };
        assert_eq!(r.values, vec![EnumValue::Integer(1)]);
        assert_eq!(t.fields[1].ty, TypeRef::Number(NumberFormat::F64));
        assert_eq!(
            t.fields[1].description.as_deref(),
            Some("Ratio.\n\nAllowed values: `0.5`, `1`.")
        );
    }

    #[test]
    fn discriminator_mappings_take_names_and_skip_what_points_nowhere() {
        let (types, diagnostics) = types(&format!(
            "{HEAD}components:\n  schemas:\n    Sms: {{type: object, properties: {{m: {{type: string}}}}}}\n    Totp: {{type: object, properties: {{m: {{type: string}}}}}}\n    F:\n      oneOf: [{{$ref: '#/components/schemas/Sms'}}, {{$ref: '#/components/schemas/Totp'}}]\n      discriminator:\n        propertyName: m\n        mapping: {{sms: Sms, x: 'other.yaml#/X', y: '#/components/schemas/Nope', z: Nope}}\n"
        ));
        let TypeKind::OneOf(f) = kind(&types, "#/components/schemas/F") else {
            panic!("F is not a union");
        };
        let tags: Vec<_> = f.variants.iter().map(|v| v.tag.as_deref()).collect();
        assert_eq!(tags, vec![Some("sms"), Some("Totp")]);
        let pointers: Vec<_> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/components/schemas/F/discriminator/mapping/x",
                "/components/schemas/F/discriminator/mapping/y",
                "/components/schemas/F/discriminator/mapping/z",
            ]
        );
        assert!(diagnostics.iter().all(|d| !d.is_error()));
        assert!(diagnostics[0].message.contains("outside this file"));
        assert!(diagnostics[1].message.contains("no schema `Nope`"));
    }
}
