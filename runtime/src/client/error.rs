//! What a call ends in when it is not a documented success, and the raw
//! response the typed result is decoded from.

use std::convert::Infallible;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http::header::{HeaderMap, LOCATION};
use serde::de::DeserializeOwned;

use crate::HasStatus;
use crate::credentials::AuthError;
use crate::form::FormError;
use crate::param::{ParamField, ParamValue};

/// Why a call did not produce a documented success.
///
/// `E` is the operation's generated error enum: one variant per documented
/// error response, each with its own body type.
#[derive(Debug)]
pub enum ClientError<E> {
    /// The server answered with a response the spec documents as an error.
    Api(E),
    /// The status is not documented for this operation.
    UnexpectedStatus(Box<RawResponse>),
    /// The status is documented but the body or a header could not be decoded.
    Decode {
        /// The response as received.
        response: Box<RawResponse>,
        /// What could not be decoded, and why.
        message: String,
    },
    /// Connecting, sending or receiving failed (after any retries the
    /// [`RetryPolicy`](super::RetryPolicy) allowed).
    Transport(reqwest::Error),
    /// The call did not finish within its timeout (every attempt and the
    /// waits between them count).
    Timeout {
        /// The timeout that ran out.
        limit: Duration,
        /// How many attempts were started.
        attempts: u32,
    },
    /// A credential could not be produced or applied (a token provider
    /// failed, a request could not be signed).
    Auth(AuthError),
    /// The connection failed while the body was arriving: what came before
    /// the failure is kept.
    Incomplete {
        /// The status, headers and the part of the body that arrived.
        response: Box<RawResponse>,
        /// Why the connection failed.
        source: reqwest::Error,
    },
    /// The response body was larger than the client accepts
    /// ([`ApiClient::with_max_response_bytes`](super::ApiClient::with_max_response_bytes)); reading stopped there.
    TooLarge {
        /// The response's status.
        status: StatusCode,
        /// The response's headers.
        headers: HeaderMap,
        /// The most bytes the client accepts.
        limit: usize,
    },
    /// The request could not be built (a header value that is not valid
    /// HTTP), or the HTTP client underneath follows redirects itself.
    InvalidRequest(String),
    /// The operation requires authentication and the client has no
    /// credential for some scheme of each of its requirements: the call was
    /// not sent. Set one with the generated client's `with_*` methods.
    MissingCredentials {
        /// The operationId.
        operation: &'static str,
        /// Each requirement's schemes (all of one are needed), in the
        /// spec's order.
        requirements: Vec<Vec<&'static str>>,
    },
    /// The server redirected the call elsewhere and the client did not
    /// follow: to another origin (credentials never leave their own), with
    /// a method change (a POST answered 301, 302 or 303 is never re-sent as
    /// a GET), or past [`MAX_REDIRECTS`](super::MAX_REDIRECTS) hops. The
    /// request was not acted on at `location` by this client.
    Redirect {
        /// The redirect status (301, 302, 303, 307 or 308).
        status: StatusCode,
        /// Where the server pointed, resolved against the request's URL.
        location: String,
        /// The redirect response as received.
        response: Box<RawResponse>,
    },
}

impl<E> ClientError<E> {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode>
    where
        E: HasStatus,
    {
        match self {
            ClientError::Api(e) => Some(e.status()),
            ClientError::UnexpectedStatus(r)
            | ClientError::Decode { response: r, .. }
            | ClientError::Redirect { response: r, .. } => Some(r.status),
            ClientError::Transport(e) => e.status(),
            ClientError::TooLarge { status, .. } => Some(*status),
            ClientError::Incomplete { response, .. } => Some(response.status),
            ClientError::InvalidRequest(_)
            | ClientError::Timeout { .. }
            | ClientError::Auth(_)
            | ClientError::MissingCredentials { .. } => None,
        }
    }

    /// The response as received, for the cases that keep it.
    pub fn raw_response(&self) -> Option<&RawResponse> {
        match self {
            ClientError::UnexpectedStatus(r)
            | ClientError::Decode { response: r, .. }
            | ClientError::Incomplete { response: r, .. }
            | ClientError::Redirect { response: r, .. } => Some(r),
            _ => None,
        }
    }
}

