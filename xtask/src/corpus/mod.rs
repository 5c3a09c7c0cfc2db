//! `cargo xtask corpus [OPTIONS] PATH...`: prove the generator on specs
//! nobody here wrote. Each spec runs in a child process of its own (this
//! binary's `corpus-one`) under a timeout and a memory limit, so a stack
//! overflow, an out-of-memory abort or a hang is one result row, never the
//! end of the run. In the default mode each generated crate must also
//! `cargo check` with every feature on and warnings denied. Rows go to a
//! JSON Lines file as they finish (`--resume` carries on from it), a table
//! line each to stdout, then a summary by outcome and reason and
//! `N passed, M failed`.

mod check;
// Process groups, `wait4` and `kill` for the child of each spec are libc
// calls.
#[allow(unsafe_code)]
pub(crate) mod isolate;
pub(crate) mod one;
mod report;
pub(crate) mod specs;

pub use one::{crate_name, module_and_label, run as run_one, write_crate};

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use isolate::{Exit, Limits};
use one::Job;
use report::{Mode, Outcome, ResultsFile, Row};
use specs::{Sources, Spec};

pub const USAGE: &str = "\
  corpus [OPTIONS] PATH...
                     generate each spec file (or each spec in each directory)
                     in a child process of its own, `cargo check` its crate
                     with warnings denied, and print a line per spec, a
                     summary by reason and `N passed, M failed`. Options:
      --recursive          descend into directories (the APIs.guru tree)
      --list FILE          also the specs listed in FILE, one path a line
      --sample N           only N specs, chosen by --seed S (default 1) and run
                           in its order, so any prefix of a run is a sample
      --generate-only      generate in memory; no crate, no cargo check
      --jobs N             specs at once (default 1)
      --timeout SECS       per generation (default 600)
      --memory MB          address space per generation (default 4096)
      --check-timeout SECS per cargo check (default 1800)
      --check-memory MB    address space per cargo check (default: this machine's
                           memory divided by --jobs, or 12288 when unknown)
      --results FILE       rows as JSON Lines (default <target>/corpus/results-<mode>.jsonl)
      --resume             skip the specs FILE already has a row for
      --keep               keep every checked crate, not only failing ones
      --operation ID, --tag TAG   generate only those operations (repeatable)";

/// Everything the command line says.
#[derive(Debug, Clone)]
struct Settings {
    sources: Sources,
    sample: Option<usize>,
    seed: u64,
    mode: Mode,
    jobs: usize,
    generate: Limits,
    check: Limits,
    results: Option<PathBuf>,
    resume: bool,
    keep: bool,
    operations: Vec<String>,
    tags: Vec<String>,
}

impl Settings {
    fn parse(args: &[&str]) -> Result<Settings, String> {
        let mut settings = Settings {
            sources: Sources::default(),
            sample: None,
            seed: 1,
            mode: Mode::Check,
            jobs: 1,
            generate: Limits {
                timeout: Duration::from_secs(600),
                memory: Some(4096 << 20),
            },
            check: Limits {
                timeout: Duration::from_secs(1800),
                memory: None,
            },
            results: None,
            resume: false,
            keep: false,
            operations: Vec::new(),
            tags: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .map(ToString::to_string)
                    .ok_or_else(|| format!("{arg} needs a value"))
            };
            let number = |text: String| {
                text.parse::<u64>()
                    .map_err(|_| format!("{arg} needs a number, not `{text}`"))
            };
            match *arg {
                "--recursive" => settings.sources.recursive = true,
                "--generate-only" => settings.mode = Mode::Generate,
                "--resume" => settings.resume = true,
                "--keep" => settings.keep = true,
                "--list" => settings.sources.lists.push(PathBuf::from(value()?)),
                "--sample" => settings.sample = Some(number(value()?)? as usize),
                "--seed" => settings.seed = number(value()?)?,
                "--jobs" => settings.jobs = (number(value()?)? as usize).max(1),
                "--timeout" => settings.generate.timeout = Duration::from_secs(number(value()?)?),
                "--memory" => settings.generate.memory = Some(number(value()?)? << 20),
                "--check-timeout" => {
                    settings.check.timeout = Duration::from_secs(number(value()?)?);
                }
                "--check-memory" => settings.check.memory = Some(number(value()?)? << 20),
                "--results" => settings.results = Some(PathBuf::from(value()?)),
                "--operation" => settings.operations.push(value()?),
                "--tag" => settings.tags.push(value()?),
                flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
                path => settings.sources.paths.push(PathBuf::from(path)),
            }
        }
        if settings.sources.paths.is_empty() && settings.sources.lists.is_empty() {
            return Err("name at least one spec, directory or --list".into());
        }
        if settings.check.memory.is_none() {
            settings.check.memory = Some(default_check_memory(settings.jobs));
        }
        Ok(settings)
    }
}

