//! The pipeline's layering, checked on the sources (ARCHITECTURE.md,
//! "Invariants"): openapiv3 stops at the model, the model knows nothing of
//! names, and the emitters print the plan without seeing the model.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `codegen/src/<stage>`, with its text.
fn sources(stage: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut pending = vec![
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(stage),
    ];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("a stage directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.push((path, text));
            }
        }
    }
    assert!(!out.is_empty(), "no sources under src/{stage}");
    out
}

/// The lines of `stage` that name any of `forbidden` in code (comments
/// may mention them).
fn offending(stage: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources(stage) {
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if forbidden.iter().any(|word| code.contains(word)) {
                found.push(format!(
                    "{}:{}: {}",
                    path.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn only_load_and_model_see_openapiv3() {
    for stage in ["plan", "emit", "write", "changes"] {
        let found = offending(stage, &["openapiv3"]);
        assert!(
            found.is_empty(),
            "{stage} names openapiv3:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_model_imports_nothing_from_the_plan() {
    let found = offending("model", &["crate::plan", "super::plan"]);
    assert!(
        found.is_empty(),
        "the model uses the plan:\n{}",
        found.join("\n")
    );
}

#[test]
fn emitters_and_the_writer_never_see_the_model() {
    for stage in ["emit", "write", "changes"] {
        let found = offending(stage, &["crate::model", "crate::load"]);
        assert!(
            found.is_empty(),
            "{stage} reads the model:\n{}",
            found.join("\n")
        );
    }
}
