//! [`MemoryNonces`]: one instance's nonces, a budget per API key.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use super::{DEFAULT_NONCES_PER_KEY, NonceStore, Seen, StoreError};

/// Nonces in this process's memory, at most `per_key` unexpired ones for
/// each API key.
#[derive(Debug)]
pub struct MemoryNonces {
    keys: Mutex<HashMap<String, KeyNonces>>,
    per_key: usize,
}

/// One key's nonces, with when each expires.
#[derive(Debug, Default)]
struct KeyNonces {
    expires: HashMap<String, u64>,
    by_expiry: BTreeSet<(u64, String)>,
}

impl KeyNonces {
    /// Forget what expired by `now`.
    fn sweep(&mut self, now: u64) {
        while let Some((expires, nonce)) = self.by_expiry.first().cloned() {
            if expires > now {
                break;
            }
            self.by_expiry.remove(&(expires, nonce.clone()));
            self.expires.remove(&nonce);
        }
    }
}

impl Default for MemoryNonces {
    fn default() -> Self {
        Self::new(DEFAULT_NONCES_PER_KEY)
    }
}

impl MemoryNonces {
    /// Remember at most `per_key` unexpired nonces for each API key; past
    /// that, the key's requests are refused until some expire (failing
    /// closed, never forgetting early).
    pub fn new(per_key: usize) -> Self {
        MemoryNonces {
            keys: Mutex::new(HashMap::new()),
            per_key,
        }
    }

    /// Unexpired nonces remembered for `api_key` (expired ones included
    /// until they are swept).
    pub fn len(&self, api_key: &str) -> usize {
        let keys = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.get(api_key).map_or(0, |k| k.expires.len())
    }

    fn remember_now(&self, api_key: &str, nonce: &str, expires: u64, now: u64) -> Seen {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = keys.entry(api_key.to_owned()).or_default();
        key.sweep(now);
        if key.expires.contains_key(nonce) {
            return Seen::Replayed;
        }
        if key.expires.len() >= self.per_key {
            return Seen::OverBudget;
        }
        key.expires.insert(nonce.to_owned(), expires);
        key.by_expiry.insert((expires, nonce.to_owned()));
        Seen::Fresh
    }
}

impl NonceStore for MemoryNonces {
    fn remember<'a>(
        &'a self,
        api_key: &'a str,
        nonce: &'a str,
        expires: u64,
        now: u64,
    ) -> BoxFuture<'a, Result<Seen, StoreError>> {
        let seen = self.remember_now(api_key, nonce, expires, now);
        Box::pin(std::future::ready(Ok(seen)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_refused_twice_until_they_expire_within_each_keys_budget() {
        let store = MemoryNonces::new(2);
        let seen = |key, nonce, expires, now| store.remember_now(key, nonce, expires, now);
        assert_eq!(seen("k1", "a", 100, 50), Seen::Fresh);
        assert_eq!(seen("k1", "a", 100, 60), Seen::Replayed);
        // The same nonce from another key is another nonce.
        assert_eq!(seen("k2", "a", 100, 60), Seen::Fresh);
        assert_eq!(seen("k1", "b", 70, 60), Seen::Fresh);
        // k1 is full of unexpired nonces: it fails closed; k2 does not.
        assert_eq!(seen("k1", "c", 100, 65), Seen::OverBudget);
        assert_eq!(seen("k1", "a", 100, 65), Seen::Replayed);
        assert_eq!(seen("k2", "c", 100, 65), Seen::Fresh);
        // Once `b` expires its place is free again.
        assert_eq!(seen("k1", "c", 100, 71), Seen::Fresh);
        assert_eq!(store.len("k1"), 2);
        // An expired nonce is no longer remembered (its token is expired too).
        assert_eq!(seen("k1", "a", 200, 150), Seen::Fresh);
    }
}
