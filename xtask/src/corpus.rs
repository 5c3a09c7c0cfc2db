//! `cargo xtask corpus PATH...`: prove the generator on specs nobody here
//! wrote. Each spec becomes a throwaway crate under target/corpus that must
//! `cargo check` with every feature on and warnings denied.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use mfa_codegen::{
    CrateConfig, Options, SpecInput, crate_root, generate_module, module_name, project, write,
};

use crate::workspace_root;

pub fn run(args: &[&str]) -> ExitCode {
    // `--operation ID` and `--tag TAG` (repeatable) generate a subset.
    let mut options = Options::default();
    let mut paths = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (*arg, args.clone().next()) {
            ("--operation", Some(id)) => {
                options = options.with_operations([*id]);
                args.next();
            }
            ("--tag", Some(tag)) => {
                options = options.with_tags([*tag]);
                args.next();
            }
            (path, _) => paths.push(path),
        }
    }
    let specs = match collect(&paths) {
        Ok(specs) if !specs.is_empty() => specs,
        Ok(_) => {
            eprintln!(
                "error: no .yaml, .yml or .json specs under {}",
                paths.join(" ")
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let root = workspace_root();
    let corpus_dir = root.join("target/corpus");
    let (mut passed, mut failed) = (0, 0);
    for path in &specs {
        let (line, ok) = check_one(&root, &corpus_dir, path, &options);
        println!("{line}");
        if ok { passed += 1 } else { failed += 1 }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Spec files named directly, and every spec file (sorted) in named directories.
fn collect(paths: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        let path = Path::new(path);
        if path.is_dir() {
            out.extend(project::spec_files(path)?);
        } else {
            out.push(path.to_path_buf());
        }
    }
    Ok(out)
}

/// Generate and check one spec: the report line and whether it passed.
/// The module a spec file generates (its stem, as a Rust name) and the
/// label it is reported under (its file name).
pub(crate) fn module_and_label(path: &Path) -> (String, String) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
    let module = module_name(stem).trim_start_matches("r#").to_string();
    let label = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(stem)
        .to_string();
    (module, label)
}

fn check_one(root: &Path, corpus_dir: &Path, path: &Path, options: &Options) -> (String, bool) {
    let (module, label) = module_and_label(path);
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return (format!("{label:<44} unreadable: {e}"), false),
    };
    let spec = SpecInput {
        module: module.clone(),
        path: path.display().to_string(),
        text,
        options: options.clone(),
    };
    let started = Instant::now();
    let generated = generate_module(&spec);
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let module_out = match generated {
        Ok(m) => m,
        Err(errors) => {
            for e in errors.iter().take(20) {
                eprintln!("{e}");
            }
            return (
                format!("{label:<44} generation failed: {} error(s)", errors.len()),
                false,
            );
        }
    };
    for warning in module_out.warnings.iter().take(20) {
        eprintln!("  {warning}");
    }
    if module_out.warnings.len() > 20 {
        eprintln!("  ... and {} more warnings", module_out.warnings.len() - 20);
    }
    let summary = format!(
        "{label:<44} {:>4} ops {:>5} types {:>9.1} ms {:>4} warnings",
        module_out.operations,
        module_out.types,
        millis,
        module_out.warnings.len()
    );
    let crate_dir = corpus_dir.join("crates").join(&module);
    if let Err(e) = write_crate(
        root,
        &crate_dir,
        &module,
        &label,
        module_out.tree,
        &module_out.title,
    ) {
        return (format!("{summary}  write failed: {e}"), false);
    }
    let output = Command::new(crate::bench_peers::cargo())
        .args(["check", "--quiet", "--all-features", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", corpus_dir.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .output();
    match output {
        Ok(out) if out.status.success() => (format!("{summary}  ok"), true),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            for line in stderr.lines().take(60) {
                eprintln!("  {line}");
            }
            (format!("{summary}  cargo check failed"), false)
        }
        Err(e) => (format!("{summary}  could not run cargo: {e}"), false),
    }
}

pub(crate) fn write_crate(
    root: &Path,
    dir: &Path,
    module: &str,
    label: &str,
    mut tree: write::Tree,
    title: &str,
) -> std::io::Result<()> {
    let config = CrateConfig {
        name: format!("corpus-{}", module.replace('_', "-")),
        description: format!("Throwaway crate generated from {label}."),
        runtime_path: root.join("runtime").display().to_string(),
    };
    let lib = crate_root(&[(module.to_string(), title.to_string())], label)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    tree.insert(PathBuf::from("src/lib.rs"), lib);
    // Its own workspace: it lives under ours but is not a member.
    tree.insert(
        PathBuf::from("Cargo.toml"),
        format!("{}\n[workspace]\n", mfa_codegen::cargo_toml(&config)),
    );
    write::write_tree(dir, &tree)
}
