//! [`FireblocksVerifier`]: Fireblocks' signed requests, checked with the
//! API user's public key, each nonce accepted once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::request::Parts;

use super::{AuthOutcome, Principal, Verifier, unauthorized};
use crate::fireblocks::{self, Expected, VerifyingKey};
use crate::security::authorization;
use crate::server::rejection::{Rejection, RejectionKind};

/// The scheme of principals a [`FireblocksVerifier`] authenticates.
pub const FIREBLOCKS_SCHEME: &str = "fireblocks";

/// Verifies Fireblocks' signed requests: `X-API-Key` names a registered
/// public key, `Authorization: Bearer <JWT>` must verify against it and
/// match this request (`uri`, `bodyHash`, lifetime, expiry, see
/// [`fireblocks::verify`]), and its nonce must not have been seen before.
/// Every request needs both headers: the spec declares no security, the
/// vendor requires it of every call. The principal's subject is the API key.
///
/// Tokens are accepted the way the live service accepts them, which is how
/// the official SDKs sign them: a lifetime (`exp - iat`) of up to 55 s
/// ([`fireblocks::DEFAULT_MAX_LIFETIME_SECS`]; see
/// [`FireblocksVerifier::with_max_lifetime_secs`]), a `nonce` that is a
/// string or an integer, and a `bodyHash` of the bytes received, so both
/// empty-body conventions (none, hashing `""`; `{}`, hashing `"{}"`) verify.
///
/// Nonces are remembered in this process until their token expires; behind
/// a load balancer, pin an API key to one instance or keys could be replayed
/// on another within their life.
#[derive(Debug)]
pub struct FireblocksVerifier {
    keys: HashMap<String, VerifyingKey>,
    nonces: NonceCache,
    leeway_secs: u64,
    max_lifetime_secs: u64,
    clock: fn() -> u64,
    scheme: Cow<'static, str>,
}

impl Default for FireblocksVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl FireblocksVerifier {
    pub fn new() -> Self {
        FireblocksVerifier {
            keys: HashMap::new(),
            nonces: NonceCache::new(DEFAULT_NONCE_CAPACITY),
            leeway_secs: 5,
            max_lifetime_secs: fireblocks::DEFAULT_MAX_LIFETIME_SECS,
            clock: fireblocks::now,
            scheme: Cow::Borrowed(FIREBLOCKS_SCHEME),
        }
    }

    /// Register an API user: its API key and RSA public key.
    #[must_use]
    pub fn with_key(mut self, api_key: impl Into<String>, key: VerifyingKey) -> Self {
        self.keys.insert(api_key.into(), key);
        self
    }

    /// How far ahead of this server's clock a token's `iat` may be (5 s).
    #[must_use]
    pub fn with_leeway_secs(mut self, leeway_secs: u64) -> Self {
        self.leeway_secs = leeway_secs;
        self
    }

    /// Accept tokens living at most `secs` seconds (`exp - iat`). The
    /// default, 55, is what the live service accepts and what every official
    /// SDK signs; 29 is the docs page's "`exp` under `iat + 30`", which
    /// refuses every official SDK.
    #[must_use]
    pub fn with_max_lifetime_secs(mut self, secs: u64) -> Self {
        self.max_lifetime_secs = secs;
        self
    }

    /// Remember at most `capacity` unexpired nonces; past that, requests are
    /// refused until some expire (failing closed, never forgetting early).
    #[must_use]
    pub fn with_nonce_capacity(mut self, capacity: usize) -> Self {
        self.nonces = NonceCache::new(capacity);
        self
    }

    /// Name principals' scheme after a spec's security scheme (the full
    /// Fireblocks swagger secures its operations with `bearerTokenAuth`, so
    /// its generated handlers accept principals of that scheme); by default
    /// [`FIREBLOCKS_SCHEME`].
    #[must_use]
    pub fn with_scheme(mut self, scheme: &'static str) -> Self {
        self.scheme = Cow::Borrowed(scheme);
        self
    }

    /// The clock, seconds since the epoch (tests move it).
    #[must_use]
    pub fn with_clock(mut self, clock: fn() -> u64) -> Self {
        self.clock = clock;
        self
    }

