//! Authenticating callers: an [`AuthLayer`] in front of a generated router
//! runs a [`Verifier`] on each request and records the outcome on it; the
//! generated handler of an operation that declares `security` then requires
//! a [`Principal`] of an accepted scheme (else 401 through the trait's
//! `reject`) and hands it to the trait method.
//!
//! Two verifiers come built in: [`SchemeVerifier`] for the schemes a spec
//! declares (bearer tokens, API keys in a header, query or cookie, basic),
//! each checked by a closure of yours, and [`FireblocksVerifier`] for
//! Fireblocks' signed JWTs. Implement [`Verifier`] for anything else.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use base64::Engine;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::request::Parts;

use super::{Rejection, RejectionKind};
use crate::fireblocks::{self, Expected, VerifyingKey};

/// Who made a request, as a verifier established it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    /// The key of the security scheme that authenticated the caller
    /// (`bearerAuth`, `ssoToken`), or [`FIREBLOCKS_SCHEME`].
    pub scheme: Cow<'static, str>,
    /// Who the caller is: what the verifier returned (a user id, the API key).
    pub subject: String,
}

impl Principal {
    pub fn new(scheme: impl Into<Cow<'static, str>>, subject: impl Into<String>) -> Self {
        Principal {
            scheme: scheme.into(),
            subject: subject.into(),
        }
    }
}

/// What an [`AuthLayer`] found, stored in the request's extensions.
#[derive(Debug, Clone)]
pub enum AuthOutcome {
    /// No credential was sent.
    Anonymous,
    /// A credential was sent and verified.
    Authenticated(Principal),
    /// A credential was sent and did not verify (or could not be read):
    /// the router answers with this rejection before any handler runs.
    Refused(Rejection),
}

/// Checks the credentials of one request. `body` is the whole body as
/// received (bounded by the layer), for schemes that sign it.
pub trait Verifier: Send + Sync + 'static {
    fn verify<'a>(&'a self, parts: &'a Parts, body: &'a Bytes) -> BoxFuture<'a, AuthOutcome>;
}

/// A 401 saying why.
pub fn unauthorized(message: impl Into<String>) -> Rejection {
    Rejection::new(RejectionKind::Unauthorized, message)
}

/// What generated handlers call for an operation that declares `security`:
/// the authenticated principal if its scheme is one of `accepted`, else a
/// 401 naming them.
pub fn require(
    incoming: &super::Incoming,
    operation: &str,
    accepted: &[&str],
) -> Result<Principal, Rejection> {
    match incoming.principal() {
        Some(principal) if accepted.contains(&principal.scheme.as_ref()) => Ok(principal.clone()),
        Some(principal) => Err(unauthorized(format!(
            "`{operation}` accepts {}, not {}",
            accepted.join(" or "),
            principal.scheme
        ))),
        None => Err(unauthorized(format!(
            "`{operation}` requires authentication: {}",
            accepted.join(" or ")
        ))),
    }
}

/// Request bodies the layer buffers for verification; over this the request
/// is refused with 413 (set it to the router's own limit or above).
pub const DEFAULT_AUTH_BODY_LIMIT: usize = super::DEFAULT_BODY_LIMIT;

/// A tower layer that verifies each request with `V` and records the
/// [`AuthOutcome`] in its extensions. Put it around a generated router (or
/// around the router it is nested in, so Fireblocks' `uri` claim sees the
/// full path).
pub struct AuthLayer<V> {
    verifier: Arc<V>,
    body_limit: usize,
}

impl<V> Clone for AuthLayer<V> {
    fn clone(&self) -> Self {
        AuthLayer {
            verifier: Arc::clone(&self.verifier),
            body_limit: self.body_limit,
        }
    }
}

impl<V: Verifier> AuthLayer<V> {
    pub fn new(verifier: V) -> Self {
        AuthLayer {
            verifier: Arc::new(verifier),
            body_limit: DEFAULT_AUTH_BODY_LIMIT,
        }
    }

    /// Refuse bodies over `limit` bytes with 413 (default: the router's).
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }
}

