//! [`FireblocksVerifier`]: Fireblocks' signed requests, checked with the
//! API user's public key, each nonce accepted once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::request::Parts;

use super::nonce::{self, MemoryNonces, NonceStore};
use super::{AuthOutcome, Principal, Verifier, unauthorized};
use crate::fireblocks::{self, Expected, VerifyingKey};
use crate::security::authorization;
use crate::server::rejection::Rejection;

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
/// Nonces are remembered until their token expires, within a budget per API
/// key (see [`nonce`](super::nonce)): in this process by default; behind a
/// load balancer, give every instance the same shared store
/// ([`FireblocksVerifier::with_nonce_store`], a `RedisNonces`) so a request
/// accepted by one is refused as a replay by all. A nonce is remembered by
/// its text ([`fireblocks::Nonce`]'s `Display`), so an integer nonce and the
/// string of its digits are one nonce.
pub struct FireblocksVerifier {
    keys: HashMap<String, VerifyingKey>,
    nonces: Arc<dyn NonceStore>,
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
    /// A verifier with no keys yet and the default limits.
    pub fn new() -> Self {
        FireblocksVerifier {
            keys: HashMap::new(),
            nonces: Arc::new(MemoryNonces::default()),
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

    /// Remember nonces in this process, at most `per_key` unexpired ones per
    /// API key (default [`nonce::DEFAULT_NONCES_PER_KEY`]); past that, the
    /// key's requests are refused with 429 until some expire, while other
    /// keys are served.
    #[must_use]
    pub fn with_nonces_per_key(mut self, per_key: usize) -> Self {
        self.nonces = Arc::new(MemoryNonces::new(per_key));
        self
    }

    /// Remember nonces in `store`: a `RedisNonces` shared by every instance
    /// behind a load balancer.
    #[must_use]
    pub fn with_nonce_store(self, store: impl NonceStore) -> Self {
        self.with_shared_nonces(Arc::new(store))
    }

    /// Remember nonces in a store shared with other verifiers or code.
    #[must_use]
    pub fn with_shared_nonces(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonces = store;
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

    /// Everything but the nonce: the headers, the key, the token's signature
    /// and claims. What it returns still has to pass [`nonce::admit`].
    fn check(&self, parts: &Parts, body: &[u8]) -> Result<Signed, Rejection> {
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
        let uri = uri
            .path_and_query()
            .map(http::uri::PathAndQuery::as_str)
            .unwrap_or("/");
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
        Ok(Signed {
            principal: Principal::new(self.scheme.clone(), api_key),
            // The canonical text: an integer nonce and the string of its
            // digits are remembered as one.
            nonce: claims.nonce.to_string(),
            expires: claims.exp.saturating_add(self.leeway_secs),
            now,
        })
    }

    /// A request whose token verified, then whose nonce is fresh.
    async fn authenticate(&self, parts: &Parts, body: &[u8]) -> Result<Principal, Rejection> {
        let signed = self.check(parts, body)?;
        let api_key = &signed.principal.subject;
        nonce::admit(
            &*self.nonces,
            api_key,
            &signed.nonce,
            nonce::Window {
                expires: signed.expires,
                now: signed.now,
                lifetime_secs: self.max_lifetime_secs,
            },
        )
        .await?;
        Ok(signed.principal)
    }
}

/// A request whose token verified, before its nonce is checked.
struct Signed {
    principal: Principal,
    nonce: String,
    /// When the nonce may be forgotten: the token's expiry plus leeway.
    expires: u64,
    now: u64,
}

impl std::fmt::Debug for FireblocksVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FireblocksVerifier")
            .field("keys", &self.keys)
            .field("leeway_secs", &self.leeway_secs)
            .field("max_lifetime_secs", &self.max_lifetime_secs)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl Verifier for FireblocksVerifier {
    fn verify<'a>(&'a self, parts: &'a Parts, body: &'a Bytes) -> BoxFuture<'a, AuthOutcome> {
        Box::pin(async move {
            match self.authenticate(parts, body).await {
                Ok(principal) => AuthOutcome::Authenticated(vec![principal]),
                Err(rejection) => AuthOutcome::Refused(rejection),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::tests::parts;

    #[tokio::test]
    async fn the_fireblocks_verifier_checks_the_token_then_remembers_its_nonce() {
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
            verifier.authenticate(&request, b"{}").await,
            Ok(Principal::new("bearerTokenAuth", "k1"))
        );
        let replay = verifier.authenticate(&request, b"{}").await.unwrap_err();
        assert_eq!(replay.message, "the JWT nonce was already used");
        // A token from the future beyond the leeway (clock at 1 010).
        let early = signer.sign_request("/v1/x?a=1", b"{}", 1_016).unwrap();
        let auth = format!("Bearer {early}");
        let request = parts(
            "/v1/x?a=1",
            &[("x-api-key", "k1"), ("authorization", &auth)],
        );
        assert_eq!(
            verifier
                .authenticate(&request, b"{}")
                .await
                .unwrap_err()
                .message,
            "the JWT `iat` is in the future"
        );
    }

    const PRIVATE: &[u8] = include_bytes!("../../../tests/keys/fireblocks-test-private.pem");
    const PUBLIC: &[u8] = include_bytes!("../../../tests/keys/fireblocks-test-public.pem");
    const OTHER_PRIVATE: &[u8] = include_bytes!("../../../tests/keys/other-test-private.pem");
    const OTHER_PUBLIC: &[u8] = include_bytes!("../../../tests/keys/other-test-public.pem");

    /// A fresh signed request from `api_key` (`k1` or `k2`), issued at 1 000.
    fn signed(api_key: &str) -> Parts {
        let pem = if api_key == "k1" {
            PRIVATE
        } else {
            OTHER_PRIVATE
        };
        let signer = fireblocks::SigningKey::from_pem(api_key, pem).unwrap();
        let token = signer.sign_request("/v1/x", b"", 1_000).unwrap();
        let auth = format!("Bearer {token}");
        parts("/v1/x", &[("x-api-key", api_key), ("authorization", &auth)])
    }

    fn two_keys() -> FireblocksVerifier {
        FireblocksVerifier::new()
            .with_key("k1", VerifyingKey::from_pem(PUBLIC).unwrap())
            .with_key("k2", VerifyingKey::from_pem(OTHER_PUBLIC).unwrap())
            .with_clock(|| 1_010)
    }

    async fn outcome(verifier: &FireblocksVerifier, request: &Parts) -> Result<String, Rejection> {
        match verifier.verify(request, &Bytes::new()).await {
            AuthOutcome::Authenticated(principals) => Ok(principals[0].subject.clone()),
            AuthOutcome::Refused(rejection) => Err(rejection),
            AuthOutcome::Anonymous => panic!("a signed request is not anonymous"),
        }
    }

    /// Finding 4: one API key filling the nonce cache locked every other
    /// key out with 503. Each key now has a budget of its own.
    #[tokio::test]
    async fn one_key_cannot_fill_the_nonces_of_another() {
        let verifier = two_keys().with_nonces_per_key(3);
        for n in 0..3 {
            assert_eq!(
                outcome(&verifier, &signed("k1")).await,
                Ok("k1".into()),
                "{n}"
            );
        }
        assert_eq!(outcome(&verifier, &signed("k2")).await, Ok("k2".into()));
        let over = outcome(&verifier, &signed("k1")).await.unwrap_err();
        assert_eq!(over.status, http::StatusCode::TOO_MANY_REQUESTS, "{over:?}");
        assert_eq!(
            over.message,
            "too many signed requests from this API key in the last 55 seconds \
             to check for replays; retry later"
        );
        // The message tells the lifetime this verifier accepts.
        let strict = two_keys().with_nonces_per_key(0).with_max_lifetime_secs(29);
        let over = outcome(&strict, &signed("k2")).await.unwrap_err();
        assert!(over.message.contains("in the last 29 seconds"), "{over:?}");
    }

    /// Finding 4: a request captured on one instance replayed on another
    /// behind the same load balancer was accepted; instances that share a
    /// nonce store refuse it.
    #[tokio::test]
    async fn a_replay_on_another_instance_is_refused() {
        let shared: Arc<dyn NonceStore> = Arc::new(MemoryNonces::default());
        let first = two_keys().with_shared_nonces(Arc::clone(&shared));
        let second = two_keys().with_shared_nonces(shared);
        let request = signed("k1");
        assert_eq!(outcome(&first, &request).await, Ok("k1".into()));
        let replayed = outcome(&second, &request).await.unwrap_err();
        assert_eq!(replayed.message, "the JWT nonce was already used");
    }

    /// The claims the SDKs sign: `exp = iat + 55` (all of them), an integer
    /// nonce (the legacy Python SDK), a `{}` body hashed as sent (legacy
    /// Python and JS). Accepted by default, refused past the lifetime set,
    /// and an integer nonce is remembered like a string one.
    #[tokio::test]
    async fn the_fireblocks_verifier_accepts_what_the_official_sdks_sign() {
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
            verifier.authenticate(&request(&legacy), b"{}").await,
            Ok(Principal::new(FIREBLOCKS_SCHEME, "k1"))
        );
        assert_eq!(
            verifier
                .authenticate(&request(&legacy), b"{}")
                .await
                .unwrap_err()
                .message,
            "the JWT nonce was already used"
        );
        // The same nonce as a string is the same nonce.
        let as_text = sdk_token(fireblocks::Nonce::Text("7205759403792793".into()));
        assert_eq!(
            verifier
                .authenticate(&request(&as_text), b"{}")
                .await
                .unwrap_err()
                .message,
            "the JWT nonce was already used"
        );
        // Hashed `{}`, so an empty body is not what was signed.
        let current = sdk_token(fireblocks::Nonce::Text("n-2".into()));
        assert_eq!(
            verifier
                .authenticate(&request(&current), b"")
                .await
                .unwrap_err()
                .message,
            "the JWT `bodyHash` does not match the request body"
        );

        let docs_strict = FireblocksVerifier::new()
            .with_key("k1", VerifyingKey::from_pem(PUBLIC).unwrap())
            .with_max_lifetime_secs(29)
            .with_clock(|| 1_050);
        assert_eq!(
            docs_strict
                .authenticate(&request(&current), b"{}")
                .await
                .unwrap_err()
                .message,
            "the JWT lives 55 s (`exp - iat`); at most 29 s is accepted"
        );
    }
}
