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
mod boxing;
mod claims;
pub mod lock;
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

pub use body::{BodyKind, BodyPlan, MultipartDecl, PartKind};
pub use operation::OperationPlan;
pub use params::{
    ArrayLayout, ClientInit, Delimiter, Encoding, InputField, ObjectKeys, ObjectLayout, ParamPlan,
    ParamRole, PathForm, QueryForm, TextForm,
};
pub use rejection::{JsonTemplate, RejectionPlan};
pub use responses::ResponsePlan;
pub use rust_type::RustType;
pub use security::{KeyLocation, SchemeKind, SchemePlan};
pub use servers::ServerPlan;
pub use types::{
    DeclKind, EnumDecl, EnumVariant, FieldDecl, FieldSerde, NewtypeDecl, StructDecl, Tagging,
    TypeDecl, UnionDecl,
};
pub use values::RustValue;

/// The HTTP vocabulary the plan shares with the model.
pub use crate::model::{ParamLocation, StatusMatch};

use crate::model::Api;
use claims::Namer;
use lock::NameLock;
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
    /// The test double of the server trait, and the enum of the calls it
    /// received (module `testing`).
    pub double: String,
    pub double_received: String,
    /// Prelude names (`String`, `Option`...) a type of the `types` module
    /// takes: that module writes these std names in full.
    pub shadowed: Vec<String>,
    /// What the server answers a request it rejects.
    pub rejection: RejectionPlan,
}

/// Plan the module `module` for `api`, naming by the rules alone.
#[cfg(test)]
pub fn build(api: &Api, module: &str) -> Plan {
    build_locked(api, module, &NameLock::default()).plan
}

/// A plan, and the names it gives.
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: Plan,
    /// Every item's name, keyed by its identity: the lock to write back.
    pub names: NameLock,
    /// Names `lock` gave that could not be kept, one line each.
    pub conflicts: Vec<String>,
}

/// Plan the module `module` for `api`, keeping the name `lock` gives each
/// item still in the spec.
pub fn build_locked(api: &Api, module: &str, lock: &NameLock) -> Planned {
    let mut namer = Namer::new(lock);
    let names = Names::new(api, module, &mut namer);
    let boxing = boxing::Boxing::new(api);
    let text_unions = shape::text_unions(api);
    let cx = Context {
        api,
        names: &names,
        boxing: &boxing,
        text_unions: &text_unions,
    };
    let plan = Plan {
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
        double: names::DOUBLE.to_string(),
        double_received: names::DOUBLE_RECEIVED.to_string(),
        shadowed: names::PRELUDE_NAMES
            .iter()
            .filter(|name| names.types.values().any(|t| t == *name))
            .map(ToString::to_string)
            .collect(),
        rejection: cx.rejection(),
    };
    Planned {
        plan,
        names: namer.given,
        conflicts: namer.conflicts,
    }
}

/// What every planning step reads: the model, its decided names, which
/// members are boxed and which unions are texts.
struct Context<'a> {
    api: &'a Api,
    names: &'a Names,
    boxing: &'a boxing::Boxing,
    /// The unions that travel as one text (see `shape::text_unions`).
    text_unions: &'a std::collections::BTreeSet<crate::model::TypeId>,
}

#[cfg(test)]
mod tests;
