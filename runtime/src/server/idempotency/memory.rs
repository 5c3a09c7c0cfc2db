//! The default store: this process's memory, within byte and key budgets
//! per caller and a byte budget in all. Keys are not shared between
//! instances and do not survive a restart; use `RedisStore` (feature
//! `redis`) for that.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

use super::{
    Claim, IdempotencyStore, Limits, Ownership, RECORD_OVERHEAD, Refusal, Slot, StoreError,
    StoredResponse,
};

/// An in-memory [`IdempotencyStore`] within [`Limits`]: a caller's new key
/// evicts that caller's own oldest answers, never anyone else's; a caller
/// whose budget is all running claims is refused (429) while others are
/// served; when the whole store is full of live records, new keys are
/// refused (503) rather than forget one.
#[derive(Debug)]
pub struct MemoryStore {
    state: Mutex<State>,
    limits: Limits,
}

/// Records by [`id`]: caller and key together.
#[derive(Debug, Default)]
struct State {
    records: HashMap<String, Record>,
    callers: HashMap<String, Usage>,
    bytes: usize,
}

#[derive(Debug)]
struct Record {
    caller: String,
    fingerprint: String,
    answer: Option<StoredResponse>,
    /// The claim's token: of the request running, then of the one that
    /// answered (a completion retried is recognised).
    token: String,
    expires: Instant,
    bytes: usize,
}

/// One caller's records, by expiry (the first answered one is the first to
/// go when the caller needs room).
#[derive(Debug, Default)]
struct Usage {
    bytes: usize,
    by_expiry: BTreeSet<(Instant, String)>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_limits(Limits::default())
    }
}

impl MemoryStore {
    /// A store with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A store with `limits`.
    pub fn with_limits(limits: Limits) -> Self {
        MemoryStore {
            state: Mutex::new(State::default()),
            limits,
        }
    }

    /// Records held, expired ones included until they are swept.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// Whether the store holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by all records (running claims at their reservation).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn claim_now(
        &self,
        slot: Slot<'_>,
        fingerprint: &str,
        lease: Duration,
        reserve: usize,
    ) -> Claim {
        let now = Instant::now();
        let id = id(slot);
        let mut state = self.lock();
        if let Some(record) = state.records.get(&id).filter(|r| r.expires > now) {
            return match &record.answer {
                None => Claim::InFlight {
                    fingerprint: record.fingerprint.clone(),
                },
                Some(response) => Claim::Done {
                    fingerprint: record.fingerprint.clone(),
                    response: response.clone(),
                },
            };
        }
        state.remove(&id);
        let need = reserve.max(RECORD_OVERHEAD);
        if let Err(refusal) = state.make_room(slot.caller, need, now, &self.limits) {
            return Claim::Refused(refusal);
        }
        let token = uuid::Uuid::new_v4().to_string();
        state.insert(
            id,
            Record {
                caller: slot.caller.to_owned(),
                fingerprint: fingerprint.to_owned(),
                answer: None,
                token: token.clone(),
                expires: now + lease,
                bytes: need,
            },
        );
        Claim::Acquired { token }
    }

    /// Whether `slot` holds an answer stored by the claim `token`.
    fn answered_by(&self, slot: Slot<'_>, token: &str) -> bool {
        let state = self.lock();
        state
            .records
            .get(&id(slot))
            .is_some_and(|r| r.token == token && r.answer.is_some() && r.expires > Instant::now())
    }

    /// Apply `change` to our live claim on `slot`; `Lost` when it is not ours
    /// (answered, released, taken by another request, or its lease lapsed).
    fn if_held(
        &self,
        slot: Slot<'_>,
        token: &str,
        change: impl FnOnce(&mut State, &str),
    ) -> Ownership {
        let id = id(slot);
        let mut state = self.lock();
        let held = state
            .records
            .get(&id)
            .is_some_and(|r| r.token == token && r.answer.is_none() && r.expires > Instant::now());
        if !held {
            return Ownership::Lost;
        }
        change(&mut state, &id);
        Ownership::Held
    }
}

