//! End to end: idempotency keys on Fireblocks' `resetDevice` (which
//! declares `Idempotency-Key`), over loopback, with callers authenticated by
//! their signed JWTs. The in-memory store and a real Redis (its URL in
//! `MFA_TEST_REDIS_URL`; `.ci/run` starts one) serve the same scenarios.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use mfa_apis::fireblocks::operations::{ResetDeviceError, ResetDeviceInput, ResetDeviceSuccess};
use mfa_apis::fireblocks::types::{ErrorResponse, ErrorResponseError, ErrorResponseErrorType};
use mfa_apis::fireblocks::{self, FireblocksApi};
use mfa_runtime::fireblocks::{SigningKey, VerifyingKey};
use mfa_runtime::server::Principal;
use mfa_runtime::server::auth::{AuthLayer, FireblocksVerifier};
use mfa_runtime::server::idempotency::{IdempotencyLayer, MemoryStore, RedisStore};
use mfa_tests::TestServer;

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");
const OTHER_PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-private.pem");
const OTHER_PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-public.pem");

/// Counts executions; what it answers depends on the user id:
/// `slow` takes 300 ms, `forbidden` is a 403 with a body, `flaky` fails
/// with 503 on its first execution; anything else is a 200. Every answer
/// carries the execution number, so a replay is told from a re-run.
#[derive(Clone, Default)]
struct Counter {
    runs: Arc<AtomicUsize>,
    callers: Arc<std::sync::Mutex<Vec<Option<Principal>>>>,
}

impl Counter {
    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }
}

impl FireblocksApi for Counter {
    async fn reset_device(
        &self,
        caller: Option<Principal>,
        input: ResetDeviceInput,
    ) -> Result<ResetDeviceSuccess, ResetDeviceError> {
        let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        self.callers.lock().expect("not poisoned").push(caller);
        let x_request_id = Some(format!("run-{run}"));
        match input.id.as_str() {
            "slow" => tokio::time::sleep(Duration::from_millis(300)).await,
            "forbidden" => {
                return Err(ResetDeviceError::Forbidden {
                    body: ErrorResponse {
                        error: ErrorResponseError {
                            r#type: ErrorResponseErrorType::Internal,
                            message: format!("refused on run {run}"),
                        },
                    },
                    x_request_id,
                });
            }
            "flaky" if run == 1 => {
                return Err(ResetDeviceError::ServerError {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    body: ErrorResponse {
                        error: ErrorResponseError {
                            r#type: ErrorResponseErrorType::Internal,
                            message: "try again".into(),
                        },
                    },
                    x_request_id,
                });
            }
            _ => {}
        }
        Ok(ResetDeviceSuccess::Ok { x_request_id })
    }
}

/// Fireblocks under `/v1`, callers verified, idempotency on `layer`'s store.
async fn serve(counter: &Counter, layer: IdempotencyLayer) -> TestServer {
    let verifier = FireblocksVerifier::new()
        .with_key("key-ann", VerifyingKey::from_pem(PUBLIC).expect("key"))
        .with_key(
            "key-bob",
            VerifyingKey::from_pem(OTHER_PUBLIC).expect("key"),
        );
    let app = mfa_runtime::axum::Router::new()
        .nest("/v1", fireblocks::router(counter.clone()))
        .layer(layer)
        .layer(AuthLayer::new(verifier));
    TestServer::start(app).await
}

fn ann() -> SigningKey {
    SigningKey::from_pem("key-ann", PRIVATE).expect("key")
}

fn bob() -> SigningKey {
    SigningKey::from_pem("key-bob", OTHER_PRIVATE).expect("key")
}

/// A response as it came off the wire, minus `date` (set per connection).
#[derive(Debug, PartialEq)]
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// `POST /v1/management/users/{user}/reset_device`, signed by `signer`, with
/// `Idempotency-Key: key` and `body`.
async fn call(
    server: &TestServer,
    signer: &SigningKey,
    user: &str,
    key: &str,
    body: &str,
) -> Answer {
    let path = format!("/v1/management/users/{user}/reset_device");
    let token = signer
        .sign_request(&path, body.as_bytes(), mfa_runtime::fireblocks::now())
        .expect("sign");
    let response = mfa_runtime::reqwest::Client::new()
        .post(format!("{}{path}", server.base_url))
        .header("x-api-key", signer.api_key())
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", key)
        .body(body.to_string())
        .send()
        .await
        .expect("server answers");
    let status = response.status();
    let mut headers = response.headers().clone();
    headers.remove("date");
    let body = response.bytes().await.expect("body");
    Answer {
        status,
        headers,
        body,
    }
}

