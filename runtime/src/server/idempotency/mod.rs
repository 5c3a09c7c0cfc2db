//! Idempotency keys: the first answer to a key is stored and replayed, byte
//! for byte, to every retry that sends the key again.
//!
//! An [`IdempotencyLayer`] around a generated router puts a store on each
//! request; the generated handler of each operation that declares an
//! `Idempotency-Key` (or `X-Idempotency-Key`) header parameter calls [`run`],
//! which scopes the key to the operation and the authenticated caller and:
//!
//! - runs the handler once for a new key and stores its response (status,
//!   headers, body) for the layer's TTL (24 hours by default);
//! - replays the stored response for the same key and the same request
//!   (method, path and query, body);
//! - refuses the same key with a different request with 422 Unprocessable
//!   Entity, as the IETF `Idempotency-Key` draft says: the request is well
//!   formed but cannot be processed under that key;
//! - makes a duplicate that arrives while the first is still running wait for
//!   the first's response and replay it (a client retrying after a timeout
//!   gets the answer, and the handler runs once); if the first is still
//!   running after the layer's wait (10 s), 409 Conflict, as the draft says.
//!
//! Only answers worth replaying are stored: 2xx, 3xx and 4xx except 408 and
//! 429. A 5xx (and a timeout or rate limit) says "try again", so the key is
//! released and a retry runs the handler afresh. A store that fails answers
//! 503 rather than risk running the handler twice.

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use base64::Engine;
use futures_util::future::BoxFuture;
use http::{HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::Principal;
use super::extract::Incoming;
use super::rejection::{Rejection, RejectionKind};

/// How long a response is replayed.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a claim holds while its handler runs; a claim whose process died
/// frees itself after this.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// How long a duplicate waits for the first request before answering 409.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);
/// Responses larger than this are not stored (the key is released).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

const POLL: Duration = Duration::from_millis(20);

/// A response as stored: replayed exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    /// Header names and values in order (values base64 in storage).
    #[serde(with = "b64_headers")]
    pub headers: Vec<(String, Vec<u8>)>,
    #[serde(with = "b64")]
    pub body: Vec<u8>,
}

impl StoredResponse {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(&value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// What a store says about a key being claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new and now ours; `token` proves it to `complete`/`release`.
    Acquired { token: String },
    /// Another request with this key is running.
    InFlight { fingerprint: String },
    /// A request with this key was answered.
    Done {
        fingerprint: String,
        response: StoredResponse,
    },
}

/// A store failed (connection lost, full).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "idempotency store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Where idempotency records live. Each operation must be atomic.
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claim `key` for a request with `fingerprint` for `lease`, unless it is
    /// already claimed or answered.
    fn claim<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>>;

    /// Store the answer to our claim, kept for `ttl`.
    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        fingerprint: &'a str,
        response: &'a StoredResponse,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Give up our claim (nothing worth storing), so a retry runs afresh.
    fn release<'a>(&'a self, key: &'a str, token: &'a str)
    -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The store and settings an [`IdempotencyLayer`] puts on each request.
#[derive(Clone)]
pub struct Idempotency {
    store: Arc<dyn IdempotencyStore>,
    ttl: Duration,
    lease: Duration,
    wait: Duration,
    max_response_bytes: usize,
}

impl fmt::Debug for Idempotency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Idempotency")
            .field("ttl", &self.ttl)
            .field("lease", &self.lease)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

/// A tower layer that enables idempotency keys on the operations of a
/// generated router that declare one. Put it inside an `AuthLayer` or
/// alongside it; keys are scoped to the authenticated caller either way.
#[derive(Clone, Debug)]
pub struct IdempotencyLayer {
    config: Idempotency,
}

impl IdempotencyLayer {
    pub fn new(store: impl IdempotencyStore) -> Self {
        Self::from_arc(Arc::new(store))
    }

    /// A store shared with other layers or code.
    pub fn from_arc(store: Arc<dyn IdempotencyStore>) -> Self {
        IdempotencyLayer {
            config: Idempotency {
                store,
                ttl: DEFAULT_TTL,
                lease: DEFAULT_LEASE,
                wait: DEFAULT_WAIT,
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            },
        }
    }

    /// How long responses are replayed (24 hours).
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.config.ttl = ttl;
        self
    }

    /// How long a running request holds its key (60 s).
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.config.lease = lease;
        self
    }

    /// How long a duplicate waits for the first before 409 (10 s).
    #[must_use]
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.config.wait = wait;
        self
    }

    /// Responses over this many bytes are not stored (1 MiB).
    #[must_use]
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.config.max_response_bytes = limit;
        self
    }
}

