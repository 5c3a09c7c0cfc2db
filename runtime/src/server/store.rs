//! What the server's stores (idempotency records, Fireblocks nonces) have
//! in common: the error a store that could not answer returns.

use std::fmt;

/// A store failed (connection lost, unreadable record): the request it
/// guards is refused with 503 rather than let through unguarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl StoreError {
    /// An error saying `message`.
    pub fn new(message: impl fmt::Display) -> Self {
        StoreError(message.to_string())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// A Redis connection for a store: multiplexed, reconnecting by itself
/// after a failure (from 10 ms, doubling, at most 500 ms apart), and with
/// limits so a Redis that stops answering fails a request with 503 rather
/// than hold it: 1 s to connect, 2 s for a reply.
#[cfg(feature = "redis")]
pub(crate) async fn redis_connection(
    url: &str,
) -> Result<redis::aio::ConnectionManager, StoreError> {
    use std::time::Duration;
    let client = redis::Client::open(url).map_err(StoreError::new)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_factor(10)
        .set_exponent_base(2)
        .set_max_delay(500)
        .set_number_of_retries(8)
        .set_connection_timeout(Duration::from_secs(1))
        .set_response_timeout(Duration::from_secs(2));
    client
        .get_connection_manager_with_config(config)
        .await
        .map_err(StoreError::new)
}
