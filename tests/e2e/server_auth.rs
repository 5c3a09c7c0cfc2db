//! End to end: server-side authentication over loopback. Fireblocks' signed
//! JWTs checked by `FireblocksVerifier`, Ping's bearer and SSO tokens and
//! Flashback's bearer token checked by `SchemeVerifier`; each refusal is a
//! 401 in the vendor's error shape that never reaches the implementation,
//! and each accepted caller reaches the trait method as a `Principal`.

use std::sync::Arc;

use http::{Method, StatusCode};
use mfa_apis::{fireblocks, flashback, ping};
use mfa_runtime::fireblocks::{Claims, SigningKey, VerifyingKey};
use mfa_runtime::server::Principal;
use mfa_runtime::server::auth::nonce::{NonceStore, RedisNonces};
use mfa_runtime::server::auth::{AuthLayer, FIREBLOCKS_SCHEME, FireblocksVerifier, SchemeVerifier};
use mfa_tests::{TestServer, raw};
use serde_json::{Value, json};

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");
const OTHER_PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-private.pem");
const OTHER_PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-public.pem");
const API_KEY: &str = "api-key-1";

// ---------------------------------------------------------------------------
// Fireblocks: signed requests
// ---------------------------------------------------------------------------

/// A double answering every reset with a 200.
fn fireblocks_double() -> fireblocks::testing::Double {
    let double = fireblocks::testing::Double::new();
    double
        .reset_device()
        .answer(Ok(fireblocks::operations::ResetDeviceSuccess::Ok {
            x_request_id: Some("req-1".into()),
        }));
    double
}

/// Who each reset was called by, in order.
fn fireblocks_callers(double: &fireblocks::testing::Double) -> Vec<Option<Principal>> {
    let calls = double.reset_device().calls();
    calls.into_iter().map(|call| call.caller).collect()
}

/// Fireblocks' router under `/v1` (its base path), behind the verifier.
async fn fireblocks_server() -> (TestServer, fireblocks::testing::Double) {
    let double = fireblocks_double();
    let verifier = FireblocksVerifier::new().with_key(
        API_KEY,
        VerifyingKey::from_pem(PUBLIC).expect("test public key"),
    );
    let app = mfa_runtime::axum::Router::new()
        .nest("/v1", fireblocks::router(double.clone()))
        .layer(AuthLayer::new(verifier));
    (TestServer::start(app).await, double)
}

const RESET_PATH: &str = "/v1/management/users/u1/reset_device";

async fn send_signed(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, http::HeaderMap, Value) {
    raw(&server.base_url, Method::POST, path, headers, body).await
}

