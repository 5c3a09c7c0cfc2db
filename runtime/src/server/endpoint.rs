//! Serving one operation, written once for every operation: authenticate
//! the caller, read the input, run the implementation (once per
//! idempotency key, behind an idempotency layer) and write its answer.
//! Generated code says only what differs: how the input is read and which
//! trait method runs ([`Endpoint`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::response::{IntoResponse, Response};

use super::auth::require::optional;
use super::auth::{Principal, require};
use super::extract::Incoming;
use super::idempotency;
use super::rejection::{Rejection, RejectionKind};
use super::routing::{Reject, Route, Routes};
use crate::operation::{Operation, Security};

/// What an implementation answers a call of `O` with: a documented success
/// or a documented error.
pub type Outcome<O> = Result<<O as Operation>::Success, <O as Operation>::Error>;

/// One operation as an implementation of the API trait `A` serves it;
/// generated servers implement it on each operation's input type.
pub trait Endpoint<A>: Operation<Success: IntoResponse + Send, Error: IntoResponse + Send> {
    /// Who the trait method is told called: a [`Principal`] when the
    /// operation requires authentication, else an `Option` of one.
    type Caller: Caller;

    /// The operation's input, read from the request. Synchronous: the body
    /// is already in memory, and a plain function per operation costs the
    /// compiler far less than a future per operation.
    fn read(from: &Incoming) -> Result<Self, Rejection>;

    /// Run the implementation: generated as the trait method's own future,
    /// not wrapped in another `async` block, for the same reason.
    fn call(
        api: &A,
        caller: Self::Caller,
        input: Self,
    ) -> impl Future<Output = Outcome<Self>> + Send;
}

/// Who called, as the operation's security requirement lets through.
pub trait Caller: Sized + Send {
    /// The caller of a request, or the rejection when the operation's
    /// `security` does not let it through.
    fn authenticate(
        incoming: &Incoming,
        operation: &str,
        security: Security,
    ) -> Result<Self, Rejection>;
}

/// Required: a caller who meets no requirement is refused with 401 (403
/// when only scopes are lacking) before the implementation runs.
impl Caller for Principal {
    fn authenticate(
        incoming: &Incoming,
        operation: &str,
        security: Security,
    ) -> Result<Self, Rejection> {
        require(incoming, operation, &security)
    }
}

/// Optional: the caller who meets a requirement that names schemes, else
/// `None`; when the spec requires nothing, whoever the auth layer
/// authenticated.
impl Caller for Option<Principal> {
    fn authenticate(incoming: &Incoming, _: &str, security: Security) -> Result<Self, Rejection> {
        Ok(optional(incoming, &security))
    }
}

impl<A: Send + Sync + 'static> Routes<A> {
    /// Serve the operation `O`: its route, and [`serve`] for it.
    #[must_use]
    pub fn operation<O: Endpoint<A>>(self) -> Self {
        let route = Route::new(O::METHOD, O::PATH, O::SEGMENT_PREFIXES)
            .allowing_reserved(O::ALLOW_RESERVED)
            .with_adjacent_params(O::ADJACENT_PARAMS);
        self.route(route, serve::<A, O>)
    }
}

/// Serve one request for `O`: authenticate, read, run, answer; a request
/// refused on the way is answered by `reject` (the API's own error shape).
pub fn serve<A: Send + Sync + 'static, O: Endpoint<A>>(
    api: Arc<A>,
    incoming: Incoming,
    reject: Reject<A>,
) -> Pin<Box<dyn Future<Output = Response> + Send>> {
    Box::pin(async move {
        let caller = match O::Caller::authenticate(&incoming, O::ID, O::SECURITY) {
            Ok(caller) => caller,
            Err(rejection) => return reject(&api, rejection),
        };
        // Unlisted enum values are refused while the request is read:
        // the implementation only sees values the spec lists.
        let input = match crate::enums::strictly(|| O::read(&incoming)) {
            Ok(input) => input,
            Err(rejection) => return reject(&api, rejection),
        };
        let run = async {
            match O::call(&api, caller, input).await {
                Ok(success) => success.into_response(),
                Err(error) => error.into_response(),
            }
        };
        match O::IDEMPOTENCY_KEY {
            Some(header) => {
                let reject = |rejection| reject(&api, rejection);
                idempotency::run(&incoming, O::ID, header, reject, run).await
            }
            None => run.await,
        }
    })
}

/// A required body was not sent.
pub fn missing_body() -> Rejection {
    Rejection::new(RejectionKind::MissingBody, "a request body is required")
}