/// A key no earlier run (or other test) used: Redis keeps them 24 hours.
fn fresh_key(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{name}-{}-{nanos}", std::process::id())
}

fn memory() -> IdempotencyLayer {
    IdempotencyLayer::new(MemoryStore::default())
}

/// The Redis store, or `None` outside CI when no Redis is configured.
/// In CI (`CI=true`) a missing Redis fails the test.
async fn redis() -> Option<IdempotencyLayer> {
    match std::env::var("MFA_TEST_REDIS_URL") {
        Ok(url) => Some(IdempotencyLayer::new(
            RedisStore::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("Redis at {url}: {e}")),
        )),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but MFA_TEST_REDIS_URL is not set: .ci/run starts a Redis for these tests"
            )
        }
        Err(_) => {
            eprintln!("MFA_TEST_REDIS_URL is not set: skipping the Redis store");
            None
        }
    }
}

// ---------------------------------------------------------------------------
// Scenarios, each run on both stores
// ---------------------------------------------------------------------------

async fn replays_byte_for_byte(layer: IdempotencyLayer) {
    let counter = Counter::default();
    let server = serve(&counter, layer).await;
    let key = fresh_key("replay");
    let first = call(&server, &ann(), "u1", &key, "").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.headers["x-request-id"], "run-1");
    let second = call(&server, &ann(), "u1", &key, "").await;
    assert_eq!(second, first, "the retry gets the first response exactly");
    assert_eq!(counter.runs(), 1);

    // A documented 4xx with a body is an answer too: stored and replayed.
    let key = fresh_key("forbidden");
    let first = call(&server, &ann(), "forbidden", &key, "").await;
    assert_eq!(first.status, StatusCode::FORBIDDEN);
    assert!(!first.body.is_empty());
    let second = call(&server, &ann(), "forbidden", &key, "").await;
    assert_eq!(second, first);
    assert_eq!(counter.runs(), 2);

    // Without a key every call runs.
    let path = "/v1/management/users/u1/reset_device";
    for _ in 0..2 {
        let token = ann()
            .sign_request(path, b"", mfa_runtime::fireblocks::now())
            .expect("sign");
        let status = mfa_runtime::reqwest::Client::new()
            .post(format!("{}{path}", server.base_url))
            .header("x-api-key", "key-ann")
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .expect("answer")
            .status();
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(counter.runs(), 4);
}

async fn concurrent_duplicates_run_once(layer: IdempotencyLayer) {
    let counter = Counter::default();
    let server = serve(&counter, layer).await;
    let key = fresh_key("concurrent");
    let (ann1, ann2) = (ann(), ann());
    let (a, b) = tokio::join!(
        call(&server, &ann1, "slow", &key, ""),
        call(&server, &ann2, "slow", &key, ""),
    );
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a, b, "the duplicate waited for the first and replayed it");
    assert_eq!(counter.runs(), 1);
}

async fn a_reused_key_with_another_request_is_refused(layer: IdempotencyLayer) {
    let counter = Counter::default();
    let server = serve(&counter, layer).await;
    let key = fresh_key("reuse");
    assert_eq!(
        call(&server, &ann(), "u1", &key, "").await.status,
        StatusCode::OK
    );
    for (user, body) in [("u2", ""), ("u1", "{}")] {
        let refused = call(&server, &ann(), user, &key, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{user} {body:?}"
        );
        let json: serde_json::Value = serde_json::from_slice(&refused.body).expect("JSON");
        // Fireblocks' `default` error shape.
        assert_eq!(json["code"], 422, "{json}");
        assert!(
            json["message"].as_str().is_some_and(
                |m| m.contains("`Idempotency-Key` was already used for a different request")
            ),
            "{json}"
        );
    }
    assert_eq!(counter.runs(), 1);
}

