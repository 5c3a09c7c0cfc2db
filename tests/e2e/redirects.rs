//! Redirects, as a hostile or misconfigured server uses them: two origins on
//! loopback (two listeners, two ports), the first answering every call with a
//! redirect. A credential must never reach the second origin, whatever the
//! scheme carries it in (Fireblocks' `X-API-Key` and JWT, Ping's SSO header,
//! a bearer token, an API key in the query); a reset sent as POST must never
//! be re-sent as a GET whose 200 would read as a successful reset; and a
//! redirect the client does not follow comes back as
//! `ClientError::Redirect` with its location.

use mfa_apis::{fireblocks, flashback, ping};
use mfa_runtime::axum::{Router, body::Body, extract::Request, response::Response};
use mfa_runtime::client::{ApiClient, ClientError};
use mfa_runtime::credentials::{Credential, KeyLocation};
use mfa_runtime::fireblocks::{
    DEFAULT_MAX_LIFETIME_SECS, Expected, SigningKey, VerifyingKey, verify,
};
use mfa_tests::{TestServer, WireRequest};

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");
const ALPHA: [&str; 2] = ["root", "alpha"];
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// What `/final...` answers: a body every client here decodes as success
/// (Ping's device list; Fireblocks reads no body; Flashback's reset result).
const FINAL_BODY: &str = r#"{"result":[],"resultCount":0,"success":true,"message":"done"}"#;

/// An origin that answers `/final...` with 200 and everything else with
/// `status` and `Location: <location><the request's path and query>`.
fn redirecting(status: u16, location: String) -> Router {
    Router::new().fallback(move |request: Request| {
        let location = location.clone();
        async move {
            let path = request
                .uri()
                .path_and_query()
                .map_or("/", |pq| pq.as_str())
                .to_owned();
            if path.starts_with("/final") {
                let mut response = Response::new(Body::from(FINAL_BODY));
                response.headers_mut().insert(
                    "content-type",
                    http::HeaderValue::from_static("application/json"),
                );
                response
            } else {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                let target = format!("{location}{path}");
                response
                    .headers_mut()
                    .insert("location", http::HeaderValue::from_str(&target).unwrap());
                response
            }
        }
    })
}

fn signer() -> SigningKey {
    SigningKey::from_pem("api-key-1", PRIVATE).unwrap()
}

/// The credentials `request` carries, by name (empty when it carries none).
fn credentials_in(request: &WireRequest) -> Vec<String> {
    let mut found: Vec<String> = [
        "x-api-key",
        "authorization",
        "iplanetdirectorypro",
        "cookie",
    ]
    .into_iter()
    .filter(|name| request.headers.contains_key(*name))
    .map(String::from)
    .collect();
    if request.uri.contains("api_key=") {
        found.push("api_key query parameter".into());
    }
    found
}

/// Every call here, against the origin at `base`: the name, and the
/// outcome as `Ok(())` for a success or the error's `Debug`.
async fn every_credential_bearing_call(base: &str) -> Vec<(&'static str, Result<(), String>)> {
    let outcome = |r: Result<(), String>| r;
    let mut outcomes = Vec::new();

    let fireblocks = fireblocks::Client::new(base).with_signer(signer());
    let result = fireblocks
        .reset_device("user-1")
        .idempotency_key("k-1")
        .await;
    outcomes.push((
        "fireblocks resetDevice (POST, X-API-Key + JWT)",
        outcome(result.map(drop).map_err(|e| format!("{e:?}"))),
    ));

    let ping = ping::Client::new(base).with_sso_token("sso-s3cret");
    let result = ping.reset_oath_devices(ALPHA, "u1").await;
    outcomes.push((
        "ping resetOathDevices (POST, SSO header)",
        outcome(result.map(drop).map_err(|e| format!("{e:?}"))),
    ));
    let result = ping.list_web_authn_devices(ALPHA, "u1").await;
    outcomes.push((
        "ping listWebAuthnDevices (GET, SSO header)",
        outcome(result.map(drop).map_err(|e| format!("{e:?}"))),
    ));

    let flashback = flashback::Client::new(base).with_bearer_auth("bearer-s3cret");
    let result = flashback.reset_mfa().await;
    outcomes.push((
        "flashback resetMfa (POST, bearer)",
        outcome(result.map(drop).map_err(|e| format!("{e:?}"))),
    ));

    // An API key in the query, through the runtime client directly.
    let api = ApiClient::new(base, ApiClient::default_http()).with_credential(
        "queryKey",
        Credential::api_key(KeyLocation::Query, "api_key", "query-s3cret"),
    );
    let mut request =
        mfa_runtime::client::Request::new("getThing", http::Method::GET, "/things/1".into());
    request.security = mfa_runtime::Security::any_of(&[&[("queryKey", &[])]]);
    let result = api.execute::<()>(request).await;
    outcomes.push((
        "GET with an API key in the query",
        outcome(result.map(drop).map_err(|e| format!("{e:?}"))),
    ));
    outcomes
}

