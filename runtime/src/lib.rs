//! Hand-written support for the generated MFA API crate.
//!
//! Generated code stays declarative (types, one method per operation, one
//! trait per spec); everything that is the same for every operation lives
//! here, where it is tested directly: parameter encoding ([`param`], and
//! [`form`] for objects in a query and form bodies), the
//! client's request and error handling ([`client`]), and the server's routing,
//! request reading and response writing ([`routing`], [`server`]), and
//! Fireblocks' request signing ([`fireblocks`]).

#[cfg(any(feature = "client", feature = "server"))]
mod chunks;
pub mod form;
pub mod param;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod credentials;
#[cfg(feature = "fireblocks")]
pub mod fireblocks;

pub mod routing;
#[cfg(feature = "server")]
pub mod serve;
#[cfg(feature = "server")]
pub mod server;

// Re-exported so generated code names one dependency for the HTTP stack and
// users get exactly the versions it was built with.
#[cfg(feature = "server")]
pub use axum;
pub use bytes;
pub use http;
#[cfg(feature = "client")]
pub use reqwest;
pub use serde_json;

/// Generated response and error enums know the status code they stand for.
pub trait HasStatus {
    fn status(&self) -> http::StatusCode;
}
