//! The generated clients' production behaviour against servers on loopback:
//! retries (only where safe, bounded, honouring `Retry-After`), timeouts,
//! idempotency keys, Fireblocks request signing, Ping's version header and
//! SSO token, refreshing tokens, and `Debug` output that shows no secret.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mfa_apis::{fireblocks, flashback, ping};
use mfa_runtime::HasStatus;
use mfa_runtime::axum::{Router, body::Body, response::Response};
use mfa_runtime::client::{ClientError, RetryPolicy};
use mfa_runtime::credentials::{Credential, FreshToken, KeyLocation, RefreshingToken, Secret};
use mfa_runtime::fireblocks::{Expected, SigningKey, VerifyingKey, verify};
use mfa_tests::{TestServer, WireRequest, canned, quick_retries};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");
const ALPHA: [&str; 2] = ["root", "alpha"];

/// One scripted answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
}

fn answer(status: u16, body: &'static str) -> Answer {
    Answer {
        status,
        headers: vec![("content-type", "application/json".into())],
        body,
    }
}

const BUSY: &str = r#"{"message":"busy","code":503}"#;

/// A router that gives the scripted answers in order (the last one again
/// once they run out) and notes when each request arrived.
fn scripted(answers: Vec<Answer>) -> (Router, Arc<Mutex<Vec<Instant>>>) {
    let arrivals: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let noted = Arc::clone(&arrivals);
    let router = Router::new().fallback(move || {
        let noted = Arc::clone(&noted);
        let answers = answers.clone();
        async move {
            let n = {
                let mut noted = noted.lock().unwrap();
                noted.push(Instant::now());
                noted.len()
            };
            let answer = answers[(n - 1).min(answers.len() - 1)].clone();
            let mut response = Response::new(Body::from(answer.body));
            *response.status_mut() = http::StatusCode::from_u16(answer.status).unwrap();
            for (name, value) in answer.headers {
                response
                    .headers_mut()
                    .insert(name, http::HeaderValue::from_str(&value).unwrap());
            }
            response
        }
    });
    (router, arrivals)
}

/// A raw server: the first `hangups` connections are closed as soon as a
/// request arrives; later ones get a 200. Returns its base URL and the
/// number of requests it has read.
async fn hanging_up(hangups: usize) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<usize>> = Arc::default();
    let counter = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let n = {
                    let mut seen = counter.lock().unwrap();
                    *seen += 1;
                    *seen
                };
                if n > hangups {
                    let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                    let _ = socket.write_all(ok).await;
                    let _ = socket.shutdown().await;
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn status_of<T: HasStatus, E: HasStatus>(outcome: &Result<T, ClientError<E>>) -> Option<u16> {
    match outcome {
        Ok(success) => Some(success.status().as_u16()),
        Err(error) => error.status().map(|s| s.as_u16()),
    }
}

// ---------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------

#[tokio::test]
async fn retries_of_a_safe_call_stop_at_the_attempt_bound() {
    let (router, arrivals) = scripted(vec![answer(503, BUSY)]);
    let server = TestServer::start(router).await;
    let client = ping::Client::new(&server.base_url)
        .with_bearer_auth("tok")
        .with_retry_policy(quick_retries(4));
    let outcome = client.list_web_authn_devices(ALPHA, "u1").await;
    assert_eq!(status_of(&outcome), Some(503), "{outcome:?}");
    assert_eq!(
        arrivals.lock().unwrap().len(),
        4,
        "GET is retried up to 4 attempts"
    );
    // Each attempt sends the same request.
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.uri == requests[0].uri));
}

#[tokio::test]
async fn retries_stop_at_the_time_bound() {
    let (router, arrivals) = scripted(vec![answer(503, BUSY)]);
    let server = TestServer::start(router).await;
    let policy = RetryPolicy {
        max_attempts: 100,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(100),
        max_elapsed: Duration::from_millis(350),
        jitter: 0.0,
    };
    let started = Instant::now();
    let outcome = ping::Client::new(&server.base_url)
        .with_bearer_auth("tok")
        .list_bound_devices(ALPHA, "u1")
        .retry_policy(policy)
        .await;
    let elapsed = started.elapsed();
    assert_eq!(status_of(&outcome), Some(503), "{outcome:?}");
    let attempts = arrivals.lock().unwrap().len();
    // Retries start at about 100, 200 and 300 ms; one at 400 ms would be
    // late. (A loaded machine may fit fewer, never more.)
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
    assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");
}