impl State {
    fn insert(&mut self, id: String, record: Record) {
        let usage = self.callers.entry(record.caller.clone()).or_default();
        usage.bytes += record.bytes;
        usage.by_expiry.insert((record.expires, id.clone()));
        self.bytes += record.bytes;
        self.records.insert(id, record);
    }

    fn remove(&mut self, key: &str) -> Option<Record> {
        let record = self.records.remove(key)?;
        self.bytes -= record.bytes;
        if let Some(usage) = self.callers.get_mut(&record.caller) {
            usage.bytes -= record.bytes;
            usage.by_expiry.remove(&(record.expires, key.to_owned()));
            if usage.by_expiry.is_empty() {
                self.callers.remove(&record.caller);
            }
        }
        Some(record)
    }

    /// Change a record's size or expiry, keeping the budgets in step.
    fn update(&mut self, id: &str, bytes: usize, expires: Instant) {
        if let Some(mut record) = self.remove(id) {
            record.bytes = bytes;
            record.expires = expires;
            self.insert(id.to_owned(), record);
        }
    }

    /// Drop `caller`'s expired records.
    fn sweep(&mut self, caller: &str, now: Instant) {
        while let Some((expires, key)) = self
            .callers
            .get(caller)
            .and_then(|u| u.by_expiry.first().cloned())
        {
            if expires > now {
                break;
            }
            self.remove(&key);
        }
    }

    /// Room for `need` more bytes and one more key of `caller`'s: its
    /// expired records go first, then its own answered records, oldest
    /// first; other callers' records only when expired.
    fn make_room(
        &mut self,
        caller: &str,
        need: usize,
        now: Instant,
        limits: &Limits,
    ) -> Result<(), Refusal> {
        self.sweep(caller, now);
        loop {
            let (keys, bytes) = self
                .callers
                .get(caller)
                .map_or((0, 0), |u| (u.by_expiry.len(), u.bytes));
            if keys < limits.per_caller_keys && bytes + need <= limits.per_caller_bytes {
                break;
            }
            let oldest_answer = self.callers.get(caller).and_then(|u| {
                u.by_expiry
                    .iter()
                    .find(|(_, key)| self.records.get(key).is_some_and(|r| r.answer.is_some()))
                    .map(|(_, key)| key.clone())
            });
            match oldest_answer {
                Some(key) => {
                    self.remove(&key);
                }
                None => return Err(Refusal::CallerBudget),
            }
        }
        if self.bytes + need > limits.max_bytes {
            let callers: Vec<String> = self.callers.keys().cloned().collect();
            for other in callers {
                self.sweep(&other, now);
            }
        }
        if self.bytes + need > limits.max_bytes {
            return Err(Refusal::StoreFull);
        }
        Ok(())
    }
}

/// A record's name: its caller and key, neither able to pass for the other.
fn id(slot: Slot<'_>) -> String {
    format!("{}:{}{}", slot.caller.len(), slot.caller, slot.key)
}

impl IdempotencyStore for MemoryStore {
    fn claim<'a>(
        &'a self,
        slot: Slot<'a>,
        fingerprint: &'a str,
        lease: Duration,
        reserve: usize,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        let claim = self.claim_now(slot, fingerprint, lease, reserve);
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn renew<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>> {
        let renewed = self.if_held(slot, token, |state, id| {
            let bytes = state.records[id].bytes;
            state.update(id, bytes, Instant::now() + lease);
        });
        Box::pin(std::future::ready(Ok(renewed)))
    }

    fn complete<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
        _fingerprint: &'a str,
        response: &'a StoredResponse,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>> {
        if self.answered_by(slot, token) {
            // Completed already by this claim: the same answer, asked twice.
            return Box::pin(std::future::ready(Ok(Ownership::Held)));
        }
        let completed = self.if_held(slot, token, |state, id| {
            if let Some(record) = state.records.get_mut(id) {
                record.answer = Some(response.clone());
            }
            // The reservation becomes the answer's real size.
            state.update(id, response.size(), Instant::now() + ttl);
        });
        Box::pin(std::future::ready(Ok(completed)))
    }

    fn release<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>> {
        let released = self.if_held(slot, token, |state, id| {
            state.remove(id);
        });
        Box::pin(std::future::ready(Ok(released)))
    }
}

#[cfg(test)]
mod tests;
