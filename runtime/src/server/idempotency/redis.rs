//! A Redis store, for services on several machines or that restart.
//!
//! Each caller's records live under one hash tag, `mfa-idem:{<caller>}:`
//! (the namespace `mfa-idem` can be changed),
//! so every script touches keys of one cluster slot:
//!
//! - `…:rec:<key>`: the record, JSON, expiring with its lease or TTL;
//! - `…:running` and `…:answered`: the caller's keys by expiry (ms, Redis's
//!   clock), the second ordered oldest answer first for eviction;
//! - `…:size`: each key's bytes; `…:bytes`: their sum.
//!
//! Claiming, renewing, completing and releasing are each one Lua script, so
//! the budget checks and the token checks are atomic with what they guard.
//! Redis itself must keep what it is given: `maxmemory-policy noeviction`
//! (the budgets here bound each caller; Redis's `maxmemory` bounds them all,
//! and a Redis that evicted would forget claims) and, for exactly once
//! across a restart, persistence (AOF).

use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use crate::server::store::redis_connection;

use super::{
    Claim, IdempotencyStore, Limits, Ownership, RECORD_OVERHEAD, Refusal, Slot, StoreError,
    StoredResponse,
};

/// An [`IdempotencyStore`] in Redis, with per-caller budgets ([`Limits`];
/// `max_bytes` is left to Redis's `maxmemory`). Cheap to clone (one
/// multiplexed connection that reconnects by itself).
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    limits: Limits,
    namespace: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("namespace", &self.namespace)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Record {
    fingerprint: String,
    /// The claim's token: of the request running, then of the one that
    /// answered (so a completion retried after a lost reply is recognised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<StoredResponse>,
}

/// Shared by every script: the clock, forgetting one key's bookkeeping,
/// sweeping expired keys, and keeping the bookkeeping alive as long as its
/// longest-lived key. KEYS: running, answered, size, bytes. ARGV[1]: the
/// record key prefix.
const COMMON: &str = r#"
local running, answered, sizes, total = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prefix = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function forget(member)
  local size = tonumber(redis.call('HGET', sizes, member) or '0')
  redis.call('HDEL', sizes, member)
  redis.call('ZREM', running, member)
  redis.call('ZREM', answered, member)
  if size > 0 then redis.call('DECRBY', total, size) end
end
local function sweep()
  for _, set in ipairs({running, answered}) do
    for _, member in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', now)) do
      forget(member)
    end
  end
end
local function keep_alive()
  local last = now
  for _, set in ipairs({running, answered}) do
    local top = redis.call('ZRANGE', set, -1, -1, 'WITHSCORES')
    if top[2] and tonumber(top[2]) > last then last = tonumber(top[2]) end
  end
  for _, key in ipairs({running, answered, sizes, total}) do
    redis.call('PEXPIREAT', key, last + 1000)
  end
end
-- 'running' while `token`'s request runs, 'answered' once it answered,
-- false when the key is not `token`'s (expired, released, taken).
local function holds(record_key, token)
  local current = redis.call('GET', record_key)
  if not current then return false end
  local ok, record = pcall(cjson.decode, current)
  if not ok or record.token ~= token then return false end
  if record.response then return 'answered' end
  return 'running'
end
"#;

/// KEYS[5]: the record. ARGV: prefix, member, record JSON, lease ms, bytes
/// to reserve, per-caller keys, per-caller bytes. Returns `{'exists',
/// record}`, `{'acquired'}` or `{'refused'}`.
const CLAIM: &str = r#"
local member, record, lease, need = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local max_keys, max_bytes = tonumber(ARGV[6]), tonumber(ARGV[7])
local existing = redis.call('GET', KEYS[5])
if existing then return {'exists', existing} end
forget(member)
sweep()
while true do
  local keys = redis.call('ZCARD', running) + redis.call('ZCARD', answered)
  local used = tonumber(redis.call('GET', total) or '0')
  if keys < max_keys and used + need <= max_bytes then break end
  local oldest = redis.call('ZRANGE', answered, 0, 0)
  if #oldest == 0 then return {'refused'} end
  redis.call('DEL', prefix .. oldest[1])
  forget(oldest[1])
end
redis.call('SET', KEYS[5], record, 'PX', lease)
redis.call('ZADD', running, now + lease, member)
redis.call('HSET', sizes, member, need)
redis.call('INCRBY', total, need)
keep_alive()
return {'acquired'}
"#;

/// KEYS[5]: the record. ARGV: prefix, member, token, lease ms.
const RENEW: &str = r#"
local member, token, lease = ARGV[2], ARGV[3], tonumber(ARGV[4])
if holds(KEYS[5], token) ~= 'running' then return 0 end
redis.call('PEXPIRE', KEYS[5], lease)
redis.call('ZADD', running, 'XX', now + lease, member)
keep_alive()
return 1
"#;

/// KEYS[5]: the record. ARGV: prefix, member, token, answered record JSON,
/// TTL ms, its bytes.
const COMPLETE: &str = r#"
local member, token, record, ttl, bytes = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local held = holds(KEYS[5], token)
-- Answered by this very claim: a retry whose first reply was lost.
if held == 'answered' then return 1 end
if held ~= 'running' then return 0 end
redis.call('SET', KEYS[5], record, 'PX', ttl)
local reserved = tonumber(redis.call('HGET', sizes, member) or '0')
redis.call('ZREM', running, member)
redis.call('ZADD', answered, now + ttl, member)
redis.call('HSET', sizes, member, bytes)
redis.call('INCRBY', total, bytes - reserved)
keep_alive()
return 1
"#;

