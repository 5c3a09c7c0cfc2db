//! End to end, the whole production stack at once: the generated client
//! (request signing, retries, idempotency keys) against the generated server
//! (signed-JWT verification, idempotency store) over loopback, with a
//! gateway in front that loses responses after the handler has run, which is
//! exactly when a retry without idempotency would act twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mfa_apis::fireblocks;
use mfa_apis::fireblocks::operations::{ResetDeviceError, ResetDeviceSuccess};
use mfa_apis::flashback;
use mfa_runtime::axum::{
    self, Router, body::Body, extract::Request, middleware::Next, response::Response,
};
use mfa_runtime::client::ClientError;
use mfa_runtime::fireblocks::{Expected, SigningKey, VerifyingKey};
use mfa_runtime::server::Principal;
use mfa_runtime::server::auth::{AuthLayer, FireblocksVerifier, SchemeVerifier};
use mfa_runtime::server::idempotency::{IdempotencyLayer, MemoryStore};
use mfa_tests::{TestServer, WireRequest, quick_retries};

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");

/// A Fireblocks double whose resets answer with their execution number
/// (`slow` taking 300 ms), so a replay is told from a re-run.
fn fireblocks_double() -> fireblocks::testing::Double {
    let double = fireblocks::testing::Double::new();
    let executions = Arc::new(AtomicUsize::new(0));
    double.reset_device().respond_with_async(move |call| {
        let run = executions.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            if call.input.id == "slow" {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Ok(ResetDeviceSuccess::Ok {
                x_request_id: Some(format!("run-{run}")),
            })
        }
    });
    double
}

/// `scheme:subject` of each caller, in order.
fn callers(calls: impl IntoIterator<Item = Option<Principal>>) -> Vec<String> {
    calls
        .into_iter()
        .flatten()
        .map(|caller| format!("{}:{}", caller.scheme, caller.subject))
        .collect()
}

/// A gateway that lets the first `lose` requests through to the service and
/// then answers 503 in place of the service's response, as a proxy that
/// timed out on its upstream would.
fn losing_gateway(router: Router, lose: usize) -> Router {
    let seen = Arc::new(AtomicUsize::new(0));
    router.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let seen = Arc::clone(&seen);
            async move {
                let response = next.run(request).await;
                if seen.fetch_add(1, Ordering::SeqCst) < lose {
                    return Response::builder()
                        .status(503)
                        .body(Body::from("upstream timed out"))
                        .expect("a static response");
                }
                response
            }
        },
    ))
}

/// Fireblocks under `/v1` as production serves it: callers verified by
/// their signed JWT, `Idempotency-Key` honoured, behind `losing_gateway`.
async fn fireblocks_server(api: &fireblocks::testing::Double, lose: usize) -> TestServer {
    let verifier = FireblocksVerifier::new().with_key(
        "fb-api-key",
        VerifyingKey::from_pem(PUBLIC).expect("test public key"),
    );
    let service = Router::new()
        .nest("/v1", fireblocks::router(api.clone()))
        .layer(IdempotencyLayer::new(MemoryStore::default()))
        .layer(AuthLayer::new(verifier));
    TestServer::start(losing_gateway(service, lose)).await
}

fn fireblocks_client(server: &TestServer, attempts: u32) -> fireblocks::Client {
    fireblocks::Client::new(format!("{}/v1", server.base_url))
        .with_signer(SigningKey::from_pem("fb-api-key", PRIVATE).expect("test private key"))
        .with_retry_policy(quick_retries(attempts))
}

/// The nonce of the JWT `request` carried, after checking it verifies for
/// exactly what was sent.
fn verified_nonce(request: &WireRequest) -> String {
    let token = request
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .expect("a bearer JWT");
    let key = VerifyingKey::from_pem(PUBLIC).expect("test public key");
    let expected = Expected {
        api_key: "fb-api-key",
        uri: &request.uri,
        body: &request.body,
        now: mfa_runtime::fireblocks::now(),
        leeway_secs: 5,
        max_lifetime_secs: mfa_runtime::fireblocks::DEFAULT_MAX_LIFETIME_SECS,
    };
    mfa_runtime::fireblocks::verify(token, &key, expected)
        .expect("the JWT verifies for what was sent")
        .nonce
        .to_string()
}

