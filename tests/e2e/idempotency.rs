//! End to end: idempotency keys on Fireblocks' `resetDevice` (which
//! declares `Idempotency-Key`), over loopback, with callers authenticated by
//! their signed JWTs. The in-memory store and a real Redis (its URL in
//! `MFA_TEST_REDIS_URL`; `.ci/run` starts one) serve the same scenarios.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use mfa_apis::fireblocks;
use mfa_apis::fireblocks::operations::{ResetDeviceError, ResetDeviceSuccess};
use mfa_apis::fireblocks::testing::Double;
use mfa_apis::fireblocks::types::{ErrorResponse, ErrorResponseError, ErrorResponseErrorType};
use mfa_runtime::fireblocks::{SigningKey, VerifyingKey};
use mfa_runtime::server::Principal;
use mfa_runtime::server::auth::{AuthLayer, FireblocksVerifier};
use mfa_runtime::server::idempotency::{
    DEFAULT_MAX_RESPONSE_BYTES, IdempotencyLayer, Limits, MemoryStore, RECORD_OVERHEAD, RedisStore,
};
use mfa_tests::TestServer;

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");
const OTHER_PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-private.pem");
const OTHER_PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-public.pem");

/// A double that counts executions; what it answers depends on the user
/// id: `slow` takes 300 ms, `slower` 900 ms, `forbidden` is a 403 with a
/// body, `flaky` fails with 503 on its first execution; anything else is a
/// 200. Every answer carries the execution number, so a replay is told
/// from a re-run.
fn counter() -> Double {
    let double = Double::new();
    let executions = Arc::new(AtomicUsize::new(0));
    double.reset_device().respond_with_async(move |call| {
        let run = executions.fetch_add(1, Ordering::SeqCst) + 1;
        async move { answer(run, &call.input.id).await }
    });
    double
}

