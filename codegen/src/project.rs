//! This repository's layout: where the specs are and what the generated
//! crate is called. Shared by `cargo xtask gen` and the freshness test so
//! both always generate the same thing.

use std::path::{Path, PathBuf};

use crate::{CrateConfig, SpecInput, naming};

/// The generated crate's settings.
pub fn crate_config() -> CrateConfig {
    CrateConfig {
        name: "mfa-apis".into(),
        description:
            "Typed clients, models and server traits for the APIs that reset a user's MFA devices."
                .into(),
        runtime_path: "../runtime".into(),
    }
}

/// Every `specs/*.yaml` (or `.yml`, `.json`) under `root`, sorted by file
/// name; each becomes the module named after its file stem.
pub fn read_specs(root: &Path) -> Result<Vec<SpecInput>, String> {
    spec_files(&root.join("specs"))?
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("spec");
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
            Ok(SpecInput {
                module: naming::field_ident(stem),
                path: format!("specs/{name}"),
                text,
            })
        })
        .collect()
}

/// The spec files (`.yaml`, `.yml`, `.json`) directly in `dir`, sorted.
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    paths.sort();
    Ok(paths)
}
