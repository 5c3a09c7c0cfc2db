//! Generated code is read in diffs: no line is wider than 100 columns, and
//! the runtime is named through its one alias. Checked on the checked-in
//! crate and on the output of every fixture.

use std::path::{Path, PathBuf};

use mfa_codegen::{SpecInput, generate_module};

const WIDTH: usize = 100;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// `(file name, text)` of every generated file to check: generated/ as
/// checked in, and each fixture's module generated now.
fn generated_files() -> Vec<(String, String)> {
    let root = root();
    let mut files = Vec::new();
    let mut dirs = vec![root.join("generated")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("generated/ readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "toml") {
                let text = std::fs::read_to_string(&path).expect("readable");
                files.push((path.display().to_string(), text));
            }
        }
    }
    let fixtures = root.join("tests/fixtures");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("fixtures readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    specs.sort();
    for spec in specs {
        let stem = spec.file_stem().and_then(|s| s.to_str()).expect("stem");
        let input = SpecInput {
            module: mfa_codegen::module_name(stem),
            path: format!(
                "tests/fixtures/{}",
                spec.file_name().and_then(|n| n.to_str()).expect("name")
            ),
            text: std::fs::read_to_string(&spec).expect("fixture readable"),
            options: Default::default(),
        };
        let module = generate_module(&input).expect("fixture generates");
        for (path, text) in module.tree {
            files.push((format!("{} ({})", path.display(), input.path), text));
        }
    }
    files
}

#[test]
fn no_generated_line_is_over_100_columns() {
    let mut long = Vec::new();
    for (file, text) in generated_files() {
        for (i, line) in text.lines().enumerate() {
            if line.chars().count() > WIDTH {
                long.push(format!("{file}:{}: {line}", i + 1));
            }
        }
    }
    assert!(
        long.is_empty(),
        "lines over {WIDTH} columns:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_runtime_is_named_through_its_alias() {
    for (file, text) in generated_files() {
        for line in text.lines().filter(|l| l.contains("::mfa_runtime")) {
            assert_eq!(line.trim(), "use ::mfa_runtime as rt;", "{file}");
        }
    }
}
