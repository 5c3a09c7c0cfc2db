//! `cargo xtask scaling PATH...`: how generation time and peak memory grow
//! with the size of the spec. From the specs under PATH (directories are
//! searched recursively) it takes the one nearest each size on a log scale
//! from 5 KB up to the largest, generates each in memory in an isolated
//! child process (the corpus's `corpus-one`, so a spec that fails is a row
//! too), and prints a Markdown table of size, operations, CPU time, wall
//! time and peak memory, with the exponent of a least-squares fit of CPU
//! time and memory against size (1 is linear) over specs of 100 KB or
//! more, where the fixed cost of starting no longer dominates.
//!
//! Build it in release mode: `cargo run --release -p xtask -- scaling DIR`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use crate::corpus::isolate::{self, Exit, Limits};
use crate::corpus::one::{self, Job};
use crate::corpus::specs::{self, Sources, Spec};

/// The sizes looked for, in KB: a 1-2-5 series.
const TARGETS_KB: [u64; 14] = [
    5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
];

/// One spec's measurement.
struct Measured {
    label: String,
    bytes: u64,
    operations: Option<usize>,
    types: Option<usize>,
    cpu: Duration,
    wall: Duration,
    peak: u64,
    note: String,
}

pub fn run(args: &[&str]) -> ExitCode {
    let mut sources = Sources {
        recursive: true,
        ..Sources::default()
    };
    let mut reps = 1;
    let mut out = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (*arg, args.clone().next()) {
            ("--reps", Some(n)) => {
                reps = n.parse().unwrap_or(1usize).max(1);
                args.next();
            }
            ("--out", Some(path)) => {
                out = Some(PathBuf::from(path));
                args.next();
            }
            (path, _) => sources.paths.push(PathBuf::from(path)),
        }
    }
    if sources.paths.is_empty() {
        eprintln!("usage: cargo xtask scaling [--reps N] [--out FILE] PATH...");
        return ExitCode::from(2);
    }
    let all = match specs::collect(&sources) {
        Ok(all) => all,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let chosen = choose(&all);
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find this program: {e}");
            return ExitCode::FAILURE;
        }
    };
    let work = std::env::temp_dir().join(format!("xtask-scaling-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&work) {
        eprintln!("error: cannot create {}: {e}", work.display());
        return ExitCode::FAILURE;
    }
    let mut rows = Vec::new();
    for (spec, bytes) in chosen {
        eprintln!(
            "scaling: {} ({} KB), {reps} run(s)",
            spec.label,
            bytes / 1024
        );
        let runs: Vec<Measured> = (0..reps)
            .map(|_| measure(&exe, &work, &spec, bytes))
            .collect();
        // The run with the median CPU time.
        let mut runs = runs;
        runs.sort_by_key(|m| m.cpu);
        rows.push(runs.swap_remove((runs.len() - 1) / 2));
    }
    let _ = std::fs::remove_dir_all(&work);
    let report = table(&rows);
    println!("{report}");
    if let Some(path) = out
        && let Err(e) = std::fs::write(&path, &report)
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// For each target size, the spec nearest to it (by ratio), each spec once.
fn choose(all: &[Spec]) -> Vec<(Spec, u64)> {
    let sized: Vec<(Spec, u64)> = all
        .iter()
        .filter_map(|s| {
            std::fs::metadata(&s.path)
                .ok()
                .map(|m| (s.clone(), m.len()))
        })
        .filter(|(_, bytes)| *bytes > 0)
        .collect();
    let Some(largest) = sized.iter().map(|(_, b)| *b).max() else {
        return Vec::new();
    };
    let mut chosen: Vec<(Spec, u64)> = Vec::new();
    let targets = TARGETS_KB
        .iter()
        .map(|kb| kb * 1024)
        .filter(|t| *t <= largest * 2)
        .chain([largest]);
    for target in targets {
        let distance = |bytes: u64| (bytes as f64 / target as f64).ln().abs();
        let nearest = sized
            .iter()
            .filter(|(s, _)| !chosen.iter().any(|(c, _)| c.label == s.label))
            .min_by(|a, b| {
                distance(a.1)
                    .total_cmp(&distance(b.1))
                    .then(a.0.label.cmp(&b.0.label))
            });
        if let Some(found) = nearest {
            chosen.push(found.clone());
        }
    }
    chosen.sort_by_key(|(_, bytes)| *bytes);
    chosen
}

fn measure(exe: &std::path::Path, work: &std::path::Path, spec: &Spec, bytes: u64) -> Measured {
    let job = Job::for_spec(&spec.path, &spec.label);
    let limits = Limits {
        timeout: Duration::from_secs(3600),
        memory: None,
    };
    let (out, log) = (work.join("out"), work.join("log"));
    let finished = isolate::run(Command::new(exe).args(job.args()), limits, &out, &log);
    let generation = one::read_result(&out);
    let mut measured = Measured {
        label: spec.label.clone(),
        bytes,
        operations: None,
        types: None,
        cpu: Duration::ZERO,
        wall: Duration::ZERO,
        peak: 0,
        note: String::new(),
    };
    match finished {
        Ok(finished) => {
            measured.cpu = finished.cpu;
            measured.wall = finished.wall;
            measured.peak = finished.max_rss;
            match (&finished.exit, generation) {
                (Exit::Code(0), Some(g)) => {
                    measured.operations = Some(g.operations);
                    measured.types = Some(g.types);
                }
                (_, Some(g)) => {
                    measured.note = format!("refused: {}", g.first_message.unwrap_or_default());
                }
                (exit, None) => measured.note = format!("failed: {exit:?}"),
            }
        }
        Err(e) => measured.note = e,
    }
    measured
}

fn table(rows: &[Measured]) -> String {
    let mut out = String::from(
        "| spec | size | operations | types | CPU s | wall s | peak MB | CPU µs per KB | peak KB per KB | note |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
    );
    for row in rows {
        let kb = row.bytes as f64 / 1024.0;
        let count = |n: Option<usize>| n.map_or("-".to_string(), |n| n.to_string());
        let size = if kb >= 1024.0 {
            format!("{:.1} MB", kb / 1024.0)
        } else {
            format!("{kb:.1} KB")
        };
        let _ = writeln!(
            out,
            "| {} | {size} | {} | {} | {:.2} | {:.2} | {:.0} | {:.0} | {:.1} | {} |",
            row.label,
            count(row.operations),
            count(row.types),
            row.cpu.as_secs_f64(),
            row.wall.as_secs_f64(),
            row.peak as f64 / (1 << 20) as f64,
            row.cpu.as_secs_f64() * 1e6 / kb,
            row.peak as f64 / 1024.0 / kb,
            row.note,
        );
    }
    let fitted: Vec<&Measured> = rows
        .iter()
        .filter(|r| r.bytes >= 100 * 1024 && r.note.is_empty())
        .collect();
    let points = |value: &dyn Fn(&Measured) -> f64| -> Vec<(f64, f64)> {
        fitted
            .iter()
            .map(|r| ((r.bytes as f64).ln(), value(r).max(1e-9).ln()))
            .collect()
    };
    if let (Some(cpu), Some(memory)) = (
        slope(&points(&|r| r.cpu.as_secs_f64())),
        slope(&points(&|r| r.peak as f64)),
    ) {
        let _ = writeln!(
            out,
            "\nOver the {} specs of 100 KB or more: CPU time grows as size^{cpu:.2}, peak memory as size^{memory:.2} (least squares on logarithms; 1 is linear).",
            fitted.len()
        );
    }
    out
}

/// The slope of the least-squares line through `points`.
fn slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(num, den), (x, y)| {
        (num + (x - mx) * (y - my), den + (x - mx) * (x - mx))
    });
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slopes_of_power_laws() {
        let linear: Vec<(f64, f64)> = [1.0f64, 10.0, 100.0]
            .iter()
            .map(|x| (x.ln(), (3.0 * x).ln()))
            .collect();
        assert!((slope(&linear).unwrap() - 1.0).abs() < 1e-9);
        let quadratic: Vec<(f64, f64)> = [1.0f64, 10.0, 100.0]
            .iter()
            .map(|x| (x.ln(), (x * x).ln()))
            .collect();
        assert!((slope(&quadratic).unwrap() - 2.0).abs() < 1e-9);
        assert_eq!(slope(&[(1.0, 1.0)]), None);
    }

    #[test]
    fn the_nearest_spec_to_each_size_is_chosen_once() {
        let dir = std::env::temp_dir().join(format!("xtask-scaling-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut all = Vec::new();
        for kb in [4u64, 6, 19, 300, 900] {
            let path = dir.join(format!("s{kb}.json"));
            std::fs::write(&path, vec![b' '; (kb * 1024) as usize]).unwrap();
            all.push(Spec {
                label: format!("s{kb}.json"),
                path,
            });
        }
        let chosen: Vec<String> = choose(&all).into_iter().map(|(s, _)| s.label).collect();
        assert_eq!(
            chosen,
            ["s4.json", "s6.json", "s19.json", "s300.json", "s900.json"]
        );
    }
}
