//! Hand-written support for the generated MFA API crate.
//!
//! Generated code stays declarative (types, one method per operation, one
//! trait per spec); everything that is the same for every operation lives
//! here, where it is tested directly. Shared by both halves: a parameter's
//! text ([`param`]), query strings in OpenAPI's styles ([`query`]), objects
//! as form pairs and multipart bodies ([`form`]) and the spec's security
//! schemes ([`security`]). The client (feature `client`): `client` and the
//! credentials it sends (`credentials`). The server (feature `server`):
//! `server`, laid out as axum is (routing, extract, response, rejection,
//! serve, and the auth and idempotency layers). Fireblocks' request signing
//! and verification (feature `fireblocks`): `fireblocks`. What every
//! generated test double is made of (feature `testing`): `testing`.
//!
//! What both halves know about an operation (its id, method, path template,
//! security, idempotency key and response types) is [`Operation`], which
//! generated code implements once per operation; the client's call and the
//! server's handler are written here, once, generically over it.
//!
//! Modules are layered, each using only those listed before it: `param`,
//! `enums`, `nullable`, `form`, `query`, `security`, `operation`,
//! `fireblocks`, then `credentials` and `client`, or `server` and then
//! `testing`. `tests/layout.rs` checks that no two import each other.
#![warn(clippy::return_self_not_must_use)]
// Users read this crate through the generated one: everything it offers is
// documented.
#![warn(missing_docs)]

#[cfg(any(feature = "client", feature = "server"))]
mod chunks;
pub mod enums;
pub mod form;
pub mod nullable;
pub mod operation;
pub mod param;
pub mod query;
pub mod security;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod credentials;
#[cfg(feature = "fireblocks")]
pub mod fireblocks;

#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "testing")]
pub mod testing;

// Re-exported so generated code names one dependency for the HTTP stack and
// users get exactly the versions it was built with.
#[cfg(feature = "server")]
pub use axum;
pub use bytes;
pub use http;
#[cfg(feature = "client")]
pub use reqwest;
pub use serde_json;

pub use nullable::optional;
pub use operation::{
    AdjacentParams, HasStatus, Operation, Requirement, Security, SegmentPrefixes, status_code,
};