impl<E: fmt::Debug + HasStatus> fmt::Display for ClientError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Api(e) => write!(f, "documented error response {}: {e:?}", e.status()),
            ClientError::UnexpectedStatus(r) => {
                write!(f, "undocumented response status {}", r.status)
            }
            ClientError::Decode { response, message } => {
                write!(
                    f,
                    "could not decode the {} response: {message}",
                    response.status
                )
            }
            ClientError::Incomplete { response, source } => write!(
                f,
                "the {} response was cut off after {} body bytes: {source}",
                response.status,
                response.body.len()
            ),
            ClientError::TooLarge { status, limit, .. } => {
                write!(
                    f,
                    "the {status} response body is larger than the {limit} bytes this client accepts"
                )
            }
            ClientError::Transport(e) => write!(f, "transport error: {e}"),
            ClientError::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            ClientError::Timeout { limit, attempts } => write!(
                f,
                "the call did not finish within {limit:?} ({attempts} attempts)"
            ),
            ClientError::Auth(e) => write!(f, "could not authenticate the request: {e}"),
            ClientError::MissingCredentials {
                operation,
                requirements,
            } => {
                let requirements: Vec<String> = requirements
                    .iter()
                    .map(|schemes| {
                        let schemes: Vec<String> =
                            schemes.iter().map(|s| format!("`{s}`")).collect();
                        schemes.join(" and ")
                    })
                    .collect();
                write!(
                    f,
                    "`{operation}` needs credentials for {}; the client has not been given them",
                    crate::operation::either(&requirements)
                )
            }
            ClientError::Redirect {
                status, location, ..
            } => write!(
                f,
                "the server redirected the call ({status}) to `{location}`, which the client does not follow"
            ),
        }
    }
}

impl<E: fmt::Debug + HasStatus> std::error::Error for ClientError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Transport(e) | ClientError::Incomplete { source: e, .. } => Some(e),
            ClientError::Auth(e) => Some(e),
            _ => None,
        }
    }
}

/// A value that cannot be written as a form (a query object, a form or
/// multipart body) makes the request invalid.
impl<E> From<FormError> for ClientError<E> {
    fn from(error: FormError) -> Self {
        ClientError::InvalidRequest(error.to_string())
    }
}

impl ClientError<Infallible> {
    /// The same error as any operation's: none of these is a documented
    /// error response.
    pub fn widen<E>(self) -> ClientError<E> {
        match self {
            ClientError::Api(never) => match never {},
            ClientError::UnexpectedStatus(r) => ClientError::UnexpectedStatus(r),
            ClientError::Decode { response, message } => ClientError::Decode { response, message },
            ClientError::Transport(e) => ClientError::Transport(e),
            ClientError::Timeout { limit, attempts } => ClientError::Timeout { limit, attempts },
            ClientError::Auth(e) => ClientError::Auth(e),
            ClientError::Incomplete { response, source } => {
                ClientError::Incomplete { response, source }
            }
            ClientError::TooLarge {
                status,
                headers,
                limit,
            } => ClientError::TooLarge {
                status,
                headers,
                limit,
            },
            ClientError::InvalidRequest(m) => ClientError::InvalidRequest(m),
            ClientError::MissingCredentials {
                operation,
                requirements,
            } => ClientError::MissingCredentials {
                operation,
                requirements,
            },
            ClientError::Redirect {
                status,
                location,
                response,
            } => ClientError::Redirect {
                status,
                location,
                response,
            },
        }
    }
}

/// A request that cannot be built: a header value HTTP cannot carry, a
/// path value that would address another resource, a body that does not
/// serialize. Becomes [`ClientError::InvalidRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequest(pub String);

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidRequest {}

impl From<FormError> for InvalidRequest {
    fn from(error: FormError) -> Self {
        InvalidRequest(error.to_string())
    }
}

impl<E> From<InvalidRequest> for ClientError<E> {
    fn from(error: InvalidRequest) -> Self {
        ClientError::InvalidRequest(error.0)
    }
}

