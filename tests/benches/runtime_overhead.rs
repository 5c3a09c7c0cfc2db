//! What the generated code costs at run time over the same thing written by
//! hand: the generated Flashback client calling `resetMfa` on a local server
//! against the same call with plain reqwest, and the generated router
//! serving it against a hand-written axum handler doing the same work
//! (read the JSON body, answer JSON), in process and over loopback.
//! `cargo bench -p mfa-tests` prints criterion's figures, then the ratio
//! generated/hand-written of each.

use std::path::Path;
use std::time::Duration;

use criterion::Criterion;
use mfa_apis::flashback::server::security::BEARER_AUTH;
use mfa_apis::flashback::{FlashbackApi, operations::*, router, types};
use mfa_runtime::axum::{self, Router, body::Body, routing::post};
use mfa_runtime::http::{Request, StatusCode, header};
use mfa_runtime::server::Principal;
use mfa_runtime::server::auth::{AuthLayer, SchemeVerifier};
use mfa_runtime::{bytes::Bytes, reqwest};
use tower::ServiceExt;

const BODY: &str = r#"{"resetUserId":"user-1"}"#;

fn answer() -> types::ResetMfaResponse {
    types::ResetMfaResponse {
        success: Some(true),
        message: Some("MFA reset successfully".into()),
    }
}

struct Service;

impl FlashbackApi for Service {
    async fn reset_mfa(
        &self,
        caller: Principal,
        input: ResetMfaInput,
    ) -> Result<ResetMfaSuccess, ResetMfaError> {
        std::hint::black_box((caller, input));
        Ok(ResetMfaSuccess::Ok { body: answer() })
    }
}

/// The generated router behind the auth layer its `bearerAuth` operation
/// needs, accepting the one token the benches send.
fn generated_router() -> Router {
    let verifier = SchemeVerifier::new().with(BEARER_AUTH, |token| async move {
        (token == "token").then(|| "bench".to_string())
    });
    router(Service).layer(AuthLayer::new(verifier))
}

/// The hand-written equivalent of the generated router for this operation:
/// the same bearer check, body reading and answer.
fn hand_written_router() -> Router {
    async fn reset(headers: http::HeaderMap, body: Bytes) -> axum::response::Response {
        let authorized = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|token| token == "token");
        if !authorized {
            return (StatusCode::UNAUTHORIZED, "who are you?").into_response();
        }
        let json = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let input: Option<types::ResetMfaRequest> = if body.is_empty() {
            None
        } else if !json {
            return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected JSON").into_response();
        } else {
            match serde_json::from_slice(&body) {
                Ok(input) => Some(input),
                Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
            }
        };
        std::hint::black_box(input);
        match serde_json::to_vec(&answer()) {
            Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    use axum::response::IntoResponse;
    Router::new().route("/mfa/reset", post(reset))
}

fn request() -> Request<Body> {
    Request::post("/mfa/reset")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer token")
        .body(Body::from(BODY))
        .expect("a valid request")
}

fn bench_router(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let generated = generated_router();
    let hand_written = hand_written_router();
    let mut group = c.benchmark_group("router");
    for (name, app) in [("generated", generated), ("hand_written", hand_written)] {
        group.bench_function(name, |b| {
            b.to_async(runtime).iter(|| async {
                let response = app.clone().oneshot(request()).await.expect("infallible");
                assert_eq!(response.status(), StatusCode::OK);
                axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .expect("a body")
            });
        });
    }
    group.finish();
}

/// Serve `app` on a loopback port; its base URL.
fn serve(runtime: &tokio::runtime::Runtime, app: Router) -> String {
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}")
    })
}

/// The call written by hand with reqwest.
async fn hand_written_call(
    http: &reqwest::Client,
    url: &str,
    body: &types::ResetMfaRequest,
) -> types::ResetMfaResponse {
    let response = http
        .post(url)
        .bearer_auth("token")
        .header(header::ACCEPT, "application/json")
        .json(body)
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    response
        .json::<types::ResetMfaResponse>()
        .await
        .expect("a body")
}

/// The generated client against reqwest by hand, both through the same
/// reqwest client (the generated client's default, with its timeouts), so
/// the difference is the generated code and the runtime it calls.
fn bench_client(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let base = serve(runtime, hand_written_router());
    let http = mfa_runtime::client::ApiClient::default_http();
    let generated = mfa_apis::flashback::Client::with_http_client(&base, http.clone())
        .with_bearer_auth("token");
    let url = format!("{base}/mfa/reset");
    let body = types::ResetMfaRequest {
        reset_user_id: Some("user-1".into()),
        enable: None,
    };
    let mut group = c.benchmark_group("client");
    group.bench_function("generated", |b| {
        b.to_async(runtime).iter(|| async {
            let ResetMfaSuccess::Ok { body } = generated
                .reset_mfa()
                .body(body.clone())
                .await
                .expect("a 200");
            body
        });
    });
    group.bench_function("hand_written", |b| {
        b.to_async(runtime)
            .iter(|| hand_written_call(&http, &url, &body));
    });
    group.finish();
}