#[tokio::test]
async fn a_post_without_idempotency_key_is_never_repeated_after_a_503() {
    let (router, arrivals) = scripted(vec![answer(503, BUSY), answer(200, "{}")]);
    let server = TestServer::start(router).await;
    let client = flashback::Client::new(&server.base_url)
        .with_bearer_auth("tok")
        .with_retry_policy(quick_retries(5));
    let outcome = client.reset_mfa().await;
    assert_eq!(status_of(&outcome), Some(503), "{outcome:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 1);

    // Ping's reset is a POST too: no key, no retry.
    let (router, arrivals) = scripted(vec![answer(503, BUSY)]);
    let server = TestServer::start(router).await;
    let client = ping::Client::new(&server.base_url)
        .with_bearer_auth("tok")
        .with_retry_policy(quick_retries(5));
    let outcome = client.reset_oath_devices(ALPHA, "u1").await;
    assert_eq!(status_of(&outcome), Some(503), "{outcome:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_post_without_idempotency_key_is_never_repeated_after_a_transport_error() {
    let (base, seen) = hanging_up(1).await;
    let client = flashback::Client::new(&base)
        .with_bearer_auth("tok")
        .with_retry_policy(quick_retries(5));
    let outcome = client.reset_mfa().await;
    assert!(
        matches!(outcome, Err(ClientError::Transport(_))),
        "{outcome:?}"
    );
    assert_eq!(*seen.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_keyed_call_is_retried_after_a_transport_error() {
    let (base, seen) = hanging_up(2).await;
    let client = fireblocks::Client::new(&base).with_retry_policy(quick_retries(3));
    let outcome = client.reset_device("u1").await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(*seen.lock().unwrap(), 3, "two hang-ups, then the answer");
}

#[tokio::test]
async fn a_keyed_call_is_retried_with_the_same_key_each_attempt() {
    let (router, arrivals) = scripted(vec![answer(503, BUSY), answer(500, BUSY), answer(200, "")]);
    let server = TestServer::start(router).await;
    let client = fireblocks::Client::new(&server.base_url).with_retry_policy(quick_retries(3));
    let call = client.reset_device("u1");
    let key = call
        .request()
        .idempotency_key
        .clone()
        .expect("a key up front");
    let outcome = call.await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 3);
    let keys: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").map(String::from))
        .collect();
    assert_eq!(keys, vec![Some(key.clone()); 3]);

    // The caller's own key is used as given; each call gets its own otherwise.
    let other = client.reset_device("u1");
    assert_ne!(
        other.request().idempotency_key.as_deref(),
        Some(key.as_str())
    );
    let mine = client.reset_device("u1").idempotency_key("mine-1");
    assert_eq!(mine.request().idempotency_key.as_deref(), Some("mine-1"));
}

#[tokio::test]
async fn a_429_retry_after_in_seconds_is_waited_for() {
    let mut busy = answer(429, r#"{"message":"slow down"}"#);
    busy.headers.push(("retry-after", "1".into()));
    let (router, arrivals) = scripted(vec![busy, answer(200, "")]);
    let server = TestServer::start(router).await;
    let client = fireblocks::Client::new(&server.base_url).with_retry_policy(quick_retries(3));
    let outcome = client.reset_device("u1").await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2);
    let waited = arrivals[1] - arrivals[0];
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_millis(1_500),
        "waited {waited:?} for Retry-After: 1"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_time_bound_returns_the_429_at_once() {
    // Also a wait and a call timeout too long to add to the clock: the call
    // returns the 429, it does not panic on `Instant` overflow.
    for (retry_after, timeout) in [
        ("60", Duration::from_secs(60)),
        ("99999999999999999999", Duration::MAX),
    ] {
        let mut busy = answer(429, r#"{"message":"slow down"}"#);
        busy.headers.push(("retry-after", retry_after.into()));
        let (router, arrivals) = scripted(vec![busy]);
        let server = TestServer::start(router).await;
        let started = Instant::now();
        let outcome = fireblocks::Client::new(&server.base_url)
            .reset_device("u1")
            .retry_policy(quick_retries(5))
            .timeout(timeout)
            .await;
        assert_eq!(status_of(&outcome), Some(429), "{retry_after}: {outcome:?}");
        assert_eq!(arrivals.lock().unwrap().len(), 1);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (router, arrivals) = scripted(vec![answer(404, r#"{"message":"no"}"#)]);
    let server = TestServer::start(router).await;
    let client = ping::Client::new(&server.base_url)
        .with_bearer_auth("tok")
        .with_retry_policy(quick_retries(5));
    let outcome = client.list_bound_devices(ALPHA, "u1").await;
    assert_eq!(status_of(&outcome), Some(404), "{outcome:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------

/// A server that accepts connections and never answers.
async fn silent() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_per_call_timeout_fires_within_bounds() {
    let base = silent().await;
    let client = ping::Client::new(&base)
        .with_bearer_auth("tok")
        .with_timeout(Duration::from_secs(30));
    let started = Instant::now();
    let outcome = client
        .list_web_authn_devices(ALPHA, "u1")
        .timeout(Duration::from_millis(300))
        .await;
    let elapsed = started.elapsed();
    match outcome {
        Err(ClientError::Timeout { limit, attempts }) => {
            assert_eq!(limit, Duration::from_millis(300));
            assert_eq!(attempts, 1);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(1_000),
        "{elapsed:?}"
    );

    // The client-wide default applies when the call sets none.
    let started = Instant::now();
    let outcome = client
        .with_timeout(Duration::from_millis(200))
        .list_bound_devices(ALPHA, "u1")
        .await;
    assert!(
        matches!(outcome, Err(ClientError::Timeout { .. })),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn the_timeout_bounds_retries_and_their_waits() {
    let (router, arrivals) = scripted(vec![answer(503, BUSY)]);
    let server = TestServer::start(router).await;
    let policy = RetryPolicy {
        max_attempts: 100,
        initial_backoff: Duration::from_millis(150),
        max_backoff: Duration::from_millis(150),
        max_elapsed: Duration::from_secs(60),
        jitter: 0.0,
    };
    let started = Instant::now();
    let outcome = ping::Client::new(&server.base_url)
        .with_bearer_auth("tok")
        .with_retry_policy(policy)
        .list_bound_devices(ALPHA, "u1")
        .timeout(Duration::from_millis(500))
        .await;
    assert_eq!(
        status_of(&outcome),
        Some(503),
        "the last answer: {outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(900));
    // Attempts at about 0, 150, 300 and 450 ms fit in 500 ms, no more.
    assert!((2..=4).contains(&arrivals.lock().unwrap().len()));
}

// ---------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------

fn signing_key() -> SigningKey {
    SigningKey::from_pem("fb-api-key", PRIVATE).unwrap()
}

/// The JWT on `wire` verifies for exactly its URI and body; its claims.
fn verified(wire: &WireRequest) -> mfa_runtime::fireblocks::Claims {
    assert_eq!(wire.header("x-api-key"), Some("fb-api-key"));
    let token = wire
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .expect("a bearer JWT");
    verify(
        token,
        &VerifyingKey::from_pem(PUBLIC).unwrap(),
        Expected {
            api_key: "fb-api-key",
            uri: &wire.uri,
            body: &wire.body,
            now: mfa_runtime::fireblocks::now(),
            leeway_secs: 5,
            max_lifetime_secs: mfa_runtime::fireblocks::DEFAULT_MAX_LIFETIME_SECS,
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", wire.uri))
}

#[tokio::test]
async fn a_fireblocks_call_is_signed_for_its_uri_with_the_base_path() {
    let server = TestServer::start(canned(200, &[], "")).await;
    let client =
        fireblocks::Client::new(format!("{}/v1", server.base_url)).with_signer(signing_key());
    let outcome = client.reset_device("u1").await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let wire = server.only_request();
    assert_eq!(wire.uri, "/v1/management/users/u1/reset_device");
    let claims = verified(&wire);
    assert_eq!(claims.uri, "/v1/management/users/u1/reset_device");
    assert_eq!(claims.body_hash, mfa_runtime::fireblocks::body_hash(b""));
    assert_eq!(claims.sub, "fb-api-key");
}

/// A Fireblocks call without a body (resetDevice) sends no body and signs
/// none: `Content-Length: 0`, not a byte after the head, and `bodyHash` is
/// the hash of `""`, the convention of the current official SDKs. Read off
/// the socket, below any HTTP library that could add or drop a body.
#[tokio::test]
async fn a_bodyless_fireblocks_call_sends_exactly_what_it_signed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let arrived = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut bytes = Vec::new();
        let mut buffer = [0_u8; 4096];
        while !bytes.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the request head ends");
            bytes.extend_from_slice(&buffer[..n]);
        }
        // Anything sent after the head would arrive now.
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(200), socket.read(&mut buffer)).await
        {
            bytes.extend_from_slice(&buffer[..n]);
        }
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        socket.write_all(ok).await.unwrap();
        String::from_utf8(bytes).unwrap()
    });
    let client = fireblocks::Client::new(&base).with_signer(signing_key());
    let outcome = client.reset_device("u1").await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let request = arrived.await.unwrap();
    let (head, after) = request.split_once("\r\n\r\n").unwrap();
    assert_eq!(after, "", "no body bytes");
    let header = |name: &str| {
        head.lines()
            .find_map(|line| {
                line.split_once(": ")
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|(_, value)| value.to_string())
    };
    assert_eq!(header("content-length").as_deref(), Some("0"), "{head}");
    assert_eq!(header("transfer-encoding"), None, "{head}");
    assert_eq!(header("content-type"), None, "{head}");
    // The request as the server got it, for the signature check.
    let mut headers = http::HeaderMap::new();
    for line in head.lines().skip(1) {
        let (name, value) = line.split_once(": ").unwrap();
        let name = http::HeaderName::from_bytes(name.as_bytes()).unwrap();
        headers.append(name, value.parse().unwrap());
    }
    let wire = WireRequest {
        method: http::Method::POST,
        uri: "/v1/management/users/u1/reset_device".into(),
        headers,
        body: bytes::Bytes::new(),
    };
    assert!(
        head.starts_with("POST /v1/management/users/u1/reset_device HTTP/1.1"),
        "{head}"
    );
    let claims = verified(&wire);
    assert_eq!(claims.body_hash, mfa_runtime::fireblocks::body_hash(b""));
    assert_eq!(
        header("user-agent").as_deref(),
        Some(mfa_runtime::client::USER_AGENT)
    );
    assert_eq!(mfa_runtime::client::USER_AGENT, "mfa-runtime/0.1.0");
}

/// Calls name this crate and its version in `User-Agent`, as the vendors'
/// SDKs name theirs; a client can name itself instead.
#[tokio::test]
async fn calls_name_the_crate_in_user_agent_unless_told_otherwise() {
    let server = TestServer::start(canned(200, &[], "{}")).await;
    let ping = ping::Client::new(&server.base_url).with_bearer_auth("tok");
    let _ = ping.list_oath_devices(ALPHA, "u1").await;
    let own = ping::Client::from_api_client(ping.api_client().with_user_agent("helpdesk/2.1"));
    let _ = own.list_oath_devices(ALPHA, "u1").await;
    let agents: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|wire| wire.header("user-agent").map(str::to_owned))
        .collect();
    assert_eq!(
        agents,
        [
            Some("mfa-runtime/0.1.0".to_string()),
            Some("helpdesk/2.1".to_string())
        ]
    );
}

#[tokio::test]
async fn each_attempt_is_signed_afresh_with_a_new_nonce() {
    let (router, _) = scripted(vec![answer(503, BUSY), answer(200, "")]);
    let server = TestServer::start(router).await;
    let client = fireblocks::Client::new(format!("{}/v1", server.base_url))
        .with_signer(signing_key())
        .with_retry_policy(quick_retries(3));
    let outcome = client.reset_device("u 1").await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let nonces: Vec<String> = requests
        .iter()
        .map(|r| verified(r).nonce.to_string())
        .collect();
    assert_ne!(nonces[0], nonces[1]);
    assert_eq!(requests[0].uri, "/v1/management/users/u%201/reset_device");
}

#[tokio::test]
async fn a_signer_hashes_the_body_and_signs_the_query_as_sent() {
    let server = TestServer::start(canned(200, &[], "")).await;
    // The signer is generic: any client can carry it.
    let flashback = flashback::Client::new(format!("{}/api", server.base_url))
        .with_bearer_auth("ignored-by-this-test")
        .with_signer(signing_key());
    let _ = flashback
        .reset_mfa()
        .body(flashback::types::ResetMfaRequest {
            reset_user_id: Some("user-9".into()),
            ..Default::default()
        })
        .await;
    let ping = ping::Client::new(format!("{}/am/json", server.base_url))
        .with_bearer_auth("tok")
        .with_signer(signing_key());
    let _ = ping.list_bound_devices(ALPHA, "u1").await;

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let with_body = verified(&requests[0]);
    assert_eq!(requests[0].body, r#"{"resetUserId":"user-9"}"#);
    assert_eq!(
        with_body.body_hash,
        mfa_runtime::fireblocks::body_hash(br#"{"resetUserId":"user-9"}"#)
    );
    let with_query = verified(&requests[1]);
    assert_eq!(
        with_query.uri,
        "/am/json/realms/root/realms/alpha/users/u1/devices/2fa/binding?_queryFilter=true"
    );
}

#[tokio::test]
async fn every_ping_call_sends_accept_api_version() {
    let server = TestServer::start(canned(200, &[], "{}")).await;
    let client = ping::Client::new(&server.base_url).with_bearer_auth("tok");
    let _ = client.reset_oath_devices(ALPHA, "u1").await;
    let _ = client.reset_push_devices(ALPHA, "u1").await;
    let _ = client.list_web_authn_devices(ALPHA, "u1").await;
    let _ = client.delete_web_authn_device(ALPHA, "u1", "d1").await;
    let _ = client.list_bound_devices(ALPHA, "u1").await;
    let _ = client.delete_bound_device(ALPHA, "u1", "d1").await;
    let refresh = ping::types::PushDeviceIdRefresh {
        mechanism_uid: "m1".into(),
        username: Some(Some("u1".into())),
        jwt: "e30.e30.sig".into(),
    };
    let _ = client.refresh_push_device_id(ALPHA, refresh).await;
    let requests = server.requests();
    assert_eq!(requests.len(), 7, "one request per operation");
    for wire in requests {
        assert_eq!(
            wire.header("accept-api-version"),
            Some("resource=1.0"),
            "{} {}",
            wire.method,
            wire.uri
        );
        // The push refresh takes no session: the authenticator app has none.
        let authorization = (!wire.uri.contains("/push/sns/")).then_some("Bearer tok");
        assert_eq!(wire.header("authorization"), authorization, "{}", wire.uri);
    }
}

#[tokio::test]
async fn the_ping_sso_token_goes_under_the_tenant_cookie_name_as_header_or_cookie() {
    let server = TestServer::start(canned(200, &[], "{}")).await;
    let base = ping::Client::new(&server.base_url);

    let header_mode = base.with_sso_token_named("6ac6499e9da2071", "AQIC5w-header");
    let _ = header_mode.reset_oath_devices(ALPHA, "u1").await;

    // The spec's `ssoCookie` scheme: the same token, as the session cookie.
    let cookie_mode = base.with_sso_cookie_named("6ac6499e9da2071", "AQIC5w-cookie");
    let _ = cookie_mode.reset_oath_devices(ALPHA, "u1").await;

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("6ac6499e9da2071"), Some("AQIC5w-header"));
    assert_eq!(requests[0].header("cookie"), None);
    assert_eq!(
        requests[1].header("cookie"),
        Some("6ac6499e9da2071=AQIC5w-cookie")
    );
    assert_eq!(requests[1].header("6ac6499e9da2071"), None);
    for wire in &requests {
        assert_eq!(wire.header("accept-api-version"), Some("resource=1.0"));
        assert_eq!(wire.header("authorization"), None);
    }
}

#[tokio::test]
async fn a_refreshing_token_is_fetched_once_and_replaced_when_invalidated() {
    let fetches = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&fetches);
    let provider = Arc::new(RefreshingToken::new(move || {
        let n = {
            let mut fetches = counter.lock().unwrap();
            *fetches += 1;
            *fetches
        };
        async move {
            Ok(FreshToken {
                token: Secret::new(format!("access-{n}")),
                expires_in: Some(Duration::from_secs(3_600)),
            })
        }
    }));
    /// Shares one provider between the client and the test.
    #[derive(Debug)]
    struct Shared(Arc<RefreshingToken>);
    impl mfa_runtime::credentials::TokenProvider for Shared {
        fn token(
            &self,
        ) -> mfa_runtime::credentials::BoxFuture<
            '_,
            Result<Secret, mfa_runtime::credentials::AuthError>,
        > {
            self.0.token()
        }
    }
    let server = TestServer::start(canned(200, &[], "{}")).await;
    let client = flashback::Client::new(&server.base_url).with_credential(
        flashback::Client::BEARER_AUTH,
        Credential::bearer_from(Shared(Arc::clone(&provider))),
    );
    let _ = client.reset_mfa().await;
    let _ = client.reset_mfa().await;
    provider.invalidate().await;
    let _ = client.reset_mfa().await;
    let sent: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(String::from))
        .collect();
    assert_eq!(
        sent,
        [
            Some("Bearer access-1".to_string()),
            Some("Bearer access-1".to_string()),
            Some("Bearer access-2".to_string())
        ]
    );
    assert_eq!(*fetches.lock().unwrap(), 2);
}

/// A provider handing out `access-1`, `access-2`, ... and counting fetches.
fn numbered_tokens() -> (RefreshingToken, Arc<Mutex<u32>>) {
    let fetches = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&fetches);
    let provider = RefreshingToken::new(move || {
        let n = {
            let mut fetches = counter.lock().unwrap();
            *fetches += 1;
            *fetches
        };
        async move {
            Ok(FreshToken {
                token: Secret::new(format!("access-{n}")),
                expires_in: Some(Duration::from_secs(3_600)),
            })
        }
    });
    (provider, fetches)
}

#[tokio::test]
async fn a_refused_refreshing_token_is_replaced_and_the_call_sent_once_more() {
    let unauthorized = answer(401, r#"{"message":"token expired"}"#);
    let (router, arrivals) = scripted(vec![unauthorized.clone(), answer(200, "{}")]);
    let server = TestServer::start(router).await;
    let (provider, fetches) = numbered_tokens();
    // A POST without idempotency key, and no retries: a 401 was not acted on,
    // so sending it again with the new token is still safe.
    let client = flashback::Client::new(&server.base_url)
        .with_credential(
            flashback::Client::BEARER_AUTH,
            Credential::bearer_from(provider),
        )
        .with_retry_policy(RetryPolicy::none());
    let outcome = client.reset_mfa().await;
    assert_eq!(status_of(&outcome), Some(200), "{outcome:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 2);
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(sent, ["Bearer access-1", "Bearer access-2"]);
    assert_eq!(*fetches.lock().unwrap(), 2);

    // Refused again after the refresh: the 401 is the answer, no loop.
    let (router, arrivals) = scripted(vec![unauthorized.clone()]);
    let server = TestServer::start(router).await;
    let (provider, _) = numbered_tokens();
    let client = flashback::Client::new(&server.base_url).with_credential(
        flashback::Client::BEARER_AUTH,
        Credential::bearer_from(provider),
    );
    let outcome = client.reset_mfa().await;
    assert_eq!(status_of(&outcome), Some(401), "{outcome:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 2);

    // A fixed token cannot change: one request.
    let (router, arrivals) = scripted(vec![unauthorized]);
    let server = TestServer::start(router).await;
    let client = flashback::Client::new(&server.base_url).with_bearer_auth("fixed");
    let outcome = client.reset_mfa().await;
    assert_eq!(status_of(&outcome), Some(401), "{outcome:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failing_token_provider_fails_the_call_before_sending() {
    let server = TestServer::start(canned(200, &[], "{}")).await;
    let provider = RefreshingToken::new(|| async {
        Err(mfa_runtime::credentials::AuthError::new(
            "the token endpoint said 401",
        ))
    });
    let client = flashback::Client::new(&server.base_url).with_credential(
        flashback::Client::BEARER_AUTH,
        Credential::bearer_from(provider),
    );
    let outcome = client.reset_mfa().await;
    match outcome {
        Err(ClientError::Auth(e)) => assert_eq!(e.to_string(), "the token endpoint said 401"),
        other => panic!("expected an auth error, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[test]
fn debug_of_clients_shows_no_secret() {
    let fireblocks = fireblocks::Client::new(fireblocks::SERVERS[0]).with_signer(signing_key());
    let ping_bearer = ping::Client::new("https://t/am/json").with_bearer_auth("s3cret-bearer");
    let ping_sso = ping::Client::new("https://t/am/json")
        .with_sso_token_named("6ac6499e9da2071", "s3cret-sso")
        .with_credential(
            ping::Client::SSO_TOKEN,
            Credential::api_key(KeyLocation::Cookie, "6ac6499e9da2071", "s3cret-cookie"),
        );
    let flashback = flashback::Client::new("https://f").with_bearer_auth("s3cret-flash");
    let shown = format!("{fireblocks:?} {ping_bearer:?} {ping_sso:?} {flashback:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    assert!(!shown.contains("MII"), "no key material: {shown}");
    assert!(
        shown.contains("fb-api-key") && shown.contains("6ac6499e9da2071"),
        "{shown}"
    );
}

// ---------------------------------------------------------------------------
// Tracing
// ---------------------------------------------------------------------------

/// Every field recorded on `mfa_api_call` spans, and on any event, as
/// `name=value` text.
#[derive(Default, Clone)]
struct Recorder {
    call_spans: Arc<Mutex<Vec<u64>>>,
    span_fields: Arc<Mutex<Vec<String>>>,
    other_fields: Arc<Mutex<Vec<String>>>,
    next_id: Arc<Mutex<u64>>,
}

struct Fields<'a>(&'a mut Vec<String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push(format!("{}={value}", field.name()));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut next = self.next_id.lock().unwrap();
        *next += 1;
        if span.metadata().name() == "mfa_api_call" {
            self.call_spans.lock().unwrap().push(*next);
            span.record(&mut Fields(&mut self.span_fields.lock().unwrap()));
        } else {
            span.record(&mut Fields(&mut self.other_fields.lock().unwrap()));
        }
        tracing::span::Id::from_u64(*next)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        if self.call_spans.lock().unwrap().contains(&span.into_u64()) {
            values.record(&mut Fields(&mut self.span_fields.lock().unwrap()));
        } else {
            values.record(&mut Fields(&mut self.other_fields.lock().unwrap()));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        event.record(&mut Fields(&mut self.other_fields.lock().unwrap()));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_call_is_a_span_with_its_operation_attempts_status_and_request_id() {
    let mut ok = answer(200, "");
    ok.headers.push(("x-request-id", "req-42".into()));
    let (router, _) = scripted(vec![answer(503, BUSY), ok]);
    let server = TestServer::start(router).await;
    let client = fireblocks::Client::new(&server.base_url)
        .with_signer(signing_key())
        .with_retry_policy(quick_retries(3));

    let recorder = Recorder::default();
    let guard = tracing::subscriber::set_default(recorder.clone());
    let outcome = client.reset_device("u1").await;
    drop(guard);
    assert!(outcome.is_ok(), "{outcome:?}");

    let span_fields = recorder.span_fields.lock().unwrap().clone();
    assert_eq!(
        recorder.call_spans.lock().unwrap().len(),
        1,
        "one span per call"
    );
    for field in [
        "operation=resetDevice",
        "method=POST",
        "attempt=1",
        "status=503",
        "attempt=2",
        "status=200",
        "request_id=req-42",
    ] {
        assert!(
            span_fields.iter().any(|f| f == field),
            "{field} in {span_fields:?}"
        );
    }
    let everything = format!(
        "{span_fields:?} {:?}",
        recorder.other_fields.lock().unwrap()
    );
    let sent = server.requests();
    let token = sent[0].header("authorization").unwrap();
    assert!(!everything.contains(token), "{everything}");
    assert!(!everything.contains("Bearer"), "{everything}");
}
