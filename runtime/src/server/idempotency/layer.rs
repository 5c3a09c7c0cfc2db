//! [`IdempotencyLayer`]: the store and settings put on each request, and
//! the counters [`run`](super::run) keeps.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;

use super::{
    DEFAULT_LEASE, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TTL, DEFAULT_WAIT, IdempotencyStore,
};

/// The store and settings an [`IdempotencyLayer`] puts on each request.
#[derive(Clone)]
pub(super) struct Settings {
    pub(super) store: Arc<dyn IdempotencyStore>,
    pub(super) ttl: Duration,
    pub(super) lease: Duration,
    pub(super) wait: Duration,
    pub(super) max_response_bytes: usize,
    pub(super) stats: Arc<IdempotencyStats>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Idempotency")
            .field("ttl", &self.ttl)
            .field("lease", &self.lease)
            .field("wait", &self.wait)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// What the layer's requests did with their keys, counted since it was
/// made: for a metrics exporter, and for tests that prove exactly once.
#[derive(Debug, Default)]
pub struct IdempotencyStats {
    pub(super) executed: AtomicU64,
    pub(super) replayed: AtomicU64,
    pub(super) stored: AtomicU64,
    pub(super) renewed: AtomicU64,
    pub(super) lost_claims: AtomicU64,
    pub(super) over_budget: AtomicU64,
    pub(super) store_errors: AtomicU64,
}

/// Add one to a counter.
pub(super) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl IdempotencyStats {
    /// Handlers run under a key.
    pub fn executed(&self) -> u64 {
        self.executed.load(Ordering::Relaxed)
    }

    /// Stored answers replayed to a retry.
    pub fn replayed(&self) -> u64 {
        self.replayed.load(Ordering::Relaxed)
    }

    /// Answers stored.
    pub fn stored(&self) -> u64 {
        self.stored.load(Ordering::Relaxed)
    }

    /// Leases renewed while a handler ran.
    pub fn renewed(&self) -> u64 {
        self.renewed.load(Ordering::Relaxed)
    }

    /// Claims found gone when renewing or completing them: each one is a
    /// key whose handler may have run twice.
    pub fn lost_claims(&self) -> u64 {
        self.lost_claims.load(Ordering::Relaxed)
    }

    /// New keys refused because their caller's budget was all running
    /// claims, or the store was full.
    pub fn over_budget(&self) -> u64 {
        self.over_budget.load(Ordering::Relaxed)
    }

    /// Store operations that failed (each retried or answered 503).
    pub fn store_errors(&self) -> u64 {
        self.store_errors.load(Ordering::Relaxed)
    }
}

/// A tower layer that enables idempotency keys on the operations of a
/// generated router that declare one. Put it inside an `AuthLayer` or
/// alongside it; keys are scoped to the authenticated caller either way.
#[derive(Clone, Debug)]
pub struct IdempotencyLayer {
    settings: Settings,
}

impl IdempotencyLayer {
    /// A layer keeping its records in `store`.
    pub fn new(store: impl IdempotencyStore) -> Self {
        Self::from_arc(Arc::new(store))
    }

    /// A store shared with other layers or code.
    pub fn from_arc(store: Arc<dyn IdempotencyStore>) -> Self {
        IdempotencyLayer {
            settings: Settings {
                store,
                ttl: DEFAULT_TTL,
                lease: DEFAULT_LEASE,
                wait: DEFAULT_WAIT,
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
                stats: Arc::default(),
            },
        }
    }

    /// How long responses are replayed (24 hours).
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.settings.ttl = ttl;
        self
    }

    /// How long a claim holds without renewal (10 s): renewed every half
    /// lease while its handler runs, so this is how long the key of a
    /// process that died mid-request stays blocked, not a limit on handlers.
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self
    }

    /// How long a duplicate waits for the first before 409 (15 s; keep it
    /// longer than the lease, so an orphaned claim is taken over).
    #[must_use]
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.settings.wait = wait;
        self
    }

    /// Responses over this many bytes are not stored (1 MiB); each running
    /// claim reserves this much of its caller's byte budget.
    #[must_use]
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.settings.max_response_bytes = limit;
        self
    }

    /// The counters of this layer's requests (shared by its clones).
    pub fn stats(&self) -> Arc<IdempotencyStats> {
        Arc::clone(&self.settings.stats)
    }
}

impl<S> tower::Layer<S> for IdempotencyLayer {
    type Service = IdempotencyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        IdempotencyService {
            inner,
            settings: self.settings.clone(),
        }
    }
}

/// The service an [`IdempotencyLayer`] wraps around a router.
#[derive(Clone, Debug)]
pub struct IdempotencyService<S> {
    inner: S,
    settings: Settings,
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
        request.extensions_mut().insert(self.settings.clone());
        self.inner.call(request)
    }
}
