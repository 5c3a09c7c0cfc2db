//! Change reports: what `cargo xtask gen` does to the crate's users, and
//! `cargo xtask diff OLD NEW` for any two specs.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use mfa_codegen::changes::{Report, Surface, surface_path};
use mfa_codegen::{ModuleApi, Options, SpecInput, module_name, plan_module};

/// The report for a regeneration: each module's surface as recorded in
/// `generated` (what the checked-in crate offers) against the one just
/// generated, and a line for each module added or removed.
pub fn regeneration_report(generated: &Path, modules: &[ModuleApi]) -> String {
    let mut out = String::new();
    for module in modules {
        let path = surface_path(&module.module);
        let shown = Path::new("generated").join(&path);
        match std::fs::read_to_string(generated.join(&path)) {
            Ok(text) => match Surface::from_json(&shown.display().to_string(), &text) {
                Ok(old) => {
                    let _ = write!(out, "{}", Report::new(&old, &module.surface));
                }
                Err(e) => {
                    let _ = writeln!(
                        out,
                        "{}: cannot compare with the previous API ({e})",
                        module.module
                    );
                }
            },
            Err(_) => {
                let _ = writeln!(
                    out,
                    "{}: new module, nothing to compare with ({} operations, {} types)",
                    module.module,
                    module.surface.operations.len(),
                    module.surface.types.len()
                );
            }
        }
    }
    let kept: BTreeSet<_> = modules.iter().map(|m| surface_path(&m.module)).collect();
    if let Ok(entries) = std::fs::read_dir(generated.join("api")) {
        let mut removed: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| Path::new("api").join(e.file_name()))
            .filter(|p| !kept.contains(p))
            .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
            .collect();
        removed.sort();
        for module in removed {
            let _ = writeln!(
                out,
                "{module}: module removed, with all its API (breaking for clients and servers; suggested version bump: major)"
            );
        }
    }
    out
}

/// `cargo xtask diff OLD NEW [--module NAME]`: the report between two
/// specs, as `gen` would print it had the crate been generated from `OLD`
/// (the names `OLD` gives are kept for `NEW`, as its names lock would).
pub fn run_diff(args: &[&str]) -> ExitCode {
    let (paths, module) = match args {
        [old, new] => ([*old, *new], None),
        [old, new, "--module", module] | ["--module", module, old, new] => {
            ([*old, *new], Some(module.to_string()))
        }
        _ => {
            eprintln!("usage: cargo xtask diff OLD_SPEC NEW_SPEC [--module NAME]");
            return ExitCode::from(2);
        }
    };
    let module = module.unwrap_or_else(|| {
        let stem = Path::new(paths[1])
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("api");
        module_name(stem)
    });
    let spec = |path: &str, options: Options| -> Result<SpecInput, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        Ok(SpecInput {
            module: module.clone(),
            path: path.to_string(),
            text,
            options,
        })
    };
    let plan = |spec: Result<SpecInput, String>| {
        let spec = spec.map_err(|e| vec![e])?;
        plan_module(&spec)
            .map(|(planned, _warnings)| planned)
            .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())
    };
    let old = match plan(spec(paths[0], Options::default())) {
        Ok(old) => old,
        Err(errors) => return fail(paths[0], &errors),
    };
    let new = match plan(spec(paths[1], Options::default().with_names(old.names))) {
        Ok(new) => new,
        Err(errors) => return fail(paths[1], &errors),
    };
    print!("{}", Report::new(&old.surface, &new.surface));
    ExitCode::SUCCESS
}

fn fail(path: &str, errors: &[String]) -> ExitCode {
    for error in errors {
        eprintln!("{error}");
    }
    eprintln!(
        "{path} does not plan ({} error(s)); nothing compared.",
        errors.len()
    );
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(name: &str, version: &str) -> ModuleApi {
        ModuleApi {
            module: name.into(),
            spec: format!("specs/{name}.yaml"),
            surface: Surface {
                module: name.into(),
                title: "API".into(),
                version: version.into(),
                ..Surface::default()
            },
            names: Default::default(),
        }
    }

    /// A module kept, one new and one gone: each gets its line.
    #[test]
    fn the_regeneration_report_covers_every_module() {
        let dir = std::env::temp_dir().join(format!("xtask-changes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("api")).unwrap();
        for old in [module("kept", "1"), module("gone", "1")] {
            let path = dir.join(surface_path(&old.module));
            std::fs::write(path, old.surface.to_json()).unwrap();
        }
        let report = regeneration_report(&dir, &[module("kept", "2"), module("fresh", "1")]);
        assert_eq!(
            report,
            "kept: no API changes (API 2)\n\
             fresh: new module, nothing to compare with (0 operations, 0 types)\n\
             gone: module removed, with all its API (breaking for clients and servers; suggested version bump: major)\n"
        );
        std::fs::write(dir.join("api/kept.json"), "{").unwrap();
        let report = regeneration_report(&dir, &[module("kept", "2")]);
        assert!(
            report.starts_with(
                "kept: cannot compare with the previous API (generated/api/kept.json: "
            ),
            "{report}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
