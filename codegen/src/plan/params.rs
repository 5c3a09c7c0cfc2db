//! An operation's parameters: what each one is for (its role) and how its
//! value travels (its encoding), decided once for the client that writes it
//! and the server that reads it.

use super::Context;
use super::rust_type::RustType;
use super::shape::Shape;
use super::values::RustValue;
use crate::model::{
    Operation, ParamLocation, ParamStyle, Parameter, PathSegment, SecurityKind, TypeRef,
};

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamPlan {
    /// The name on the wire (`Idempotency-Key`, `_action`, `id`).
    pub wire: String,
    pub role: ParamRole,
    pub encoding: Encoding,
    pub description: Option<String>,
    pub deprecated: bool,
}

/// What a parameter is for.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamRole {
    /// A required parameter whose schema allows one value: the client
    /// always sends it, the server checks it, nobody types it (so it has no
    /// input field).
    Constant { value: String },
    /// One path segment, or part of one.
    Path(InputField),
    /// A list spanning a run of path segments, each item rendered as
    /// `{prefix}/{item}` (`x-path-segment-prefix`): Ping's realm hierarchy.
    Hierarchy { prefix: String, field: InputField },
    /// The header carrying an idempotency key (`Idempotency-Key` or
    /// `X-Idempotency-Key`, a string): the client fills in a fresh key, a
    /// request with one may be retried whatever its method, and a server
    /// stores the first answer to each key.
    IdempotencyKey(InputField),
    /// Any other value the caller gives.
    Plain(InputField),
}

/// A value of the operation's input: a field of its `Input` struct, a
/// client argument or setter.
#[derive(Debug, Clone, PartialEq)]
pub struct InputField {
    pub name: String,
    /// The value's type; the field holds `Option<ty>` unless `required`.
    pub ty: RustType,
    pub required: bool,
    pub init: ClientInit,
}

impl InputField {
    /// The field's type as declared.
    pub fn field_type(&self) -> RustType {
        self.ty.clone().optional_unless(self.required)
    }
}

/// How the client starts a call's value; every value but an argument has
/// a setter (which wraps it in `Some` when the field is optional).
#[derive(Debug, Clone, PartialEq)]
pub enum ClientInit {
    /// A positional argument of the client method.
    Argument,
    /// Unset (`None`).
    Unset,
    /// A fresh random idempotency key, so the caller can read (or replace)
    /// the one every attempt of the call sends.
    NewIdempotencyKey,
    /// The spec's default.
    Value(RustValue),
    /// An optional value the client sends anyway, as the spec's default,
    /// unless the call sets another (`x-send-default`); the server still
    /// sees `None` when nothing was sent. `shown` is the default as the
    /// setter's doc writes it.
    SendDefault { value: RustValue, shown: String },
    /// The type's `Default`: a body whose every property is optional.
    Default,
}

/// How a parameter's value travels.
#[derive(Debug, Clone, PartialEq)]
pub enum Encoding {
    /// In the path, where the template names it.
    Path(PathForm),
    Query(QueryForm),
    Header(TextForm),
    Cookie(TextForm),
}

impl Encoding {
    /// Where the value travels.
    pub fn location(&self) -> ParamLocation {
        match self {
            Encoding::Path(_) => ParamLocation::Path,
            Encoding::Query(_) => ParamLocation::Query,
            Encoding::Header(_) => ParamLocation::Header,
            Encoding::Cookie(_) => ParamLocation::Cookie,
        }
    }
}

/// One value as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextForm {
    /// Its `ParamValue` text.
    Scalar,
    /// Compact JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathForm {
    /// One segment, its `ParamValue` text.
    Scalar,
    /// One segment, the items' texts joined by commas (`simple` style);
    /// `newtype`: the field is a newtype over the list.
    Array { newtype: bool },
    /// One segment, compact JSON: an object, or a union with an object or
    /// list branch (no style writes those as one text both sides agree on).
    Json,
    /// One segment per item (a hierarchy); `newtype`: the field is a newtype
    /// over the list.
    Items { newtype: bool },
}

