//! Why a request was refused before it reached the implementation: the
//! [`Rejection`] every reader returns, and the constructors that word it.

use std::fmt;

use http::StatusCode;

use crate::form::FormError;

/// Why a request was refused before it reached the implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The status the rejection is answered with.
    pub status: StatusCode,
    /// What was wrong.
    pub kind: RejectionKind,
    /// A sentence for the caller, naming the parameter or body at fault.
    pub message: String,
}

/// Why a request was refused, each with its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    /// No operation at the path (404).
    NotFound,
    /// The path exists, not for this method (405).
    MethodNotAllowed,
    /// A required parameter is absent (400).
    MissingParameter,
    /// A parameter does not read as its type (400).
    InvalidParameter,
    /// A required body is absent (400).
    MissingBody,
    /// The body does not read as its type (400).
    InvalidBody,
    /// The body's media type is not one the operation reads (415).
    UnsupportedMediaType,
    /// The body is over the router's limit (413).
    BodyTooLarge,
    /// No credential, or one that does not verify (401).
    Unauthorized,
    /// Authenticated, but without the scopes the operation needs (403).
    Forbidden,
    /// An idempotency key reused for a different request (422).
    IdempotencyKeyReused,
    /// An idempotency key whose first request is still running (409).
    IdempotencyKeyInFlight,
    /// A store the server depends on failed (503).
    Unavailable,
    /// The caller has too much in flight (429): its own budget is spent,
    /// while other callers are still served.
    TooManyRequests,
    /// The body did not arrive within the body read timeout.
    BodyTimeout,
}

impl Rejection {
    /// A rejection of `kind`, with its status, saying `message`.
    pub fn new(kind: RejectionKind, message: impl Into<String>) -> Self {
        let status = match kind {
            RejectionKind::NotFound => StatusCode::NOT_FOUND,
            RejectionKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RejectionKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RejectionKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RejectionKind::Unauthorized => StatusCode::UNAUTHORIZED,
            RejectionKind::Forbidden => StatusCode::FORBIDDEN,
            RejectionKind::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            RejectionKind::IdempotencyKeyInFlight => StatusCode::CONFLICT,
            RejectionKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            RejectionKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            RejectionKind::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            _ => StatusCode::BAD_REQUEST,
        };
        Rejection {
            status,
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for Rejection {}

/// A required value that was absent.
pub fn missing(what: &str, name: &str) -> Rejection {
    Rejection::new(
        RejectionKind::MissingParameter,
        format!("the {what} `{name}` is required"),
    )
}

/// A value that was sent and cannot be read as its type.
pub(crate) fn invalid(what: &str, name: &str, why: &str) -> Rejection {
    Rejection::new(
        RejectionKind::InvalidParameter,
        format!("the {what} `{name}` is invalid: {why}"),
    )
}

pub(crate) fn invalid_form(what: &str, name: &str, error: &FormError) -> Rejection {
    invalid(what, name, &error.to_string())
}

pub(crate) fn invalid_body(error: FormError) -> Rejection {
    Rejection::new(
        RejectionKind::InvalidBody,
        format!("the request body is not valid: {error}"),
    )
}

/// No operation serves `path`.
pub fn not_found(path: &str) -> Rejection {
    Rejection::new(RejectionKind::NotFound, format!("no operation at `{path}`"))
}