/// KEYS[5]: the record. ARGV: prefix, member, token.
const RELEASE: &str = r#"
local member, token = ARGV[2], ARGV[3]
if holds(KEYS[5], token) ~= 'running' then return 0 end
redis.call('DEL', KEYS[5])
forget(member)
keep_alive()
return 1
"#;

/// Where keys live unless [`RedisStore::with_namespace`] says otherwise.
pub const DEFAULT_NAMESPACE: &str = "mfa-idem";

fn store_error(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// The scripts, compiled once (redis-rs sends each by its hash and loads it
/// again when Redis has forgotten it, after a restart).
struct Scripts {
    claim: redis::Script,
    renew: redis::Script,
    complete: redis::Script,
    release: redis::Script,
}

fn scripts() -> &'static Scripts {
    static SCRIPTS: std::sync::OnceLock<Scripts> = std::sync::OnceLock::new();
    SCRIPTS.get_or_init(|| {
        let script = |body: &str| redis::Script::new(&format!("{COMMON}{body}"));
        Scripts {
            claim: script(CLAIM),
            renew: script(RENEW),
            complete: script(COMPLETE),
            release: script(RELEASE),
        }
    })
}

impl RedisStore {
    /// Connect to `url` (`redis://host:port/db`), with the default
    /// [`Limits`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let connection = redis_connection(url).await?;
        Ok(RedisStore {
            connection,
            limits: Limits::default(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
        })
    }

    /// Keep this store's keys under `namespace` (default `mfa-idem`), for
    /// services (or tests) that share one Redis but not their keys.
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The per-caller budgets to keep (`max_bytes` is Redis's `maxmemory`).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// A script invocation for `slot`, its keys and first two arguments
    /// (the record key prefix and the member) in place.
    fn invocation<'s>(
        &self,
        script: &'s redis::Script,
        slot: Slot<'_>,
    ) -> redis::ScriptInvocation<'s> {
        let base = format!("{}:{{{}}}:", self.namespace, slot.caller);
        let prefix = format!("{base}rec:");
        let mut invocation = script.prepare_invoke();
        invocation
            .key(format!("{base}running"))
            .key(format!("{base}answered"))
            .key(format!("{base}size"))
            .key(format!("{base}bytes"))
            .key(format!("{prefix}{}", slot.key))
            .arg(prefix)
            .arg(slot.key);
        invocation
    }

    async fn ownership(
        &self,
        invocation: redis::ScriptInvocation<'_>,
    ) -> Result<Ownership, StoreError> {
        let mut connection = self.connection.clone();
        let held: i64 = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(store_error)?;
        Ok(match held {
            1 => Ownership::Held,
            _ => Ownership::Lost,
        })
    }

    async fn claim_now(
        &self,
        slot: Slot<'_>,
        fingerprint: &str,
        lease: Duration,
        reserve: usize,
    ) -> Result<Claim, StoreError> {
        let token = uuid::Uuid::new_v4().to_string();
        let record = serde_json::to_string(&Record {
            fingerprint: fingerprint.to_owned(),
            token: Some(token.clone()),
            response: None,
        })
        .map_err(store_error)?;
        let mut invocation = self.invocation(&scripts().claim, slot);
        invocation
            .arg(record)
            .arg(millis(lease))
            .arg(reserve.max(RECORD_OVERHEAD))
            .arg(self.limits.per_caller_keys)
            .arg(self.limits.per_caller_bytes);
        let mut connection = self.connection.clone();
        let reply: Vec<String> = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(store_error)?;
        match reply.first().map(String::as_str) {
            Some("acquired") => Ok(Claim::Acquired { token }),
            Some("refused") => Ok(Claim::Refused(Refusal::CallerBudget)),
            Some("exists") => {
                let existing = reply.get(1).map_or("", String::as_str);
                let existing: Record = serde_json::from_str(existing)
                    .map_err(|e| store_error(format!("unreadable record: {e}")))?;
                Ok(match existing.response {
                    Some(response) => Claim::Done {
                        fingerprint: existing.fingerprint,
                        response,
                    },
                    None => Claim::InFlight {
                        fingerprint: existing.fingerprint,
                    },
                })
            }
            other => Err(store_error(format!(
                "unexpected reply to a claim: {other:?}"
            ))),
        }
    }
}

impl IdempotencyStore for RedisStore {
    fn claim<'a>(
        &'a self,
        slot: Slot<'a>,
        fingerprint: &'a str,
        lease: Duration,
        reserve: usize,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(self.claim_now(slot, fingerprint, lease, reserve))
    }

    fn renew<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>> {
        Box::pin(async move {
            let mut invocation = self.invocation(&scripts().renew, slot);
            invocation.arg(token).arg(millis(lease));
            self.ownership(invocation).await
        })
    }

    fn complete<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
        fingerprint: &'a str,
        response: &'a StoredResponse,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>> {
        Box::pin(async move {
            let record = serde_json::to_string(&Record {
                fingerprint: fingerprint.to_owned(),
                token: Some(token.to_owned()),
                response: Some(response.clone()),
            })
            .map_err(store_error)?;
            let mut invocation = self.invocation(&scripts().complete, slot);
            invocation
                .arg(token)
                .arg(record)
                .arg(millis(ttl))
                .arg(response.size());
            self.ownership(invocation).await
        })
    }

    fn release<'a>(
        &'a self,
        slot: Slot<'a>,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Ownership, StoreError>> {
        Box::pin(async move {
            let mut invocation = self.invocation(&scripts().release, slot);
            invocation.arg(token);
            self.ownership(invocation).await
        })
    }
}