/// The address space each `cargo check` may take when the command line
/// does not say: the machine's memory shared by the checks running at
/// once. An address-space limit counts reservations rustc never touches
/// (GitHub AE's crate peaks at 10.4 GB resident but fails under a 12 GB
/// limit), so a fixed figure below the machine's memory refuses crates
/// the machine checks; a limit at the machine's memory still makes a
/// runaway check fail alone rather than wake the OOM killer.
fn default_check_memory(jobs: usize) -> u64 {
    const UNKNOWN: u64 = 12288 << 20;
    isolate::physical_memory().map_or(UNKNOWN, |bytes| bytes / jobs.max(1) as u64)
}

/// Where the run keeps its crates, logs and results.
struct Work {
    dir: PathBuf,
    exe: PathBuf,
}

pub fn run(args: &[&str]) -> ExitCode {
    let settings = match Settings::parse(args) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}\nusage: cargo xtask{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run_settings(&settings) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_settings(settings: &Settings) -> Result<bool, String> {
    let all = specs::collect(&settings.sources)?;
    if all.is_empty() {
        return Err("no .yaml, .yml or .json specs found".into());
    }
    let population = all.len();
    let chosen = match settings.sample {
        Some(count) => specs::sample(all, count, settings.seed),
        None => all,
    };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::workspace_root().join("target"), PathBuf::from);
    let work = Work {
        dir: target.join("corpus"),
        exe: std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?,
    };
    for sub in ["logs", "crates"] {
        std::fs::create_dir_all(work.dir.join(sub))
            .map_err(|e| format!("cannot create {}: {e}", work.dir.join(sub).display()))?;
    }
    let mode_name = match settings.mode {
        Mode::Generate => "generate",
        Mode::Check => "check",
    };
    let results_path = settings
        .results
        .clone()
        .unwrap_or_else(|| work.dir.join(format!("results-{mode_name}.jsonl")));
    let done = if settings.resume {
        report::read_rows(&results_path, settings.mode)?
    } else {
        Default::default()
    };
    let mut rows: Vec<Row> = chosen
        .iter()
        .filter_map(|spec| done.get(&spec.label).cloned())
        .collect();
    let pending: Vec<&Spec> = chosen
        .iter()
        .filter(|spec| !done.contains_key(&spec.label))
        .collect();
    let sampled = match settings.sample {
        Some(_) => format!(" (a sample of {population}, seed {})", settings.seed),
        None => String::new(),
    };
    eprintln!(
        "corpus: {} specs{sampled}, {mode_name}, {} already in {}; {} job(s), timeout {} s, memory {} MB{}",
        chosen.len(),
        rows.len(),
        results_path.display(),
        settings.jobs,
        settings.generate.timeout.as_secs(),
        settings.generate.memory.map_or(0, |m| m >> 20),
        match settings.mode {
            Mode::Check => format!(
                "; check timeout {} s, memory {} MB",
                settings.check.timeout.as_secs(),
                settings.check.memory.map_or(0, |m| m >> 20)
            ),
            Mode::Generate => String::new(),
        },
    );
    let results = Mutex::new(ResultsFile::open(&results_path, settings.resume)?);
    println!("{}", report::header(settings.mode));
    let next = AtomicUsize::new(0);
    let finished: Mutex<Vec<Row>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let worker = || {
        while let Some(spec) = pending.get(next.fetch_add(1, Ordering::Relaxed)) {
            let row = match run_spec(settings, &work, spec) {
                Ok(row) => row,
                Err(e) => {
                    *failure
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e);
                    return;
                }
            };
            println!("{}", report::line(&row));
            let written = results
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .append(&row);
            if let Err(e) = written {
                *failure
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e);
                return;
            }
            finished
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(row);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..settings.jobs.min(pending.len().max(1)) {
            scope.spawn(worker);
        }
    });
    if let Some(e) = failure
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        return Err(e);
    }
    rows.extend(
        finished
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    rows.sort_by(|a, b| a.label.cmp(&b.label));
    println!("{}", report::summary(rows.iter()));
    Ok(rows.iter().all(|row| row.outcome == Outcome::Passed))
}

