//! [`run`]: one request under an idempotency key, from claim to stored
//! answer, its lease renewed while the handler runs.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use http::StatusCode;
use sha2::{Digest, Sha256};

use super::layer::{Settings, bump};
use super::{Claim, IdempotencyStore, Ownership, RECORD_OVERHEAD, Refusal, Slot, StoredResponse};
use crate::server::auth::Principal;
use crate::server::extract::Incoming;
use crate::server::rejection::{Rejection, RejectionKind};

/// How often a duplicate looks again for the first request's answer.
const POLL: Duration = Duration::from_millis(20);

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
    let (Some(settings), Some(key)) = (
        incoming.extensions.get::<Settings>(),
        incoming.headers.get(header),
    ) else {
        return handler.await;
    };
    let stats = &settings.stats;
    let caller = caller(incoming.principals());
    let scope = scope(operation, incoming.principals(), key.as_bytes());
    let slot = Slot {
        caller: &caller,
        key: &scope,
    };
    let fingerprint = fingerprint(incoming);
    let reserve = settings.max_response_bytes.saturating_add(RECORD_OVERHEAD);
    let started = tokio::time::Instant::now();
    let token = loop {
        let claim = settings
            .store
            .claim(slot, &fingerprint, settings.lease, reserve)
            .await;
        match claim {
            Err(e) => {
                bump(&stats.store_errors);
                return reject(Rejection::new(RejectionKind::Unavailable, e.to_string()));
            }
            Ok(Claim::Acquired { token }) => break token,
            Ok(Claim::Done {
                fingerprint: first,
                response,
            }) => {
                if first != fingerprint {
                    return reject(reused(header));
                }
                bump(&stats.replayed);
                return response.into_response();
            }
            Ok(Claim::InFlight { fingerprint: first }) => {
                if first != fingerprint {
                    return reject(reused(header));
                }
                if started.elapsed() >= settings.wait {
                    return reject(Rejection::new(
                        RejectionKind::IdempotencyKeyInFlight,
                        format!(
                            "a request with this `{header}` is still being processed; retry later"
                        ),
                    ));
                }
                tokio::time::sleep(POLL).await;
            }
            Ok(Claim::Refused(refusal)) => {
                bump(&stats.over_budget);
                return reject(refused(refusal, header));
            }
        }
    };
    bump(&stats.executed);
    // Released if the handler panics or the caller goes away mid-way.
    let mut guard = ReleaseOnDrop {
        store: Arc::clone(&settings.store),
        caller: caller.clone(),
        scope: scope.clone(),
        token: token.clone(),
        armed: true,
    };
    let response = renewing(settings, slot, &token, handler).await;
    let (parts, body) = response.into_parts();
    // An answer that cannot be stored (too large, or streamed with no known
    // size) passes through unread, so memory stays bounded by what is kept;
    // the key is released and a retry runs afresh.
    let storable = axum::body::HttpBody::size_hint(&body)
        .upper()
        .is_some_and(|size| size <= settings.max_response_bytes as u64);
    if !worth_replaying(parts.status) || !storable {
        guard.armed = false;
        release(settings, slot, &token).await;
        return Response::from_parts(parts, body);
    }
    let Some(body) = crate::chunks::collect(body, settings.max_response_bytes).await else {
        return reject(Rejection::new(
            RejectionKind::Unavailable,
            "the response body could not be read",
        ));
    };
    // The handler has answered: from here the claim is never released, or
    // a retry would run it again.
    guard.armed = false;
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect(),
        body: body.to_vec(),
    };
    complete(settings, slot, &token, &fingerprint, &stored).await;
    Response::from_parts(parts, Body::from(body))
}

/// Run `handler`, renewing the claim every half lease until it answers.
async fn renewing(
    settings: &Settings,
    slot: Slot<'_>,
    token: &str,
    handler: impl Future<Output = Response>,
) -> Response {
    let handler = std::pin::pin!(handler);
    tokio::select! {
        response = handler => response,
        never = keep_renewing(settings, slot, token) => match never {},
    }
}

/// Renew every half lease, for ever; a claim found lost is reported once
/// and no longer renewed. A store out of reach is tried again next time:
/// the claim holds a whole lease from its last renewal.
async fn keep_renewing(settings: &Settings, slot: Slot<'_>, token: &str) -> Infallible {
    let every = (settings.lease / 2).max(Duration::from_millis(1));
    loop {
        tokio::time::sleep(every).await;
        match settings.store.renew(slot, token, settings.lease).await {
            Ok(Ownership::Held) => bump(&settings.stats.renewed),
            Ok(Ownership::Lost) => {
                lost(settings, slot, "renewing its lease");
                return std::future::pending().await;
            }
            Err(e) => {
                bump(&settings.stats.store_errors);
                tracing::warn!(
                    target: "mfa_runtime::idempotency",
                    key = slot.key,
                    error = %e,
                    "could not renew an idempotency lease; trying again"
                );
            }
        }
    }
}

