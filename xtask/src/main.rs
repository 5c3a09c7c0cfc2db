//! Project automation, as ordinary Rust (no shell scripts to keep in sync).

mod bench;
mod bench_checkcost;
mod bench_gen;
// `wait4` (a child's peak memory, which std cannot report) is a libc call.
#[allow(unsafe_code)]
mod bench_measure;
mod bench_peers;
mod changes_cmd;
mod corpus;
mod gen_cmd;
mod loadtest;
mod scaling;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  gen                regenerate generated/ from specs/ (all or nothing) and
                     update each spec's names lock; report what changed for
                     the crate's users (breaking or not, for clients and
                     servers) and the semver bump it calls for
  gen --check        change nothing; print the same report, then fail with
                     a diff if generated/ or a names lock is stale
  diff OLD NEW [--module NAME]
                     the same report between two specs (the names OLD gives
                     kept for NEW, as a names lock would keep them)
{corpus}
  bench [--quick] [--no-check]
                     time our generator (release) against openapi-generator
                     and progenitor on the full Fireblocks swagger and specs/,
                     installing the peers into target/bench-peers on first use;
                     --quick runs each once, --no-check skips `cargo check`
  bench --check-cost SPEC...
                     what the crate each generator makes from each SPEC costs
                     to `cargo check` (crate only, dependencies built): lines
                     of Rust, CPU and wall time, peak memory, per operation
  bench-gen SPEC DIR generate one spec as a crate in DIR and print stage times
  loadtest [--requests N] [--concurrency C]
                     the full-size load test (release): N signed, keyed
                     Fireblocks resets (20000) from C concurrent callers (64)
                     against Redis-backed idempotency and nonces, the Redis
                     crashed and restarted part way; needs redis-server
  scaling [--reps N] [--out FILE] PATH...
                     generation CPU time and peak memory against spec size:
                     the spec nearest each size from 5 KB up (1-2-5 steps),
                     each in a child process; a Markdown table and the fitted
                     exponents (build with --release)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => gen_cmd::run(false),
        ["gen", "--check"] => gen_cmd::run(true),
        ["diff", args @ ..] => changes_cmd::run_diff(args),
        ["bench", options @ ..] => bench::run_bench(options),
        ["bench-gen", spec, dir] => bench_gen::run(spec, dir),
        ["loadtest", options @ ..] => loadtest::run(options),
        ["scaling", args @ ..] => scaling::run(args),
        ["corpus", args @ ..] => corpus::run(args),
        // The child process of `corpus`, one spec each.
        ["corpus-one", args @ ..] => corpus::run_one(args),
        _ => {
            eprintln!("{}", USAGE.replace("{corpus}", corpus::USAGE));
            ExitCode::from(2)
        }
    }
}

/// The workspace root: xtask's parent directory.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