fn signer() -> SigningKey {
    SigningKey::from_pem(API_KEY, PRIVATE).expect("test private key")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_signed_fireblocks_call_reaches_the_method_with_its_api_key() {
    let (server, double) = fireblocks_server().await;
    let token = signer()
        .sign_request(RESET_PATH, b"", mfa_runtime::fireblocks::now())
        .expect("sign");
    let auth = bearer(&token);
    let (status, headers, _) = send_signed(
        &server,
        RESET_PATH,
        &[("x-api-key", API_KEY), ("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-request-id"], "req-1");
    assert_eq!(
        fireblocks_callers(&double),
        vec![Some(Principal::new(FIREBLOCKS_SCHEME, API_KEY))]
    );
}

/// Each way a signed request can be wrong is a 401 in Fireblocks' documented
/// 401 shape (`{"error": {"type": "AUTHENTICATION", "message": ...}}`) that
/// names the problem, and never reaches the implementation.
#[tokio::test]
async fn every_tampering_with_a_signed_fireblocks_call_is_refused() {
    let (server, double) = fireblocks_server().await;
    let now = mfa_runtime::fireblocks::now();
    let sign =
        |uri: &str, body: &[u8], at: u64| signer().sign_request(uri, body, at).expect("sign");
    let impostor = SigningKey::from_pem(API_KEY, OTHER_PRIVATE).expect("other key");

    // One token used once, then replayed.
    let used = bearer(&sign(RESET_PATH, b"", now));
    let (status, ..) = send_signed(
        &server,
        RESET_PATH,
        &[("x-api-key", API_KEY), ("authorization", &used)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fireblocks_callers(&double).len(), 1);

    let for_body = bearer(&sign(RESET_PATH, b"", now));
    let for_u2 = bearer(&sign("/v1/management/users/u2/reset_device", b"", now));
    let expired = bearer(&sign(RESET_PATH, b"", now - 120));
    let forged = bearer(&impostor.sign_request(RESET_PATH, b"", now).expect("sign"));
    let valid = bearer(&sign(RESET_PATH, b"", now));
    let mut long_lived = Claims::for_request(API_KEY, RESET_PATH, b"", now);
    long_lived.exp = now + 3600;
    let long_lived = bearer(&signer().sign(&long_lived).expect("sign"));
    // What is wrong, the headers sent, the body sent, what the 401 says.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: [Case<'_>; 9] = [
        (
            "body changed",
            vec![("x-api-key", API_KEY), ("authorization", &for_body)],
            "{}",
            "bodyHash",
        ),
        (
            "uri changed",
            vec![("x-api-key", API_KEY), ("authorization", &for_u2)],
            "",
            "signed for `/v1/management/users/u2/reset_device`",
        ),
        (
            "expired",
            vec![("x-api-key", API_KEY), ("authorization", &expired)],
            "",
            "expired",
        ),
        (
            "replayed nonce",
            vec![("x-api-key", API_KEY), ("authorization", &used)],
            "",
            "nonce was already used",
        ),
        (
            "signed with another key",
            vec![("x-api-key", API_KEY), ("authorization", &forged)],
            "",
            "signature does not verify",
        ),
        (
            "unregistered API key",
            vec![("x-api-key", "api-key-2"), ("authorization", &valid)],
            "",
            "not registered",
        ),
        (
            "no X-API-Key",
            vec![("authorization", &valid)],
            "",
            "X-API-Key header is missing",
        ),
        (
            "no Authorization",
            vec![("x-api-key", API_KEY)],
            "",
            "Authorization: Bearer <JWT> header is missing",
        ),
        (
            "lives longer than the 55 seconds the SDKs sign",
            vec![("x-api-key", API_KEY), ("authorization", &long_lived)],
            "",
            "at most 55 s is accepted",
        ),
    ];
    for (case, headers, body, message_has) in cases {
        let (status, response_headers, json) =
            send_signed(&server, RESET_PATH, &headers, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {json}");
        assert_eq!(response_headers["content-type"], "application/json");
        assert_eq!(json["error"]["type"], "AUTHENTICATION", "{case}: {json}");
        let message = json["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(message_has), "{case}: {message:?}");
        assert_eq!(
            json.as_object().map(serde_json::Map::len),
            Some(1),
            "{case}: {json}"
        );
    }
    assert_eq!(
        fireblocks_callers(&double).len(),
        1,
        "no refused request reached the implementation"
    );
    // The `valid` token was never accepted (its requests were refused for
    // their headers), so it still works: refusals do not burn nonces early.
    let (status, ..) = send_signed(
        &server,
        RESET_PATH,
        &[("x-api-key", API_KEY), ("authorization", &valid)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

// ---------------------------------------------------------------------------
// Ping: bearer token or SSO token under the tenant's cookie name
// ---------------------------------------------------------------------------

/// A double in which the OATH reset and the push refresh succeed (no
/// other operation is called).
fn ping_double() -> ping::testing::Double {
    let double = ping::testing::Double::new();
    double
        .reset_oath_devices()
        .answer(Ok(ping::operations::ResetOathDevicesSuccess::Ok {
            body: ping::types::ActionResult { result: true },
        }));
    double
        .refresh_push_device_id()
        .answer(Ok(ping::operations::RefreshPushDeviceIdSuccess::Ok {
            body: ping::types::RefreshResult::default(),
        }));
    double
}

/// Who each call was made by, in order; an anonymous one (the push
/// refresh lets the app in without a session) as `anonymous`.
fn ping_callers(double: &ping::testing::Double) -> Vec<Principal> {
    use ping::testing::Received;
    let anonymous = || Principal::new("none", "anonymous");
    double
        .received()
        .into_iter()
        .map(|received| match received {
            Received::ResetOathDevices(call) => call.caller.unwrap_or_else(anonymous),
            Received::RefreshPushDeviceId(call) => call.caller.unwrap_or_else(anonymous),
            other => panic!("not called in these tests: {other:?}"),
        })
        .collect()
}

/// The tenant's session cookie name, which the SSO token header is named after.
const COOKIE_NAME: &str = "6ac6499e9da2071";

async fn ping_server() -> (TestServer, ping::testing::Double) {
    use ping::server::security::{BEARER_AUTH, SSO_COOKIE, SSO_TOKEN};
    // The SSO token as the session cookie or the header named after it:
    // the tenant's cookie name is set once, for both.
    let sso = [SSO_TOKEN, SSO_COOKIE].map(|scheme| scheme.named(COOKIE_NAME));
    let verifier = SchemeVerifier::new()
        .with(BEARER_AUTH, |token| async move {
            (token == "access-ann").then(|| "ann".to_string())
        })
        .with_any(sso, |token| async move {
            (token == "AQIC5w-bob").then(|| "bob".to_string())
        });
    let double = ping_double();
    let app = ping::router(double.clone()).layer(AuthLayer::new(verifier));
    (TestServer::start(app).await, double)
}

#[tokio::test]
async fn ping_bearer_and_sso_tokens_authenticate_the_caller() {
    let (server, double) = ping_server().await;
    let client = ping::Client::new(&server.base_url);

    let by_bearer = client.with_bearer_auth("access-ann");
    by_bearer
        .reset_oath_devices(["root", "alpha"], "u1")
        .await
        .expect("a valid bearer token");
    let by_sso = client.with_sso_token_named(COOKIE_NAME, "AQIC5w-bob");
    by_sso
        .reset_oath_devices(["root", "alpha"], "u1")
        .await
        .expect("a valid SSO token");
    let by_cookie = client.with_sso_cookie_named(COOKIE_NAME, "AQIC5w-bob");
    by_cookie
        .reset_oath_devices(["root", "alpha"], "u1")
        .await
        .expect("a valid session cookie");
    assert_eq!(
        ping_callers(&double),
        vec![
            Principal::new("bearerAuth", "ann"),
            Principal::new("ssoToken", "bob"),
            Principal::new("ssoCookie", "bob"),
        ]
    );
    let cookie = server.requests()[2].header("cookie").map(str::to_owned);
    assert_eq!(cookie.as_deref(), Some("6ac6499e9da2071=AQIC5w-bob"));
}

/// The push device-ID refresh needs no session (the authenticator app has
/// none, and the generated client sends none for it); a caller who sends
/// one anyway is named, and a bad one is still refused, as on every
/// operation.
#[tokio::test]
async fn ping_push_refresh_takes_no_session() {
    let (server, double) = ping_server().await;
    let client = ping::Client::new(&server.base_url).with_bearer_auth("access-ann");
    let body = ping::types::PushDeviceIdRefresh {
        mechanism_uid: "9f3c2b7e".into(),
        username: None,
        jwt: "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig".into(),
    };
    client
        .refresh_push_device_id(["root", "alpha"], body)
        .await
        .expect("no credential needed");
    assert_eq!(
        server.only_request().header("authorization"),
        None,
        "the client sends no credential the operation does not take"
    );
    let path = "/realms/alpha/push/sns/message?_action=refresh";
    let json_body = r#"{"mechanismUid":"9f3c2b7e","jwt":"e30.e30.sig"}"#;
    for (token, status) in [
        ("access-ann", StatusCode::OK),
        ("access-eve", StatusCode::UNAUTHORIZED),
    ] {
        let authorization = format!("Bearer {token}");
        let headers = [
            ("content-type", "application/json"),
            ("authorization", authorization.as_str()),
        ];
        let (got, _, json) = raw(&server.base_url, Method::POST, path, &headers, json_body).await;
        assert_eq!(got, status, "{token}: {json}");
    }
    assert_eq!(
        ping_callers(&double),
        vec![
            Principal::new("none", "anonymous"),
            Principal::new("bearerAuth", "ann")
        ]
    );
}

#[tokio::test]
async fn ping_refuses_missing_and_invalid_tokens_with_a_crest_401() {
    let (server, double) = ping_server().await;
    let client = ping::Client::new(&server.base_url);
    // A client without a credential refuses the call itself; a foreign
    // client that sends none gets a CREST 401 from the server.
    let unsent = client.reset_oath_devices(["root", "alpha"], "u1").await;
    assert!(
        matches!(
            unsent,
            Err(mfa_runtime::client::ClientError::MissingCredentials { .. })
        ),
        "{unsent:?}"
    );
    let (status, _, body) = raw(
        &server.base_url,
        Method::POST,
        "/realms/root/realms/alpha/users/u1/devices/2fa/oath?_action=reset",
        &[],
        "",
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        body["message"],
        "`resetOathDevices` requires `bearerAuth`, `ssoToken` or `ssoCookie`"
    );
    let cases = [
        (
            "a wrong bearer token",
            client.with_bearer_auth("access-eve"),
            "the bearerAuth credential is not valid",
        ),
        (
            "a wrong SSO token",
            client.with_sso_token_named(COOKIE_NAME, "AQIC5w-eve"),
            "the ssoToken credential is not valid",
        ),
        // The SSO token under the classic default name is not where this
        // tenant looks: as good as none.
        (
            "the SSO token under another name",
            client.with_sso_token("AQIC5w-bob"),
            "requires `bearerAuth`, `ssoToken` or `ssoCookie`",
        ),
    ];
    for (case, client, message_has) in cases {
        match client.reset_oath_devices(["root", "alpha"], "u1").await {
            Err(mfa_runtime::client::ClientError::Api(
                ping::operations::ResetOathDevicesError::Unauthorized { body },
            )) => {
                assert_eq!(body.code, 401, "{case}");
                assert_eq!(body.reason.as_deref(), Some("Unauthorized"), "{case}");
                assert!(
                    body.message.contains(message_has),
                    "{case}: {}",
                    body.message
                );
            }
            other => panic!("{case}: expected a documented 401, got {other:?}"),
        }
    }
    assert_eq!(
        ping_callers(&double),
        vec![],
        "no refused call reached the implementation"
    );
}

// ---------------------------------------------------------------------------
// Flashback: bearer token
// ---------------------------------------------------------------------------

/// A double whose resets succeed, naming who asked.
fn flashback_double() -> flashback::testing::Double {
    let double = flashback::testing::Double::new();
    double.reset_mfa().respond_with(|call| {
        let subject = call.caller.map(|caller| caller.subject).unwrap_or_default();
        Ok(flashback::operations::ResetMfaSuccess::Ok {
            body: flashback::types::ResetMfaResponse {
                success: Some(true),
                message: Some(format!("MFA reset for {subject}")),
            },
        })
    });
    double
}

/// Who each reset was called by, in order.
fn flashback_callers(double: &flashback::testing::Double) -> Vec<Principal> {
    let calls = double.reset_mfa().calls();
    calls.into_iter().filter_map(|call| call.caller).collect()
}

#[tokio::test]
async fn flashback_bearer_tokens_are_checked() {
    let verifier = SchemeVerifier::new().with(
        flashback::server::security::BEARER_AUTH,
        |token| async move { (token == "fb-token-ann").then(|| "ann".to_string()) },
    );
    let double = flashback_double();
    let server =
        TestServer::start(flashback::router(double.clone()).layer(AuthLayer::new(verifier))).await;

    let client = flashback::Client::new(server.base_url.clone()).with_bearer_auth("fb-token-ann");
    let flashback::operations::ResetMfaSuccess::Ok { body } =
        client.reset_mfa().await.expect("a valid token");
    assert_eq!(body.message.as_deref(), Some("MFA reset for ann"));
    assert_eq!(
        flashback_callers(&double),
        vec![Principal::new("bearerAuth", "ann")]
    );

    for (case, headers, message_has) in [
        ("no token", vec![], "`resetMfa` requires `bearerAuth`"),
        (
            "a wrong token",
            vec![("authorization", "Bearer fb-token-eve")],
            "the bearerAuth credential is not valid",
        ),
        (
            "another scheme",
            vec![("authorization", "Basic YW5uOnB3")],
            "`resetMfa` requires `bearerAuth`",
        ),
    ] {
        let (status, response_headers, body) =
            raw(&server.base_url, Method::POST, "/mfa/reset", &headers, "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(response_headers["content-type"], "application/json");
        assert_eq!(body["success"], json!(false), "{case}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.contains(message_has), "{case}: {error:?}");
    }
    assert_eq!(flashback_callers(&double).len(), 1);
}

// ---------------------------------------------------------------------------
// Fireblocks nonces across instances (issue 13, finding 4)
// ---------------------------------------------------------------------------

/// The shared nonce store of the Redis in `MFA_TEST_REDIS_URL` (a namespace
/// of this test's own), or `None` outside CI without one; under `CI=true`
/// a missing Redis fails.
async fn redis_nonces(per_key: usize) -> Option<RedisNonces> {
    let Ok(url) = std::env::var("MFA_TEST_REDIS_URL") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but MFA_TEST_REDIS_URL is not set: .ci/run starts a Redis for these tests"
        );
        eprintln!("MFA_TEST_REDIS_URL is not set: skipping the Redis nonce store");
        return None;
    };
    let namespace = format!(
        "mfa-nonce-test-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
    );
    Some(
        RedisNonces::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("Redis at {url}: {e}"))
            .with_namespace(namespace)
            .with_nonces_per_key(per_key),
    )
}

/// Fireblocks behind a verifier remembering nonces in `nonces`: one
/// instance of several behind a load balancer.
async fn fireblocks_instance(nonces: Arc<dyn NonceStore>) -> TestServer {
    let verifier = FireblocksVerifier::new()
        .with_key(API_KEY, VerifyingKey::from_pem(PUBLIC).expect("key"))
        .with_key(
            "api-key-2",
            VerifyingKey::from_pem(OTHER_PUBLIC).expect("key"),
        )
        .with_shared_nonces(nonces);
    let app = mfa_runtime::axum::Router::new()
        .nest("/v1", fireblocks::router(fireblocks_double()))
        .layer(AuthLayer::new(verifier));
    TestServer::start(app).await
}

/// A request signed once, as captured off the wire: its headers.
fn captured(key: &SigningKey) -> Vec<(&'static str, String)> {
    let token = key
        .sign_request(RESET_PATH, b"", mfa_runtime::fireblocks::now())
        .expect("sign");
    vec![
        ("x-api-key", key.api_key().to_owned()),
        ("authorization", bearer(&token)),
    ]
}

async fn send(server: &TestServer, headers: &[(&'static str, String)]) -> (StatusCode, Value) {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let (status, _, body) = send_signed(server, RESET_PATH, &headers, "").await;
    (status, body)
}

#[tokio::test]
async fn a_request_replayed_on_another_instance_is_refused() {
    let Some(nonces) = redis_nonces(100).await else {
        return;
    };
    let nonces: Arc<dyn NonceStore> = Arc::new(nonces);
    let first = fireblocks_instance(Arc::clone(&nonces)).await;
    let second = fireblocks_instance(nonces).await;
    let request = captured(&signer());
    assert_eq!(send(&first, &request).await.0, StatusCode::OK);
    let (status, body) = send(&second, &request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["message"], "the JWT nonce was already used");
    assert_eq!(send(&first, &request).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn one_api_key_cannot_lock_another_out_of_a_shared_nonce_store() {
    let Some(nonces) = redis_nonces(3).await else {
        return;
    };
    let nonces: Arc<dyn NonceStore> = Arc::new(nonces);
    let (first, second) = (
        fireblocks_instance(Arc::clone(&nonces)).await,
        fireblocks_instance(nonces).await,
    );
    for n in 0..3 {
        let server = if n % 2 == 0 { &first } else { &second };
        assert_eq!(
            send(server, &captured(&signer())).await.0,
            StatusCode::OK,
            "{n}"
        );
    }
    let other = SigningKey::from_pem("api-key-2", OTHER_PRIVATE).expect("key");
    assert_eq!(send(&second, &captured(&other)).await.0, StatusCode::OK);
    let (status, body) = send(&first, &captured(&signer())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}
