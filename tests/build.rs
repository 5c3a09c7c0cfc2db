//! Generates every fixture's module at build time, so `cargo test` fails
//! when the generator's output for any fixture does not compile (as typify
//! compiles its expected outputs), and the `fixture_behaviour` tests can
//! exercise generated code the vendor specs do not have (discriminated
//! unions, flattened `allOf`s, numeric enums, defaults...). Each fixture
//! becomes an inline module of `$OUT_DIR/fixtures.rs`, one file per inner
//! module, in one test crate: one crate with a module per fixture compiles
//! far faster than a crate per fixture.
//! Each fixture's module is also written alone to
//! `$OUT_DIR/fixture_<module>.rs`, for a test file about that one fixture.
//!
//! Every spec in tests/fixtures/ is included (a multi-file spec by its
//! `openapi.yaml`), except `broken/` (specs that must not generate; their
//! diagnostics are snapshotted) and `changes/` (spec pairs for change
//! reports). A fixture that does not generate fails the build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut all = String::new();
    for (module, relative) in fixtures(&dir) {
        let mut out = String::new();
        let path = dir.join(&relative);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let files = path
            .parent()
            .expect("a fixture is in a directory")
            .to_path_buf();
        let spec = mfa_codegen::SpecInput {
            module: module.clone(),
            path: format!("tests/fixtures/{}", relative.display()),
            text,
            options: mfa_codegen::Options::default()
                .with_files(mfa_codegen::Files::Directory(files)),
        };
        let generated = mfa_codegen::generate_module(&spec).unwrap_or_else(|errors| {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{} does not generate:\n{}", spec.path, errors.join("\n"))
        });
        // Warnings in generated code are defects too; the test crate's
        // `dead_code` (a binary's `pub` items count as unused) aside, and
        // the workspace's extra lints for hand-written code (generated code
        // is held to rustc's and clippy's defaults, as in a user's crate).
        let _ = writeln!(
            out,
            "/// Generated from `{}`.\n#[deny(warnings)]\n#[allow(dead_code, unused_qualifications)]\npub mod {module} {{",
            spec.path
        );
        for (file, text) in &generated.tree {
            let Some(stem) = file
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|s| *s != "mod")
            else {
                continue;
            };
            let (inner, body) = split_inner_attributes(text);
            for attribute in inner {
                let _ = writeln!(out, "#{}", &attribute[2..]);
            }
            let _ = writeln!(out, "pub mod {stem} {{\n{body}\n}}");
        }
        let _ = writeln!(out, "}}");
        let alone = out_dir.join(format!("fixture_{module}.rs"));
        std::fs::write(alone, &out).expect("OUT_DIR is writable");
        all.push_str(&out);
    }
    std::fs::write(out_dir.join("fixtures.rs"), all).expect("OUT_DIR is writable");
}

/// `(module, path under tests/fixtures)` of every fixture, by module name.
fn fixtures(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("tests/fixtures is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 file name")
            .to_string();
        if path.is_dir() {
            if path.join("openapi.yaml").is_file() {
                found.push((name.clone(), PathBuf::from(name).join("openapi.yaml")));
            }
        } else if let Some(stem) = name
            .strip_suffix(".yaml")
            .or_else(|| name.strip_suffix(".json"))
        {
            found.push((mfa_codegen::module_name(stem), PathBuf::from(name)));
        }
    }
    found.sort();
    found
}

/// A file's inner attributes (`#![...]`, possibly over several lines) become
/// the inline module's outer ones; the rest is its body.
fn split_inner_attributes(text: &str) -> (Vec<String>, String) {
    let mut attributes = Vec::new();
    let mut body = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with("#![") {
            let mut depth = 0;
            let end = rest
                .char_indices()
                .find_map(|(i, c)| {
                    match c {
                        '[' => depth += 1,
                        ']' => depth -= 1,
                        _ => {}
                    }
                    (depth == 0 && c == ']').then_some(i + 1)
                })
                .unwrap_or(rest.len());
            attributes.push(rest[..end].to_string());
            rest = rest[end..].trim_start_matches('\n');
        } else {
            let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
            body.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    (attributes, body)
}