impl<S, V> tower::Layer<S> for AuthLayer<V> {
    type Service = AuthService<S, V>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            verifier: Arc::clone(&self.verifier),
            body_limit: self.body_limit,
        }
    }
}

/// The service an [`AuthLayer`] wraps around a router.
pub struct AuthService<S, V> {
    inner: S,
    verifier: Arc<V>,
    body_limit: usize,
}

impl<S: Clone, V> Clone for AuthService<S, V> {
    fn clone(&self) -> Self {
        AuthService {
            inner: self.inner.clone(),
            verifier: Arc::clone(&self.verifier),
            body_limit: self.body_limit,
        }
    }
}

impl<S, V> tower::Service<Request> for AuthService<S, V>
where
    S: tower::Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    V: Verifier,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone that was polled ready serves this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = Arc::clone(&self.verifier);
        let limit = self.body_limit;
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let (body, outcome) = match super::read_body(&parts, body, limit).await {
                Ok(body) => {
                    let outcome = verifier.verify(&parts, &body).await;
                    (body, outcome)
                }
                Err(rejection) => (Bytes::new(), AuthOutcome::Refused(rejection)),
            };
            parts.extensions.insert(outcome);
            inner
                .call(Request::from_parts(parts, Body::from(body)))
                .await
        })
    }
}

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyIn {
    Header,
    Query,
    Cookie,
}

/// How a security scheme carries its credential on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (also OAuth2 and OpenID Connect).
    Bearer,
    /// `Authorization: Basic <base64 user:password>`.
    Basic,
    /// A named header, query parameter or cookie.
    ApiKey {
        location: ApiKeyIn,
        name: Cow<'static, str>,
    },
}

/// A security scheme of a spec; generated modules declare each of theirs
/// as a const in `server::security`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    /// The key under `components/securitySchemes`.
    pub key: &'static str,
    pub kind: SchemeKind,
}

impl Scheme {
    pub const fn bearer(key: &'static str) -> Self {
        Scheme {
            key,
            kind: SchemeKind::Bearer,
        }
    }

    pub const fn basic(key: &'static str) -> Self {
        Scheme {
            key,
            kind: SchemeKind::Basic,
        }
    }

    pub const fn api_key(key: &'static str, location: ApiKeyIn, name: &'static str) -> Self {
        Scheme {
            key,
            kind: SchemeKind::ApiKey {
                location,
                name: Cow::Borrowed(name),
            },
        }
    }

    /// The same scheme with the API key under another name: Ping's SSO
    /// token travels in a header named after the tenant's session cookie.
    /// A bearer or basic scheme is returned unchanged.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        if let SchemeKind::ApiKey { name: current, .. } = &mut self.kind {
            *current = Cow::Owned(name.into());
        }
        self
    }

    /// The credential this scheme carries in `parts`, if one was sent
    /// (a basic credential decoded to `user:password`).
    pub fn credential(&self, parts: &Parts) -> Option<String> {
        match &self.kind {
            SchemeKind::Bearer => authorization(parts, "Bearer"),
            SchemeKind::Basic => authorization(parts, "Basic").map(|encoded| {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    // Sent but unreadable: an empty credential, which no
                    // check accepts and which is refused, not ignored.
                    .unwrap_or_default()
            }),
            SchemeKind::ApiKey { location, name } => match location {
                ApiKeyIn::Header => parts
                    .headers
                    .get(name.as_ref())
                    .map(|v| v.to_str().unwrap_or_default().to_owned()),
                ApiKeyIn::Query => parts.uri.query().and_then(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .find(|(n, _)| n == name.as_ref())
                        .map(|(_, v)| v.into_owned())
                }),
                ApiKeyIn::Cookie => cookie(parts, name),
            },
        }
    }
}

/// `Authorization: <scheme> <value>`, the scheme matched ignoring case.
fn authorization(parts: &Parts, scheme: &str) -> Option<String> {
    let value = parts.headers.get(http::header::AUTHORIZATION)?;
    let text = value.to_str().ok()?;
    let (given, rest) = text.split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| rest.trim().to_owned())
}

fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

type Check = Arc<dyn Fn(String) -> BoxFuture<'static, Option<String>> + Send + Sync>;

