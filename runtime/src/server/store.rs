//! What the server's stores (idempotency records, Fireblocks nonces) have
//! in common: the error a store that could not answer returns.

use std::fmt;

/// A store failed (connection lost, unreadable record): the request it
/// guards is refused with 503 rather than let through unguarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl StoreError {
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