/// What [`counter`] answers on execution `run` for user `id`.
async fn answer(run: usize, id: &str) -> Result<ResetDeviceSuccess, ResetDeviceError> {
    let x_request_id = Some(format!("run-{run}"));
    match id {
        "slow" => tokio::time::sleep(Duration::from_millis(300)).await,
        "slower" => tokio::time::sleep(Duration::from_millis(900)).await,
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

/// How many times the implementation ran.
fn runs(double: &Double) -> usize {
    double.reset_device().calls().len()
}

/// Fireblocks under `/v1`, callers verified, idempotency on `layer`'s store.
async fn serve(counter: &Double, layer: IdempotencyLayer) -> TestServer {
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
    redis_with(Limits::default()).await
}

async fn redis_with(limits: Limits) -> Option<IdempotencyLayer> {
    redis_in(&fresh_key("mfa-idem-test"), limits).await
}

/// Budgets of `keys` records per caller, bytes as the defaults.
fn keys_per_caller(keys: usize) -> Limits {
    Limits {
        per_caller_keys: keys,
        ..Limits::default()
    }
}

/// Each test its own keys and budgets (a namespace of its own), however
/// the tests overlap in time.
async fn redis_in(namespace: &str, limits: Limits) -> Option<IdempotencyLayer> {
    match std::env::var("MFA_TEST_REDIS_URL") {
        Ok(url) => Some(IdempotencyLayer::new(
            RedisStore::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("Redis at {url}: {e}"))
                .with_limits(limits)
                .with_namespace(namespace),
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
    let counter = counter();
    let server = serve(&counter, layer).await;
    let key = fresh_key("replay");
    let first = call(&server, &ann(), "u1", &key, "").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.headers["x-request-id"], "run-1");
    let second = call(&server, &ann(), "u1", &key, "").await;
    assert_eq!(second, first, "the retry gets the first response exactly");
    assert_eq!(runs(&counter), 1);

    // A documented 4xx with a body is an answer too: stored and replayed.
    let key = fresh_key("forbidden");
    let first = call(&server, &ann(), "forbidden", &key, "").await;
    assert_eq!(first.status, StatusCode::FORBIDDEN);
    assert!(!first.body.is_empty());
    let second = call(&server, &ann(), "forbidden", &key, "").await;
    assert_eq!(second, first);
    assert_eq!(runs(&counter), 2);

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
    assert_eq!(runs(&counter), 4);
}

async fn concurrent_duplicates_run_once(layer: IdempotencyLayer) {
    let counter = counter();
    let server = serve(&counter, layer).await;
    let key = fresh_key("concurrent");
    let (ann1, ann2) = (ann(), ann());
    let (a, b) = tokio::join!(
        call(&server, &ann1, "slow", &key, ""),
        call(&server, &ann2, "slow", &key, ""),
    );
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a, b, "the duplicate waited for the first and replayed it");
    assert_eq!(runs(&counter), 1);
}

async fn a_reused_key_with_another_request_is_refused(layer: IdempotencyLayer) {
    let counter = counter();
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
    assert_eq!(runs(&counter), 1);
}

async fn keys_are_scoped_to_the_caller(layer: IdempotencyLayer) {
    let counter = counter();
    let server = serve(&counter, layer).await;
    let key = fresh_key("scoped");
    let for_ann = call(&server, &ann(), "u1", &key, "").await;
    let for_bob = call(&server, &bob(), "u1", &key, "").await;
    assert_eq!(for_ann.headers["x-request-id"], "run-1");
    assert_eq!(
        for_bob.headers["x-request-id"], "run-2",
        "Bob's key is his own"
    );
    assert_eq!(runs(&counter), 2);
    assert_eq!(
        counter
            .reset_device()
            .calls()
            .into_iter()
            .map(|call| call.caller)
            .collect::<Vec<_>>(),
        vec![
            Some(Principal::new("fireblocks", "key-ann")),
            Some(Principal::new("fireblocks", "key-bob"))
        ]
    );
}

async fn server_errors_are_not_replayed(layer: IdempotencyLayer) {
    let counter = counter();
    let server = serve(&counter, layer).await;
    let key = fresh_key("flaky");
    let first = call(&server, &ann(), "flaky", &key, "").await;
    assert_eq!(first.status, StatusCode::SERVICE_UNAVAILABLE);
    let retry = call(&server, &ann(), "flaky", &key, "").await;
    assert_eq!(retry.status, StatusCode::OK, "the retry ran afresh");
    let again = call(&server, &ann(), "flaky", &key, "").await;
    assert_eq!(again, retry, "and its success is what is replayed");
    assert_eq!(runs(&counter), 2);
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
    let counter = counter();
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
    assert_eq!(runs(&counter), 1);
}

/// With Redis, a response outlives the server: a new router with a new
/// store and a new implementation replays it without running anything.
#[tokio::test]
async fn redis_replays_after_a_restart() {
    let namespace = fresh_key("mfa-idem-restart");
    let Some(layer) = redis_in(&namespace, Limits::default()).await else {
        return;
    };
    let key = fresh_key("restart");
    let first_counter = counter();
    let first = {
        let server = serve(&first_counter, layer).await;
        call(&server, &ann(), "u1", &key, "").await
    };
    assert_eq!(first.status, StatusCode::OK);

    let second_counter = counter();
    let layer = redis_in(&namespace, Limits::default()).await;
    let server = serve(&second_counter, layer.expect("still configured")).await;
    let replayed = call(&server, &ann(), "u1", &key, "").await;
    assert_eq!(replayed, first);
    assert_eq!(runs(&first_counter), 1);
    assert_eq!(runs(&second_counter), 0);
}

// ---------------------------------------------------------------------------
// Fairness and leases (issue 13, finding 3)
// ---------------------------------------------------------------------------

/// One caller's new keys never evict another caller's stored answer: Bob's
/// retry after Ann has sent more keys than the store holds still replays
/// Bob's answer instead of resetting again.
async fn one_callers_keys_never_evict_anothers_answers(layer: IdempotencyLayer, capacity: usize) {
    let counter = counter();
    let server = serve(&counter, layer).await;
    let bobs_key = fresh_key("bob");
    let first = call(&server, &bob(), "u1", &bobs_key, "").await;
    assert_eq!(first.status, StatusCode::OK);
    for n in 0..capacity + 2 {
        let answer = call(&server, &ann(), "u1", &fresh_key(&format!("ann-{n}")), "").await;
        assert_eq!(answer.status, StatusCode::OK, "Ann's key {n}");
    }
    let retry = call(&server, &bob(), "u1", &bobs_key, "").await;
    assert_eq!(retry, first, "Bob's answer is still replayed");
    assert_eq!(runs(&counter), capacity + 3, "Bob's reset ran once");
}

/// One caller's requests still running never starve another into 503:
/// while Ann holds as many running claims as she may, Bob is served.
async fn one_callers_running_claims_never_starve_another(layer: IdempotencyLayer, capacity: usize) {
    let counter = counter();
    let server = Arc::new(serve(&counter, layer).await);
    let mut running = Vec::new();
    for n in 0..capacity {
        let server = Arc::clone(&server);
        running.push(tokio::spawn(async move {
            call(
                &server,
                &ann(),
                "slow",
                &fresh_key(&format!("ann-slow-{n}")),
                "",
            )
            .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let bobs = call(&server, &bob(), "u1", &fresh_key("bob"), "").await;
    assert_eq!(bobs.status, StatusCode::OK, "Bob is served: {bobs:?}");
    for answer in running {
        assert_eq!(answer.await.expect("task").status, StatusCode::OK);
    }
}

/// A handler that outlives its lease still runs once: the lease is renewed
/// while it runs, so a duplicate waits for it and replays its answer.
async fn a_handler_that_outlives_its_lease_runs_once(layer: IdempotencyLayer) {
    let counter = counter();
    let layer = layer
        .with_lease(Duration::from_millis(300))
        .with_wait(Duration::from_secs(5));
    let server = serve(&counter, layer).await;
    let key = fresh_key("lease");
    let (ann1, ann2) = (ann(), ann());
    let (first, duplicate) = tokio::join!(call(&server, &ann1, "slower", &key, ""), async {
        // `slower` takes 900 ms: three leases of 300 ms.
        tokio::time::sleep(Duration::from_millis(600)).await;
        call(&server, &ann2, "slower", &key, "").await
    });
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(duplicate, first, "the duplicate replays the first answer");
    assert_eq!(runs(&counter), 1, "the reset ran once");
}

#[tokio::test]
async fn memory_one_callers_keys_never_evict_anothers_answers() {
    let store = MemoryStore::with_limits(keys_per_caller(4));
    one_callers_keys_never_evict_anothers_answers(IdempotencyLayer::new(store), 4).await;
}

#[tokio::test]
async fn redis_one_callers_keys_never_evict_anothers_answers() {
    if let Some(layer) = redis_with(keys_per_caller(4)).await {
        one_callers_keys_never_evict_anothers_answers(layer, 4).await;
    }
}

#[tokio::test]
async fn memory_one_callers_running_claims_never_starve_another() {
    let store = MemoryStore::with_limits(keys_per_caller(4));
    one_callers_running_claims_never_starve_another(IdempotencyLayer::new(store), 4).await;
}

#[tokio::test]
async fn redis_one_callers_running_claims_never_starve_another() {
    if let Some(layer) = redis_with(keys_per_caller(4)).await {
        one_callers_running_claims_never_starve_another(layer, 4).await;
    }
}

/// Budgets of `claims` running claims' bytes per caller (each reserves
/// the largest answer stored), keys as the defaults.
fn bytes_per_caller(claims: usize) -> Limits {
    Limits {
        per_caller_bytes: claims * (DEFAULT_MAX_RESPONSE_BYTES + RECORD_OVERHEAD),
        ..Limits::default()
    }
}

#[tokio::test]
async fn memory_running_claims_bytes_never_starve_another() {
    let store = MemoryStore::with_limits(bytes_per_caller(3));
    one_callers_running_claims_never_starve_another(IdempotencyLayer::new(store), 3).await;
}

#[tokio::test]
async fn redis_running_claims_bytes_never_starve_another() {
    if let Some(layer) = redis_with(bytes_per_caller(3)).await {
        one_callers_running_claims_never_starve_another(layer, 3).await;
    }
}

#[tokio::test]
async fn memory_a_handler_that_outlives_its_lease_runs_once() {
    a_handler_that_outlives_its_lease_runs_once(memory()).await;
}

#[tokio::test]
async fn redis_a_handler_that_outlives_its_lease_runs_once() {
    if let Some(layer) = redis().await {
        a_handler_that_outlives_its_lease_runs_once(layer).await;
    }
}

/// The Redis store's own contract, as `run` relies on it: only the holder
/// renews, completes or releases its claim; one that lapsed is reported
/// lost and changes nothing; answers evict only their own caller's.
#[tokio::test]
async fn redis_store_reports_lost_claims_and_keeps_budgets() {
    use mfa_runtime::server::idempotency::{
        Claim, IdempotencyStore, Ownership, Refusal, Slot, StoredResponse,
    };
    // Skips outside CI without a Redis; fails in CI without one.
    if redis().await.is_none() {
        return;
    }
    let url = std::env::var("MFA_TEST_REDIS_URL").expect("checked above");
    let store = RedisStore::connect(&url)
        .await
        .expect("Redis")
        .with_namespace(fresh_key("mfa-idem-store"))
        .with_limits(Limits {
            per_caller_keys: 2,
            ..Limits::default()
        });
    let lease = Duration::from_millis(300);
    let ttl = Duration::from_secs(60);
    let answer = StoredResponse {
        status: 200,
        headers: vec![("x-run".into(), b"1".to_vec())],
        body: b"done".to_vec(),
    };
    let ann = |key| Slot { caller: "ann", key };
    let acquire = |slot: Slot<'static>| {
        let store = store.clone();
        async move {
            match store.claim(slot, "fp", lease, 4096).await.expect("claim") {
                Claim::Acquired { token } => token,
                other => panic!("{slot:?}: {other:?}"),
            }
        }
    };

    let token = acquire(ann("k1")).await;
    assert_eq!(
        store.renew(ann("k1"), "nope", lease).await,
        Ok(Ownership::Lost)
    );
    assert_eq!(
        store.renew(ann("k1"), &token, lease).await,
        Ok(Ownership::Held)
    );
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    assert_eq!(
        store.renew(ann("k1"), &token, lease).await,
        Ok(Ownership::Lost)
    );
    let late = store.complete(ann("k1"), &token, "fp", &answer, ttl).await;
    assert_eq!(late, Ok(Ownership::Lost));

    let token = acquire(ann("k1")).await;
    assert_eq!(store.release(ann("k1"), "nope").await, Ok(Ownership::Lost));
    let done = store.complete(ann("k1"), &token, "fp", &answer, ttl).await;
    assert_eq!(done, Ok(Ownership::Held));
    assert_eq!(store.release(ann("k1"), &token).await, Ok(Ownership::Lost));
    assert_eq!(
        store.claim(ann("k1"), "fp", lease, 4096).await,
        Ok(Claim::Done {
            fingerprint: "fp".into(),
            response: answer.clone()
        })
    );

    // Two keys each: Ann's third evicts her own answered `k1`; with both of
    // hers running, a third is refused, while Bob is served.
    let bob = Slot {
        caller: "bob",
        key: "b1",
    };
    let bobs = acquire(bob).await;
    assert_eq!(
        store.complete(bob, &bobs, "fp", &answer, ttl).await,
        Ok(Ownership::Held)
    );
    acquire(ann("k2")).await;
    acquire(ann("k3")).await;
    assert!(matches!(
        store.claim(ann("k1"), "fp", lease, 4096).await,
        Ok(Claim::Refused(Refusal::CallerBudget))
    ));
    assert!(matches!(
        store.claim(bob, "fp", lease, 4096).await,
        Ok(Claim::Done { .. })
    ));
}
