//! A module's API surface: what code using the generated crate can name and
//! rely on, read from the plan. Every item is keyed by its Rust name, as a
//! user sees it; the spec's words ride along for the report.
//!
//! This is the one file that reads the plan's shapes, so a change there is
//! a change here only.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::plan::{
    DeclKind, EnumDecl, FieldSerde, OperationPlan, Plan, ResponsePlan, RustType, StatusMatch,
    Tagging, TypeDecl,
};

/// Everything one module offers its users.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// The module's name (`fireblocks`).
    pub module: String,
    /// The spec's title and version, for the report's heading.
    pub title: String,
    /// The spec's version (`info.version`).
    pub version: String,
    /// The server trait's name (`FireblocksApi`).
    pub server_trait: String,
    /// By client (and trait) method.
    pub operations: BTreeMap<String, OperationSurface>,
    /// By name: `Thing` in the `types` file, `operations::ThingMultipart`
    /// for a multipart body's own struct.
    pub types: BTreeMap<String, TypeSurface>,
    /// By constant: `BEARER_AUTH`.
    pub schemes: BTreeMap<String, SchemeSurface>,
    /// The functions filling in a server URL's variables, by name, with
    /// their arguments in order.
    pub server_functions: BTreeMap<String, Vec<String>>,
    /// What the spec marks deprecated (the generated code too, so using it
    /// warns): `operation get_audits`, `operation get_audits parameter
    /// cursor`, `type Thing`, `type Thing field name`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub deprecated: BTreeSet<String>,
}

/// What users of one operation rely on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationSurface {
    /// The operationId.
    pub id: String,
    /// `POST /users/{id}`.
    pub endpoint: String,
    /// The client method's arguments, in order.
    pub arguments: Vec<String>,
    /// The fields of the operation's input: parameters and the body.
    pub inputs: BTreeMap<String, InputSurface>,
    /// By variant of the success or the error enum.
    pub responses: BTreeMap<String, ResponseSurface>,
}

/// One field of an operation's input: a parameter or the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSurface {
    /// Where it travels: `path`, `query`, `header`, `cookie` or `body`.
    pub location: String,
    /// Its name on the wire (a body's: its media type).
    pub wire: String,
    /// The field's type as declared (`Option<..>` when optional).
    pub ty: String,
    /// A positional argument of the client method (else a setter).
    pub argument: bool,
}

/// One documented response: a variant of the success or error enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseSurface {
    /// `200`, `4XX`, `default`.
    pub status: String,
    /// A variant of the success enum (else of the error enum).
    pub success: bool,
    /// The body's type, if it has one.
    pub body: Option<String>,
    /// Header fields: their declared types.
    pub headers: BTreeMap<String, String>,
}

/// A type of the module, as far as its users can rely on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeSurface {
    /// A struct.
    Struct {
        /// Its fields, by Rust name.
        fields: BTreeMap<String, FieldSurface>,
        /// Derives `Default`.
        default: bool,
    },
    /// Variants and their wire values.
    Enum {
        /// Variant names and their wire values.
        variants: BTreeMap<String, String>,
    },
    /// Variants and the types they hold; `tag`: the discriminator property.
    Union {
        /// Variant names and the types they hold.
        variants: BTreeMap<String, String>,
        /// The discriminator property, for a tagged union.
        tag: Option<String>,
    },
    /// A newtype around another type.
    Newtype {
        /// The type it wraps.
        inner: String,
        /// Derives `Default`.
        default: bool,
    },
}

impl TypeSurface {
    /// `struct`, `enum`, `union` or `newtype`.
    pub fn kind(&self) -> &'static str {
        match self {
            TypeSurface::Struct { .. } => "struct",
            TypeSurface::Enum { .. } => "enum",
            TypeSurface::Union { .. } => "union",
            TypeSurface::Newtype { .. } => "newtype",
        }
    }
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSurface {
    /// The property's name on the wire.
    pub wire: String,
    /// The field's type as declared (`Option<..>` unless required and not
    /// nullable).
    pub ty: String,
    /// The spec requires the property.
    pub required: bool,
    /// Required but nullable: always sent, `null` for `None`.
    pub nullable: bool,
}

/// A security scheme's constant and the client methods for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemeSurface {
    /// Its key in the spec.
    pub key: String,
    /// The client's credential methods.
    pub methods: Vec<String>,
}

