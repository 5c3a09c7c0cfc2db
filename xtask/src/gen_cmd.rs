//! `cargo xtask gen [--check]`: regenerate generated/ from specs/, or
//! check that it is up to date.

use std::process::ExitCode;

use mfa_codegen::{generate_crate, project, write};

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
    if check {
        match write::diff_tree(&out, &generated.tree) {
            Ok(diffs) if diffs.is_empty() => {
                println!(
                    "generated/ is up to date with specs/ ({} files).",
                    generated.tree.len()
                );
                ExitCode::SUCCESS
            }
            Ok(diffs) => {
                for diff in &diffs {
                    println!("{diff}");
                }
                eprintln!(
                    "generated/ is stale ({} file(s) differ): run `cargo xtask gen` and commit the result.",
                    diffs.len()
                );
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
                println!(
                    "wrote {} files to generated/ from {} spec(s).",
                    generated.tree.len(),
                    specs.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: writing generated/ failed: {e}; the previous contents are kept.");
                ExitCode::FAILURE
            }
        }
    }
}
