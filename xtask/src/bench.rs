//! `cargo xtask bench [--quick] [--no-check]`: our generator next to
//! openapi-generator and progenitor on the same specs, in one run. Each
//! generator runs as a child process (ours as a release build), several
//! times; the report gives median wall time and peak memory, the ratio
//! ours/peer, whether each output passes `cargo check` and how long that
//! takes for the crate alone, and the time of each stage of ours. It prints
//! a Markdown report and writes it to target/bench/results.md. A failure of
//! any step is a cell in the report, never an abort.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime};

use crate::bench_gen::{STAGES, parse_stages};
use crate::bench_measure::{Run, median, run};
use crate::bench_peers::{ALL, Generator, Tools, cargo};
use crate::workspace_root;

/// The full vendor swagger, beside the repository, and the specs we ship.
const SPECS: [&str; 4] = [
    "../shared/realspecs/fireblocks-api-spec-v2.yaml",
    "specs/fireblocks.yaml",
    "specs/ping.yaml",
    "specs/flashback.yaml",
];

struct Settings {
    reps_ours: usize,
    reps_peers: usize,
    check: bool,
}

/// One generator on one spec.
struct Row {
    spec: usize,
    generator: Generator,
    runs: Vec<Run>,
    stages: Vec<[Duration; 7]>,
    /// Why it produced nothing: not installed, or every run failed.
    failure: Option<String>,
    out: PathBuf,
    check: Option<Check>,
}

pub(crate) struct Check {
    pub ok: bool,
    /// The crate-only check (dependencies already built): wall and CPU
    /// time, peak memory of cargo and the rustc it waits for.
    pub run: Option<Run>,
    pub note: String,
}

pub fn run_bench(args: &[&str]) -> ExitCode {
    if let ["--check-cost", specs @ ..] = args {
        return crate::bench_checkcost::run(specs);
    }
    let quick = args.contains(&"--quick");
    let settings = Settings {
        reps_ours: if quick { 1 } else { 5 },
        reps_peers: if quick { 1 } else { 3 },
        check: !args.contains(&"--no-check"),
    };
    if let Some(unknown) = args.iter().find(|a| !["--quick", "--no-check"].contains(a)) {
        eprintln!("error: unknown bench option {unknown}");
        return ExitCode::from(2);
    }
    let root = workspace_root();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let work = target.join("bench");
    let load_before = load_average();
    eprintln!("bench: building our generator (release)");
    let built = Command::new(cargo())
        .args(["build", "--release", "--quiet", "-p", "xtask"])
        .current_dir(&root)
        .status();
    if !matches!(built, Ok(s) if s.success()) {
        eprintln!("error: cannot build xtask in release mode");
        return ExitCode::FAILURE;
    }
    let tools = Tools {
        ours: target.join("release/xtask"),
        cache: target.join("bench-peers"),
    };
    let installed: Vec<(Generator, Result<(), String>, String)> = ALL
        .iter()
        .map(|&g| {
            let result = tools.install(g);
            let version = if result.is_ok() {
                tools.version(g)
            } else {
                "-".into()
            };
            (g, result, version)
        })
        .collect();
    let specs: Vec<PathBuf> = SPECS.iter().map(|s| locate(&root, s)).collect();
    let mut rows = Vec::new();
    for (spec_index, spec) in specs.iter().enumerate() {
        for (generator, install, _) in &installed {
            let reps = if *generator == Generator::Ours {
                settings.reps_ours
            } else {
                settings.reps_peers
            };
            eprintln!(
                "bench: {} on {} ({reps} runs)",
                generator.label(),
                SPECS[spec_index]
            );
            let out = work
                .join(generator.slug())
                .join(format!("spec{spec_index}"));
            let mut row = Row {
                spec: spec_index,
                generator: *generator,
                runs: Vec::new(),
                stages: Vec::new(),
                failure: None,
                out,
                check: None,
            };
            match install {
                Err(e) => row.failure = Some(format!("not installed: {e}")),
                Ok(()) => measure(&mut row, &tools, spec, reps),
            }
            rows.push(row);
        }
    }
    if settings.check {
        for row in rows.iter_mut().filter(|r| r.failure.is_none()) {
            eprintln!(
                "bench: cargo check of {} output for {}",
                row.generator.label(),
                SPECS[row.spec]
            );
            // One target directory for all: the outputs share many dependencies.
            let target_dir = work.join("check-target");
            row.check = Some(check(
                &row.out,
                &target_dir,
                row.generator == Generator::Ours,
            ));
        }
    }
    let versions: Vec<String> = installed
        .iter()
        .map(|(g, _, v)| format!("{}: {v}", g.label()))
        .collect();
    let report = render(
        &rows,
        &specs,
        &settings,
        &versions,
        &load_before,
        &load_average(),
    );
    println!("{report}");
    let path = work.join("results.md");
    if let Err(e) = fs::write(&path, &report) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    eprintln!("bench: report written to {}", path.display());
    ExitCode::SUCCESS
}