    fn check(&self, parts: &Parts, body: &[u8]) -> Result<Principal, Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
        };
        let api_key = header(fireblocks::API_KEY_HEADER).ok_or_else(|| {
            unauthorized(format!(
                "the {} header is missing",
                fireblocks::API_KEY_HEADER
            ))
        })?;
        let token = authorization(parts, "Bearer")
            .ok_or_else(|| unauthorized("the Authorization: Bearer <JWT> header is missing"))?;
        let key = self
            .keys
            .get(api_key)
            .ok_or_else(|| unauthorized("the API key is not registered"))?;
        // Nested routers see their path with the prefix taken off; the token
        // was signed for the path as sent.
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|original| &original.0)
            .unwrap_or(&parts.uri);
        let uri = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        let now = (self.clock)();
        let claims = fireblocks::verify(
            &token,
            key,
            Expected {
                api_key,
                uri,
                body,
                now,
                leeway_secs: self.leeway_secs,
                max_lifetime_secs: self.max_lifetime_secs,
            },
        )
        .map_err(|e| unauthorized(e.to_string()))?;
        self.nonces.insert_new(
            format!("{api_key}\n{}", claims.nonce),
            claims.exp.saturating_add(self.leeway_secs),
            now,
        )?;
        Ok(Principal::new(self.scheme.clone(), api_key))
    }
}

impl Verifier for FireblocksVerifier {
    fn verify<'a>(&'a self, parts: &'a Parts, body: &'a Bytes) -> BoxFuture<'a, AuthOutcome> {
        let outcome = match self.check(parts, body) {
            Ok(principal) => AuthOutcome::Authenticated(principal),
            Err(rejection) => AuthOutcome::Refused(rejection),
        };
        Box::pin(std::future::ready(outcome))
    }
}

/// Unexpired nonces [`FireblocksVerifier`] remembers by default.
pub const DEFAULT_NONCE_CAPACITY: usize = 100_000;

/// Nonces seen, each kept until its token's expiry (after which the token
/// is refused as expired anyway), at most `capacity` of them.
#[derive(Debug)]
pub struct NonceCache {
    seen: Mutex<HashMap<String, u64>>,
    capacity: usize,
}

