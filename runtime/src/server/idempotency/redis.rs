//! A Redis store, for services on several machines or that restart: each
//! key is one string holding a JSON record, claimed atomically with
//! `SET NX PX` and finished or released by a script that checks the claim is
//! still ours.

use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use super::{Claim, IdempotencyStore, StoreError, StoredResponse};

/// An [`IdempotencyStore`] in Redis. Cheap to clone (one multiplexed,
/// reconnecting connection).
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisStore")
    }
}

#[derive(Serialize, Deserialize)]
struct Record {
    fingerprint: String,
    /// Set while the first request runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<StoredResponse>,
}

/// Replace the record with ARGV[2] for ARGV[3] ms (or delete it when ARGV[2]
/// is empty) only if it is still claimed with token ARGV[1].
const FINISH: &str = r#"
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or record.token ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
"#;

fn store_error(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisStore {
    /// Connect to `url` (`redis://host:port/db`).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(store_error)?;
        let connection = client.get_connection_manager().await.map_err(store_error)?;
        Ok(RedisStore { connection })
    }

    async fn claim_now(
        &self,
        key: &str,
        fingerprint: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let mut connection = self.connection.clone();
        let token = uuid::Uuid::new_v4().to_string();
        let record = serde_json::to_string(&Record {
            fingerprint: fingerprint.to_owned(),
            token: Some(token.clone()),
            response: None,
        })
        .map_err(store_error)?;
        // The record can expire between SET and GET: then claim again.
        for _ in 0..3 {
            let set: Option<String> = redis::cmd("SET")
                .arg(key)
                .arg(&record)
                .arg("NX")
                .arg("PX")
                .arg(millis(lease))
                .query_async(&mut connection)
                .await
                .map_err(store_error)?;
            if set.is_some() {
                return Ok(Claim::Acquired { token });
            }
            let existing: Option<String> = redis::cmd("GET")
                .arg(key)
                .query_async(&mut connection)
                .await
                .map_err(store_error)?;
            let Some(existing) = existing else { continue };
            let existing: Record = serde_json::from_str(&existing)
                .map_err(|e| store_error(format!("unreadable record: {e}")))?;
            return Ok(match existing.response {
                Some(response) => Claim::Done {
                    fingerprint: existing.fingerprint,
                    response,
                },
                None => Claim::InFlight {
                    fingerprint: existing.fingerprint,
                },
            });
        }
        Err(StoreError(
            "the key kept expiring while being claimed".into(),
        ))
    }

    async fn finish(
        &self,
        key: &str,
        token: &str,
        record: &str,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        redis::Script::new(FINISH)
            .key(key)
            .arg(token)
            .arg(record)
            .arg(millis(ttl))
            .invoke_async::<i64>(&mut connection)
            .await
            .map(|_| ())
            .map_err(store_error)
    }
}

impl IdempotencyStore for RedisStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(self.claim_now(key, fingerprint, lease))
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        fingerprint: &'a str,
        response: &'a StoredResponse,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let record = serde_json::to_string(&Record {
                fingerprint: fingerprint.to_owned(),
                token: None,
                response: Some(response.clone()),
            })
            .map_err(store_error)?;
            self.finish(key, token, &record, ttl).await
        })
    }

    fn release<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.finish(key, token, "", Duration::from_millis(1)))
    }
}