/// `spec` under `root`; `../shared/...` is looked for beside each ancestor
/// of `root`, so a git worktree nested deeper finds it too.
pub(crate) fn locate(root: &Path, spec: &str) -> PathBuf {
    let Some(shared) = spec.strip_prefix("../") else {
        return root.join(spec);
    };
    root.ancestors()
        .skip(1)
        .map(|dir| dir.join(shared))
        .find(|path| path.exists())
        .unwrap_or_else(|| root.join(spec))
}

/// Run `row`'s generator `reps` times on `spec`, each into an empty directory.
fn measure(row: &mut Row, tools: &Tools, spec: &Path, reps: usize) {
    let log = row.out.with_extension("log");
    let mut last_error = None;
    for _ in 0..reps {
        if let Some(parent) = row.out.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::remove_dir_all(&row.out);
        match run(&mut row.generator.command(tools, spec, &row.out), &log) {
            Ok(done) if done.success => {
                let output = fs::read_to_string(&log).unwrap_or_default();
                if let Some(stages) = parse_stages(&output) {
                    row.stages.push(stages);
                }
                row.runs.push(done);
            }
            Ok(failed) => {
                last_error = Some(format!("fails ({}): {}", failed.status, first_error(&log)));
                break;
            }
            Err(e) => {
                last_error = Some(e);
                break;
            }
        }
    }
    // A failed run leaves its output half-written: report it rather than
    // check it, even when earlier runs succeeded.
    if let Some(error) = last_error {
        row.failure = Some(error);
    } else if row.runs.is_empty() {
        row.failure = Some("no runs".into());
    }
}

/// The first line of `log` that says what went wrong.
fn first_error(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let find = |pattern: &str| lines.iter().position(|l| l.contains(pattern));
    // A JVM's uncaught exception, a Rust panic (its message is on the next
    // line), an error line, or else the last thing printed.
    let line = if let Some(i) = find("Exception in thread") {
        lines[i].to_string()
    } else if let Some(i) = find("panicked at") {
        format!("panicked: {}", lines.get(i + 1).unwrap_or(&""))
    } else if let Some(i) = lines.iter().position(|l| l.starts_with("error")) {
        lines[i].to_string()
    } else {
        lines
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map_or("no output".into(), ToString::to_string)
    };
    let line = line.trim().replace('|', "\\|");
    let short: String = line.chars().take(140).collect();
    if short.len() < line.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// `cargo check` the crate in `dir`: once to build its dependencies, then
/// again after touching it to time the crate alone. Incremental compilation
/// is off, so the second check redoes all of the crate's work as a first
/// check on a fresh clone does, rather than reusing the first one's cache.
pub(crate) fn check(dir: &Path, target_dir: &Path, all_features: bool) -> Check {
    let manifest = dir.join("Cargo.toml");
    // The output lives under our workspace; make it its own.
    match fs::read_to_string(&manifest) {
        Ok(text) if !text.contains("[workspace]") => {
            if let Err(e) = fs::write(&manifest, format!("{text}\n[workspace]\n")) {
                return Check {
                    ok: false,
                    run: None,
                    note: format!("cannot edit Cargo.toml: {e}"),
                };
            }
        }
        Ok(_) => {}
        Err(e) => {
            return Check {
                ok: false,
                run: None,
                note: format!("no Cargo.toml: {e}"),
            };
        }
    }
    let log = dir.with_extension("check.log");
    let command = || {
        let mut command = Command::new(cargo());
        command
            .arg("check")
            .arg("--manifest-path")
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", target_dir)
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("RUSTFLAGS");
        if all_features {
            command.arg("--all-features");
        }
        command
    };
    match run(&mut command(), &log) {
        Ok(done) if done.success => {}
        Ok(_) => {
            let text = fs::read_to_string(&log).unwrap_or_default();
            let summary = text
                .lines()
                .find(|l| l.starts_with("error: could not compile"))
                .or_else(|| text.lines().find(|l| l.starts_with("error")))
                .unwrap_or("failed");
            return Check {
                ok: false,
                run: None,
                note: summary.replace('|', "\\|"),
            };
        }
        Err(e) => {
            return Check {
                ok: false,
                run: None,
                note: e,
            };
        }
    }
    let touched = fs::File::options()
        .append(true)
        .open(dir.join("src/lib.rs"))
        .and_then(|f| f.set_modified(SystemTime::now()));
    if let Err(e) = touched {
        return Check {
            ok: true,
            run: None,
            note: format!("cannot touch src/lib.rs: {e}"),
        };
    }
    match run(&mut command(), &log) {
        Ok(done) if done.success => Check {
            ok: true,
            run: Some(done),
            note: String::new(),
        },
        Ok(done) => Check {
            ok: false,
            run: None,
            note: format!("second check failed ({})", done.status),
        },
        Err(e) => Check {
            ok: true,
            run: None,
            note: e,
        },
    }
}

pub(crate) fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

pub(crate) fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or("unknown".into(), |kb| format!("{} GiB", kb / (1 << 20)));
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory} RAM; {rustc}")
}

fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn render(
    rows: &[Row],
    specs: &[PathBuf],
    settings: &Settings,
    versions: &[String],
    load_before: &str,
    load_after: &str,
) -> String {
    let mut out = String::new();
    let spec_label = |i: usize| {
        let size = fs::metadata(&specs[i]).map_or(0, |m| m.len());
        if size >= 100_000 {
            format!("`{}` ({:.2} MB)", SPECS[i], size as f64 / 1e6)
        } else {
            format!("`{}` ({:.1} KB)", SPECS[i], size as f64 / 1e3)
        }
    };
    let _ = writeln!(
        out,
        "Command: `cargo xtask bench{}{}`  ",
        if settings.reps_ours == 1 {
            " --quick"
        } else {
            ""
        },
        if settings.check { "" } else { " --no-check" }
    );
    let _ = writeln!(out, "Machine: {}  ", machine());
    let _ = writeln!(
        out,
        "Load average (1, 5, 15 min) before: {load_before}; after: {load_after}  "
    );
    let _ = writeln!(out, "Generators: {}  ", versions.join("; "));
    let _ = writeln!(
        out,
        "Runs: {} of ours, {} of each peer; medians. Peak memory is the child's max RSS from `wait4` (a wrapper's waited-for children included).\n",
        settings.reps_ours, settings.reps_peers
    );
    let _ = writeln!(
        out,
        "| spec | generator | wall | peak RSS | ours/peer wall | ours/peer RSS | output `cargo check` | check time (crate only) |"
    );
    let _ = writeln!(
        out,
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |"
    );
    for row in rows {
        let ours = rows
            .iter()
            .find(|r| r.spec == row.spec && r.generator == Generator::Ours);
        let wall = median(&row.runs.iter().map(|r| r.wall).collect::<Vec<_>>());
        let rss = median(&row.runs.iter().map(|r| r.max_rss).collect::<Vec<_>>());
        let ours_wall =
            ours.and_then(|o| median(&o.runs.iter().map(|r| r.wall).collect::<Vec<_>>()));
        let ours_rss =
            ours.and_then(|o| median(&o.runs.iter().map(|r| r.max_rss).collect::<Vec<_>>()));
        let (wall_cell, rss_cell, wall_ratio, rss_ratio) = match (&row.failure, wall, rss) {
            (Some(failure), _, _) => (failure.clone(), "-".into(), "-".into(), "-".into()),
            (None, Some(wall), Some(rss)) => {
                let ratio = |a: Option<f64>, b: f64| {
                    if row.generator == Generator::Ours {
                        "-".to_string()
                    } else {
                        a.map_or("-".into(), |a| format!("{:.3}", a / b))
                    }
                };
                (
                    millis(wall),
                    megabytes(rss),
                    ratio(ours_wall.map(|d| d.as_secs_f64()), wall.as_secs_f64()),
                    ratio(ours_rss.map(|b| b as f64), rss as f64),
                )
            }
            _ => ("no runs".into(), "-".into(), "-".into(), "-".into()),
        };
        let (check_cell, check_time) = match &row.check {
            None => ("not run".to_string(), "-".to_string()),
            Some(c) if c.ok => (
                "compiles".into(),
                c.run.as_ref().map_or(c.note.clone(), |r| millis(r.wall)),
            ),
            Some(c) => (format!("fails: {}", c.note), "-".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {wall_cell} | {rss_cell} | {wall_ratio} | {rss_ratio} | {check_cell} | {check_time} |",
            spec_label(row.spec),
            row.generator.label()
        );
    }
    let _ = writeln!(
        out,
        "\nStages of ours (median of each; emit and format run file by file on one worker per core, so they are CPU time summed over files, and `emit+format wall` is their elapsed time; `parse` includes reading the spec file):\n"
    );
    let _ = writeln!(out, "| spec | {} |", STAGES.join(" | "));
    let _ = writeln!(out, "| --- |{}", " ---: |".repeat(STAGES.len()));
    for row in rows
        .iter()
        .filter(|r| r.generator == Generator::Ours && !r.stages.is_empty())
    {
        let cells: Vec<String> = (0..STAGES.len())
            .map(|i| {
                median(&row.stages.iter().map(|s| s[i]).collect::<Vec<_>>())
                    .map_or("-".into(), millis)
            })
            .collect();
        let _ = writeln!(out, "| {} | {} |", spec_label(row.spec), cells.join(" | "));
    }
    out
}
