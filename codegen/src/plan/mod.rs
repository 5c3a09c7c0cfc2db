//! Stage 3: the plan. Every name and every decision about the generated
//! code, made once from the model and the naming rules: what each type is
//! and how serde reads it, each parameter's role and encoding, each body's
//! kind, each response's variant, each scheme's constant and client method.
//! Emitters print a [`Plan`] and never see the model, so the client and the
//! server print the same decisions and cannot disagree.
//!
//! A plan is plain data (`Clone`, `PartialEq`, `Debug`), in the spec's
//! order, so two plans can be compared item by item.

mod body;
pub mod names;
mod operation;
mod params;
mod rejection;
mod responses;
mod rust_type;
mod security;
mod servers;
mod shape;
mod types;
mod values;

pub use body::{BodyKind, BodyPlan, MultipartDecl, PartDecl, PartKind, ResponseBody};
pub use operation::{OperationPlan, SecurityPlan};
pub use params::{
    ArrayLayout, ClientInit, Delimiter, Encoding, InputField, ObjectKeys, ObjectLayout, ParamPlan,
    ParamRole, PathForm, QueryForm, TextForm,
};
pub use rejection::{JsonTemplate, RejectionPlan};
pub use responses::{HeaderPlan, ResponsePlan};
pub use rust_type::RustType;
pub use security::{KeyLocation, SchemeKind, SchemePlan};
pub use servers::{ServerPlan, VariablePlan};
pub use types::{
    DeclKind, DefaultFn, EnumDecl, EnumVariant, FieldDecl, FieldSerde, NewtypeDecl, StructDecl,
    Tagging, TypeDecl, UnionDecl, UnionVariant,
};
pub use values::RustValue;

/// The HTTP vocabulary the plan shares with the model.
pub use crate::model::{Method, ParamLocation, StatusMatch};

use crate::model::Api;
use names::Names;

/// Everything one spec's module prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The module's name (`ping`).
    pub module: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<ServerPlan>,
    pub schemes: Vec<SchemePlan>,
    /// The `types` file, in the model's type order.
    pub types: Vec<TypeDecl>,
    pub operations: Vec<OperationPlan>,
    /// The server trait: `PingApi`.
    pub server_trait: String,
    /// Prelude names (`String`, `Option`...) a type of the `types` module
    /// takes: that module writes these std names in full.
    pub shadowed: Vec<String>,
    /// What the server answers a request it rejects.
    pub rejection: RejectionPlan,
}

/// Plan the module `module` for `api`.
pub fn build(api: &Api, module: &str) -> Plan {
    let names = Names::new(api, module);
    let cx = Context { api, names: &names };
    Plan {
        module: module.to_string(),
        title: api.title.clone(),
        version: api.version.clone(),
        description: api.description.clone(),
        servers: cx.servers(),
        schemes: cx.schemes(),
        types: cx.type_decls(),
        operations: api
            .operations
            .iter()
            .zip(&names.operations)
            .map(|(op, op_names)| cx.operation(op, op_names))
            .collect(),
        server_trait: names.server_trait.clone(),
        shadowed: names::PRELUDE_NAMES
            .iter()
            .filter(|name| names.types.values().any(|t| t == *name))
            .map(|name| name.to_string())
            .collect(),
        rejection: cx.rejection(),
    }
}

/// What every planning step reads: the model and its decided names.
struct Context<'a> {
    api: &'a Api,
    names: &'a Names,
}

#[cfg(test)]
mod tests;
