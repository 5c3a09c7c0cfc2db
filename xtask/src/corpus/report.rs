//! A corpus run's results: one row per spec, appended to a JSON Lines file
//! as each spec finishes (so an interrupted run loses nothing and can
//! resume), printed as a table line, and summed up by outcome and reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// What a run does with each spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Generate in memory only.
    Generate,
    /// Generate, write the crate and `cargo check` it with warnings denied.
    Check,
}

/// How one spec went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Passed,
    /// The generator stopped with diagnostics: the spec is broken or uses
    /// something unsupported.
    Refused,
    /// The generator process died: stack overflow, out of memory, a signal.
    Aborted,
    /// The generator ran past the timeout.
    TimedOut,
    /// It generated, but the crate does not `cargo check` with warnings denied.
    CheckFailed,
    /// The crate's `cargo check` ran past the timeout or died.
    CheckAborted,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Refused => "refused",
            Outcome::Aborted => "aborted",
            Outcome::TimedOut => "timed out",
            Outcome::CheckFailed => "check failed",
            Outcome::CheckAborted => "check aborted",
        }
    }
}

/// One spec's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub label: String,
    pub mode: Mode,
    pub outcome: Outcome,
    /// What groups it in the summary: the refusal's message with the names
    /// taken out, the kind of abort, or the first compiler error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The first error in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<usize>,
    pub generate_ms: u64,
    /// CPU time of the generation, user and system.
    #[serde(default)]
    pub generate_cpu_ms: u64,
    pub generate_peak_kb: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_peak_kb: Option<u64>,
}

/// A diagnostic's message as a group key: what is between backticks
/// becomes `…` (a `$ref` or JSON pointer keeps `#/components/<kind>` or
/// its first token, which say what kind of thing it names), and a
/// trailing "did you mean" goes, so the same problem with different names
/// groups together.
pub fn reason_of(message: &str) -> String {
    let message = message.split("; did you mean").next().unwrap_or(message);
    let mut out = String::new();
    let mut parts = message.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // Pairs of (quoted, following text); an unpaired trailing backtick
    // leaves its text as written.
    let mut chunks = rest.chunks_exact(2);
    for pair in &mut chunks {
        out.push('`');
        out.push_str(&abstracted(pair[0]));
        out.push('`');
        out.push_str(pair[1]);
    }
    if let [last] = chunks.remainder() {
        out.push('`');
        out.push_str(last);
    }
    out
}

/// A quoted name as `…`, a quoted pointer as its first tokens.
fn abstracted(quoted: &str) -> String {
    let (prefix, rest) = match quoted.strip_prefix("$ref: ") {
        Some(rest) => ("$ref: ", rest),
        None => ("", quoted),
    };
    if !rest.starts_with("#/") {
        return format!("{prefix}…");
    }
    // `#/components/<kind>` says what is named; a path says nothing general.
    let keep = if rest.starts_with("#/components/") {
        3
    } else {
        2
    };
    let kept: Vec<&str> = rest.split('/').take(keep).collect();
    let more = if rest.split('/').count() > keep {
        "/…"
    } else {
        ""
    };
    format!("{prefix}{}{more}", kept.join("/"))
}

/// The rows already in `path` for `mode`, by label: what `--resume` skips.
pub fn read_rows(path: &Path, mode: Mode) -> Result<BTreeMap<String, Row>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    // A line cut short by an interrupted run is skipped: that spec runs again.
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<Row>(line).ok())
        .filter(|row| row.mode == mode)
        .map(|row| (row.label.clone(), row))
        .collect())
}

/// Appends rows to the results file, one flushed line each.
pub struct ResultsFile {
    file: std::fs::File,
}

impl ResultsFile {
    /// Open `path`, emptied unless `resume`.
    pub fn open(path: &Path, resume: bool) -> Result<Self, String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(resume)
            .write(true)
            .truncate(!resume)
            .open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let mut results = ResultsFile { file };
        // A line an interrupted run left unfinished must not swallow the next row.
        let unfinished = std::fs::read(path)
            .map(|bytes| bytes.last().is_some_and(|b| *b != b'\n'))
            .unwrap_or(false);
        if unfinished {
            writeln!(results.file).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(results)
    }

    pub fn append(&mut self, row: &Row) -> Result<(), String> {
        let line = serde_json::to_string(row).map_err(|e| e.to_string())?;
        writeln!(self.file, "{line}")
            .and_then(|()| self.file.flush())
            .map_err(|e| format!("cannot write the results file: {e}"))
    }
}

/// The table's header.
pub fn header(mode: Mode) -> String {
    let check = match mode {
        Mode::Generate => "",
        Mode::Check => "  check s  check MB",
    };
    format!(
        "{:<52} {:>9} {:>5} {:>6} {:>9} {:>9} {:>8}{check}  result",
        "spec", "KB", "ops", "types", "gen ms", "cpu ms", "gen MB"
    )
}

