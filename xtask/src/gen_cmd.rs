//! `cargo xtask gen [--check]`: regenerate generated/ from specs/, or
//! check that it is up to date. Either way, first report what the
//! regeneration changes for the crate's users, module by module.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mfa_codegen::{diff_text, diff_tree, generate_crate, write_file, write_tree};
use xtask::project;

use crate::changes_cmd::regeneration_report;
use crate::workspace_root;

pub fn run(check: bool) -> ExitCode {
    let root = workspace_root();
    let specs = match project::read_specs(&root) {
        Ok(specs) => specs,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let generated = match generate_crate(&project::crate_config(), &specs) {
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
    println!("{}", regeneration_report(&out, &generated.modules));
    // Each spec's names lock, as it is to be.
    let locks: Vec<(PathBuf, String, String)> = generated
        .modules
        .iter()
        .map(|m| {
            let relative = project::lock_path(Path::new(&m.spec));
            let text = m.names.render(&m.spec);
            (root.join(&relative), relative.display().to_string(), text)
        })
        .collect();
    if check {
        let mut diffs = match diff_tree(&out, &generated.tree) {
            Ok(diffs) => diffs,
            Err(e) => {
                eprintln!("error: cannot compare generated/: {e}");
                return ExitCode::FAILURE;
            }
        };
        for (path, shown, text) in &locks {
            let on_disk = std::fs::read_to_string(path).unwrap_or_default();
            diffs.extend(diff_text(shown, &on_disk, text));
        }
        if diffs.is_empty() {
            println!(
                "generated/ and the names locks are up to date with specs/ ({} files).",
                generated.tree.len() + locks.len()
            );
            return ExitCode::SUCCESS;
        }
        for diff in &diffs {
            println!("{diff}");
        }
        eprintln!(
            "generated/ or a names lock is stale ({} file(s) differ): run `cargo xtask gen` and commit the result.",
            diffs.len()
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = write_tree(&out, &generated.tree) {
        eprintln!("error: writing generated/ failed: {e}; the previous contents are kept.");
        return ExitCode::FAILURE;
    }
    // After the crate: a lock left behind by a failure here is rebuilt the
    // same by the next run, which gives the same names from the same specs.
    for (path, shown, text) in &locks {
        if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
            continue;
        }
        if let Err(e) = write_file(path, text) {
            eprintln!("error: writing {shown} failed: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!(
        "wrote {} files to generated/ and {} names lock(s) from {} spec(s).",
        generated.tree.len(),
        locks.len(),
        specs.len()
    );
    ExitCode::SUCCESS
}