#[tokio::test]
async fn no_credential_ever_reaches_another_origin() {
    let elsewhere = TestServer::start(redirecting(200, String::new())).await;
    for status in REDIRECTS {
        let origin = TestServer::start(redirecting(status, elsewhere.base_url.clone())).await;
        for (call, outcome) in every_credential_bearing_call(&origin.base_url).await {
            let leaked: Vec<(String, Vec<String>)> = elsewhere
                .requests()
                .iter()
                .filter(|r| !credentials_in(r).is_empty())
                .map(|r| (r.uri.clone(), credentials_in(r)))
                .collect();
            assert!(
                leaked.is_empty(),
                "{status}, {call}: credentials reached the other origin: {leaked:?}"
            );
            let error = outcome.expect_err(&format!(
                "{status}, {call}: a redirect elsewhere is not a success"
            ));
            assert!(
                error.starts_with("Redirect {"),
                "{status}, {call}: expected ClientError::Redirect, got {error}"
            );
            assert!(
                error.contains(&elsewhere.base_url),
                "{status}, {call}: the error names the location: {error}"
            );
        }
        // Nothing is sent there at all: the client does not follow.
        assert_eq!(elsewhere.requests().len(), 0, "{status}");
    }
}

/// Finding 1: a POST reset answered 301/302/303 was re-sent as a GET (to
/// the same origin, credentials and all), and that GET's 200 was returned
/// as a successful reset.
#[tokio::test]
async fn a_reset_answered_with_a_redirect_is_never_re_sent_as_get_or_reported_done() {
    for status in [301, 302, 303] {
        let origin = TestServer::start(redirecting(status, "/final".into())).await;
        // `Location: /final/v1/...`: relative, same origin.
        let fireblocks = fireblocks::Client::new(&origin.base_url).with_signer(signer());
        let result = fireblocks
            .reset_device("user-1")
            .idempotency_key("k-1")
            .await;
        match result {
            Err(ClientError::Redirect {
                status: answered,
                location,
                ..
            }) => {
                assert_eq!(answered.as_u16(), status);
                assert_eq!(
                    location,
                    format!(
                        "{}/final/management/users/user-1/reset_device",
                        origin.base_url
                    )
                );
            }
            Ok(success) => panic!("{status}: reported as a successful reset: {success:?}"),
            Err(other) => panic!("{status}: expected ClientError::Redirect, got {other:?}"),
        }
        let methods: Vec<http::Method> =
            origin.requests().iter().map(|r| r.method.clone()).collect();
        assert_eq!(
            methods,
            [http::Method::POST],
            "{status}: sent once, as POST"
        );
    }
}