/// Generate (and check) one spec: its row. `Err` only when the run itself
/// cannot go on (the machine will not start a process, the disk is full).
fn run_spec(settings: &Settings, work: &Work, spec: &Spec) -> Result<Row, String> {
    let slug = slug(&spec.label);
    let log = work.dir.join("logs").join(format!("{slug}.log"));
    let out = work.dir.join("logs").join(format!("{slug}.out"));
    let crate_dir = work.dir.join("crates").join(&slug);
    let package = format!("corpus-{slug}");
    let job = Job {
        crate_dir: (settings.mode == Mode::Check).then(|| crate_dir.clone()),
        crate_name: Some(package.clone()),
        operations: settings.operations.clone(),
        tags: settings.tags.clone(),
        ..Job::for_spec(&spec.path, &spec.label)
    };
    let bytes = std::fs::metadata(&spec.path).map_or(0, |m| m.len());
    let finished = isolate::run(
        Command::new(&work.exe).args(job.args()),
        settings.generate,
        &out,
        &log,
    )?;
    let generation = one::read_result(&out);
    let mut row = Row {
        label: spec.label.clone(),
        mode: settings.mode,
        outcome: Outcome::Passed,
        reason: None,
        detail: None,
        bytes,
        operations: None,
        types: None,
        warnings: None,
        generate_ms: finished.wall.as_millis() as u64,
        generate_cpu_ms: finished.cpu.as_millis() as u64,
        generate_peak_kb: finished.max_rss / 1024,
        check_ms: None,
        check_peak_kb: None,
    };
    match (&finished.exit, generation) {
        (Exit::Code(0), Some(generation)) if generation.generated => {
            row.operations = Some(generation.operations);
            row.types = Some(generation.types);
            row.warnings = Some(generation.warnings);
        }
        (Exit::Code(code), Some(generation)) if *code == i32::from(one::REFUSED) => {
            row.outcome = Outcome::Refused;
            row.reason = generation.first_message.as_deref().map(report::reason_of);
            row.detail = generation.errors.first().cloned();
        }
        (Exit::TimedOut, _) => {
            row.outcome = Outcome::TimedOut;
            row.reason = Some(format!(
                "ran past {} s",
                settings.generate.timeout.as_secs()
            ));
        }
        (exit, _) => {
            let stderr = std::fs::read_to_string(&log).unwrap_or_default();
            row.outcome = Outcome::Aborted;
            row.reason = Some(abort_reason(exit, &stderr));
            row.detail = stderr
                .lines()
                .rev()
                .find(|l| !l.is_empty())
                .map(String::from);
        }
    }
    if row.outcome == Outcome::Passed && settings.mode == Mode::Check {
        let target = work.dir.join("target");
        let checked = check::check(&crate_dir, &target, settings.check, &log)?;
        row.check_ms = Some(checked.finished.wall.as_millis() as u64);
        row.check_peak_kb = Some(checked.finished.max_rss / 1024);
        if let Some(failure) = checked.failure {
            row.outcome = if failure.aborted {
                Outcome::CheckAborted
            } else {
                Outcome::CheckFailed
            };
            row.reason = Some(failure.reason);
            row.detail = Some(failure.detail);
        }
        check::clean(&target, &package);
    }
    if row.outcome == Outcome::Passed {
        let _ = std::fs::remove_file(&log);
        if !settings.keep {
            let _ = std::fs::remove_dir_all(&crate_dir);
        }
    }
    let _ = std::fs::remove_file(&out);
    Ok(row)
}

