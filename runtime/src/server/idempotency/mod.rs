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
//!   running after the layer's wait (15 s), 409 Conflict, as the draft says.
//!
//! Only answers worth replaying are stored: 2xx, 3xx and 4xx except 408 and
//! 429. A 5xx (and a timeout or rate limit) says "try again", so the key is
//! released and a retry runs the handler afresh. A store that fails answers
//! 503 rather than risk running the handler twice.
//!
//! # Leases
//!
//! A running request holds its key by a lease ([`DEFAULT_LEASE`], 10 s),
//! renewed every half lease while the handler runs, so a handler slower than
//! its lease still runs once: the lease only bounds how long the key of a
//! process that died mid-request stays blocked. A renewal or a completion
//! that finds the claim gone (the lease lapsed while the store was out of
//! reach for longer than a lease, or a store that lost its data) is *lost*:
//! the stores say so ([`Ownership::Lost`]), `run` logs it (target
//! `mfa_runtime::idempotency`) and counts it ([`IdempotencyStats`]), since a
//! duplicate may then have run too. Exactly once therefore holds as long as
//! the store stays reachable within a lease and keeps what it is given (a
//! Redis that restarts must persist: AOF).
//!
//! The wait is longer than the lease on purpose: a claim orphaned by a
//! crash (or by a store that recorded a claim and then failed to say so) is
//! taken over by the duplicate waiting on it when its lease lapses, instead
//! of answering that duplicate 409.
//!
//! The client's default timeout (60 s, retries included) is unrelated to
//! the lease: a call that times out while its handler still runs leaves the
//! key claimed, and a retry with the same key waits for the answer (up to
//! the layer's wait, then 409, which the client does not retry).
//!
//! # Budgets
//!
//! Each caller (the authenticated principal; every anonymous caller shares
//! one) has a budget of keys and bytes of its own ([`Limits`]): a running
//! claim counts the bytes reserved for its answer (the layer's
//! [`max_response_bytes`](IdempotencyLayer::with_max_response_bytes)), a
//! stored answer its size. A caller's new key may evict only that caller's
//! own oldest stored answers, never another caller's; a caller whose budget
//! is all running claims is refused with 429 (the client retries it) while
//! everyone else is served. A store-wide byte budget bounds the sum.

mod layer;
mod memory;
#[cfg(feature = "redis")]
mod redis;
mod response;
mod run;

use std::time::Duration;

use futures_util::future::BoxFuture;

pub use layer::{IdempotencyLayer, IdempotencyService, IdempotencyStats};
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;
pub use response::{RECORD_OVERHEAD, StoredResponse};
pub use run::{run, worth_replaying};

pub use crate::server::store::StoreError;

/// How long a response is replayed.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a claim holds without renewal: renewed every half lease while
/// its handler runs, it frees the key of a process that died mid-request
/// after this.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);
/// How long a duplicate waits for the first request before answering 409:
/// longer than the lease, so an orphaned claim is taken over, not a 409.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(15);
/// Responses larger than this are not stored (the key is released); a
/// running claim reserves this much of its caller's byte budget.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A record's place in a store: the caller whose budget it counts against
/// and the key within (both hashed by [`run`], so any bytes make safe,
/// bounded names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot<'a> {
    /// The caller whose budget the record counts against.
    pub caller: &'a str,
    /// The idempotency key.
    pub key: &'a str,
}

/// What a store says about a key being claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new and now ours; `token` proves it to `renew`,
    /// `complete` and `release`.
    Acquired {
        /// Proves the claim.
        token: String,
    },
    /// Another request with this key is running.
    InFlight {
        /// What identifies the running request.
        fingerprint: String,
    },
    /// A request with this key was answered.
    Done {
        /// What identifies the request that was answered.
        fingerprint: String,
        /// The answer, to replay.
        response: StoredResponse,
    },
    /// No room for a new claim, and nothing the store may evict for it.
    Refused(Refusal),
}

/// Why a store has no room for a new claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This caller's budget is taken by its own running claims (429 for
    /// this caller alone).
    CallerBudget,
    /// The store-wide budget is taken by many callers' records (503).
    StoreFull,
}

/// Whether a claim was still ours when the store was asked to renew,
/// complete or release it.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// It was, and the store did what was asked.
    Held,
    /// It was not (the lease lapsed, or another request holds the key now):
    /// nothing was changed.
    Lost,
}

/// Where idempotency records live. Each operation must be atomic, and a
/// store keeps each caller within its budget (see the module docs).
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claim `slot` for a request with `fingerprint` for `lease`, reserving
    /// `reserve` bytes of the caller's budget for its answer, unless the key
    /// is already claimed or answered.
    fn claim<'a>(
        &'a self,
        slot: Slot<'a>,
        fingerprint: &'a str,
        lease: Duration,
        reserve: usize,
    ) -> BoxFuture<'a, Result<Claim, StoreError>>;

    /// Extend our claim to `lease` from now.
    fn renew<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>>;

    /// Store the answer to our claim, kept for `ttl`.
    fn complete<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
        fingerprint: &'a str,
        response: &'a StoredResponse,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>>;

    /// Give up our claim (nothing worth storing), so a retry runs afresh.
    fn release<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>>;
}

/// The budgets of a store (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes all records together may hold (the in-memory store; a Redis
    /// is bounded by its own `maxmemory`, which must be `noeviction`).
    pub max_bytes: usize,
    /// Bytes one caller's records may hold: stored answers at their size,
    /// running claims at the bytes reserved for their answer.
    pub per_caller_bytes: usize,
    /// Records (running or answered) one caller may hold.
    pub per_caller_keys: usize,
}

impl Default for Limits {
    /// 256 MiB in all, 16 MiB and 10 000 keys per caller: at the default
    /// 1 MiB reserved per running claim, 16 requests in flight per caller,
    /// and at least 16 callers at their full budget before the store is.
    fn default() -> Self {
        Limits {
            max_bytes: 256 * 1024 * 1024,
            per_caller_bytes: 16 * 1024 * 1024,
            per_caller_keys: 10_000,
        }
    }
}