impl<S> tower::Layer<S> for IdempotencyLayer {
    type Service = IdempotencyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        IdempotencyService {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service an [`IdempotencyLayer`] wraps around a router.
#[derive(Clone, Debug)]
pub struct IdempotencyService<S> {
    inner: S,
    config: Idempotency,
}

impl<S> tower::Service<Request> for IdempotencyService<S>
where
    S: tower::Service<Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        request.extensions_mut().insert(self.config.clone());
        self.inner.call(request)
    }
}

/// What generated handlers call for an operation with an idempotency key
/// header: `handler` runs at most once per key (see the module docs);
/// `reject` answers refusals in the API's error shape.
pub async fn run(
    incoming: &Incoming,
    operation: &str,
    header: &str,
    reject: impl FnOnce(Rejection) -> Response,
    handler: impl Future<Output = Response>,
) -> Response {
    let (Some(config), Some(key)) = (
        incoming.extensions.get::<Idempotency>(),
        incoming.headers.get(header),
    ) else {
        return handler.await;
    };
    let scope = scope(operation, incoming.principal(), key.as_bytes());
    let fingerprint = fingerprint(incoming);
    let started = tokio::time::Instant::now();
    let token = loop {
        match config.store.claim(&scope, &fingerprint, config.lease).await {
            Err(e) => return reject(Rejection::new(RejectionKind::Unavailable, e.to_string())),
            Ok(Claim::Acquired { token }) => break token,
            Ok(Claim::Done {
                fingerprint: first,
                response,
            }) => {
                if first == fingerprint {
                    return response.into_response();
                }
                return reject(reused(header));
            }
            Ok(Claim::InFlight { fingerprint: first }) => {
                if first != fingerprint {
                    return reject(reused(header));
                }
                if started.elapsed() >= config.wait {
                    return reject(Rejection::new(
                        RejectionKind::IdempotencyKeyInFlight,
                        format!(
                            "a request with this `{header}` is still being processed; retry later"
                        ),
                    ));
                }
                tokio::time::sleep(POLL).await;
            }
        }
    };
    // Released if the handler panics or the caller goes away mid-way.
    let mut guard = ReleaseOnDrop {
        store: Arc::clone(&config.store),
        scope: scope.clone(),
        token: token.clone(),
        armed: true,
    };
    let response = handler.await;
    let (parts, body) = response.into_parts();
    // An answer that cannot be stored (too large, or streamed with no known
    // size) passes through unread, so memory stays bounded by what is kept;
    // the key is released and a retry runs afresh.
    let storable = axum::body::HttpBody::size_hint(&body)
        .upper()
        .is_some_and(|size| size <= config.max_response_bytes as u64);
    if !worth_replaying(parts.status) || !storable {
        if config.store.release(&scope, &token).await.is_ok() {
            guard.armed = false;
        }
        return Response::from_parts(parts, body);
    }
    let Some(body) = crate::chunks::collect(body, config.max_response_bytes).await else {
        return reject(Rejection::new(
            RejectionKind::Unavailable,
            "the response body could not be read",
        ));
    };
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect(),
        body: body.to_vec(),
    };
    if config
        .store
        .complete(&scope, &token, &fingerprint, &stored, config.ttl)
        .await
        .is_ok()
    {
        guard.armed = false;
    }
    Response::from_parts(parts, Body::from(body))
}

/// 5xx, 408 and 429 say "try again": a retry must run afresh.
pub fn worth_replaying(status: StatusCode) -> bool {
    !(status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS)
}

fn reused(header: &str) -> Rejection {
    Rejection::new(
        RejectionKind::IdempotencyKeyReused,
        format!("this `{header}` was already used for a different request"),
    )
}

