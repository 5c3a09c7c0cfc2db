//! The three generated servers assembled the way a stand-in for the
//! vendors would be, each behind the authentication its vendor uses and
//! where its clients expect it, serving the doubles of a [`Recorder`]:
//!
//! - Fireblocks under `/v1`, every call signed (a [`FireblocksVerifier`]
//!   with the test key in `runtime/tests/keys`, the default 55 s lifetime)
//!   and `Idempotency-Key` honoured (an [`IdempotencyLayer`] in memory);
//! - Ping under `/am/json`, with a bearer token, or the SSO token as the
//!   tenant's session cookie or the header of the same name;
//! - Flashback under `/flashback`, with a bearer token.
//!
//! The real-client tests (tests/e2e/real_clients.rs) and the interop server
//! (`serve_interop`, driven by the vendors' own SDKs) both use it.

use mfa_apis::{fireblocks, flashback, ping};
use mfa_runtime::axum::Router;
use mfa_runtime::fireblocks::VerifyingKey;
use mfa_runtime::server::auth::{AuthLayer, FireblocksVerifier, SchemeVerifier};
use mfa_runtime::server::idempotency::{IdempotencyLayer, MemoryStore};

use crate::recording::Recorder;

/// The Fireblocks API key the verifier knows, with the public half of
/// `runtime/tests/keys/fireblocks-test-private.pem`.
pub const FIREBLOCKS_API_KEY: &str = "interop-api-key";
const FIREBLOCKS_PUBLIC_KEY: &[u8] =
    include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");

/// Ping's access token, and the subject it authenticates.
pub const PING_ACCESS_TOKEN: &str = "ping-access-token";
pub const PING_TOKEN_SUBJECT: &str = "admin-by-token";
/// The tenant's session cookie name (AM's `cookieName`), which the SSO
/// token header is also named after, and the session it accepts.
pub const PING_COOKIE_NAME: &str = "6ac6499e9da2071";
pub const PING_SSO_TOKEN: &str = "AQIC5w-interop-session";
pub const PING_SESSION_SUBJECT: &str = "admin-by-session";

/// Flashback's bearer token, and the subject it authenticates.
pub const FLASHBACK_TOKEN: &str = "flashback-token";
pub const FLASHBACK_SUBJECT: &str = "owner";

/// Where each API is served.
pub const FIREBLOCKS_BASE: &str = "/v1";
pub const PING_BASE: &str = "/am/json";
pub const FLASHBACK_BASE: &str = "/flashback";

/// The three servers, each under its base path, recording into `recorder`.
pub fn app(recorder: &Recorder) -> Router {
    Router::new()
        .nest(FIREBLOCKS_BASE, fireblocks_app(recorder))
        .nest(PING_BASE, ping_app(recorder))
        .nest(FLASHBACK_BASE, flashback_app(recorder))
}

fn fireblocks_app(recorder: &Recorder) -> Router {
    let key = VerifyingKey::from_pem(FIREBLOCKS_PUBLIC_KEY).expect("the test public key");
    let verifier = FireblocksVerifier::new().with_key(FIREBLOCKS_API_KEY, key);
    fireblocks::router(recorder.fireblocks.clone())
        .layer(IdempotencyLayer::new(MemoryStore::default()))
        .layer(AuthLayer::new(verifier))
}

fn ping_app(recorder: &Recorder) -> Router {
    use ping::server::security::{BEARER_AUTH, SSO_COOKIE, SSO_TOKEN};
    let sso = [SSO_TOKEN, SSO_COOKIE].map(|scheme| scheme.named(PING_COOKIE_NAME));
    let verifier = SchemeVerifier::new()
        .with(BEARER_AUTH, |token| async move {
            (token == PING_ACCESS_TOKEN).then(|| PING_TOKEN_SUBJECT.to_string())
        })
        .with_any(sso, |token| async move {
            (token == PING_SSO_TOKEN).then(|| PING_SESSION_SUBJECT.to_string())
        });
    ping::router(recorder.ping.clone()).layer(AuthLayer::new(verifier))
}

fn flashback_app(recorder: &Recorder) -> Router {
    use flashback::server::security::BEARER_AUTH;
    let verifier = SchemeVerifier::new().with(BEARER_AUTH, |token| async move {
        (token == FLASHBACK_TOKEN).then(|| FLASHBACK_SUBJECT.to_string())
    });
    flashback::router(recorder.flashback.clone()).layer(AuthLayer::new(verifier))
}
