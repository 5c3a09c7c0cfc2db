//! `cargo xtask bench --check-cost SPEC...`: what the crate each generator
//! makes from a spec costs its user to `cargo check`, per operation. A spec
//! with thousands of operations must give a crate that checks within the
//! machine's memory, so the figure that matters is how check time and peak
//! memory grow with the number of operations, next to the peers' on the same
//! spec. Each generator's output is checked twice in one shared target
//! directory (the first builds the dependencies); the second, after touching
//! the crate, is measured. A failure of any step is a cell in the report.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::bench::{Check, check, load_average, locate, machine};
use crate::bench_measure;
use crate::bench_peers::{Generator, Tools};
use crate::workspace_root;

/// The HTTP methods an OpenAPI path item may hold operations under.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One generated crate and the features it is checked with: ours twice, the
/// client alone (what the peers generate) and everything (client, server
/// and test double).
const VARIANTS: [(Generator, bool, &str); 4] = [
    (Generator::Ours, false, "ours (client)"),
    (Generator::Ours, true, "ours (all features)"),
    (Generator::OpenApi("rust"), false, "openapi-generator rust"),
    (Generator::Progenitor, false, "progenitor"),
];

pub fn run(specs: &[&str]) -> ExitCode {
    if specs.is_empty() {
        eprintln!("error: bench --check-cost needs at least one spec");
        return ExitCode::from(2);
    }
    let root = workspace_root();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let work = target.join("bench-checkcost");
    // Generation speed is not measured here, so this very build of xtask
    // runs ours (`bench-gen`) rather than a release build.
    let ours = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find the running xtask: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tools = Tools {
        ours,
        cache: target.join("bench-peers"),
    };
    let load_before = load_average();
    let mut versions = Vec::new();
    let mut installed = Vec::new();
    for generator in [
        Generator::Ours,
        Generator::OpenApi("rust"),
        Generator::Progenitor,
    ] {
        let result = tools.install(generator);
        if result.is_ok() {
            versions.push(format!(
                "{}: {}",
                generator.label(),
                tools.version(generator)
            ));
        }
        installed.push((generator, result));
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "Command: `cargo xtask bench --check-cost {}`  ",
        specs.join(" ")
    );
    let _ = writeln!(report, "Machine: {}  ", machine());
    let _ = writeln!(report, "Generators: {}  ", versions.join("; "));
    let _ = writeln!(
        report,
        "One crate-only `cargo check` each (dependencies built, CARGO_INCREMENTAL=0); CPU is user+system of cargo and the rustc it waits for, peak is their max RSS from `wait4`.\n"
    );
    let _ = writeln!(
        report,
        "| spec | operations | generator | lines of Rust | check CPU s | wall s | peak MB | CPU ms / operation | MB / operation |"
    );
    let _ = writeln!(
        report,
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for spec in specs {
        let path = locate(&root, spec);
        let operations = match count_operations(&path) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("spec")
            .to_string();
        for (generator, all_features, label) in VARIANTS {
            eprintln!("check-cost: {label} on {spec} ({operations} operations)");
            let out = work.join(generator.slug()).join(&stem);
            let cells = match installed.iter().find(|(g, _)| *g == generator) {
                Some((_, Err(e))) => vec![format!("not installed: {e}")],
                _ => measure(
                    generator,
                    all_features,
                    &tools,
                    &path,
                    &out,
                    &work,
                    operations,
                ),
            };
            let _ = writeln!(
                report,
                "| `{spec}` | {operations} | {label} | {} |",
                cells.join(" | ")
            );
        }
    }
    let _ = writeln!(
        report,
        "\nLoad average (1, 5, 15 min) before: {load_before}; after: {}",
        load_average()
    );
    println!("{report}");
    let path = work.join("results.md");
    if let Err(e) = fs::write(&path, &report) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    eprintln!("check-cost: report written to {}", path.display());
    ExitCode::SUCCESS
}

/// Generate `spec` into `out` (unless this run made it already, for ours'
/// second feature set), check it, and give the table cells after the
/// generator's name; a failure fills the first cell.
fn measure(
    generator: Generator,
    all_features: bool,
    tools: &Tools,
    spec: &Path,
    out: &Path,
    work: &Path,
    operations: usize,
) -> Vec<String> {
    if !(generator == Generator::Ours && all_features && out.exists()) {
        let _ = fs::remove_dir_all(out);
        if let Some(parent) = out.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let log = out.with_extension("log");
        match bench_measure::run(&mut generator.command(tools, spec, out), &log) {
            Ok(done) if done.success => {}
            Ok(failed) => return vec![format!("generation fails ({})", failed.status)],
            Err(e) => return vec![e],
        }
    }
    let lines = rust_lines(out);
    // One target directory for all: the outputs share many dependencies.
    let Check { ok, run, note } = check(out, &work.join("check-target"), all_features);
    let Some(done) = run.filter(|_| ok) else {
        return vec![format!("{lines}"), format!("check fails: {note}")];
    };
    let cpu = (done.user + done.system).as_secs_f64();
    let megabytes = done.max_rss as f64 / 1e6;
    let per = |x: f64| x / operations.max(1) as f64;
    vec![
        lines.to_string(),
        format!("{cpu:.2}"),
        format!("{:.2}", done.wall.as_secs_f64()),
        format!("{megabytes:.0}"),
        format!("{:.1}", per(cpu * 1000.0)),
        format!("{:.2}", per(megabytes)),
    ]
}

/// The operations in the spec at `path` (YAML or JSON): methods under
/// `paths`, which is what each generator makes a client method of.
fn count_operations(path: &Path) -> Result<usize, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&text).map_err(|e| format!("cannot parse {}: {e}", path.display()))?;
    Ok(operations_in(&doc))
}

fn operations_in(doc: &serde_yaml::Value) -> usize {
    let Some(paths) = doc.get("paths").and_then(serde_yaml::Value::as_mapping) else {
        return 0;
    };
    paths
        .values()
        .filter_map(serde_yaml::Value::as_mapping)
        .map(|item| {
            item.keys()
                .filter(|k| k.as_str().is_some_and(|k| METHODS.contains(&k)))
                .count()
        })
        .sum()
}

/// Lines of Rust under `dir` (every `.rs` file, not the build output).
fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| entry.path())
        .map(|path| {
            if path.is_dir() && path.file_name().is_none_or(|n| n != "target") {
                rust_lines(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                fs::read_to_string(&path).map_or(0, |t| t.lines().count())
            } else {
                0
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_the_methods_under_paths() {
        let doc: serde_yaml::Value = serde_yaml::from_str(
            "paths:\n  /a:\n    parameters: []\n    get: {}\n    post: {}\n  /b:\n    summary: x\n    delete: {}\ncomponents: {}\n",
        )
        .unwrap();
        assert_eq!(operations_in(&doc), 3);
    }

    #[test]
    fn lines_of_rust_count_rs_files_only() {
        let dir = std::env::temp_dir().join(format!("xtask-lines-{}", std::process::id()));
        fs::create_dir_all(dir.join("src/apis")).unwrap();
        fs::write(dir.join("src/lib.rs"), "a\nb\n").unwrap();
        fs::write(dir.join("src/apis/x.rs"), "c\n").unwrap();
        fs::write(dir.join("README.md"), "not rust\n").unwrap();
        assert_eq!(rust_lines(&dir), 3);
        fs::remove_dir_all(&dir).unwrap();
    }
}