impl Surface {
    /// The surface of the module `plan` prints.
    pub(crate) fn of(plan: &Plan) -> Surface {
        let mut types: BTreeMap<String, TypeSurface> = plan
            .types
            .iter()
            .map(|decl| (decl.name.clone(), type_surface(decl)))
            .collect();
        for op in &plan.operations {
            if let Some(decl) = op.body.as_ref().and_then(|b| b.multipart.as_ref()) {
                let fields = decl
                    .parts
                    .iter()
                    .map(|part| {
                        let ty = if part.optional {
                            part.ty.clone().option()
                        } else {
                            part.ty.clone()
                        };
                        let field = FieldSurface {
                            wire: part.wire.clone(),
                            ty: render(&ty),
                            required: !part.optional,
                            nullable: false,
                        };
                        (part.field.clone(), field)
                    })
                    .collect();
                let default = decl.derives_default;
                types.insert(
                    render(&RustType::Operation(decl.name.clone())),
                    TypeSurface::Struct { fields, default },
                );
            }
        }
        Surface {
            module: plan.module.clone(),
            title: plan.title.clone(),
            version: plan.version.clone(),
            server_trait: plan.server_trait.clone(),
            operations: plan
                .operations
                .iter()
                .map(|op| (op.method.clone(), operation_surface(op)))
                .collect(),
            types,
            schemes: plan
                .schemes
                .iter()
                .map(|s| {
                    let methods = std::iter::once(s.method.clone())
                        .chain(s.named_method.clone())
                        .collect();
                    let scheme = SchemeSurface {
                        key: s.key.clone(),
                        methods,
                    };
                    (s.constant.clone(), scheme)
                })
                .collect(),
            server_functions: plan
                .servers
                .iter()
                .filter_map(|s| {
                    let arguments = s.variables.iter().map(|v| v.argument.clone()).collect();
                    Some((s.function.clone()?, arguments))
                })
                .collect(),
            deprecated: deprecated(plan),
        }
    }

    /// The surface as the JSON file `gen` keeps beside the crate.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Read a surface written by [`Surface::to_json`]; `path` names it in errors.
    pub fn from_json(path: &str, text: &str) -> Result<Surface, String> {
        serde_json::from_str(text).map_err(|e| format!("{path}: {e}"))
    }
}

/// Every deprecated item of `plan`, named as [`Surface::deprecated`] says.
fn deprecated(plan: &Plan) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for op in &plan.operations {
        let at = format!("operation {}", op.method);
        if op.deprecated {
            out.insert(at.clone());
        }
        for p in op.params.iter().filter(|p| p.deprecated) {
            if let Some(field) = p.input() {
                out.insert(format!("{at} parameter {}", field.name));
            }
        }
    }
    for decl in &plan.types {
        let at = format!("type {}", decl.name);
        if decl.deprecated {
            out.insert(at.clone());
        }
        if let DeclKind::Struct(s) = &decl.kind {
            for f in s.fields.iter().filter(|f| f.deprecated) {
                out.insert(format!("{at} field {}", f.name));
            }
        }
    }
    out
}

fn operation_surface(op: &OperationPlan) -> OperationSurface {
    let params = op.params.iter().filter_map(|p| {
        let field = p.input()?;
        let location = format!("{:?}", p.encoding.location()).to_ascii_lowercase();
        Some((field, location, p.wire.clone()))
    });
    let body = op
        .body
        .as_ref()
        .map(|b| (&b.field, "body".to_string(), b.media_type.clone()));
    let fields: Vec<_> = params.chain(body).collect();
    OperationSurface {
        id: op.id.clone(),
        endpoint: format!("{} {}", op.http_method.as_str(), op.path),
        arguments: fields
            .iter()
            .filter(|(field, _, _)| field.init == crate::plan::ClientInit::Argument)
            .map(|(field, _, _)| field.name.clone())
            .collect(),
        inputs: fields
            .iter()
            .map(|(field, location, wire)| {
                let input = InputSurface {
                    location: location.clone(),
                    wire: wire.clone(),
                    ty: render(&field.field_type()),
                    argument: field.init == crate::plan::ClientInit::Argument,
                };
                (field.name.clone(), input)
            })
            .collect(),
        responses: op
            .responses
            .iter()
            .map(|r| (r.variant.clone(), response_surface(r)))
            .collect(),
    }
}