#[tokio::test]
async fn a_lost_response_is_retried_with_one_key_and_the_handler_runs_once() {
    let api = fireblocks_double();
    let server = fireblocks_server(&api, 1).await;
    let client = fireblocks_client(&server, 3);
    let call = client.reset_device("u1");
    let key = call
        .request()
        .idempotency_key
        .clone()
        .expect("the client fills in a key");

    let outcome = call.await.expect("the retry gets the stored answer");

    assert_eq!(
        outcome,
        ResetDeviceSuccess::Ok {
            x_request_id: Some("run-1".into())
        },
        "the answer of the one run, replayed"
    );
    let calls = api.reset_device().calls();
    assert_eq!(calls.len(), 1, "the device was reset once");
    assert_eq!(
        callers(calls.into_iter().map(|call| call.caller)),
        ["fireblocks:fb-api-key"]
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 2, "one attempt lost, one retry");
    for request in &sent {
        assert_eq!(request.header("idempotency-key"), Some(key.as_str()));
    }
    let nonces: Vec<String> = sent.iter().map(verified_nonce).collect();
    assert_ne!(nonces[0], nonces[1], "each attempt is signed afresh");
}

#[tokio::test]
async fn retries_stop_at_the_bound_and_the_handler_still_runs_once() {
    let api = fireblocks_double();
    let server = fireblocks_server(&api, usize::MAX).await;
    let outcome = fireblocks_client(&server, 4).reset_device("u1").await;

    match outcome {
        Err(ClientError::Api(ResetDeviceError::ServerError { status, .. })) => {
            assert_eq!(status, 503);
        }
        Err(ClientError::Decode { response, .. }) => assert_eq!(response.status, 503),
        other => panic!("expected the gateway's 503, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 4, "max_attempts is a bound");
    assert_eq!(
        api.reset_device().calls().len(),
        1,
        "every retry was a replay"
    );
}

#[tokio::test]
async fn concurrent_duplicates_from_the_client_run_once() {
    let api = fireblocks_double();
    let server = fireblocks_server(&api, 0).await;
    let client = fireblocks_client(&server, 1);
    let first = client.reset_device("slow").idempotency_key("same-key");
    let second = client.reset_device("slow").idempotency_key("same-key");

    let (a, b) = tokio::join!(first.into_future(), second.into_future());

    let expected = ResetDeviceSuccess::Ok {
        x_request_id: Some("run-1".into()),
    };
    assert_eq!(a.expect("first"), expected);
    assert_eq!(b.expect("second waits and gets the same answer"), expected);
    assert_eq!(api.reset_device().calls().len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_request_without_an_idempotency_key_is_never_repeated() {
    // Flashback's reset declares no idempotency key: after a lost response
    // nobody can tell whether it ran, so the client must not send it again.
    let api = mfa_tests::recording::flashback_double();
    let verifier = SchemeVerifier::new().with(
        flashback::server::security::BEARER_AUTH,
        |token| async move { (token == "fb-token").then(|| "ann".to_string()) },
    );
    let service = flashback::router(api.clone()).layer(AuthLayer::new(verifier));
    let server = TestServer::start(losing_gateway(service, usize::MAX)).await;
    let client = flashback::Client::new(&server.base_url)
        .with_bearer_auth("fb-token")
        .with_retry_policy(quick_retries(5));

    let outcome = client.reset_mfa().await;

    assert_eq!(
        outcome.as_ref().err().and_then(ClientError::status),
        Some(503.try_into().expect("a status")),
        "{outcome:?}"
    );
    assert_eq!(server.requests().len(), 1, "sent once, not retried");
    let calls = api.reset_mfa().calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        callers(calls.into_iter().map(|call| call.caller)),
        ["bearerAuth:ann"]
    );
}
