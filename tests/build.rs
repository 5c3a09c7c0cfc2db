//! Generates code from some test fixtures at build time, so the
//! `fixture_behaviour` tests can exercise generated code that is not part of
//! the checked-in crate (discriminated unions, flattened `allOf`s, numeric
//! enums, defaults...). Each fixture becomes an inline module of
//! `$OUT_DIR/fixtures.rs`, and of a file of its own,
//! `$OUT_DIR/fixture_<name>.rs`, for tests that need only it.

use std::fmt::Write as _;
use std::path::Path;

/// The fixtures compiled into the behaviour tests.
const FIXTURES: &[&str] = &[
    "composition",
    "numeric_enums",
    "defaults",
    "query_styles",
    "form_bodies",
    "redirects",
    "parameters",
    "security",
    "param_shapes",
    "cycles",
];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut all = String::new();
    for name in FIXTURES {
        let mut out = String::new();
        let path = dir.join(format!("{name}.yaml"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let spec = mfa_codegen::SpecInput {
            module: (*name).to_string(),
            path: format!("tests/fixtures/{name}.yaml"),
            text,
            options: mfa_codegen::Options::default(),
        };
        let module = mfa_codegen::generate_module(&spec).unwrap_or_else(|errors| {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{name} does not generate:\n{}", errors.join("\n"))
        });
        let _ = writeln!(out, "pub mod {name} {{");
        for (file, text) in &module.tree {
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
        let own = Path::new(&out_dir).join(format!("fixture_{name}.rs"));
        std::fs::write(own, &out).expect("OUT_DIR is writable");
        all.push_str(&out);
    }
    let target = Path::new(&out_dir).join("fixtures.rs");
    std::fs::write(target, all).expect("OUT_DIR is writable");
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
