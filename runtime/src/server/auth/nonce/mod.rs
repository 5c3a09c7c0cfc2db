//! Nonces seen, for replay protection of signed requests (Fireblocks'
//! JWTs): each is remembered until its token expires, after which the token
//! is refused as expired anyway.
//!
//! Budgets are per API key: a key (leaked, or a client in a loop) can fill
//! only its own, and is refused with 429 while every other key is served.
//! Only requests whose signature verified against a registered key reach a
//! store, so the number of keys, and with it the memory held, is bounded by
//! the keys registered.
//!
//! [`MemoryNonces`] serves one instance. Instances behind a load balancer
//! share a [`RedisNonces`] (feature `redis`): a request accepted by one is
//! refused as a replay by every other.

mod memory;
#[cfg(feature = "redis")]
mod redis;

use futures_util::future::BoxFuture;

pub use memory::MemoryNonces;
#[cfg(feature = "redis")]
pub use redis::RedisNonces;

use crate::server::rejection::{Rejection, RejectionKind};
pub use crate::server::store::StoreError;

/// Unexpired nonces each API key may have remembered by default: at the
/// 55 s a token may live, about 180 signed requests a second per key,
/// sustained.
pub const DEFAULT_NONCES_PER_KEY: usize = 10_000;

/// What a store says of a nonce it was asked to remember.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// First seen: remembered now, and the request may go on.
    Fresh,
    /// Seen before, by this instance or another sharing the store: a replay.
    Replayed,
    /// This key already has its budget of unexpired nonces: refused, and
    /// not remembered.
    OverBudget,
}

/// Where nonces are remembered. `remember` must be atomic: of two requests
/// with one nonce, on any instances, exactly one is `Fresh`.
pub trait NonceStore: Send + Sync + 'static {
    /// Remember `nonce` of `api_key` until `expires` (seconds since the
    /// epoch, by the verifier's clock, which reads `now`).
    fn remember<'a>(
        &'a self,
        api_key: &'a str,
        nonce: &'a str,
        expires: u64,
        now: u64,
    ) -> BoxFuture<'a, Result<Seen, StoreError>>;
}

/// When a nonce may be forgotten, by the verifier's clock (seconds since
/// the epoch), and the longest a token lives, which is how far back a key's
/// budget of nonces reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The token's expiry (plus the verifier's leeway).
    pub expires: u64,
    /// Now, by the verifier's clock.
    pub now: u64,
    /// The verifier's longest accepted lifetime (`exp - iat`).
    pub lifetime_secs: u64,
}

/// Remember `nonce` of `api_key` in `store`, or the rejection that says
/// why not: 401 for a replay, 429 for a key over its budget, 503 for a
/// store out of reach (never let through unchecked).
pub async fn admit(
    store: &dyn NonceStore,
    api_key: &str,
    nonce: &str,
    window: Window,
) -> Result<(), Rejection> {
    match store
        .remember(api_key, nonce, window.expires, window.now)
        .await
    {
        Ok(Seen::Fresh) => Ok(()),
        Ok(Seen::Replayed) => Err(Rejection::new(
            RejectionKind::Unauthorized,
            "the JWT nonce was already used",
        )),
        Ok(Seen::OverBudget) => Err(Rejection::new(
            RejectionKind::TooManyRequests,
            format!(
                "too many signed requests from this API key in the last {} seconds \
                 to check for replays; retry later",
                window.lifetime_secs
            ),
        )),
        Err(e) => Err(Rejection::new(
            RejectionKind::Unavailable,
            format!("replays cannot be checked: {e}"),
        )),
    }
}
