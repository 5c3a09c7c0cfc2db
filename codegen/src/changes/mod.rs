//! What a regeneration does to the crate's users: each module's API
//! [`Surface`] (read from the plan, never from Rust source), the
//! differences between two surfaces, each marked breaking or not for
//! clients and for servers, and a [`Report`] with a suggested semver bump.
//!
//! `cargo xtask gen` keeps each module's surface beside the crate
//! (`generated/api/<module>.json`) and reports against it;
//! `cargo xtask diff OLD NEW` reports between any two specs.

mod diff;
mod operations;
mod report;
mod surface;
mod types;
mod what;

pub use diff::diff;
pub use report::{Bump, Report};
pub use surface::{
    FieldSurface, InputSurface, OperationSurface, ResponseSurface, SchemeSurface, Surface,
    TypeSurface, render,
};
pub use what::{Change, Item, What};

/// Where `gen` keeps a module's surface, in the generated crate.
pub fn surface_path(module: &str) -> std::path::PathBuf {
    std::path::Path::new("api").join(format!("{}.json", module.trim_start_matches("r#")))
}

#[cfg(test)]
mod tests;