/// One table line.
pub fn line(row: &Row) -> String {
    let count = |n: Option<usize>| n.map_or("-".to_string(), |n| n.to_string());
    let mut out = format!(
        "{:<52} {:>9.1} {:>5} {:>6} {:>9} {:>9} {:>8.1}",
        truncate(&row.label, 52),
        row.bytes as f64 / 1024.0,
        count(row.operations),
        count(row.types),
        row.generate_ms,
        row.generate_cpu_ms,
        row.generate_peak_kb as f64 / 1024.0,
    );
    if row.mode == Mode::Check {
        match (row.check_ms, row.check_peak_kb) {
            (Some(ms), Some(kb)) => {
                let _ = write!(
                    out,
                    "  {:>7.1} {:>9.1}",
                    ms as f64 / 1000.0,
                    kb as f64 / 1024.0
                );
            }
            _ => out.push_str(&format!("  {:>7} {:>9}", "-", "-")),
        }
    }
    let _ = write!(out, "  {}", row.outcome.label());
    if let Some(reason) = &row.reason {
        let _ = write!(out, ": {}", truncate(reason, 120));
    }
    out
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// The totals: each outcome, and under each failing outcome its reasons,
/// most frequent first, with up to three example specs. Ends with the
/// `N passed, M failed` line.
pub fn summary<'r>(rows: impl Iterator<Item = &'r Row>) -> String {
    let mut by_outcome: BTreeMap<Outcome, BTreeMap<String, Vec<&str>>> = BTreeMap::new();
    let mut total = 0;
    for row in rows {
        total += 1;
        by_outcome
            .entry(row.outcome)
            .or_default()
            .entry(row.reason.clone().unwrap_or_default())
            .or_default()
            .push(&row.label);
    }
    let mut out = format!("\n== {total} specs ==\n");
    for (outcome, reasons) in &by_outcome {
        let count: usize = reasons.values().map(Vec::len).sum();
        let _ = writeln!(out, "{:<14} {count:>6}", outcome.label());
        if *outcome == Outcome::Passed {
            continue;
        }
        let mut reasons: Vec<_> = reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        for (reason, labels) in reasons {
            let examples: Vec<&str> = labels.iter().take(3).copied().collect();
            let more = if labels.len() > 3 { ", …" } else { "" };
            let _ = writeln!(
                out,
                "  {:>6}  {}  ({}{more})",
                labels.len(),
                if reason.is_empty() {
                    "(no reason)"
                } else {
                    reason
                },
                examples.join(", ")
            );
        }
    }
    let passed = by_outcome
        .get(&Outcome::Passed)
        .map_or(0, |r| r.values().map(Vec::len).sum());
    let _ = write!(out, "{passed} passed, {} failed", total - passed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, outcome: Outcome, reason: Option<&str>) -> Row {
        Row {
            label: label.into(),
            mode: Mode::Generate,
            outcome,
            reason: reason.map(String::from),
            detail: None,
            bytes: 2048,
            operations: Some(3),
            types: Some(4),
            warnings: Some(0),
            generate_ms: 12,
            generate_cpu_ms: 10,
            generate_peak_kb: 10240,
            check_ms: None,
            check_peak_kb: None,
        }
    }

    #[test]
    fn reasons_drop_names_so_problems_group() {
        assert_eq!(
            reason_of(
                "unresolved `$ref: #/components/schemas/Eror`: no such component; did you mean `Error`?"
            ),
            "unresolved `$ref: #/components/schemas/…`: no such component"
        );
        assert_eq!(
            reason_of(
                "`$ref: #/paths/~1a/get/parameters/0` must point into `#/components/parameters/`"
            ),
            "`$ref: #/paths/…` must point into `#/components/parameters/…`"
        );
        assert_eq!(
            reason_of("path `/a/{b}` uses `{c}` but the operation declares no such path parameter"),
            "path `…` uses `…` but the operation declares no such path parameter"
        );
        assert_eq!(reason_of("odd ` backtick"), "odd ` backtick");
        assert_eq!(reason_of("plain"), "plain");
    }

    #[test]
    fn summary_groups_failures_by_reason_and_ends_with_the_count() {
        let rows = [
            row("a.json", Outcome::Passed, None),
            row("b.json", Outcome::Refused, Some("unresolved `…`")),
            row("c.json", Outcome::Refused, Some("unresolved `…`")),
            row("d.json", Outcome::Aborted, Some("stack overflow")),
        ];
        let text = summary(rows.iter());
        assert!(text.contains("refused             2"), "{text}");
        assert!(
            text.contains("       2  unresolved `…`  (b.json, c.json)"),
            "{text}"
        );
        assert!(text.contains("stack overflow  (d.json)"), "{text}");
        assert!(text.ends_with("1 passed, 3 failed"), "{text}");
    }

    #[test]
    fn rows_round_trip_and_resume_skips_only_the_same_mode() {
        let path = std::env::temp_dir().join(format!("xtask-rows-{}.jsonl", std::process::id()));
        let mut file = ResultsFile::open(&path, false).unwrap();
        file.append(&row("a.json", Outcome::Passed, None)).unwrap();
        let mut checked = row("b.json", Outcome::CheckFailed, Some("E0072"));
        checked.mode = Mode::Check;
        file.append(&checked).unwrap();
        drop(file);
        // An interrupted write leaves half a line; it is ignored.
        std::fs::write(
            &path,
            std::fs::read_to_string(&path).unwrap() + "{\"label\":\"c.js",
        )
        .unwrap();
        let rows = read_rows(&path, Mode::Generate).unwrap();
        assert_eq!(rows.keys().collect::<Vec<_>>(), ["a.json"]);
        // Resuming appends after it on a line of its own.
        let mut file = ResultsFile::open(&path, true).unwrap();
        file.append(&row("d.json", Outcome::Passed, None)).unwrap();
        let rows = read_rows(&path, Mode::Generate).unwrap();
        assert_eq!(rows.keys().collect::<Vec<_>>(), ["a.json", "d.json"]);
        assert_eq!(rows["a.json"], row("a.json", Outcome::Passed, None));
        assert_eq!(read_rows(&path, Mode::Check).unwrap()["b.json"], checked);
        let line = line(&rows["a.json"]);
        assert!(
            line.starts_with("a.json") && line.ends_with("passed"),
            "{line}"
        );
    }
}
