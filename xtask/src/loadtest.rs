//! `cargo xtask loadtest`: the full-size load test (tests/e2e/load.rs) in a
//! release build, its size from the command line.

use std::process::{Command, ExitCode};

use crate::bench_peers::cargo;

pub fn run(options: &[&str]) -> ExitCode {
    let mut requests = "20000".to_owned();
    let mut concurrency = "64".to_owned();
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let value = options.next();
        match (*option, value) {
            ("--requests", Some(n)) => requests = (*n).to_owned(),
            ("--concurrency", Some(n)) => concurrency = (*n).to_owned(),
            _ => {
                eprintln!("usage: cargo xtask loadtest [--requests N] [--concurrency C]");
                return ExitCode::from(2);
            }
        }
    }
    let status = Command::new(cargo())
        .current_dir(crate::workspace_root())
        .args(["test", "--release", "-p", "mfa-tests", "--test", "e2e_load"])
        .args(["--", "--ignored", "--nocapture", "full_size"])
        .env("MFA_LOAD_REQUESTS", &requests)
        .env("MFA_LOAD_CONCURRENCY", &concurrency)
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
