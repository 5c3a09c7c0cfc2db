//! Serve one generated server with its conformance implementation, for
//! schemathesis: `serve_conformance <fireblocks|flashback|ping> <addr>`.
//! Prints `listening on ADDR` once the port is bound.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, addr] = args.as_slice() else {
        eprintln!("usage: serve_conformance <fireblocks|flashback|ping> <addr>");
        return ExitCode::from(2);
    };
    let Some(router) = mfa_tests::conformance::router(name) else {
        eprintln!("no spec named `{name}`");
        return ExitCode::from(2);
    };
    mfa_tests::serve_until_stopped(addr, router).await
}