/// The same hand-written call served over loopback by the generated router
/// and by the hand-written one: the router's share of a real request.
fn bench_served(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let http = mfa_runtime::client::ApiClient::default_http();
    let body = types::ResetMfaRequest {
        reset_user_id: Some("user-1".into()),
        enable: None,
    };
    let mut group = c.benchmark_group("served");
    for (name, app) in [
        ("generated", generated_router()),
        ("hand_written", hand_written_router()),
    ] {
        let url = format!("{}/mfa/reset", serve(runtime, app));
        group.bench_function(name, |b| {
            b.to_async(runtime)
                .iter(|| hand_written_call(&http, &url, &body));
        });
    }
    group.finish();
}

/// Time `generated` and `hand_written` alternately, call by call, and print
/// each side's median and their ratio. Criterion measures one side, then the
/// other; over loopback the latency drifts between the two by more than the
/// difference measured (the same code differs by 10% from run to run), and
/// interleaving the calls cancels that drift.
fn paired<A, B, FA, FB>(
    runtime: &tokio::runtime::Runtime,
    group: &str,
    rounds: usize,
    generated: A,
    hand_written: B,
) where
    A: Fn() -> FA,
    B: Fn() -> FB,
    FA: Future,
    FB: Future,
{
    let (mut ours, mut theirs) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    runtime.block_on(async {
        for round in 0..rounds {
            // Alternate which side goes first, so neither always follows the other.
            for side in [round % 2, 1 - round % 2] {
                let started = std::time::Instant::now();
                if side == 0 {
                    std::hint::black_box(generated().await);
                    ours.push(started.elapsed());
                } else {
                    std::hint::black_box(hand_written().await);
                    theirs.push(started.elapsed());
                }
            }
        }
    });
    let median = |times: &mut Vec<Duration>| {
        times.sort_unstable();
        times[times.len() / 2].as_secs_f64() * 1e6
    };
    let (ours, theirs) = (median(&mut ours), median(&mut theirs));
    println!(
        "{group} (paired, {rounds} rounds): generated {ours:.2} us, hand-written {theirs:.2} us, ratio {:.3}",
        ours / theirs
    );
}

/// The three comparisons again, interleaved call by call (see [`paired`]).
fn bench_paired(runtime: &tokio::runtime::Runtime, rounds: usize) {
    let body = types::ResetMfaRequest {
        reset_user_id: Some("user-1".into()),
        enable: None,
    };
    let http = mfa_runtime::client::ApiClient::default_http();
    let base = serve(runtime, hand_written_router());
    let generated = mfa_apis::flashback::Client::with_http_client(&base, http.clone())
        .with_bearer_auth("token");
    let url = format!("{base}/mfa/reset");
    paired(
        runtime,
        "client",
        rounds,
        || generated.reset_mfa().body(body.clone()).send(),
        || hand_written_call(&http, &url, &body),
    );
    let (generated, hand_written) = (generated_router(), hand_written_router());
    let call = |app: &Router| {
        let app = app.clone();
        async move {
            let response = app.oneshot(request()).await.expect("infallible");
            axum::body::to_bytes(response.into_body(), usize::MAX).await
        }
    };
    paired(
        runtime,
        "router",
        rounds * 10,
        || call(&generated),
        || call(&hand_written),
    );
    let ours = format!("{}/mfa/reset", serve(runtime, generated_router()));
    let theirs = format!("{}/mfa/reset", serve(runtime, hand_written_router()));
    paired(
        runtime,
        "served",
        rounds,
        || hand_written_call(&http, &ours, &body),
        || hand_written_call(&http, &theirs, &body),
    );
}

/// Criterion's estimate of one iteration of `group/name` in nanoseconds:
/// the slope it prints, or the mean when it has no slope.
fn estimate_nanos(dir: &Path, group: &str, name: &str) -> Option<f64> {
    let path = dir.join(group).join(name).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| json["mean"]["point_estimate"].as_f64())
}

fn main() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("criterion");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    bench_client(&mut c, &runtime);
    bench_router(&mut c, &runtime);
    bench_served(&mut c, &runtime);
    c.final_summary();
    // Only when benchmarking (not under `cargo test --benches`), and not
    // when criterion was asked for one group.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().skip(1).any(|a| !a.starts_with('-')) {
        bench_paired(&runtime, 20_000);
    }
    for group in ["client", "router", "served"] {
        match (
            estimate_nanos(&dir, group, "generated"),
            estimate_nanos(&dir, group, "hand_written"),
        ) {
            (Some(generated), Some(hand)) => println!(
                "{group}: generated {:.2} us, hand-written {:.2} us, ratio {:.3}",
                generated / 1000.0,
                hand / 1000.0,
                generated / hand
            ),
            _ => println!("{group}: no estimates (filtered out or not run)"),
        }
    }
}
