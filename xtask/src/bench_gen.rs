//! `xtask bench-gen SPEC DIR`: generate one spec as a crate in DIR and print
//! the time of each stage. `cargo xtask bench` runs it as a release child
//! process, so our generator is timed and its memory measured exactly like
//! the other generators.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mfa_codegen::{SpecInput, generate_module};

use crate::{corpus, workspace_root};

/// The stage names in the order `bench-gen` prints them.
pub const STAGES: [&str; 7] = [
    "parse",
    "resolve",
    "plan",
    "emit",
    "format",
    "emit+format wall",
    "write",
];

pub fn run(spec: &str, dir: &str) -> ExitCode {
    match generate(Path::new(spec), Path::new(dir)) {
        Ok(stages) => {
            let micros: Vec<String> = stages.iter().map(|d| d.as_micros().to_string()).collect();
            println!("stages-us {}", micros.join(" "));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(path: &Path, dir: &Path) -> Result<[Duration; 7], String> {
    let started = Instant::now();
    let (module, label) = corpus::module_and_label(path);
    let spec = SpecInput::read(path, &module)?;
    let read = started.elapsed();
    let generated = generate_module(&spec).map_err(|errors| {
        let shown: Vec<String> = errors.iter().take(5).map(ToString::to_string).collect();
        format!("{} error(s):\n{}", errors.len(), shown.join("\n"))
    })?;
    let t = generated.timings;
    let started = Instant::now();
    corpus::write_crate(
        &workspace_root(),
        dir,
        &corpus::crate_name(&module),
        &module,
        &label,
        generated.tree,
        &generated.title,
    )
    .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    let write = started.elapsed();
    Ok([
        read + t.load,
        t.model,
        t.plan,
        t.emit,
        t.format,
        t.emit_format_wall,
        write,
    ])
}

/// Parse the line `run` prints back into stage durations.
pub fn parse_stages(output: &str) -> Option<[Duration; 7]> {
    let line = output.lines().find_map(|l| l.strip_prefix("stages-us "))?;
    let values: Vec<u64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let values: [u64; 7] = values.try_into().ok()?;
    Some(values.map(Duration::from_micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_lines_round_trip() {
        let parsed = parse_stages("noise\nstages-us 1 2 3 4 5 6 7\n").unwrap();
        assert_eq!(parsed[0], Duration::from_micros(1));
        assert_eq!(parsed[6], Duration::from_micros(7));
        assert!(parse_stages("stages-us 1 2").is_none());
    }
}