/// How a query parameter is laid out, from its type, `style` and `explode`.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryForm {
    /// `name=value`.
    Scalar,
    /// `name=<compact JSON>`.
    Json,
    /// A list; `newtype`: the field is a newtype over it.
    Array {
        layout: ArrayLayout,
        newtype: bool,
    },
    Object(ObjectLayout),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayLayout {
    /// `style: form`: one pair per item when exploded, else one pair with
    /// the items joined by commas. (Exploded space- or pipe-delimited lists,
    /// and lists in `deepObject`, are sent the same way.)
    Form { explode: bool },
    /// One pair, the items joined by this delimiter.
    Delimited(Delimiter),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectLayout {
    /// One pair per property, read back from these keys.
    Exploded(ObjectKeys),
    /// `name[key]=value`.
    Deep,
    /// One pair, `key,value` items joined by this delimiter.
    Delimited(Delimiter),
}

/// Which query pairs an exploded object reads.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKeys {
    /// Its declared properties.
    Only(Vec<String>),
    /// An open object: every pair but these (the operation's other query
    /// parameters, the properties of its other exploded objects, API keys
    /// sent in the query).
    AllBut(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    Comma,
    Space,
    Pipe,
}

impl ParamPlan {
    /// The input field, for every parameter but a constant.
    pub fn input(&self) -> Option<&InputField> {
        match &self.role {
            ParamRole::Constant { .. } => None,
            ParamRole::Path(field)
            | ParamRole::Hierarchy { field, .. }
            | ParamRole::IdempotencyKey(field)
            | ParamRole::Plain(field) => Some(field),
        }
    }
}

/// The layout `style` and `explode` give a query list or object.
enum Layout {
    Exploded,
    Delimited(Delimiter),
    Deep,
}

fn layout(p: &Parameter) -> Layout {
    match (p.style, p.explode) {
        (ParamStyle::DeepObject, _) => Layout::Deep,
        (_, true) => Layout::Exploded,
        (ParamStyle::SpaceDelimited, false) => Layout::Delimited(Delimiter::Space),
        (ParamStyle::PipeDelimited, false) => Layout::Delimited(Delimiter::Pipe),
        // `form`, and path or header styles a query cannot have.
        (_, false) => Layout::Delimited(Delimiter::Comma),
    }
}

impl Context<'_> {
    /// Plans for `op`'s parameters, with their decided field names.
    pub(super) fn params(&self, op: &Operation, fields: &[String]) -> Vec<ParamPlan> {
        let idempotency_key = idempotency_key(op);
        op.parameters
            .iter()
            .zip(fields)
            .enumerate()
            .map(|(i, (p, field))| {
                let is_key = idempotency_key == Some(i);
                let input = || InputField {
                    name: field.clone(),
                    ty: self.rust_type(&p.ty),
                    required: p.required,
                    init: self.param_init(p, is_key),
                };
                let hierarchy = op.segments.iter().find_map(|s| match s {
                    PathSegment::Hierarchy { param, prefix } if *param == p.name => Some(prefix),
                    _ => None,
                });
                let role = match (&p.constant, hierarchy) {
                    (Some(value), _) => ParamRole::Constant {
                        value: value.clone(),
                    },
                    (None, Some(prefix)) => ParamRole::Hierarchy {
                        prefix: prefix.clone(),
                        field: input(),
                    },
                    (None, None) if p.location == ParamLocation::Path => ParamRole::Path(input()),
                    (None, None) if is_key => ParamRole::IdempotencyKey(input()),
                    (None, None) => ParamRole::Plain(input()),
                };
                ParamPlan {
                    wire: p.name.clone(),
                    encoding: self.encoding(op, p, hierarchy.is_some()),
                    role,
                    description: p.description.clone(),
                    deprecated: p.deprecated,
                }
            })
            .collect()
    }

    fn param_init(&self, p: &Parameter, is_key: bool) -> ClientInit {
        let default = p
            .default
            .as_ref()
            .and_then(|d| Some((d, self.default_value(&p.ty, d)?)));
        match (is_key, p.required, default) {
            (true, _, _) => ClientInit::NewIdempotencyKey,
            (false, true, Some((_, value))) => ClientInit::Value(value),
            (false, true, None) => ClientInit::Argument,
            (false, false, Some((shown, value))) if p.send_default => ClientInit::SendDefault {
                value,
                shown: shown
                    .as_str()
                    .map_or_else(|| shown.to_string(), str::to_owned),
            },
            (false, false, _) => ClientInit::Unset,
        }
    }

    fn encoding(&self, op: &Operation, p: &Parameter, hierarchy: bool) -> Encoding {
        let shape = self.shape(&p.ty);
        let text = match shape {
            Shape::Scalar => TextForm::Scalar,
            _ => TextForm::Json,
        };
        let newtype = self.newtype_inner(&p.ty).is_some();
        match p.location {
            ParamLocation::Path => Encoding::Path(match (hierarchy, shape) {
                (true, _) => PathForm::Items { newtype },
                (false, Shape::Scalar) => PathForm::Scalar,
                (false, Shape::Array) => PathForm::Array { newtype },
                (false, Shape::Object | Shape::Json) => PathForm::Json,
            }),
            ParamLocation::Header => Encoding::Header(text),
            ParamLocation::Cookie => Encoding::Cookie(text),
            ParamLocation::Query => Encoding::Query(match shape {
                Shape::Scalar => QueryForm::Scalar,
                Shape::Json => QueryForm::Json,
                Shape::Array => QueryForm::Array {
                    layout: match (p.style, layout(p)) {
                        (ParamStyle::Form, _) => ArrayLayout::Form { explode: p.explode },
                        (_, Layout::Delimited(delimiter)) => ArrayLayout::Delimited(delimiter),
                        _ => ArrayLayout::Form { explode: true },
                    },
                    newtype,
                },
                Shape::Object => QueryForm::Object(match layout(p) {
                    Layout::Exploded => ObjectLayout::Exploded(self.object_keys(op, p)),
                    Layout::Deep => ObjectLayout::Deep,
                    Layout::Delimited(delimiter) => ObjectLayout::Delimited(delimiter),
                }),
            }),
        }
    }

    /// Which query pairs an exploded object reads: its properties, or for
    /// an open object every pair but the operation's other query
    /// parameters, the properties of its other exploded objects, and API
    /// keys sent in the query.
    fn object_keys(&self, op: &Operation, p: &Parameter) -> ObjectKeys {
        let Some(object) = self.object_type(&p.ty) else {
            return ObjectKeys::AllBut(Vec::new());
        };
        if !object.open {
            return ObjectKeys::Only(object.fields);
        }
        let mut others: Vec<String> = Vec::new();
        let mut add = |name: &str| {
            if !others.iter().any(|o| o == name) {
                others.push(name.to_string());
            }
        };
        for other in op.parameters_in(ParamLocation::Query) {
            if other.name == p.name {
                continue;
            }
            add(&other.name);
            let exploded =
                self.shape(&other.ty) == Shape::Object && matches!(layout(other), Layout::Exploded);
            if let Some(object) = self.object_type(&other.ty).filter(|_| exploded) {
                object.fields.iter().for_each(|f| add(f));
            }
        }
        for scheme in &self.api.security_schemes {
            if let SecurityKind::ApiKey {
                location: ParamLocation::Query,
                name,
            } = &scheme.kind
            {
                add(name);
            }
        }
        ObjectKeys::AllBut(others)
    }
}

/// The index of the header parameter that carries an idempotency key
/// (`Idempotency-Key` or `X-Idempotency-Key`, any case, a string).
fn idempotency_key(op: &Operation) -> Option<usize> {
    op.parameters.iter().position(|p| {
        p.location == ParamLocation::Header
            && matches!(p.ty, TypeRef::String(_))
            && ["idempotency-key", "x-idempotency-key"]
                .iter()
                .any(|name| p.name.eq_ignore_ascii_case(name))
    })
}
