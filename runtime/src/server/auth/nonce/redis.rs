//! [`RedisNonces`]: nonces shared by every instance behind a load balancer.
//!
//! Per API key, under one hash tag (one cluster slot): `…:{<key>}:n:<nonce>`,
//! set with `SET NX PX` until the token expires (the replay guard), and
//! `…:{<key>}:all`, the key's nonces by expiry (its budget). One Lua script
//! sweeps the expired, checks both and records the nonce, atomically.

use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;

use super::{DEFAULT_NONCES_PER_KEY, NonceStore, Seen, StoreError};
use crate::server::store::redis_connection;

/// KEYS: the nonce's guard, the key's set. ARGV: nonce, expires (ms since
/// the epoch), now (ms), budget.
const REMEMBER: &str = r#"
local guard, all = KEYS[1], KEYS[2]
local nonce, expires, now, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', all, '-inf', now)
if redis.call('EXISTS', guard) == 1 then return 'replayed' end
if redis.call('ZCARD', all) >= budget then return 'over_budget' end
redis.call('SET', guard, '1', 'NX', 'PX', math.max(expires - now, 1))
redis.call('ZADD', all, expires, nonce)
local last = redis.call('ZRANGE', all, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', all, math.max(tonumber(last[2]) - now, 1))
return 'fresh'
"#;

/// Where keys live unless [`RedisNonces::with_namespace`] says otherwise.
pub const DEFAULT_NAMESPACE: &str = "mfa-nonce";

/// A [`NonceStore`] in Redis, at most `per_key` unexpired nonces per API
/// key. Cheap to clone (one multiplexed connection that reconnects by
/// itself). Redis must run with `maxmemory-policy noeviction`: a Redis that
/// evicted a nonce would let its replay through.
#[derive(Clone)]
pub struct RedisNonces {
    connection: ConnectionManager,
    per_key: usize,
    namespace: String,
}

impl std::fmt::Debug for RedisNonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisNonces")
            .field("namespace", &self.namespace)
            .field("per_key", &self.per_key)
            .finish_non_exhaustive()
    }
}

fn script() -> &'static redis::Script {
    static SCRIPT: std::sync::OnceLock<redis::Script> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| redis::Script::new(REMEMBER))
}

impl RedisNonces {
    /// Connect to `url` (`redis://host:port/db`), with the default budget
    /// per key.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let connection = redis_connection(url).await?;
        Ok(RedisNonces {
            connection,
            per_key: DEFAULT_NONCES_PER_KEY,
            namespace: DEFAULT_NAMESPACE.to_owned(),
        })
    }

    /// At most `per_key` unexpired nonces per API key.
    #[must_use]
    pub fn with_nonces_per_key(mut self, per_key: usize) -> Self {
        self.per_key = per_key;
        self
    }

    /// Keep this store's keys under `namespace` (default `mfa-nonce`).
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }
}

impl NonceStore for RedisNonces {
    fn remember<'a>(
        &'a self,
        api_key: &'a str,
        nonce: &'a str,
        expires: u64,
        now: u64,
    ) -> BoxFuture<'a, Result<Seen, StoreError>> {
        Box::pin(async move {
            // Key and nonce are the caller's text: hex keeps any bytes a
            // plain, bounded part of a key name.
            let base = format!("{}:{{{}}}:", self.namespace, hex::encode(api_key));
            let mut connection = self.connection.clone();
            let seen: String = script()
                .key(format!("{base}n:{}", hex::encode(nonce)))
                .key(format!("{base}all"))
                .arg(nonce)
                .arg(expires.saturating_mul(1000))
                .arg(now.saturating_mul(1000))
                .arg(self.per_key)
                .invoke_async(&mut connection)
                .await
                .map_err(StoreError::new)?;
            match seen.as_str() {
                "fresh" => Ok(Seen::Fresh),
                "replayed" => Ok(Seen::Replayed),
                "over_budget" => Ok(Seen::OverBudget),
                other => Err(StoreError::new(format!(
                    "unexpected reply to a nonce: {other}"
                ))),
            }
        })
    }
}