impl NonceCache {
    pub fn new(capacity: usize) -> Self {
        NonceCache {
            seen: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Record `nonce` until `expires` (seconds since the epoch); refused if
    /// it was seen, or if the cache is full of unexpired nonces.
    pub fn insert_new(&self, nonce: String, expires: u64, now: u64) -> Result<(), Rejection> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get(&nonce).is_some_and(|&until| until > now) {
            return Err(unauthorized("the JWT nonce was already used"));
        }
        if seen.len() >= self.capacity {
            seen.retain(|_, until| *until > now);
        }
        if seen.len() >= self.capacity {
            return Err(Rejection::new(
                RejectionKind::Unavailable,
                "too many signed requests in the last 30 seconds to check for replays",
            ));
        }
        seen.insert(nonce, expires);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::tests::parts;

    #[test]
    fn the_fireblocks_verifier_checks_the_token_then_remembers_its_nonce() {
        const PRIVATE: &[u8] = include_bytes!("../../../tests/keys/fireblocks-test-private.pem");
        const PUBLIC: &[u8] = include_bytes!("../../../tests/keys/fireblocks-test-public.pem");
        let signer = fireblocks::SigningKey::from_pem("k1", PRIVATE).unwrap();
        let verifier = FireblocksVerifier::new()
            .with_key("k1", VerifyingKey::from_pem(PUBLIC).unwrap())
            .with_scheme("bearerTokenAuth")
            .with_clock(|| 1_010);
        let token = signer.sign_request("/v1/x?a=1", b"{}", 1_000).unwrap();
        let auth = format!("Bearer {token}");
        let request = parts(
            "/v1/x?a=1",
            &[("x-api-key", "k1"), ("authorization", &auth)],
        );
        assert_eq!(
            verifier.check(&request, b"{}"),
            Ok(Principal::new("bearerTokenAuth", "k1"))
        );
        let replay = verifier.check(&request, b"{}").unwrap_err();
        assert_eq!(replay.message, "the JWT nonce was already used");
        // A token from the future beyond the leeway (clock at 1 010).
        let early = signer.sign_request("/v1/x?a=1", b"{}", 1_016).unwrap();
        let auth = format!("Bearer {early}");
        let request = parts(
            "/v1/x?a=1",
            &[("x-api-key", "k1"), ("authorization", &auth)],
        );
        assert_eq!(
            verifier.check(&request, b"{}").unwrap_err().message,
            "the JWT `iat` is in the future"
        );
    }

    /// The claims the SDKs sign: `exp = iat + 55` (all of them), an integer
    /// nonce (the legacy Python SDK), a `{}` body hashed as sent (legacy
    /// Python and JS). Accepted by default, refused past the lifetime set,
    /// and an integer nonce is remembered like a string one.
    #[test]
    fn the_fireblocks_verifier_accepts_what_the_official_sdks_sign() {
        const PRIVATE: &[u8] = include_bytes!("../../../tests/keys/fireblocks-test-private.pem");
        const PUBLIC: &[u8] = include_bytes!("../../../tests/keys/fireblocks-test-public.pem");
        let signer = fireblocks::SigningKey::from_pem("k1", PRIVATE).unwrap();
        let sdk_token = |nonce: fireblocks::Nonce| {
            let mut claims = fireblocks::Claims::for_request(
                "k1",
                "/v1/management/users/u1/reset_device",
                b"{}",
                1_000,
            );
            claims.exp = 1_055;
            claims.nonce = nonce;
            format!("Bearer {}", signer.sign(&claims).unwrap())
        };
        let request = |auth: &str| {
            parts(
                "/v1/management/users/u1/reset_device",
                &[("x-api-key", "k1"), ("authorization", auth)],
            )
        };
        let verifier = FireblocksVerifier::new()
            .with_key("k1", VerifyingKey::from_pem(PUBLIC).unwrap())
            .with_clock(|| 1_050);
        let legacy = sdk_token(fireblocks::Nonce::Number(7_205_759_403_792_793));
        assert_eq!(
            verifier.check(&request(&legacy), b"{}"),
            Ok(Principal::new(FIREBLOCKS_SCHEME, "k1"))
        );
        assert_eq!(
            verifier
                .check(&request(&legacy), b"{}")
                .unwrap_err()
                .message,
            "the JWT nonce was already used"
        );
        // The same nonce as a string is the same nonce.
        let as_text = sdk_token(fireblocks::Nonce::Text("7205759403792793".into()));
        assert_eq!(
            verifier
                .check(&request(&as_text), b"{}")
                .unwrap_err()
                .message,
            "the JWT nonce was already used"
        );
        // Hashed `{}`, so an empty body is not what was signed.
        let current = sdk_token(fireblocks::Nonce::Text("n-2".into()));
        assert_eq!(
            verifier.check(&request(&current), b"").unwrap_err().message,
            "the JWT `bodyHash` does not match the request body"
        );

        let docs_strict = FireblocksVerifier::new()
            .with_key("k1", VerifyingKey::from_pem(PUBLIC).unwrap())
            .with_max_lifetime_secs(29)
            .with_clock(|| 1_050);
        assert_eq!(
            docs_strict
                .check(&request(&current), b"{}")
                .unwrap_err()
                .message,
            "the JWT lives 55 s (`exp - iat`); at most 29 s is accepted"
        );
    }

    #[test]
    fn nonces_are_refused_twice_until_they_expire_and_the_cache_is_bounded() {
        let cache = NonceCache::new(2);
        assert!(cache.insert_new("a".into(), 100, 50).is_ok());
        assert_eq!(
            cache.insert_new("a".into(), 100, 60).unwrap_err().status,
            http::StatusCode::UNAUTHORIZED
        );
        assert!(cache.insert_new("b".into(), 70, 60).is_ok());
        // Full of unexpired nonces: fail closed.
        let full = cache.insert_new("c".into(), 100, 65).unwrap_err();
        assert_eq!(full.kind, RejectionKind::Unavailable);
        // Once `b` expires its slot is reused.
        assert!(cache.insert_new("c".into(), 100, 71).is_ok());
        assert_eq!(cache.len(), 2);
        // An expired nonce is no longer remembered (its token is expired too).
        assert!(cache.insert_new("a".into(), 200, 150).is_ok());
    }
}
