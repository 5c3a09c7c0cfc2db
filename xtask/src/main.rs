//! Project automation, as ordinary Rust: `cargo xtask gen [--check]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mfa_codegen::{CrateConfig, SpecInput, generate_crate, write};

const USAGE: &str = "usage: cargo xtask gen [--check]

  gen          regenerate generated/ from specs/ (all or nothing)
  gen --check  change nothing; fail with a diff if generated/ is stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => generate(false),
        ["gen", "--check"] => generate(true),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Every `specs/*.yaml` (or `.yml`, `.json`), sorted, one module each.
fn read_specs(root: &Path) -> Result<Vec<SpecInput>, String> {
    let dir = root.join("specs");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
            Ok(SpecInput {
                module: mfa_codegen::naming::field_ident(stem),
                path: format!("specs/{}", path.file_name().and_then(|n| n.to_str()).unwrap_or(stem)),
                text,
            })
        })
        .collect()
}

fn generate(check: bool) -> ExitCode {
    let root = workspace_root();
    let specs = match read_specs(&root) {
        Ok(specs) => specs,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = CrateConfig {
        name: "mfa-apis".into(),
        description: "Typed clients, models and server traits for the APIs that reset a user's MFA devices.".into(),
        runtime_path: "../runtime".into(),
    };
    let generated = match generate_crate(&config, &specs) {
        Ok(generated) => generated,
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            eprintln!("{} error(s); generated/ was not changed.", errors.len());
            return ExitCode::FAILURE;
        }
    };
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    let out = root.join("generated");
    if check {
        match write::diff_tree(&out, &generated.tree) {
            Ok(diffs) if diffs.is_empty() => {
                println!("generated/ is up to date with specs/ ({} files).", generated.tree.len());
                ExitCode::SUCCESS
            }
            Ok(diffs) => {
                for diff in &diffs {
                    println!("{diff}");
                }
                eprintln!("generated/ is stale ({} file(s) differ): run `cargo xtask gen` and commit the result.", diffs.len());
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: cannot compare generated/: {e}");
                ExitCode::FAILURE
            }
        }
    } else {
        match write::write_tree(&out, &generated.tree) {
            Ok(()) => {
                println!("wrote {} files to generated/ from {} spec(s).", generated.tree.len(), specs.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: writing generated/ failed: {e}; the previous contents are kept.");
                ExitCode::FAILURE
            }
        }
    }
}
