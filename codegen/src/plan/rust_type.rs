//! How a value's type is written in Rust, decided in the plan so emitters
//! print types without reading the model's [`TypeRef`].

use super::Context;
use crate::model::{IntegerFormat, NumberFormat, TypeRef};

/// A Rust type as the generated code writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RustType {
    /// A type of the module's `types` file, by its decided name.
    Named(String),
    /// A type of the module's `operations` file (an operation's multipart
    /// body struct).
    Operation(String),
    String,
    I32,
    I64,
    F32,
    F64,
    Bool,
    /// Any JSON value (`serde_json::Value`).
    Json,
    /// Raw bytes (`Vec<u8>`).
    Bytes,
    List(Box<RustType>),
    /// A JSON object with string keys, in key order (`BTreeMap`).
    Map(Box<RustType>),
    Option(Box<RustType>),
    /// A field boxed to break a cycle of types.
    Boxed(Box<RustType>),
    /// One file of a multipart form (the runtime's `FilePart`).
    FilePart,
    /// A whole multipart form, part by part (the runtime's `Multipart`).
    Multipart,
}

impl RustType {
    pub fn option(self) -> RustType {
        RustType::Option(Box::new(self))
    }

    /// `Option<self>` unless `required`.
    pub fn optional_unless(self, required: bool) -> RustType {
        if required { self } else { self.option() }
    }
}

impl Context<'_> {
    /// The Rust type of a model type: `nullable` is an `Option`.
    pub fn rust_type(&self, ty: &TypeRef) -> RustType {
        match ty {
            TypeRef::Named(id) => RustType::Named(self.names.type_name(id).to_string()),
            TypeRef::String(_) => RustType::String,
            TypeRef::Integer(IntegerFormat::I32) => RustType::I32,
            TypeRef::Integer(IntegerFormat::I64) => RustType::I64,
            TypeRef::Number(NumberFormat::F32) => RustType::F32,
            TypeRef::Number(NumberFormat::F64) => RustType::F64,
            TypeRef::Boolean => RustType::Bool,
            TypeRef::Array(item) => RustType::List(Box::new(self.rust_type(item))),
            TypeRef::Map(value) => RustType::Map(Box::new(self.rust_type(value))),
            TypeRef::Any => RustType::Json,
            TypeRef::Nullable(inner) => self.rust_type(inner).option(),
        }
    }
}