/// What the client does follow: a redirect within the same origin that
/// keeps the method (GET after 301/302/303; any method after 307/308),
/// authenticated afresh for the new location.
#[tokio::test]
async fn same_origin_redirects_that_keep_the_method_are_followed_and_re_authenticated() {
    // A GET listing moved within the origin: followed, the SSO header sent
    // to each hop.
    for status in REDIRECTS {
        let origin = TestServer::start(redirecting(status, "/final".into())).await;
        let ping = ping::Client::new(&origin.base_url).with_sso_token("sso-s3cret");
        let listed = ping.list_web_authn_devices(ALPHA, "u1").await;
        assert!(listed.is_ok(), "{status}: {listed:?}");
        let requests = origin.requests();
        assert_eq!(requests.len(), 2, "{status}");
        assert!(requests[1].uri.starts_with("/final/"), "{status}");
        for request in &requests {
            assert_eq!(request.method, http::Method::GET);
            assert_eq!(request.header("iplanetdirectorypro"), Some("sso-s3cret"));
        }
    }
    // A signed POST answered 307/308 within the origin: re-sent as POST
    // with the same body and a new JWT signed for the new URI.
    for status in [307, 308] {
        let origin = TestServer::start(redirecting(status, "/final".into())).await;
        let fireblocks = fireblocks::Client::new(&origin.base_url).with_signer(signer());
        let result = fireblocks
            .reset_device("user-1")
            .idempotency_key("k-1")
            .await;
        assert!(result.is_ok(), "{status}: {result:?}");
        let requests = origin.requests();
        assert_eq!(requests.len(), 2, "{status}");
        let key = VerifyingKey::from_pem(PUBLIC).unwrap();
        let mut nonces = Vec::new();
        for request in &requests {
            assert_eq!(request.method, http::Method::POST);
            assert_eq!(request.header("idempotency-key"), Some("k-1"));
            let token = request
                .header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                .expect("signed");
            let claims = verify(
                token,
                &key,
                Expected {
                    api_key: "api-key-1",
                    uri: &request.uri,
                    body: &request.body,
                    now: mfa_runtime::fireblocks::now(),
                    leeway_secs: 5,
                    max_lifetime_secs: DEFAULT_MAX_LIFETIME_SECS,
                },
            )
            .unwrap_or_else(|e| panic!("{status}: {} signed for its own URI: {e}", request.uri));
            nonces.push(claims.nonce);
        }
        assert_ne!(nonces[0], nonces[1], "each hop has its own nonce");
    }
}

/// A redirect loop within the origin ends in an error, not forever.
#[tokio::test]
async fn a_redirect_loop_ends_in_an_error() {
    let origin = TestServer::start(redirecting(302, String::new())).await;
    let ping = ping::Client::new(&origin.base_url).with_sso_token("sso-s3cret");
    let result = ping.list_web_authn_devices(ALPHA, "u1").await;
    let shown = format!("{:?}", result.expect_err("a loop is no answer"));
    assert!(shown.starts_with("Redirect {"), "{shown}");
    let hops = origin.requests().len();
    assert!((2..=11).contains(&hops), "{hops} requests");
}

/// An HTTP client of the caller's that follows redirects itself would carry
/// headers to wherever it is sent: the call is refused once that is seen,
/// never reported as the answer of the place it was redirected to.
#[tokio::test]
async fn an_http_client_that_follows_redirects_is_refused() {
    let origin = TestServer::start(redirecting(307, "/final".into())).await;
    let following = mfa_runtime::reqwest::Client::new();
    let fireblocks =
        fireblocks::Client::with_http_client(&origin.base_url, following).with_signer(signer());
    let result = fireblocks
        .reset_device("user-1")
        .idempotency_key("k-1")
        .await;
    match result {
        Err(ClientError::InvalidRequest(message)) => {
            assert!(message.contains("redirect"), "{message}");
            assert!(message.contains("http_builder"), "{message}");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

/// An operation whose spec documents redirects gets them to decode as the
/// spec says (still never followed elsewhere); an undocumented status among
/// them is still a `ClientError::Redirect`.
#[tokio::test]
async fn documented_redirects_reach_the_decoder_unfollowed() {
    let elsewhere = TestServer::start(redirecting(200, String::new())).await;
    let origin = TestServer::start(redirecting(302, elsewhere.base_url.clone())).await;
    let api = ApiClient::new(&origin.base_url, ApiClient::default_http()).with_credential(
        "queryKey",
        Credential::api_key(KeyLocation::Query, "api_key", "query-s3cret"),
    );
    let mut request =
        mfa_runtime::client::Request::new("authorize", http::Method::GET, "/authorize".into());
    request.security = mfa_runtime::Security::any_of(&[&[("queryKey", &[])]]);
    request.documents_redirects = true;
    let response = api.execute::<()>(request).await.expect("handed over");
    assert_eq!(response.status, http::StatusCode::FOUND);
    assert!(elsewhere.requests().is_empty());
    match response.unexpected::<()>() {
        ClientError::Redirect { location, .. } => {
            assert_eq!(
                location,
                format!("{}/authorize?api_key=query-s3cret", elsewhere.base_url)
            );
        }
        other => panic!("{other:?}"),
    }
}