fn response_surface(r: &ResponsePlan) -> ResponseSurface {
    ResponseSurface {
        status: match r.status {
            StatusMatch::Code(code) => code.to_string(),
            StatusMatch::Range(digit) => format!("{digit}XX"),
            StatusMatch::Default => "default".into(),
        },
        success: r.success,
        body: r.body.as_ref().map(|b| render(&b.ty)),
        headers: r
            .headers
            .iter()
            .map(|h| {
                let ty = h.ty.clone().optional_unless(h.required);
                (h.field.clone(), render(&ty))
            })
            .collect(),
    }
}

fn type_surface(decl: &TypeDecl) -> TypeSurface {
    match &decl.kind {
        DeclKind::Struct(s) => {
            let mut fields: BTreeMap<String, FieldSurface> = s
                .fields
                .iter()
                .map(|f| {
                    let (required, nullable) = match &f.serde {
                        FieldSerde::Flatten | FieldSerde::Required => (true, false),
                        FieldSerde::RequiredNullable => (true, true),
                        FieldSerde::Optional | FieldSerde::OptionalNotNull => (false, false),
                        FieldSerde::OptionalNullable => (false, true),
                        FieldSerde::DefaultFn(_) => (true, matches!(f.ty, RustType::Option(_))),
                    };
                    let field = FieldSurface {
                        wire: f.wire.clone(),
                        ty: render(&f.ty),
                        required,
                        nullable,
                    };
                    (f.name.clone(), field)
                })
                .collect();
            if let Some(value) = &s.additional {
                // The flattened map `emit::types` adds for additionalProperties.
                let map = RustType::Map(Box::new(value.clone()));
                let field = FieldSurface {
                    wire: "(other properties)".into(),
                    ty: render(&map),
                    required: false,
                    nullable: false,
                };
                fields.insert("additional_properties".into(), field);
            }
            TypeSurface::Struct {
                fields,
                default: s.derives_default,
            }
        }
        DeclKind::Enum(EnumDecl::Strings { variants, .. }) => TypeSurface::Enum {
            variants: variants
                .iter()
                .map(|v| (v.name.clone(), v.wire.clone()))
                .collect(),
        },
        DeclKind::Enum(EnumDecl::Integers { variants, .. }) => TypeSurface::Enum {
            variants: variants
                .iter()
                .map(|v| (v.name.clone(), v.wire.to_string()))
                .collect(),
        },
        DeclKind::Union(u) => TypeSurface::Union {
            variants: u
                .variants
                .iter()
                .map(|v| (v.name.clone(), render(&v.ty)))
                .collect(),
            tag: match &u.tagging {
                Tagging::Discriminated { property } => Some(property.clone()),
                Tagging::Untagged => None,
            },
        },
        DeclKind::Newtype(n) => TypeSurface::Newtype {
            inner: render(&n.inner),
            default: n.derives_default,
        },
    }
}

/// A type as a user writes it, paths shortened: `Option<Vec<Thing>>`.
pub fn render(ty: &RustType) -> String {
    match ty {
        RustType::Named(name) => name.clone(),
        RustType::Operation(name) => format!("operations::{name}"),
        RustType::String => "String".into(),
        RustType::I32 => "i32".into(),
        RustType::I64 => "i64".into(),
        RustType::F32 => "f32".into(),
        RustType::F64 => "f64".into(),
        RustType::Bool => "bool".into(),
        RustType::Json => "serde_json::Value".into(),
        RustType::Bytes => "Vec<u8>".into(),
        RustType::List(item) => format!("Vec<{}>", render(item)),
        RustType::Map(value) => format!("BTreeMap<String, {}>", render(value)),
        RustType::Option(inner) => format!("Option<{}>", render(inner)),
        RustType::Boxed(inner) => format!("Box<{}>", render(inner)),
        RustType::FilePart => "FilePart".into(),
        RustType::Multipart => "Multipart".into(),
    }
}

/// The names of the module's types that a rendered type mentions.
pub fn mentioned<'a>(
    ty: &'a str,
    types: &'a BTreeMap<String, TypeSurface>,
) -> impl Iterator<Item = &'a str> {
    ty.split(['<', '>', ',', ' '])
        .filter(move |word| !word.is_empty() && types.contains_key(*word))
}