/// Verifies a spec's security schemes, each with a check of yours that
/// turns a credential into a subject (`None`: not valid).
///
/// Each scheme whose credential is present is checked in the order added;
/// the first that verifies authenticates the caller. Credentials sent that
/// all fail are refused (401); none sent is anonymous, which operations
/// that declare `security` refuse themselves.
#[derive(Clone, Default)]
pub struct SchemeVerifier {
    schemes: Vec<(Scheme, Check)>,
}

impl std::fmt::Debug for SchemeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.schemes.iter().map(|(s, _)| s))
            .finish()
    }
}

impl SchemeVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Accept `scheme`'s credential when `check` returns a subject for it.
    pub fn with<F, Fut>(self, scheme: Scheme, check: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<String>> + Send + 'static,
    {
        self.with_any([scheme], check)
    }

    /// Accept the credential of each of `schemes` when `check` returns a
    /// subject for it: one check for a credential that travels several
    /// ways. Ping's SSO token comes as the session cookie or as a header of
    /// the same name, so the tenant's cookie name is set once, on both
    /// schemes: `with_any([SSO_TOKEN, SSO_COOKIE].map(|s| s.named(name)),
    /// check)` (the README shows it whole). The principal names the scheme
    /// the credential came by.
    pub fn with_any<F, Fut>(mut self, schemes: impl IntoIterator<Item = Scheme>, check: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<String>> + Send + 'static,
    {
        let check: Check = Arc::new(move |credential| Box::pin(check(credential)));
        for scheme in schemes {
            self.schemes.push((scheme, Arc::clone(&check)));
        }
        self
    }
}

impl Verifier for SchemeVerifier {
    fn verify<'a>(&'a self, parts: &'a Parts, _body: &'a Bytes) -> BoxFuture<'a, AuthOutcome> {
        Box::pin(async move {
            let mut refused = Vec::new();
            for (scheme, check) in &self.schemes {
                let Some(credential) = scheme.credential(parts) else {
                    continue;
                };
                match check(credential).await {
                    Some(subject) => {
                        return AuthOutcome::Authenticated(Principal::new(scheme.key, subject));
                    }
                    None => refused.push(scheme.key),
                }
            }
            if refused.is_empty() {
                AuthOutcome::Anonymous
            } else {
                AuthOutcome::Refused(unauthorized(format!(
                    "the {} credential is not valid",
                    refused.join(" and ")
                )))
            }
        })
    }
}

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
    pub fn with_key(mut self, api_key: impl Into<String>, key: VerifyingKey) -> Self {
        self.keys.insert(api_key.into(), key);
        self
    }

    /// How far ahead of this server's clock a token's `iat` may be (5 s).
    pub fn with_leeway_secs(mut self, leeway_secs: u64) -> Self {
        self.leeway_secs = leeway_secs;
        self
    }

    /// Accept tokens living at most `secs` seconds (`exp - iat`). The
    /// default, 55, is what the live service accepts and what every official
    /// SDK signs; 29 is the docs page's "`exp` under `iat + 30`", which
    /// refuses every official SDK.
    pub fn with_max_lifetime_secs(mut self, secs: u64) -> Self {
        self.max_lifetime_secs = secs;
        self
    }

    /// Remember at most `capacity` unexpired nonces; past that, requests are
    /// refused until some expire (failing closed, never forgetting early).
    pub fn with_nonce_capacity(mut self, capacity: usize) -> Self {
        self.nonces = NonceCache::new(capacity);
        self
    }

    /// Name principals' scheme after a spec's security scheme (the full
    /// Fireblocks swagger secures its operations with `bearerTokenAuth`, so
    /// its generated handlers accept principals of that scheme); by default
    /// [`FIREBLOCKS_SCHEME`].
    pub fn with_scheme(mut self, scheme: &'static str) -> Self {
        self.scheme = Cow::Borrowed(scheme);
        self
    }

    /// The clock, seconds since the epoch (tests move it).
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

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri(uri);
        for (n, v) in headers {
            builder = builder.header(*n, *v);
        }
        builder.body(()).unwrap().into_parts().0
    }

    /// Outcomes as an inner service sees them, after the layer.
    #[tokio::test]
    async fn the_layer_records_each_outcome_and_refuses_oversized_bodies() {
        use tower::{Layer, ServiceExt};
        let verifier = SchemeVerifier::new().with(Scheme::bearer("b"), |token| async move {
            (token == "ok").then(|| "ann".to_string())
        });
        let inner = tower::service_fn(|request: Request| async move {
            let outcome = match request.extensions().get::<AuthOutcome>() {
                Some(AuthOutcome::Authenticated(p)) => format!("{}:{}", p.scheme, p.subject),
                Some(AuthOutcome::Anonymous) => "anonymous".into(),
                Some(AuthOutcome::Refused(r)) => format!("refused {}", r.status.as_u16()),
                None => "nothing".into(),
            };
            let body = axum::body::to_bytes(request.into_body(), 100)
                .await
                .unwrap_or_default();
            let text = format!("{outcome} {:?}", body);
            Ok::<_, std::convert::Infallible>(Response::new(Body::from(text)))
        });
        let service = AuthLayer::new(verifier).with_body_limit(4).layer(inner);
        let call = |authorization: Option<&str>, body: &'static str| {
            let mut request = http::Request::builder().uri("/x");
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let request = request.body(Body::from(body)).unwrap();
            let service = service.clone();
            async move {
                let response = service.oneshot(request).await.unwrap();
                let bytes = axum::body::to_bytes(response.into_body(), 100)
                    .await
                    .unwrap();
                String::from_utf8(bytes.to_vec()).unwrap()
            }
        };
        // The body the verifier read is passed on whole.
        assert_eq!(call(Some("Bearer ok"), "abcd").await, "b:ann b\"abcd\"");
        assert_eq!(call(None, "").await, "anonymous b\"\"");
        assert_eq!(call(Some("Bearer no"), "").await, "refused 401 b\"\"");
        assert_eq!(call(Some("Bearer ok"), "abcde").await, "refused 413 b\"\"");
    }

    /// A body that never finishes arriving is refused with 408 by the layer,
    /// not awaited forever (the layer reads bodies before any router does, so
    /// it must honour the same read timeout).
    #[tokio::test]
    async fn the_layer_gives_up_on_a_body_that_stops_arriving() {
        use tower::{Layer, ServiceExt};
        let verifier =
            SchemeVerifier::new().with(
                Scheme::bearer("b"),
                |_| async move { Some("ann".to_string()) },
            );
        let inner = tower::service_fn(|request: Request| async move {
            let outcome = match request.extensions().get::<AuthOutcome>() {
                Some(AuthOutcome::Refused(r)) => format!("refused {}", r.status.as_u16()),
                _ => "let through".into(),
            };
            Ok::<_, std::convert::Infallible>(Response::new(Body::from(outcome)))
        });
        let service = AuthLayer::new(verifier).layer(inner);
        // A body stream that never yields: the client went quiet.
        let stalled = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
        let mut request = http::Request::builder()
            .uri("/x")
            .header("authorization", "Bearer ok")
            .body(Body::from_stream(stalled))
            .unwrap();
        request
            .extensions_mut()
            .insert(super::super::BodyReadTimeout(
                std::time::Duration::from_millis(20),
            ));
        let response =
            tokio::time::timeout(std::time::Duration::from_secs(5), service.oneshot(request))
                .await
                .expect("the layer answers instead of waiting forever")
                .unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), 100)
            .await
            .unwrap();
        assert_eq!(bytes, "refused 408");
    }

    #[test]
    fn the_fireblocks_verifier_checks_the_token_then_remembers_its_nonce() {
        const PRIVATE: &[u8] = include_bytes!("../../tests/keys/fireblocks-test-private.pem");
        const PUBLIC: &[u8] = include_bytes!("../../tests/keys/fireblocks-test-public.pem");
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
        const PRIVATE: &[u8] = include_bytes!("../../tests/keys/fireblocks-test-private.pem");
        const PUBLIC: &[u8] = include_bytes!("../../tests/keys/fireblocks-test-public.pem");
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

    #[test]
    fn schemes_find_their_credentials() {
        let p = parts(
            "/x?key=q1",
            &[
                ("authorization", "bearer tok"),
                ("cookie", "a=1; sess=c1"),
                ("iPlanetDirectoryPro", "h1"),
            ],
        );
        assert_eq!(Scheme::bearer("b").credential(&p).as_deref(), Some("tok"));
        assert_eq!(Scheme::basic("b").credential(&p), None);
        let header = Scheme::api_key("sso", ApiKeyIn::Header, "iPlanetDirectoryPro");
        assert_eq!(header.credential(&p).as_deref(), Some("h1"));
        assert_eq!(header.clone().named("other").credential(&p), None);
        let query = Scheme::api_key("q", ApiKeyIn::Query, "key");
        assert_eq!(query.credential(&p).as_deref(), Some("q1"));
        let cookie = Scheme::api_key("c", ApiKeyIn::Cookie, "sess");
        assert_eq!(cookie.credential(&p).as_deref(), Some("c1"));
        let basic = parts("/", &[("authorization", "Basic YW5uOnB3")]);
        assert_eq!(
            Scheme::basic("b").credential(&basic).as_deref(),
            Some("ann:pw")
        );
    }

    /// One check, one cookie name, two ways in: Ping's SSO token as the
    /// session cookie or as the header named after it.
    #[tokio::test]
    async fn one_check_can_accept_a_credential_by_several_schemes() {
        let sso = [
            Scheme::api_key("ssoToken", ApiKeyIn::Header, "iPlanetDirectoryPro"),
            Scheme::api_key("ssoCookie", ApiKeyIn::Cookie, "iPlanetDirectoryPro"),
        ]
        .map(|scheme| scheme.named("6ac6499e9da2071"));
        let verifier = SchemeVerifier::new().with_any(sso, |token| async move {
            (token == "AQIC5w").then(|| "ann".to_string())
        });
        let run = |headers: &[(&str, &str)]| {
            let p = parts("/", headers);
            let verifier = &verifier;
            async move { verifier.verify(&p, &Bytes::new()).await }
        };
        match run(&[("cookie", "amlbcookie=01; 6ac6499e9da2071=AQIC5w")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("ssoCookie", "ann")),
            other => panic!("{other:?}"),
        }
        match run(&[("6ac6499e9da2071", "AQIC5w")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("ssoToken", "ann")),
            other => panic!("{other:?}"),
        }
        // The default name is not the tenant's: nothing was sent.
        assert!(matches!(
            run(&[("cookie", "iPlanetDirectoryPro=AQIC5w")]).await,
            AuthOutcome::Anonymous
        ));
        assert!(matches!(
            run(&[("cookie", "6ac6499e9da2071=stale")]).await,
            AuthOutcome::Refused(_)
        ));
    }

    #[tokio::test]
    async fn the_scheme_verifier_tries_each_present_credential() {
        let verifier = SchemeVerifier::new()
            .with(Scheme::bearer("bearerAuth"), |token| async move {
                (token == "good").then(|| "ann".to_string())
            })
            .with(
                Scheme::api_key("ssoToken", ApiKeyIn::Header, "x-sso"),
                |value| async move { (value == "sso-ok").then(|| "bob".to_string()) },
            );
        let run = |headers: &[(&str, &str)]| {
            let p = parts("/", headers);
            let verifier = &verifier;
            async move { verifier.verify(&p, &Bytes::new()).await }
        };
        assert!(matches!(run(&[]).await, AuthOutcome::Anonymous));
        match run(&[("authorization", "Bearer good")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("bearerAuth", "ann")),
            other => panic!("{other:?}"),
        }
        // A bad bearer token with a good SSO token: the SSO token wins.
        match run(&[("authorization", "Bearer bad"), ("x-sso", "sso-ok")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("ssoToken", "bob")),
            other => panic!("{other:?}"),
        }
        match run(&[("authorization", "Bearer bad")]).await {
            AuthOutcome::Refused(r) => {
                assert_eq!(r.status, http::StatusCode::UNAUTHORIZED);
                assert!(r.message.contains("bearerAuth"), "{}", r.message);
            }
            other => panic!("{other:?}"),
        }
    }
}
