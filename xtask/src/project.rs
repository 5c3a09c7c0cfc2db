//! This repository's layout: the specs are in `specs/`, each with its
//! optional sidecar settings and names lock, and they become the crate
//! `mfa-apis` in `generated/`. Shared by `cargo xtask gen` and the
//! freshness test (tests/generated_is_fresh.rs) so both always generate
//! the same thing. The generator itself knows nothing of this layout.

use std::path::{Path, PathBuf};

use mfa_codegen::{CrateConfig, Files, NameLock, Options, SpecInput, module_name};

/// The generated crate's settings.
pub fn crate_config() -> CrateConfig {
    CrateConfig {
        name: "mfa-apis".into(),
        description:
            "Typed clients, models and server traits for the APIs that reset users' MFA devices."
                .into(),
        runtime_path: "../runtime".into(),
    }
}

/// Every `specs/*.yaml` (or `.yml`, `.json`) under `root`, sorted by file
/// name; each becomes the module named after its file stem, with the
/// options of its sidecar `specs/<stem>.toml` when there is one.
pub fn read_specs(root: &Path) -> Result<Vec<SpecInput>, String> {
    spec_files(&root.join("specs"))?
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("spec");
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
            let options = read_options(&path.with_extension("toml"))?
                .with_names(read_lock(&lock_path(&path))?)
                .with_files(Files::Directory(root.join("specs")));
            Ok(SpecInput {
                module: module_name(stem),
                path: format!("specs/{name}"),
                text,
                options,
            })
        })
        .collect()
}

/// A spec's sidecar settings file:
///
/// ```toml
/// # Generate only these operations and the types they reach.
/// operations = ["resetDevice"]   # by operationId
/// tags = ["Reset device"]        # by tag, ignoring case
/// ```
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecSettings {
    #[serde(default)]
    operations: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// The options in `path`, or the defaults when it does not exist.
pub fn read_options(path: &Path) -> Result<Options, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Options::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let settings: SpecSettings =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Options::default()
        .with_operations(settings.operations)
        .with_tags(settings.tags))
}

/// A spec's names lock: `specs/<stem>.names.lock` beside `specs/<stem>.yaml`.
pub fn lock_path(spec: &Path) -> PathBuf {
    spec.with_extension("names.lock")
}

/// The names lock at `path`, or an empty one when it does not exist.
pub fn read_lock(path: &Path) -> Result<NameLock, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => NameLock::parse(&path.display().to_string(), &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(NameLock::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_settings_select_operations_and_tags() {
        let dir = std::env::temp_dir().join(format!("xtask-project-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.toml");
        std::fs::write(
            &path,
            "operations = [\"resetDevice\"]\ntags = [\"Users\"]\n",
        )
        .unwrap();
        assert_eq!(
            read_options(&path).unwrap(),
            Options::default()
                .with_operations(["resetDevice"])
                .with_tags(["Users"])
        );
        assert_eq!(
            read_options(&dir.join("absent.toml")).unwrap(),
            Options::default()
        );
        std::fs::write(&path, "operation = [\"typo\"]\n").unwrap();
        assert!(
            read_options(&path)
                .unwrap_err()
                .contains("unknown field `operation`")
        );
    }
}
