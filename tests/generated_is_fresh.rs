//! The checked-in generated/ must be exactly what the generator makes from
//! specs/ today (the same check as `cargo xtask gen --check`, inside the
//! test suite so a stale crate can never pass CI).

use std::path::Path;

use mfa_codegen::{SpecInput, diff_tree, generate_crate};
use xtask::project;

#[test]
fn checked_in_generated_crate_matches_a_fresh_generation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let specs = project::read_specs(root).expect("specs/ readable");
    let generated = generate_crate(&project::crate_config(), &specs).unwrap_or_else(|errors| {
        panic!(
            "specs/ do not generate: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let diffs = diff_tree(&root.join("generated"), &generated.tree).expect("generated/ readable");
    assert!(
        diffs.is_empty(),
        "generated/ is stale; run `cargo xtask gen`:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let text = std::fs::read_to_string(root.join("specs/ping.yaml")).expect("ping spec");
    let spec = SpecInput {
        module: "ping".into(),
        path: "specs/ping.yaml".into(),
        text,
        options: Default::default(),
    };
    let first = mfa_codegen::generate_module(&spec).expect("generates").tree;
    for _ in 0..3 {
        assert_eq!(
            mfa_codegen::generate_module(&spec).expect("generates").tree,
            first
        );
    }
}