/// The store key: operation, caller and idempotency key, hashed so that
/// any bytes make a safe, bounded key.
fn scope(operation: &str, caller: Option<&Principal>, key: &[u8]) -> String {
    let mut hash = Sha256::new();
    for part in [
        operation.as_bytes(),
        caller.map_or(b"" as &[u8], |p| p.scheme.as_bytes()),
        caller.map_or(b"" as &[u8], |p| p.subject.as_bytes()),
        key,
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    format!("mfa-idempotency:{}", hex::encode(hash.finalize()))
}

/// What makes two requests "the same": method, path and query, body.
fn fingerprint(incoming: &Incoming) -> String {
    let mut hash = Sha256::new();
    for part in [
        incoming.method.as_str().as_bytes(),
        incoming
            .uri
            .path_and_query()
            .map_or(b"" as &[u8], |pq| pq.as_str().as_bytes()),
        &incoming.body,
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hex::encode(hash.finalize())
}

struct ReleaseOnDrop {
    store: Arc<dyn IdempotencyStore>,
    scope: String,
    token: String,
    armed: bool,
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let store = Arc::clone(&self.store);
            let scope = std::mem::take(&mut self.scope);
            let token = std::mem::take(&mut self.token);
            runtime.spawn(async move {
                let _ = store.release(&scope, &token).await;
            });
        }
    }
}

mod b64 {
    use super::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

mod b64_headers {
    use super::Engine;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    type Headers = Vec<(String, Vec<u8>)>;

    pub fn serialize<S: Serializer>(headers: &Headers, s: S) -> Result<S::Ok, S::Error> {
        let encoded: Vec<(&str, String)> = headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str(),
                    base64::engine::general_purpose::STANDARD.encode(v),
                )
            })
            .collect();
        encoded.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Headers, D::Error> {
        let encoded = Vec::<(String, String)>::deserialize(d)?;
        encoded
            .into_iter()
            .map(|(n, v)| {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(|v| (n, v))
                    .map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A streamed answer (no known size) is passed on unread and not
    /// stored: the same key runs the handler again rather than buffering a
    /// body of any size in memory.
    #[tokio::test]
    async fn answers_of_unknown_size_pass_through_unstored() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tower::{Layer, ServiceExt};
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let inner = tower::service_fn(move |request: Request| {
            let runs = Arc::clone(&counted);
            async move {
                let incoming = Incoming::read(request, 1024).await.expect("readable");
                let handler = async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    let chunks = [Ok::<_, std::io::Error>(bytes::Bytes::from_static(
                        b"streamed",
                    ))];
                    Response::new(Body::from_stream(futures_util::stream::iter(chunks)))
                };
                let reject = |r: Rejection| -> Response { panic!("rejected: {r:?}") };
                let response = run(&incoming, "op", "idempotency-key", reject, handler).await;
                Ok::<_, std::convert::Infallible>(response)
            }
        });
        let service = IdempotencyLayer::new(memory::MemoryStore::default()).layer(inner);
        for _ in 0..2 {
            let request = http::Request::builder()
                .method("POST")
                .uri("/x")
                .header("idempotency-key", "k1")
                .body(Body::empty())
                .unwrap();
            let response = service.clone().oneshot(request).await.unwrap();
            let body = axum::body::to_bytes(response.into_body(), 100)
                .await
                .unwrap();
            assert_eq!(body, "streamed");
        }
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn stored_responses_round_trip_through_json_exactly() {
        let stored = StoredResponse {
            status: 201,
            headers: vec![
                ("x-a".into(), b"1".to_vec()),
                ("x-a".into(), vec![0xff, b'z']),
            ],
            body: vec![0, 1, 2, 255],
        };
        let json = serde_json::to_string(&stored).unwrap();
        assert_eq!(
            serde_json::from_str::<StoredResponse>(&json).unwrap(),
            stored
        );
        let response = stored.into_response();
        assert_eq!(response.status(), StatusCode::CREATED);
        let values: Vec<_> = response.headers().get_all("x-a").iter().collect();
        assert_eq!(values, [&b"1"[..], &[0xff, b'z'][..]]);
    }

    #[test]
    fn retryable_statuses_are_not_replayed() {
        assert!(worth_replaying(StatusCode::OK));
        assert!(worth_replaying(StatusCode::NOT_FOUND));
        assert!(!worth_replaying(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(!worth_replaying(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!worth_replaying(StatusCode::TOO_MANY_REQUESTS));
        assert!(!worth_replaying(StatusCode::REQUEST_TIMEOUT));
    }

    #[test]
    fn scopes_separate_operations_callers_and_keys() {
        let ann = Principal::new("bearerAuth", "ann");
        let bob = Principal::new("bearerAuth", "bob");
        let a = scope("op", Some(&ann), b"k");
        assert_eq!(a, scope("op", Some(&ann), b"k"));
        assert_ne!(a, scope("op", Some(&bob), b"k"));
        assert_ne!(a, scope("other", Some(&ann), b"k"));
        assert_ne!(a, scope("op", Some(&ann), b"k2"));
        assert_ne!(a, scope("op", None, b"k"));
    }
}
