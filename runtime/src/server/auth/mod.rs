//! Authenticating callers: an [`AuthLayer`] in front of a generated router
//! runs a [`Verifier`] on each request and records the outcome on it: a
//! [`Principal`] for each credential that verified, or a refusal. The
//! generated handler of an operation that declares `security` then checks
//! its requirements ([`require`]): a caller meets one requirement (OR) by
//! a principal of every scheme it names (AND), each granting the scopes
//! listed for it; else 401 (403 when only scopes are lacking) through the
//! trait's `reject`. The trait method gets the principal.
//!
//! Two verifiers come built in: [`SchemeVerifier`] for the schemes a spec
//! declares (bearer tokens, API keys in a header, query or cookie, basic;
//! see [`crate::security`]), each checked by a closure of yours, and
//! `FireblocksVerifier` (feature `fireblocks`) for Fireblocks' signed JWTs.
//! Implement [`Verifier`] for anything else.

#[cfg(feature = "fireblocks")]
mod fireblocks;
pub mod nonce;
pub(crate) mod require;
mod scheme;

use std::borrow::Cow;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::request::Parts;

#[cfg(feature = "fireblocks")]
pub use fireblocks::{FIREBLOCKS_SCHEME, FireblocksVerifier};
pub use require::require;
pub use scheme::{Grant, SchemeVerifier};

use super::extract::{DEFAULT_BODY_LIMIT, Incoming, read_body};
use super::rejection::{Rejection, RejectionKind};

/// Who made a request, as a verifier established it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    /// The key of the security scheme that authenticated the caller
    /// (`bearerAuth`, `ssoToken`), or `FIREBLOCKS_SCHEME` (`"fireblocks"`).
    pub scheme: Cow<'static, str>,
    /// Who the caller is: what the verifier returned (a user id, the API key).
    pub subject: String,
    /// What the credential grants (OAuth2 or OpenID Connect scopes, roles),
    /// as the verifier found it: an operation whose requirement lists
    /// scopes is refused (403) unless each is here.
    pub scopes: Vec<String>,
    /// The principals of the other schemes of the requirement the caller
    /// met, in the spec's order: `{apiKey: [], bearer: []}` hands the
    /// implementation the API key's principal with the token's here. Empty
    /// when one scheme was enough.
    pub also: Vec<Principal>,
}

impl Principal {
    /// A caller authenticated by `scheme` as `subject`.
    pub fn new(scheme: impl Into<Cow<'static, str>>, subject: impl Into<String>) -> Self {
        Principal {
            scheme: scheme.into(),
            subject: subject.into(),
            scopes: Vec::new(),
            also: Vec::new(),
        }
    }

    /// The same principal, granting `scopes`.
    #[must_use]
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The principal of `scheme`: this one or one of [`Principal::also`].
    pub fn of_scheme(&self, scheme: &str) -> Option<&Principal> {
        std::iter::once(self)
            .chain(&self.also)
            .find(|p| p.scheme == scheme)
    }
}

/// What an [`AuthLayer`] found, stored in the request's extensions.
#[derive(Debug, Clone)]
pub enum AuthOutcome {
    /// No credential was sent.
    Anonymous,
    /// Every credential sent verified: one principal per scheme, in the
    /// verifier's order (never empty).
    Authenticated(Vec<Principal>),
    /// A credential was sent and did not verify (or could not be read):
    /// the router answers with this rejection before any handler runs,
    /// whatever else verified.
    Refused(Rejection),
}

/// Checks the credentials of one request. `body` is the whole body as
/// received (bounded by the layer), for schemes that sign it.
pub trait Verifier: Send + Sync + 'static {
    /// Check the request's credentials.
    fn verify<'a>(&'a self, parts: &'a Parts, body: &'a Bytes) -> BoxFuture<'a, AuthOutcome>;
}

/// A 401 saying why.
pub fn unauthorized(message: impl Into<String>) -> Rejection {
    Rejection::new(RejectionKind::Unauthorized, message)
}

impl Incoming {
    /// The first caller an [`AuthLayer`] authenticated, if any.
    pub fn principal(&self) -> Option<&Principal> {
        self.principals().first()
    }

    /// Every principal an [`AuthLayer`] authenticated, one per scheme whose
    /// credential verified, in the verifier's order.
    pub fn principals(&self) -> &[Principal] {
        match self.extensions.get::<AuthOutcome>() {
            Some(AuthOutcome::Authenticated(principals)) => principals,
            _ => &[],
        }
    }
}

/// Request bodies the layer buffers for verification; over this the request
/// is refused with 413 (set it to the router's own limit or above).
pub const DEFAULT_AUTH_BODY_LIMIT: usize = DEFAULT_BODY_LIMIT;

/// A tower layer that verifies each request with `V` and records the
/// [`AuthOutcome`] in its extensions. Put it around a generated router (or
/// around the router it is nested in, so Fireblocks' `uri` claim sees the
/// full path).
pub struct AuthLayer<V> {
    verifier: Arc<V>,
    body_limit: usize,
}

impl<V> std::fmt::Debug for AuthLayer<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthLayer")
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
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
    /// A layer checking every request with `verifier`, bodies up to the
    /// default body limit.
    pub fn new(verifier: V) -> Self {
        AuthLayer {
            verifier: Arc::new(verifier),
            body_limit: DEFAULT_AUTH_BODY_LIMIT,
        }
    }

    /// Refuse bodies over `limit` bytes with 413 (default: the router's).
    #[must_use]
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

impl<S, V> std::fmt::Debug for AuthService<S, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService")
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
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
            let (body, outcome) = match read_body(&parts, body, limit).await {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Outcomes as an inner service sees them, after the layer.
    #[tokio::test]
    async fn the_layer_records_each_outcome_and_refuses_oversized_bodies() {
        use tower::{Layer, ServiceExt};
        let verifier = SchemeVerifier::new()
            .with(crate::security::Scheme::bearer("b"), |token| async move {
                (token == "ok").then(|| "ann".to_string())
            });
        let inner = tower::service_fn(|request: Request| async move {
            let outcome = match request.extensions().get::<AuthOutcome>() {
                Some(AuthOutcome::Authenticated(p)) => format!("{}:{}", p[0].scheme, p[0].subject),
                Some(AuthOutcome::Anonymous) => "anonymous".into(),
                Some(AuthOutcome::Refused(r)) => format!("refused {}", r.status.as_u16()),
                None => "nothing".into(),
            };
            let body = axum::body::to_bytes(request.into_body(), 100)
                .await
                .unwrap_or_default();
            let text = format!("{outcome} {body:?}");
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
        let verifier = SchemeVerifier::new()
            .with(crate::security::Scheme::bearer("b"), |_| async move {
                Some("ann".to_string())
            });
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
            .insert(crate::server::BodyReadTimeout(
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
}