/// A response other than the spec documents: an undocumented status
/// (`message` is `None`), or a documented one whose body or a header does
/// not decode. Becomes [`ClientError::UnexpectedStatus`] (or
/// [`ClientError::Redirect`] for an undocumented redirect) or
/// [`ClientError::Decode`], the response kept.
#[derive(Debug)]
pub struct DecodeError {
    /// The response as received.
    pub response: Box<RawResponse>,
    /// What could not be decoded, or `None` for an undocumented status.
    pub message: Option<String>,
}

impl<E> From<DecodeError> for ClientError<E> {
    fn from(error: DecodeError) -> Self {
        match error.message {
            None if error.response.is_redirect() => ClientError::Redirect {
                status: error.response.status,
                location: error.response.location().to_owned(),
                response: error.response,
            },
            None => ClientError::UnexpectedStatus(error.response),
            Some(message) => ClientError::Decode {
                response: error.response,
                message,
            },
        }
    }
}

/// A response exactly as received.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status code.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, whole.
    pub body: Bytes,
}

impl RawResponse {
    /// Decode a JSON body. An empty body reads as `{}`, which an object
    /// whose fields are all optional accepts (servers often send nothing
    /// for "no details"); anything else still needs a body.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return serde_json::from_slice(b"{}")
                .map_err(|_| self.decode_error("the body is empty".to_string()));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| self.decode_error(format!("invalid JSON body: {e}")))
    }

    /// A text body, which must be UTF-8.
    pub fn text(&self) -> Result<String, DecodeError> {
        String::from_utf8(self.body.to_vec())
            .map_err(|e| self.decode_error(format!("body is not UTF-8: {e}")))
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        crate::form::decode_urlencoded(&self.body)
            .map_err(|e| self.decode_error(format!("invalid form body: {e}")))
    }

    /// The body bytes as received.
    pub fn bytes(&self) -> Vec<u8> {
        self.body.to_vec()
    }

    /// A header: required (the spec says it is always sent) or optional as
    /// the field `F` is.
    pub fn header<F: ParamField>(&self, name: &str) -> Result<F, DecodeError> {
        let value = match self.headers.get(name) {
            Some(value) => {
                let text = value.to_str().map_err(|_| {
                    self.decode_error(format!("header `{name}` is not visible ASCII"))
                })?;
                Some(
                    F::Value::from_param(text)
                        .map_err(|e| self.decode_error(format!("header `{name}`: {e}")))?,
                )
            }
            None => None,
        };
        F::from_value(value, || {
            self.decode_error(format!("required header `{name}` is missing"))
        })
    }

    /// A header whose value is compact JSON, `None` when it was not sent.
    pub fn json_header<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, DecodeError> {
        let Some(value) = self.headers.get(name) else {
            return Ok(None);
        };
        value
            .to_str()
            .ok()
            .and_then(|text| serde_json::from_str(text).ok())
            .map(Some)
            .ok_or_else(|| self.decode_error(format!("header `{name}` is not the JSON expected")))
    }

    /// A required header that was not sent.
    pub fn missing_header(&self, name: &str) -> DecodeError {
        self.decode_error(format!("required header `{name}` is missing"))
    }

    fn decode_error(&self, message: String) -> DecodeError {
        DecodeError {
            response: Box::new(self.clone()),
            message: Some(message),
        }
    }

    /// Whether this is a redirect to follow or refuse: 301, 302, 303, 307 or
    /// 308 with a `Location` (300 and 304 carry none to follow).
    pub fn is_redirect(&self) -> bool {
        matches!(self.status.as_u16(), 301 | 302 | 303 | 307 | 308)
            && self.headers.contains_key(LOCATION)
    }

    /// This response as an undocumented status, for a generated
    /// `Callable::read`: it becomes [`ClientError::UnexpectedStatus`], or
    /// [`ClientError::Redirect`] for a redirect (of an operation that
    /// documents other redirects).
    pub fn undocumented(&self) -> DecodeError {
        DecodeError {
            response: Box::new(self.clone()),
            message: None,
        }
    }

    /// This response as an undocumented-status error: a redirect (of an
    /// operation that documents other redirects) as [`ClientError::Redirect`].
    pub fn unexpected<E>(self) -> ClientError<E> {
        DecodeError {
            response: Box::new(self),
            message: None,
        }
        .into()
    }

    /// The `Location` header as sent (empty when there is none or it is not
    /// text).
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}
