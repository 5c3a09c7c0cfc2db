//! Serve the three generated servers as a stand-in for the vendors
//! (`mfa_tests::stand_in`), for the vendors' own SDKs to call
//! (tests/interop/, run by .ci/interop.sh): `serve_interop [ADDR]`.
//! Prints `listening on ADDR` once the port is bound.
//!
//! `GET /_interop/calls` answers what the implementation received so far
//! (operation, caller, typed input, as JSON) and forgets it, so a driver
//! asserts each step on its own.
//!
//! The Frodo library reads a user's devices as part of exporting the user:
//! it first reads the user (`GET .../users/{id}`) and the user's services
//! (`POST .../users/{id}/services?_action=nextdescendents`), which are not
//! MFA endpoints and not in the Ping spec. Those two answer here with a
//! minimal user and no services, outside the generated router; everything
//! else under `/am/json` is the generated Ping server.

use std::process::ExitCode;

use mfa_runtime::axum::{
    self, Router,
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use mfa_tests::recording::Recorder;
use serde_json::json;

#[tokio::main]
async fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let recorder = Recorder::default();
    let app = mfa_tests::stand_in::app(&recorder)
        .layer(axum::middleware::from_fn(frodo_user_reads))
        .merge(
            Router::new()
                .route("/_interop/calls", get(calls))
                .with_state(recorder),
        );
    mfa_tests::serve_until_stopped(&addr, app).await
}

async fn calls(State(recorder): State<Recorder>) -> Response {
    json_response(json!(recorder.take()))
}

fn json_response(body: serde_json::Value) -> Response {
    let header = [(http::header::CONTENT_TYPE, "application/json")];
    (header, body.to_string()).into_response()
}

/// The user and service reads that precede Frodo's device reads.
async fn frodo_user_reads(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let Some(rest) = path
        .strip_prefix(mfa_tests::stand_in::PING_BASE)
        .and_then(|rest| rest.split_once("/users/"))
        .map(|(_, rest)| rest)
    else {
        return next.run(request).await;
    };
    match rest.split('/').collect::<Vec<_>>()[..] {
        [user] if request.method() == http::Method::GET => {
            json_response(json!({"_id": user, "username": user}))
        }
        [_, "services"] if request.method() == http::Method::POST => {
            json_response(json!({"result": []}))
        }
        _ => next.run(request).await,
    }
}
