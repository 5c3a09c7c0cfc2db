//! The server half, laid out as axum is: what every generated router shares.
//!
//! - [`routing`]: the route table a generated server declares and the axum
//!   router that dispatches it ([`Routes`]);
//! - [`endpoint`]: serving one operation, the same for every operation
//!   ([`Endpoint`], [`serve`](endpoint::serve));
//! - [`extract`]: a request read whole, within size and time limits, into
//!   typed parameters and bodies ([`Incoming`]);
//! - [`response`]: a typed response written back ([`ResponseBuilder`]);
//! - [`rejection`]: why a request was refused before it reached the
//!   implementation ([`Rejection`]);
//! - [`auth`] and [`idempotency`]: the layers in front of a router, and
//!   [`store`], what their stores share;
//! - [`serve`](mod@serve): serving a router with header and body timeouts.
//!
//! `serve` lives here rather than beside `server` at the crate root: in axum,
//! where everything is a server, `axum::serve` sits beside `axum::routing`
//! and `axum::extract`; in this crate that family is `server::`, and the
//! crate root holds only what both halves share.
//!
//! The items generated code names are re-exported here, as axum re-exports
//! `Router` and `serve` at its root.

pub mod auth;
pub mod endpoint;
pub mod extract;
pub mod idempotency;
pub mod rejection;
pub mod response;
pub mod routing;
pub mod serve;
pub mod store;

pub use auth::Principal;
pub use endpoint::{Caller, Endpoint, Outcome, missing_body};
pub use extract::{
    BodyReadTimeout, DEFAULT_BODY_LIMIT, DEFAULT_BODY_READ_TIMEOUT, Incoming, PathValue,
    expect_constant, read_body,
};
pub use rejection::{Rejection, RejectionKind, missing, not_found};
pub use response::{ResponseBuilder, rejection_response};
pub use routing::{Handler, Reject, Route, Routes};
pub use serve::{Server, serve};