/// Store the answer, trying again while the store is out of reach for as
/// long as the claim holds (a lease from its last renewal): a store that
/// restarts within a lease still gets the answer, so a retry replays it.
async fn complete(
    settings: &Settings,
    slot: Slot<'_>,
    token: &str,
    fingerprint: &str,
    stored: &StoredResponse,
) {
    let give_up = tokio::time::Instant::now() + settings.lease;
    let mut wait = Duration::from_millis(20);
    loop {
        let done = settings
            .store
            .complete(slot, token, fingerprint, stored, settings.ttl)
            .await;
        match done {
            Ok(Ownership::Held) => return bump(&settings.stats.stored),
            Ok(Ownership::Lost) => return lost(settings, slot, "storing its answer"),
            Err(e) => {
                bump(&settings.stats.store_errors);
                if tokio::time::Instant::now() + wait >= give_up {
                    tracing::error!(
                        target: "mfa_runtime::idempotency",
                        key = slot.key,
                        error = %e,
                        "could not store an answer within its lease; a retry may run it again"
                    );
                    return;
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(1));
            }
        }
    }
}

/// Give the claim up (nothing worth storing), trying a few times: a claim
/// not released holds its key until its lease ends.
async fn release(settings: &Settings, slot: Slot<'_>, token: &str) {
    for attempt in 1..=3 {
        match settings.store.release(slot, token).await {
            Ok(Ownership::Held) => return,
            // After a failed attempt, gone may be our own release whose
            // reply was lost: nothing to report either way.
            Ok(Ownership::Lost) if attempt > 1 => return,
            Ok(Ownership::Lost) => return lost(settings, slot, "releasing it"),
            Err(_) if attempt < 3 => {
                bump(&settings.stats.store_errors);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => {
                bump(&settings.stats.store_errors);
                tracing::warn!(
                    target: "mfa_runtime::idempotency",
                    key = slot.key,
                    error = %e,
                    "could not release an idempotency claim; it frees itself after its lease"
                );
            }
        }
    }
}

/// A claim that was no longer ours: counted and logged, since another
/// request may have run the same key.
fn lost(settings: &Settings, slot: Slot<'_>, doing: &str) {
    bump(&settings.stats.lost_claims);
    tracing::error!(
        target: "mfa_runtime::idempotency",
        key = slot.key,
        caller = slot.caller,
        "an idempotency claim was lost while {doing}: its lease lapsed or the store lost it, \
         so another request may have run the same key"
    );
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

fn refused(refusal: Refusal, header: &str) -> Rejection {
    match refusal {
        Refusal::CallerBudget => Rejection::new(
            RejectionKind::TooManyRequests,
            format!(
                "too many requests with an `{header}` of yours are still being processed; \
                 retry later"
            ),
        ),
        Refusal::StoreFull => Rejection::new(
            RejectionKind::Unavailable,
            "the idempotency store is full; retry later",
        ),
    }
}

/// `parts` hashed, each length-prefixed so no two lists collide, as hex.
fn hash(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hex::encode(hash.finalize())
}

/// The budget a caller's records count against: every principal the auth
/// layer authenticated (an application's API key with a user's token is
/// that pair), or one budget shared by every anonymous caller.
fn caller(principals: &[Principal]) -> String {
    if principals.is_empty() {
        return "anonymous".to_owned();
    }
    hash(&identity(principals))[..32].to_owned()
}

/// The store key: operation, caller and idempotency key, hashed so that
/// any bytes make a safe, bounded key. Two callers sharing one credential
/// (an application's API key) but not the others (their users' tokens)
/// never share a key's answer.
fn scope(operation: &str, principals: &[Principal], key: &[u8]) -> String {
    let mut parts = vec![operation.as_bytes()];
    match principals {
        [] => parts.extend([b"" as &[u8], b""]),
        principals => parts.extend(identity(principals)),
    }
    parts.push(key);
    hash(&parts)
}

/// Each principal's scheme and subject, in order.
fn identity(principals: &[Principal]) -> Vec<&[u8]> {
    principals
        .iter()
        .flat_map(|p| [p.scheme.as_bytes(), p.subject.as_bytes()])
        .collect()
}

/// What makes two requests "the same": method, path and query, body.
fn fingerprint(incoming: &Incoming) -> String {
    hash(&[
        incoming.method.as_str().as_bytes(),
        incoming
            .uri
            .path_and_query()
            .map_or(b"" as &[u8], |pq| pq.as_str().as_bytes()),
        &incoming.body,
    ])
}

struct ReleaseOnDrop {
    store: Arc<dyn IdempotencyStore>,
    caller: String,
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
            let caller = std::mem::take(&mut self.caller);
            let scope = std::mem::take(&mut self.scope);
            let token = std::mem::take(&mut self.token);
            runtime.spawn(async move {
                let slot = Slot {
                    caller: &caller,
                    key: &scope,
                };
                let _ = store.release(slot, &token).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::extract::Request;

    use super::*;
    use crate::server::idempotency::{IdempotencyLayer, MemoryStore};

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
                Ok::<_, Infallible>(response)
            }
        });
        let service = IdempotencyLayer::new(MemoryStore::default()).layer(inner);
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

    /// A store that grants every claim and then has lost it: what a Redis
    /// that restarted without persistence looks like to a running request.
    struct Forgetful;

    impl IdempotencyStore for Forgetful {
        fn claim<'a>(
            &'a self,
            _: Slot<'a>,
            _: &'a str,
            _: Duration,
            _: usize,
        ) -> futures_util::future::BoxFuture<'a, Result<Claim, super::super::StoreError>> {
            let token = "t".to_owned();
            Box::pin(std::future::ready(Ok(Claim::Acquired { token })))
        }

        fn renew<'a>(
            &'a self,
            _: Slot<'a>,
            _: &'a str,
            _: Duration,
        ) -> futures_util::future::BoxFuture<'a, Result<Ownership, super::super::StoreError>>
        {
            Box::pin(std::future::ready(Ok(Ownership::Lost)))
        }

        fn complete<'a>(
            &'a self,
            _: Slot<'a>,
            _: &'a str,
            _: &'a str,
            _: &'a StoredResponse,
            _: Duration,
        ) -> futures_util::future::BoxFuture<'a, Result<Ownership, super::super::StoreError>>
        {
            Box::pin(std::future::ready(Ok(Ownership::Lost)))
        }

        fn release<'a>(
            &'a self,
            _: Slot<'a>,
            _: &'a str,
        ) -> futures_util::future::BoxFuture<'a, Result<Ownership, super::super::StoreError>>
        {
            Box::pin(std::future::ready(Ok(Ownership::Lost)))
        }
    }

    /// A claim found lost while renewing and again while storing the answer
    /// is counted each time (and logged), and the caller still gets the
    /// answer its request produced.
    #[tokio::test(start_paused = true)]
    async fn lost_claims_are_counted_and_the_answer_still_returned() {
        use tower::{Layer, ServiceExt};
        let layer = IdempotencyLayer::new(Forgetful).with_lease(Duration::from_millis(20));
        let stats = layer.stats();
        let inner = tower::service_fn(|request: Request| async move {
            let incoming = Incoming::read(request, 1024).await.expect("readable");
            let handler = async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Response::new(Body::from("done"))
            };
            let reject = |r: Rejection| -> Response { panic!("rejected: {r:?}") };
            let response = run(&incoming, "op", "idempotency-key", reject, handler).await;
            Ok::<_, Infallible>(response)
        });
        let request = http::Request::builder()
            .method("POST")
            .uri("/x")
            .header("idempotency-key", "k1")
            .body(Body::empty())
            .unwrap();
        let response = layer.layer(inner).oneshot(request).await.unwrap();
        let body = axum::body::to_bytes(response.into_body(), 100)
            .await
            .unwrap();
        assert_eq!(body, "done");
        assert_eq!(stats.lost_claims(), 2, "once renewing, once storing");
        assert_eq!(stats.executed(), 1);
        assert_eq!(stats.stored(), 0);
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
        let ann = [Principal::new("bearerAuth", "ann")];
        let bob = [Principal::new("bearerAuth", "bob")];
        let a = scope("op", &ann, b"k");
        assert_eq!(a, scope("op", &ann, b"k"));
        assert_ne!(a, scope("op", &bob, b"k"));
        assert_ne!(a, scope("other", &ann, b"k"));
        assert_ne!(a, scope("op", &ann, b"k2"));
        assert_ne!(a, scope("op", &[], b"k"));
        assert_eq!(caller(&[]), "anonymous");
        assert_ne!(caller(&ann), caller(&bob));
        assert_eq!(caller(&ann).len(), 32);
        // One application key, two users: two callers, two scopes.
        let app = Principal::new("apiKey", "app-1");
        let app_ann = [app.clone(), ann[0].clone()];
        let app_bob = [app.clone(), bob[0].clone()];
        assert_ne!(scope("op", &app_ann, b"k"), scope("op", &app_bob, b"k"));
        assert_ne!(caller(&app_ann), caller(&app_bob));
        assert_ne!(caller(&app_ann), caller(&[app]));
    }
}