/// Why a generator process died, from its exit and the end of its stderr.
fn abort_reason(exit: &Exit, stderr: &str) -> String {
    if stderr.contains("has overflowed its stack") {
        return "stack overflow".into();
    }
    if stderr.contains("memory allocation of") || stderr.contains("capacity overflow") {
        return "out of memory".into();
    }
    if let Some(panic) = stderr.lines().find(|l| l.contains("panicked at")) {
        let message = stderr
            .lines()
            .skip_while(|l| *l != panic)
            .nth(1)
            .unwrap_or(panic);
        return format!("panic: {}", report::reason_of(message));
    }
    match exit {
        Exit::Signal(9) => "killed (signal 9)".into(),
        Exit::Signal(signal) => format!("signal {signal}"),
        Exit::Code(code) => format!("exit {code} without a result"),
        Exit::TimedOut => "timed out".into(),
    }
}

/// A file and package name for a label: lowercase words joined by `-`, and
/// a digest of the label so that two labels never share one.
fn slug(label: &str) -> String {
    let mut slug = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    format!("{}-{}", slug.trim_end_matches('-'), specs::digest(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_package_safe_and_distinct() {
        let a = slug("github.com/api.github.com.json");
        assert!(a.starts_with("github-com-api-github-com-json-"), "{a}");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        assert_ne!(slug("a.b.json"), slug("a-b.json"));
        assert!(slug(&"x".repeat(300)).len() < 60);
    }

    #[test]
    fn aborts_are_named_from_stderr() {
        let overflow =
            "\nthread 'main' has overflowed its stack\nfatal runtime error: stack overflow\n";
        assert_eq!(abort_reason(&Exit::Signal(6), overflow), "stack overflow");
        let oom = "memory allocation of 1048576 bytes failed\n";
        assert_eq!(abort_reason(&Exit::Signal(6), oom), "out of memory");
        let panic = "thread 'main' panicked at codegen/src/x.rs:1:2:\nindex `7` out of range\n";
        assert_eq!(
            abort_reason(&Exit::Code(101), panic),
            "panic: index `…` out of range"
        );
        assert_eq!(abort_reason(&Exit::Signal(9), ""), "killed (signal 9)");
    }

    #[test]
    fn options_parse_and_mistakes_are_refused() {
        let settings = Settings::parse(&[
            "--generate-only",
            "--sample",
            "100",
            "--seed",
            "7",
            "--jobs",
            "2",
            "--timeout",
            "60",
            "--memory",
            "1024",
            "dir",
        ])
        .unwrap();
        assert_eq!(settings.mode, Mode::Generate);
        assert_eq!(
            (settings.sample, settings.seed, settings.jobs),
            (Some(100), 7, 2)
        );
        assert_eq!(settings.generate.timeout, Duration::from_secs(60));
        assert_eq!(settings.generate.memory, Some(1024 << 20));
        // Two checks at once share the machine's memory.
        assert_eq!(settings.check.memory, Some(default_check_memory(2)));
        assert!(default_check_memory(2) < default_check_memory(1));
        assert_eq!(settings.sources.paths, [PathBuf::from("dir")]);
        let explicit = Settings::parse(&["--check-memory", "2048", "dir"]).unwrap();
        assert_eq!(explicit.check.memory, Some(2048 << 20));
        assert!(Settings::parse(&["--sample", "x", "dir"]).is_err());
        assert!(Settings::parse(&["--bogus", "dir"]).is_err());
        assert!(Settings::parse(&["--sample"]).is_err());
        assert!(Settings::parse(&[]).is_err());
    }
}