async fn keys_are_scoped_to_the_caller(layer: IdempotencyLayer) {
    let counter = Counter::default();
    let server = serve(&counter, layer).await;
    let key = fresh_key("scoped");
    let for_ann = call(&server, &ann(), "u1", &key, "").await;
    let for_bob = call(&server, &bob(), "u1", &key, "").await;
    assert_eq!(for_ann.headers["x-request-id"], "run-1");
    assert_eq!(
        for_bob.headers["x-request-id"], "run-2",
        "Bob's key is his own"
    );
    assert_eq!(counter.runs(), 2);
    assert_eq!(
        *counter.callers.lock().expect("not poisoned"),
        vec![
            Some(Principal::new("fireblocks", "key-ann")),
            Some(Principal::new("fireblocks", "key-bob"))
        ]
    );
}

async fn server_errors_are_not_replayed(layer: IdempotencyLayer) {
    let counter = Counter::default();
    let server = serve(&counter, layer).await;
    let key = fresh_key("flaky");
    let first = call(&server, &ann(), "flaky", &key, "").await;
    assert_eq!(first.status, StatusCode::SERVICE_UNAVAILABLE);
    let retry = call(&server, &ann(), "flaky", &key, "").await;
    assert_eq!(retry.status, StatusCode::OK, "the retry ran afresh");
    let again = call(&server, &ann(), "flaky", &key, "").await;
    assert_eq!(again, retry, "and its success is what is replayed");
    assert_eq!(counter.runs(), 2);
}

macro_rules! on_both_stores {
    ($($scenario:ident: $memory:ident, $redis:ident;)*) => {
        $(
            #[tokio::test]
            async fn $memory() {
                $scenario(memory()).await;
            }

            #[tokio::test]
            async fn $redis() {
                if let Some(layer) = redis().await {
                    $scenario(layer).await;
                }
            }
        )*
    };
}

on_both_stores! {
    replays_byte_for_byte: memory_replays_byte_for_byte, redis_replays_byte_for_byte;
    concurrent_duplicates_run_once: memory_concurrent_duplicates_run_once, redis_concurrent_duplicates_run_once;
    a_reused_key_with_another_request_is_refused: memory_refuses_a_reused_key, redis_refuses_a_reused_key;
    keys_are_scoped_to_the_caller: memory_scopes_keys_to_the_caller, redis_scopes_keys_to_the_caller;
    server_errors_are_not_replayed: memory_does_not_replay_server_errors, redis_does_not_replay_server_errors;
}

/// A duplicate that waits longer than the layer allows gets 409, and the
/// handler still ran once.
#[tokio::test]
async fn a_duplicate_still_running_after_the_wait_gets_409() {
    let counter = Counter::default();
    let server = serve(&counter, memory().with_wait(Duration::from_millis(50))).await;
    let key = fresh_key("wait");
    let (ann1, ann2) = (ann(), ann());
    let (a, b) = tokio::join!(call(&server, &ann1, "slow", &key, ""), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        call(&server, &ann2, "slow", &key, "").await
    });
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(b.status, StatusCode::CONFLICT);
    let json: serde_json::Value = serde_json::from_slice(&b.body).expect("JSON");
    assert!(
        json["message"]
            .as_str()
            .is_some_and(|m| m.contains("still being processed")),
        "{json}"
    );
    assert_eq!(counter.runs(), 1);
}

/// With Redis, a response outlives the server: a new router with a new
/// store and a new implementation replays it without running anything.
#[tokio::test]
async fn redis_replays_after_a_restart() {
    let Some(layer) = redis().await else { return };
    let key = fresh_key("restart");
    let first_counter = Counter::default();
    let first = {
        let server = serve(&first_counter, layer).await;
        call(&server, &ann(), "u1", &key, "").await
    };
    assert_eq!(first.status, StatusCode::OK);

    let second_counter = Counter::default();
    let server = serve(&second_counter, redis().await.expect("still configured")).await;
    let replayed = call(&server, &ann(), "u1", &key, "").await;
    assert_eq!(replayed, first);
    assert_eq!(first_counter.runs(), 1);
    assert_eq!(second_counter.runs(), 0);
}
