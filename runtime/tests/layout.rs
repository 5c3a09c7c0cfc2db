//! The runtime's layout rules, checked on its sources: small files with one
//! job, modules layered so that no two import each other, and every
//! re-export spelled out (a glob re-export hides what a module offers and
//! lets a change elsewhere add to it unseen).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// "About 600 lines": past this a file is doing more than one job.
const MAX_LINES: usize = 600;

/// Every `.rs` file under `src/`, by module path (`server::auth`; the crate
/// root is the empty path).
fn modules() -> BTreeMap<String, (PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).unwrap().with_extension("");
            let mut segments: Vec<String> = relative
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
                segments.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            (segments.join("::"), (path, text))
        })
        .collect()
}

/// `inner` is `outer` or a module inside it.
fn within(inner: &str, outer: &str) -> bool {
    outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}::"))
}

/// `a` is `b`, or one is inside the other.
fn related(a: &str, b: &str) -> bool {
    within(a, b) || within(b, a)
}

/// The modules `text` (the file of module `module`) names through `crate::`
/// or `super::` paths, resolved to the deepest module each path reaches.
fn imports(module: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    // `super` in `a/b.rs` and in `a/b/mod.rs` (both module `a::b`) is `a`.
    let here: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (start, _) in code.char_indices() {
        if start > 0 && (is_ident(bytes[start - 1]) || bytes[start - 1] == b':') {
            continue;
        }
        let rest = &code[start..];
        let (mut path, mut tail): (Vec<&str>, &str) =
            if let Some(tail) = rest.strip_prefix("crate::") {
                (Vec::new(), tail)
            } else if rest.starts_with("super::") {
                let mut base = here.clone();
                let mut tail = rest;
                while let Some(t) = tail.strip_prefix("super::") {
                    base.pop();
                    tail = t;
                }
                (base, tail)
            } else {
                continue;
            };
        // Follow identifiers while they name modules.
        loop {
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            let name = &tail[..end];
            if name.is_empty() {
                break;
            }
            let mut candidate = path.clone();
            candidate.push(name);
            if !known.contains(&candidate.join("::")) {
                break;
            }
            path = candidate;
            match tail[end..].strip_prefix("::") {
                Some(t) => tail = t,
                None => break,
            }
        }
        found.insert(path.join("::"));
    }
    found
}

#[test]
fn no_file_is_over_about_600_lines() {
    let long: Vec<String> = modules()
        .values()
        .filter(|(_, text)| text.lines().count() > MAX_LINES)
        .map(|(path, text)| format!("{} ({} lines)", path.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these by job: {long:#?}");
}

#[test]
fn no_glob_re_exports() {
    let globs: Vec<String> = modules()
        .values()
        .flat_map(|(path, text)| {
            text.lines()
                .filter(|line| {
                    let line = line.trim_start();
                    line.starts_with("pub") && line.contains(" use ") && line.contains("::*")
                })
                .map(move |line| format!("{}: {}", path.display(), line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(globs.is_empty(), "name what is re-exported: {globs:#?}");
}

/// Layers, not a web: a module may use another only if that one does not
/// use it back (a module and the modules inside it are one unit here).
#[test]
fn no_two_modules_import_each_other() {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (module, (_, text)) in &modules {
        for target in imports(module, text, &known) {
            if !related(module, &target) {
                edges.insert((module.clone(), target));
            }
        }
    }
    // `a` uses `b` when a file in `a` (or inside it) names `b` (or inside it).
    let uses = |a: &str, b: &str| {
        edges
            .iter()
            .any(|(from, to)| within(from, a) && within(to, b))
    };
    let mut cycles = Vec::new();
    for a in &known {
        for b in &known {
            if a < b && !related(a, b) && uses(a, b) && uses(b, a) {
                cycles.push(format!("{a} <-> {b}"));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that import each other: {cycles:#?}"
    );
}

/// The checker itself sees an import cycle when there is one.
#[test]
fn the_cycle_check_resolves_paths() {
    let known: BTreeSet<String> = ["param", "form", "form::read", "query"]
        .into_iter()
        .map(String::from)
        .collect();
    let read = imports(
        "form::read",
        "use super::FormError;\nuse crate::param::ParamValue;\nfn f() { crate::query::x(); }",
        &known,
    );
    assert_eq!(
        read,
        ["form", "param", "query"]
            .into_iter()
            .map(String::from)
            .collect()
    );
}
