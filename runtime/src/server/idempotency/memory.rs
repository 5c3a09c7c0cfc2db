//! The default store: this process's memory, bounded and expiring. Keys are
//! not shared between instances and do not survive a restart; use
//! `RedisStore` (feature `redis`) for that.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

use super::{Claim, IdempotencyStore, StoreError, StoredResponse};

/// Keys remembered by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// An in-memory [`IdempotencyStore`] of at most `capacity` keys. When full,
/// expired records go first, then the answered record closest to expiry; a
/// store full of running requests refuses new keys (503) rather than forget
/// one that is running.
#[derive(Debug)]
pub struct MemoryStore {
    records: Mutex<HashMap<String, Record>>,
    capacity: usize,
}

#[derive(Debug)]
struct Record {
    fingerprint: String,
    state: State,
    expires: Instant,
}

#[derive(Debug)]
enum State {
    Running { token: String },
    Done(StoredResponse),
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl MemoryStore {
    pub fn new(capacity: usize) -> Self {
        MemoryStore {
            records: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Records held, expired ones included until they are swept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Record>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn claim_now(
        &self,
        key: &str,
        fingerprint: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let now = Instant::now();
        let mut records = self.lock();
        if let Some(record) = records.get(key).filter(|r| r.expires > now) {
            return Ok(match &record.state {
                State::Running { .. } => Claim::InFlight {
                    fingerprint: record.fingerprint.clone(),
                },
                State::Done(response) => Claim::Done {
                    fingerprint: record.fingerprint.clone(),
                    response: response.clone(),
                },
            });
        }
        records.remove(key);
        if records.len() >= self.capacity {
            records.retain(|_, r| r.expires > now);
        }
        if records.len() >= self.capacity {
            let oldest = records
                .iter()
                .filter(|(_, r)| matches!(r.state, State::Done(_)))
                .min_by_key(|(_, r)| r.expires)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(oldest) => {
                    records.remove(&oldest);
                }
                None => return Err(StoreError("full of requests still running".into())),
            }
        }
        let token = uuid::Uuid::new_v4().to_string();
        records.insert(
            key.to_owned(),
            Record {
                fingerprint: fingerprint.to_owned(),
                state: State::Running {
                    token: token.clone(),
                },
                expires: now + lease,
            },
        );
        Ok(Claim::Acquired { token })
    }

    /// Whether `key` is still ours to finish.
    fn owned<'a>(
        records: &'a mut HashMap<String, Record>,
        key: &str,
        token: &str,
    ) -> Option<&'a mut Record> {
        records
            .get_mut(key)
            .filter(|r| matches!(&r.state, State::Running { token: t } if t == token))
    }
}

impl IdempotencyStore for MemoryStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(std::future::ready(self.claim_now(key, fingerprint, lease)))
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        _fingerprint: &'a str,
        response: &'a StoredResponse,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut records = self.lock();
        if let Some(record) = Self::owned(&mut records, key, token) {
            record.state = State::Done(response.clone());
            record.expires = Instant::now() + ttl;
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut records = self.lock();
        if Self::owned(&mut records, key, token).is_some() {
            records.remove(key);
        }
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(60);
    const TTL: Duration = Duration::from_secs(24 * 3600);

    fn response(body: &str) -> StoredResponse {
        StoredResponse {
            status: 200,
            headers: vec![("content-type".into(), b"text/plain".to_vec())],
            body: body.as_bytes().to_vec(),
        }
    }

    async fn acquire(store: &MemoryStore, key: &str) -> String {
        match store.claim(key, "fp", LEASE).await.unwrap() {
            Claim::Acquired { token } => token,
            other => panic!("{key}: {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_key_is_claimed_once_answered_then_expires() {
        let store = MemoryStore::default();
        let token = acquire(&store, "k").await;
        assert_eq!(
            store.claim("k", "fp", LEASE).await.unwrap(),
            Claim::InFlight {
                fingerprint: "fp".into()
            }
        );
        // Only the owner's token completes it.
        store
            .complete("k", "not-the-token", "fp", &response("no"), TTL)
            .await
            .unwrap();
        store
            .complete("k", &token, "fp", &response("yes"), TTL)
            .await
            .unwrap();
        let done = Claim::Done {
            fingerprint: "fp".into(),
            response: response("yes"),
        };
        assert_eq!(store.claim("k", "other", LEASE).await.unwrap(), done);
        tokio::time::advance(TTL - Duration::from_secs(1)).await;
        assert_eq!(store.claim("k", "fp", LEASE).await.unwrap(), done);
        tokio::time::advance(Duration::from_secs(2)).await;
        acquire(&store, "k").await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_released_or_abandoned_claim_frees_its_key() {
        let store = MemoryStore::default();
        let token = acquire(&store, "k").await;
        store.release("k", "someone-else").await.unwrap();
        assert!(matches!(
            store.claim("k", "fp", LEASE).await.unwrap(),
            Claim::InFlight { .. }
        ));
        store.release("k", &token).await.unwrap();
        acquire(&store, "k").await;
        // A claim whose process never finished frees itself after the lease.
        tokio::time::advance(LEASE).await;
        acquire(&store, "k").await;
    }

    #[tokio::test(start_paused = true)]
    async fn the_store_is_bounded_and_never_evicts_a_running_request() {
        let store = MemoryStore::new(2);
        let a = acquire(&store, "a").await;
        store
            .complete("a", &a, "fp", &response("a"), TTL)
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(1)).await;
        let b = acquire(&store, "b").await;
        store
            .complete("b", &b, "fp", &response("b"), TTL)
            .await
            .unwrap();
        // Full: `a` is answered and closest to expiry, so it goes.
        let _c = acquire(&store, "c").await;
        assert_eq!(store.len(), 2);
        // `a` is new again; `b`, answered, makes room for it.
        acquire(&store, "a").await;
        assert_eq!(store.len(), 2);
        // Now `a` and `c` are running: a new key is refused, not evicting them.
        assert!(store.claim("b", "fp", LEASE).await.is_err());
        // Expired records make room.
        tokio::time::advance(LEASE).await;
        acquire(&store, "b").await;
        assert_eq!(store.len(), 1);
    }
}
