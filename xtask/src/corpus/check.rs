//! `cargo check` of one generated crate, with warnings denied and every
//! feature on, in a target directory shared by the whole run: dependencies
//! are built once, so each spec costs only its own crate. The first
//! compiler error's code (`E0072`, or the lint name for a denied warning)
//! is what groups failures in the summary.

use std::path::Path;
use std::process::Command;

use super::isolate::{self, Exit, Finished, Limits};
use crate::bench_peers::cargo;

/// How a check went.
#[derive(Debug, Clone)]
pub struct Checked {
    pub finished: Finished,
    /// `None` when the crate checks clean.
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The first error's code, or a short description when it has none.
    pub reason: String,
    /// The first error's message and where it is.
    pub detail: String,
    /// The check did not run to the end (timeout, killed).
    pub aborted: bool,
}

/// Check the crate in `crate_dir`; cargo's output goes to `log`.
pub fn check(
    crate_dir: &Path,
    target_dir: &Path,
    limits: Limits,
    log: &Path,
) -> Result<Checked, String> {
    let stdout = log.with_extension("json");
    let mut command = Command::new(cargo());
    command
        .args([
            "check",
            "--quiet",
            "--all-features",
            "--message-format=json",
        ])
        .arg("--manifest-path")
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir)
        // Per-crate incremental caches would only fill the disk.
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTFLAGS", "-D warnings");
    let finished = isolate::run(&mut command, limits, &stdout, log)?;
    let messages = std::fs::read_to_string(&stdout).unwrap_or_default();
    let _ = std::fs::remove_file(&stdout);
    let failure = match finished.exit {
        Exit::Code(0) => None,
        Exit::TimedOut => Some(Failure {
            reason: "timed out".into(),
            detail: format!("cargo check ran past {:?}", limits.timeout),
            aborted: true,
        }),
        Exit::Signal(signal) => Some(Failure {
            reason: format!("signal {signal}"),
            detail: tail(log),
            aborted: true,
        }),
        Exit::Code(_) => Some(first_error(&messages).unwrap_or_else(|| Failure {
            reason: "cargo failed".into(),
            detail: tail(log),
            aborted: false,
        })),
    };
    Ok(Checked { finished, failure })
}

/// The first error among cargo's JSON messages.
fn first_error(messages: &str) -> Option<Failure> {
    messages.lines().find_map(|line| {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        let message = value.get("message")?;
        if value.get("reason")?.as_str()? != "compiler-message"
            || message.get("level")?.as_str()? != "error"
        {
            return None;
        }
        let text = message.get("message")?.as_str()?.to_string();
        let code = message
            .get("code")
            .and_then(|c| c.get("code"))
            .and_then(|c| c.as_str());
        let span = message
            .get("spans")
            .and_then(|s| s.as_array())
            .and_then(|s| s.first())
            .map(|span| {
                let file = span.get("file_name").and_then(|f| f.as_str()).unwrap_or("");
                let line = span
                    .get("line_start")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                format!(" at {file}:{line}")
            })
            .unwrap_or_default();
        Some(Failure {
            reason: code.map_or_else(|| "error without a code".to_string(), String::from),
            detail: format!("{text}{span}"),
            aborted: false,
        })
    })
}

/// The last non-empty line of a log, for failures with nothing better.
fn tail(log: &Path) -> String {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

/// Remove what checking `package` left in the shared target directory (its
/// metadata and fingerprints), so a run over thousands of specs does not
/// fill the disk. Dependencies stay.
pub fn clean(target_dir: &Path, package: &str) {
    let lib = package.replace('-', "_");
    let debug = target_dir.join("debug");
    let remove_matching = |dir: &Path, prefixes: &[String]| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if prefixes.iter().any(|p| name.starts_with(p)) {
                let path = entry.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
    };
    remove_matching(
        &debug.join("deps"),
        &[format!("lib{lib}-"), format!("{lib}-")],
    );
    remove_matching(&debug.join(".fingerprint"), &[format!("{package}-")]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_gives_its_code_or_lint() {
        let messages = [
            r#"{"reason":"compiler-artifact","target":{}}"#,
            r#"{"reason":"compiler-message","message":{"level":"warning","message":"w","code":null,"spans":[]}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","message":"recursive type `A` has infinite size","code":{"code":"E0072","explanation":""},"spans":[{"file_name":"src/a/types.rs","line_start":7}]}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","message":"later","code":{"code":"E0609"},"spans":[]}}"#,
        ]
        .join("\n");
        let failure = first_error(&messages).unwrap();
        assert_eq!(failure.reason, "E0072");
        assert_eq!(
            failure.detail,
            "recursive type `A` has infinite size at src/a/types.rs:7"
        );
        let lint = r#"{"reason":"compiler-message","message":{"level":"error","message":"unused variable: `params`","code":{"code":"unused_variables"},"spans":[]}}"#;
        assert_eq!(first_error(lint).unwrap().reason, "unused_variables");
        let aborted = r#"{"reason":"compiler-message","message":{"level":"error","message":"aborting due to 2 previous errors","code":null,"spans":[]}}"#;
        assert_eq!(first_error(aborted).unwrap().reason, "error without a code");
        assert_eq!(first_error("not json\n"), None);
    }
}
