//! What every generated router shares: reading a request into typed
//! parameters (or a [`Rejection`] saying what is wrong with it) and writing a
//! typed response.

use std::fmt;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use serde::de::DeserializeOwned;

use crate::form::{FormError, MultipartBody};
use crate::param::{Delimiter, ObjectKeys, ParamValue, split_array, split_delimited};
use crate::routing::{PathValue, Route, RouteMatch, match_route};

pub mod auth;
pub mod idempotency;

pub use auth::Principal;

/// Request bodies larger than this are refused with 413 before parsing.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// How long a request body may take to arrive when nothing else is set: a
/// client trickling its body is answered 408 instead of holding a task.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A request extension that overrides [`DEFAULT_BODY_READ_TIMEOUT`] for the
/// generated routers ([`crate::serve::Server`] inserts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyReadTimeout(pub Duration);

/// Why a request was refused before it reached the implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: StatusCode,
    pub kind: RejectionKind,
    /// A sentence for the caller, naming the parameter or body at fault.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    NotFound,
    MethodNotAllowed,
    MissingParameter,
    InvalidParameter,
    MissingBody,
    InvalidBody,
    UnsupportedMediaType,
    BodyTooLarge,
    /// No credential, or one that does not verify (401).
    Unauthorized,
    /// An idempotency key reused for a different request (422).
    IdempotencyKeyReused,
    /// An idempotency key whose first request is still running (409).
    IdempotencyKeyInFlight,
    /// A store the server depends on failed (503).
    Unavailable,
    /// The body did not arrive within the body read timeout.
    BodyTimeout,
}

impl Rejection {
    pub fn new(kind: RejectionKind, message: impl Into<String>) -> Self {
        let status = match kind {
            RejectionKind::NotFound => StatusCode::NOT_FOUND,
            RejectionKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RejectionKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RejectionKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RejectionKind::Unauthorized => StatusCode::UNAUTHORIZED,
            RejectionKind::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            RejectionKind::IdempotencyKeyInFlight => StatusCode::CONFLICT,
            RejectionKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
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

/// A request read whole: method, URI, headers and body bytes.
#[derive(Debug)]
pub struct Incoming {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What layers put on the request: the [`auth::AuthOutcome`] of an
    /// [`auth::AuthLayer`], the store of an [`idempotency::IdempotencyLayer`].
    pub extensions: http::Extensions,
    query: Vec<(String, String)>,
}

/// The whole body of a request, refused when it is over `limit` bytes
/// (reading no more than that, however it is framed) or takes longer than the
/// request's [`BodyReadTimeout`] to arrive: every reader of request bodies
/// (the generated routers, the auth layer) goes through here, so none can be
/// held open by a client that trickles its body.
pub async fn read_body(
    parts: &http::request::Parts,
    body: axum::body::Body,
    limit: usize,
) -> Result<Bytes, Rejection> {
    let timeout = parts
        .extensions
        .get::<BodyReadTimeout>()
        .map_or(DEFAULT_BODY_READ_TIMEOUT, |t| t.0);
    match tokio::time::timeout(timeout, crate::chunks::collect(body, limit)).await {
        Ok(Some(body)) => Ok(body),
        Ok(None) => Err(Rejection::new(
            RejectionKind::BodyTooLarge,
            format!("the request body is larger than {limit} bytes or was cut off"),
        )),
        Err(_) => Err(Rejection::new(
            RejectionKind::BodyTimeout,
            format!(
                "the request body did not arrive within {} ms",
                timeout.as_millis()
            ),
        )),
    }
}

impl Incoming {
    /// Read `request`, refusing bodies over `limit` bytes (without reading
    /// more than that, however the body is framed) and bodies that take
    /// longer than the [`BodyReadTimeout`] to arrive.
    pub async fn read(request: axum::extract::Request, limit: usize) -> Result<Self, Rejection> {
        let (parts, body) = request.into_parts();
        let body = read_body(&parts, body, limit).await?;
        let query = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(Incoming {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            extensions: parts.extensions,
            query,
        })
    }

    /// The caller an [`auth::AuthLayer`] authenticated, if any.
    pub fn principal(&self) -> Option<&Principal> {
        match self.extensions.get::<auth::AuthOutcome>() {
            Some(auth::AuthOutcome::Authenticated(principal)) => Some(principal),
            _ => None,
        }
    }

    /// An optional query parameter (the first, when repeated).
    pub fn query<T: ParamValue>(&self, name: &str) -> Result<Option<T>, Rejection> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| T::from_param(v).map_err(|e| invalid("query parameter", name, &e)))
            .transpose()
    }

    /// A query array: every `name=` pair when `explode`, else one `a,b,c`.
    pub fn query_array<T: ParamValue>(
        &self,
        name: &str,
        explode: bool,
    ) -> Result<Option<Vec<T>>, Rejection> {
        let values: Vec<&String> = self
            .query
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v)
            .collect();
        if values.is_empty() {
            return Ok(None);
        }
        let parsed = if explode {
            values.into_iter().map(|v| T::from_param(v)).collect()
        } else {
            split_array(values[0])
        };
        parsed
            .map(Some)
            .map_err(|e| invalid("query parameter", name, &e))
    }

    /// A non-exploded array with a `spaceDelimited` or `pipeDelimited` (or
    /// `form`) delimiter: one `a|b|c`.
    pub fn query_delimited<T: ParamValue>(
        &self,
        name: &str,
        delimiter: Delimiter,
    ) -> Result<Option<Vec<T>>, Rejection> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| {
                split_delimited(v, delimiter).map_err(|e| invalid("query parameter", name, &e))
            })
            .transpose()
    }

    /// An object in `form` style, exploded: its properties are pairs of
    /// their own (`owner=ann&limit=5`), picked out by `keys`. A `required`
    /// object whose properties are all optional reads as empty when none is
    /// sent.
    pub fn query_exploded_object<T: DeserializeOwned>(
        &self,
        name: &str,
        keys: ObjectKeys<'_>,
        required: bool,
    ) -> Result<Option<T>, Rejection> {
        crate::param::exploded_object(&self.query, keys, required)
            .map_err(|e| invalid_form("query parameter", name, &e))
    }

    /// An object in `deepObject` style: `filter[owner]=ann&filter[limit]=5`.
    pub fn query_deep_object<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<T>, Rejection> {
        crate::param::deep_object(&self.query, name, required)
            .map_err(|e| invalid_form("query parameter", name, &e))
    }

    /// A non-exploded object: `filter=owner,ann,limit,5` (or space or pipe
    /// delimited).
    pub fn query_delimited_object<T: DeserializeOwned>(
        &self,
        name: &str,
        delimiter: Delimiter,
    ) -> Result<Option<T>, Rejection> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| {
                crate::param::delimited_object(v, delimiter)
                    .map_err(|e| invalid_form("query parameter", name, &e))
            })
            .transpose()
    }

    /// An optional header.
    pub fn header<T: ParamValue>(&self, name: &str) -> Result<Option<T>, Rejection> {
        let Some(value) = self.headers.get(name) else {
            return Ok(None);
        };
        let text = value
            .to_str()
            .map_err(|_| invalid("header", name, "not visible ASCII"))?;
        T::from_param(text)
            .map(Some)
            .map_err(|e| invalid("header", name, &e))
    }

    /// An optional cookie.
    pub fn cookie<T: ParamValue>(&self, name: &str) -> Result<Option<T>, Rejection> {
        for header in self.headers.get_all(COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            for pair in text.split(';') {
                if let Some((n, v)) = pair.trim().split_once('=') {
                    if n == name {
                        return T::from_param(v)
                            .map(Some)
                            .map_err(|e| invalid("cookie", name, &e));
                    }
                }
            }
        }
        Ok(None)
    }

    /// The body as JSON, `None` when there is none.
    pub fn json_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Rejection> {
        if self.body.is_empty() {
            return Ok(None);
        }
        self.expect_content_type("application/json", |essence| {
            essence == "application/json" || essence.ends_with("+json")
        })?;
        serde_json::from_slice(&self.body).map(Some).map_err(|e| {
            Rejection::new(
                RejectionKind::InvalidBody,
                format!("the request body is not valid: {e}"),
            )
        })
    }

    /// An `application/x-www-form-urlencoded` body, `None` when there is
    /// none. An empty body sent as a form is an empty form (an object whose
    /// properties are all absent), not a missing one.
    pub fn form_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Rejection> {
        if self.body.is_empty() && !self.headers.contains_key(CONTENT_TYPE) {
            return Ok(None);
        }
        self.expect_content_type("application/x-www-form-urlencoded", |essence| {
            essence == "application/x-www-form-urlencoded"
        })?;
        crate::form::decode_urlencoded(&self.body)
            .map(Some)
            .map_err(invalid_body)
    }

    /// A `multipart/form-data` body, `None` when there is none. The body
    /// was read whole within the router's limit, so parsing is bounded too.
    pub async fn multipart_body<T: MultipartBody>(&self) -> Result<Option<T>, Rejection> {
        if self.body.is_empty() {
            return Ok(None);
        }
        self.expect_content_type("multipart/form-data", |essence| {
            essence == "multipart/form-data"
        })?;
        let content_type = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let form = crate::form::parse_multipart(content_type, self.body.clone())
            .await
            .map_err(invalid_body)?;
        T::from_multipart(form).map(Some).map_err(invalid_body)
    }

    /// The body as UTF-8 text, sent as `media_type` (any `text/*` when that
    /// is what the spec says). `None` when nothing was sent at all; an empty
    /// body with a content type is the empty string.
    pub fn text_body(&self, media_type: &str) -> Result<Option<String>, Rejection> {
        if !self.has_body() {
            return Ok(None);
        }
        self.expect_declared(media_type)?;
        String::from_utf8(self.body.to_vec())
            .map(Some)
            .map_err(|_| {
                Rejection::new(RejectionKind::InvalidBody, "the request body is not UTF-8")
            })
    }

    /// The body bytes as sent as `media_type`; `application/octet-stream`
    /// and `*/*` take any content type. `None` when nothing was sent at
    /// all; an empty body with a content type is empty bytes.
    pub fn bytes_body(&self, media_type: &str) -> Result<Option<Vec<u8>>, Rejection> {
        if !self.has_body() {
            return Ok(None);
        }
        if !matches!(media_type, "application/octet-stream" | "*/*") {
            self.expect_declared(media_type)?;
        }
        Ok(Some(self.body.to_vec()))
    }

    /// Whether anything was sent: bytes, or a content type for an empty body.
    fn has_body(&self) -> bool {
        !self.body.is_empty() || self.headers.contains_key(CONTENT_TYPE)
    }

    /// The content type must be `media_type` (ignoring parameters), or any
    /// `text/...` for `text/*`.
    fn expect_declared(&self, media_type: &str) -> Result<(), Rejection> {
        let wanted = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        self.expect_content_type(&wanted, |essence| match wanted.strip_suffix("/*") {
            Some(family) => essence.split('/').next() == Some(family),
            None => essence == wanted,
        })
    }

    fn expect_content_type(
        &self,
        wanted: &str,
        accepts: impl Fn(&str) -> bool,
    ) -> Result<(), Rejection> {
        // Lowercased only when it has capitals: most requests send it
        // lowercase, and this runs on every one with a body.
        let essence = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v.split(';').next().unwrap_or("").trim();
                match essence.bytes().any(|b| b.is_ascii_uppercase()) {
                    true => std::borrow::Cow::Owned(essence.to_ascii_lowercase()),
                    false => std::borrow::Cow::Borrowed(essence),
                }
            });
        match essence {
            Some(essence) if accepts(&essence) => Ok(()),
            Some(other) => Err(Rejection::new(
                RejectionKind::UnsupportedMediaType,
                format!("the request body must be {wanted}, not {other}"),
            )),
            None => Err(Rejection::new(
                RejectionKind::UnsupportedMediaType,
                format!("the request body must be {wanted}: Content-Type is missing"),
            )),
        }
    }
}

/// A required value that was absent.
pub fn missing(what: &str, name: &str) -> Rejection {
    Rejection::new(
        RejectionKind::MissingParameter,
        format!("the {what} `{name}` is required"),
    )
}

fn invalid(what: &str, name: &str, why: &str) -> Rejection {
    Rejection::new(
        RejectionKind::InvalidParameter,
        format!("the {what} `{name}` is invalid: {why}"),
    )
}

fn invalid_form(what: &str, name: &str, error: &FormError) -> Rejection {
    invalid(what, name, &error.to_string())
}

fn invalid_body(error: FormError) -> Rejection {
    Rejection::new(
        RejectionKind::InvalidBody,
        format!("the request body is not valid: {error}"),
    )
}

/// A constant parameter (a single-value enum) must have that value.
pub fn expect_constant(
    what: &str,
    name: &str,
    found: Option<String>,
    expected: &str,
) -> Result<(), Rejection> {
    match found {
        Some(value) if value == expected => Ok(()),
        Some(value) => Err(invalid(
            what,
            name,
            &format!("expected `{expected}`, found `{value}`"),
        )),
        None => Err(missing(what, name)),
    }
}

impl PathValue {
    /// A single-segment path parameter, parsed.
    pub fn parse<T: ParamValue>(&self, name: &str) -> Result<T, Rejection> {
        match self {
            PathValue::One(text) => {
                T::from_param(text).map_err(|e| invalid("path parameter", name, &e))
            }
            PathValue::Many(_) => Err(invalid("path parameter", name, "expected one segment")),
        }
    }

    /// A multi-segment path parameter (a hierarchy), each item parsed.
    pub fn parse_many<T: ParamValue>(&self, name: &str) -> Result<Vec<T>, Rejection> {
        match self {
            PathValue::Many(items) => items
                .iter()
                .map(|t| T::from_param(t))
                .collect::<Result<_, _>>()
                .map_err(|e| invalid("path parameter", name, &e)),
            PathValue::One(text) => Ok(vec![
                T::from_param(text).map_err(|e| invalid("path parameter", name, &e))?,
            ]),
        }
    }
}

/// A generated operation handler: route index, the request read whole, and
/// its path parameters in template order.
pub type Handler<A> = fn(
    std::sync::Arc<A>,
    usize,
    Incoming,
    Vec<PathValue>,
) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>>;

/// How a generated router answers a rejected request (the trait's `reject`).
pub type Reject<A> = fn(&A, Rejection) -> Response;

/// The axum router every generated server uses: match the path against
/// `routes`, answer 404 or 405 (with `Allow`) through `reject`, read the
/// body up to `limit` bytes, and hand the request to `handle`.
pub fn router<A: Send + Sync + 'static>(
    api: A,
    routes: &'static [Route],
    limit: usize,
    handle: Handler<A>,
    reject: Reject<A>,
) -> axum::Router {
    let api = std::sync::Arc::new(api);
    let service = move |request: axum::extract::Request| {
        let api = std::sync::Arc::clone(&api);
        async move { dispatch(api, routes, limit, handle, reject, request).await }
    };
    axum::Router::new()
        .route("/", axum::routing::any(service.clone()))
        .route("/{*path}", axum::routing::any(service))
}

async fn dispatch<A: Send + Sync + 'static>(
    api: std::sync::Arc<A>,
    routes: &'static [Route],
    limit: usize,
    handle: Handler<A>,
    reject: Reject<A>,
    request: axum::extract::Request,
) -> Response {
    // Matched on the borrowed path: nothing is copied to route a request.
    match match_route(routes, request.method(), request.uri().path()) {
        RouteMatch::Found { route, params } => match Incoming::read(request, limit).await {
            // A credential that was sent and does not verify is refused
            // whatever the operation requires.
            Ok(incoming) => match incoming.extensions.get::<auth::AuthOutcome>() {
                Some(auth::AuthOutcome::Refused(rejection)) => reject(&api, rejection.clone()),
                _ => handle(api, route, incoming, params).await,
            },
            Err(rejection) => reject(&api, rejection),
        },
        RouteMatch::MethodNotAllowed { allowed } => {
            let (method, path) = (request.method(), request.uri().path());
            let allowed: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            let allowed = allowed.join(", ");
            let message = format!("`{method}` is not allowed on `{path}`; allowed: {allowed}");
            let mut response = reject(
                &api,
                Rejection::new(RejectionKind::MethodNotAllowed, message),
            );
            if let Ok(value) = HeaderValue::from_str(&allowed) {
                response.headers_mut().insert(http::header::ALLOW, value);
            }
            response
        }
        RouteMatch::NotFound => reject(&api, not_found(request.uri().path())),
    }
}

/// No operation serves `path`.
pub fn not_found(path: &str) -> Rejection {
    Rejection::new(RejectionKind::NotFound, format!("no operation at `{path}`"))
}

/// Builds the HTTP response for one variant of a generated response enum.
#[must_use]
pub struct ResponseBuilder {
    status: StatusCode,
    headers: HeaderMap,
    problem: Option<String>,
}

impl ResponseBuilder {
    pub fn new(status: StatusCode) -> Self {
        ResponseBuilder {
            status,
            headers: HeaderMap::new(),
            problem: None,
        }
    }

    /// For a `1XX`..`5XX` variant: a status outside the range would be a
    /// response the spec does not describe, so it becomes a 500 instead.
    pub fn in_range(status: StatusCode, first_digit: u16) -> Self {
        let mut builder = Self::new(status);
        if status.as_u16() / 100 != first_digit {
            builder.problem = Some(format!(
                "the implementation answered {status} for a {first_digit}XX response"
            ));
        }
        builder
    }

    pub fn header<T: ParamValue>(mut self, name: &str, value: &T) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value.to_param()),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => {
                self.problem = Some(format!(
                    "response header `{name}` has characters HTTP does not allow"
                ))
            }
        }
        self
    }

    pub fn header_opt<T: ParamValue>(self, name: &str, value: &Option<T>) -> Self {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    pub fn json<T: serde::Serialize>(self, body: &T) -> Response {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.bytes("application/json", bytes),
            Err(e) => internal_error(&format!("response body could not be serialized: {e}")),
        }
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form<T: serde::Serialize>(self, content_type: &'static str, body: &T) -> Response {
        match crate::form::encode_urlencoded(body) {
            Ok(text) => self.bytes(content_type, text.into_bytes()),
            Err(e) => internal_error(&format!("response body could not be serialized: {e}")),
        }
    }

    pub fn text(self, content_type: &'static str, body: String) -> Response {
        self.bytes(content_type, body.into_bytes())
    }

    pub fn bytes(mut self, content_type: &'static str, body: Vec<u8>) -> Response {
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        self.finish(Body::from(body))
    }

    pub fn empty(self) -> Response {
        self.finish(Body::empty())
    }

    fn finish(self, body: Body) -> Response {
        if let Some(problem) = self.problem {
            return internal_error(&problem);
        }
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// The implementation produced something HTTP cannot carry.
fn internal_error(message: &str) -> Response {
    let mut response = Response::new(Body::from(message.to_string()));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A rejection written as JSON `body` with its status (what generated
/// `reject` methods return by default, in the vendor's error shape).
pub fn rejection_response(rejection: &Rejection, body: &serde_json::Value) -> Response {
    ResponseBuilder::new(rejection.status).json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn incoming(uri: &str, headers: &[(&'static str, &str)], body: &str) -> Incoming {
        let mut builder = http::Request::builder().uri(uri).method("POST");
        for (n, v) in headers {
            builder = builder.header(*n, *v);
        }
        let request = builder
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        Incoming::read(request, 64).await.unwrap()
    }

    #[tokio::test]
    async fn query_header_and_cookie_parameters_are_typed() {
        let req = incoming(
            "/x?limit=5&ids=a&ids=b&csv=1,2&bad=x",
            &[("cookie", "a=1; session=abc"), ("x-n", "7")],
            "",
        )
        .await;
        assert_eq!(req.query::<i64>("limit").unwrap(), Some(5));
        assert_eq!(req.query::<i64>("absent").unwrap(), None);
        assert_eq!(
            req.query_array::<String>("ids", true).unwrap(),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            req.query_array::<i32>("csv", false).unwrap(),
            Some(vec![1, 2])
        );
        let err = req.query::<i64>("bad").unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::BAD_REQUEST, RejectionKind::InvalidParameter)
        );
        assert!(err.message.contains("`bad`"), "{}", err.message);
        assert_eq!(
            req.cookie::<String>("session").unwrap().as_deref(),
            Some("abc")
        );
        assert_eq!(req.header::<i32>("X-N").unwrap(), Some(7));
    }

    #[tokio::test]
    async fn bodies_are_checked_for_type_syntax_and_size() {
        let ok = incoming(
            "/",
            &[("content-type", "application/json; charset=utf-8")],
            "{\"a\":1}",
        )
        .await;
        assert_eq!(
            ok.json_body::<serde_json::Value>().unwrap(),
            Some(serde_json::json!({"a": 1}))
        );
        let wrong_type = incoming("/", &[("content-type", "text/plain")], "{}").await;
        assert_eq!(
            wrong_type
                .json_body::<serde_json::Value>()
                .unwrap_err()
                .kind,
            RejectionKind::UnsupportedMediaType
        );
        let broken = incoming("/", &[("content-type", "application/json")], "{").await;
        assert_eq!(
            broken.json_body::<serde_json::Value>().unwrap_err().kind,
            RejectionKind::InvalidBody
        );
        let empty = incoming("/", &[], "").await;
        assert_eq!(empty.json_body::<serde_json::Value>().unwrap(), None);

        let request = http::Request::builder()
            .uri("/")
            .body(axum::body::Body::from(vec![b'x'; 65]))
            .unwrap();
        let err = Incoming::read(request, 64).await.unwrap_err();
        assert_eq!(err.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_body_that_stops_arriving_is_refused_after_the_read_timeout() {
        let stalled = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
        let mut request = http::Request::builder()
            .uri("/")
            .body(axum::body::Body::from_stream(stalled))
            .unwrap();
        request
            .extensions_mut()
            .insert(BodyReadTimeout(Duration::from_millis(20)));
        let err = Incoming::read(request, 64).await.unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::REQUEST_TIMEOUT, RejectionKind::BodyTimeout)
        );
        assert!(err.message.contains("20 ms"), "{}", err.message);
    }

    #[tokio::test]
    async fn text_and_binary_bodies_check_their_media_type_and_keep_empty_ones() {
        let text = incoming("/", &[("content-type", "text/plain; charset=utf-8")], "hi").await;
        assert_eq!(text.text_body("text/plain").unwrap().as_deref(), Some("hi"));
        assert_eq!(text.text_body("text/*").unwrap().as_deref(), Some("hi"));
        let json = incoming("/", &[("content-type", "application/json")], "hi").await;
        assert_eq!(
            json.text_body("text/plain").unwrap_err().kind,
            RejectionKind::UnsupportedMediaType
        );
        assert_eq!(
            json.bytes_body("application/pdf").unwrap_err().kind,
            RejectionKind::UnsupportedMediaType
        );
        assert_eq!(
            json.bytes_body("application/octet-stream").unwrap(),
            Some(b"hi".to_vec())
        );
        // An empty body with a content type is an empty value, not a missing one.
        let empty = incoming("/", &[("content-type", "text/plain")], "").await;
        assert_eq!(empty.text_body("text/plain").unwrap().as_deref(), Some(""));
        let nothing = incoming("/", &[], "").await;
        assert_eq!(nothing.text_body("text/plain").unwrap(), None);
        assert_eq!(
            nothing.bytes_body("application/octet-stream").unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn media_types_compare_ignoring_case_and_parameters() {
        for content_type in [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/problem+json ",
        ] {
            let json = incoming("/", &[("content-type", content_type)], r#"{"a":1}"#).await;
            assert_eq!(
                json.json_body::<serde_json::Value>().unwrap(),
                Some(serde_json::json!({"a": 1})),
                "{content_type}"
            );
        }
        let text = incoming("/", &[("content-type", "TEXT/Plain")], "hi").await;
        assert_eq!(text.text_body("text/plain").unwrap().as_deref(), Some("hi"));
        let err = text.json_body::<serde_json::Value>().unwrap_err();
        assert_eq!(err.kind, RejectionKind::UnsupportedMediaType);
        assert!(err.message.ends_with("not text/plain"), "{}", err.message);
    }

    #[test]
    fn constants_and_path_values() {
        assert!(
            expect_constant("query parameter", "_action", Some("reset".into()), "reset").is_ok()
        );
        assert_eq!(
            expect_constant("query parameter", "_action", None, "reset")
                .unwrap_err()
                .kind,
            RejectionKind::MissingParameter
        );
        assert!(expect_constant("query parameter", "_action", Some("x".into()), "reset").is_err());
        assert_eq!(PathValue::One("12".into()).parse::<i64>("id").unwrap(), 12);
        assert!(PathValue::One("x".into()).parse::<i64>("id").is_err());
        assert_eq!(
            PathValue::Many(vec!["root".into(), "alpha".into()])
                .parse_many::<String>("realm")
                .unwrap(),
            vec!["root", "alpha"]
        );
    }

    /// A two-route table served through the shared router, as generated
    /// servers use it.
    #[tokio::test]
    async fn the_router_dispatches_rejects_and_names_allowed_methods() {
        use crate::routing::Segment;
        use tower::ServiceExt;
        static ROUTES: &[Route] = &[
            Route {
                method: Method::GET,
                segments: &[Segment::Literal("items"), Segment::Param],
            },
            Route {
                method: Method::DELETE,
                segments: &[Segment::Literal("items"), Segment::Param],
            },
        ];
        fn handle(
            _: std::sync::Arc<()>,
            route: usize,
            incoming: Incoming,
            params: Vec<PathValue>,
        ) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>> {
            Box::pin(async move {
                let body = format!("{route} {:?} {}", params, incoming.body.len());
                ResponseBuilder::new(StatusCode::OK).text("text/plain", body)
            })
        }
        fn reject(_: &(), rejection: Rejection) -> Response {
            rejection_response(
                &rejection,
                &serde_json::json!({ "error": rejection.message }),
            )
        }
        let app = router((), ROUTES, 8, handle, reject);
        let call = |method: &str, uri: &str, body: &'static str| {
            let request = http::Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::from(body))
                .unwrap();
            app.clone().oneshot(request)
        };
        let text = |r: Response| async move {
            String::from_utf8(
                axum::body::to_bytes(r.into_body(), 1024)
                    .await
                    .unwrap()
                    .to_vec(),
            )
            .unwrap()
        };

        let found = call("DELETE", "/items/a%20b", "xyz").await.unwrap();
        assert_eq!(found.status(), StatusCode::OK);
        assert_eq!(text(found).await, "1 [One(\"a b\")] 3");

        let wrong_method = call("PUT", "/items/1", "").await.unwrap();
        assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong_method.headers()["allow"], "GET, DELETE");
        assert!(
            text(wrong_method)
                .await
                .contains("`PUT` is not allowed on `/items/1`")
        );

        let missing = call("GET", "/nothing", "").await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            text(missing).await,
            r#"{"error":"no operation at `/nothing`"}"#
        );

        let too_big = call("GET", "/items/1", "123456789").await.unwrap();
        assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn responses_carry_status_headers_and_body() {
        let r = ResponseBuilder::new(StatusCode::CREATED)
            .header("x-request-id", &"r1".to_string())
            .header_opt::<String>("x-absent", &None)
            .json(&serde_json::json!({"ok": true}));
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["x-request-id"], "r1");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.headers().get("x-absent").is_none());
        let bad = ResponseBuilder::new(StatusCode::OK)
            .header("x-bad", &"a\nb".to_string())
            .empty();
        assert_eq!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            ResponseBuilder::in_range(StatusCode::BAD_GATEWAY, 5)
                .empty()
                .status(),
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            ResponseBuilder::in_range(StatusCode::NOT_FOUND, 5)
                .empty()
                .status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Signup {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        age: Option<u32>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[tokio::test]
    async fn query_objects_and_delimited_arrays_are_typed_or_refused() {
        let req = incoming(
            "/x?filter%5Bname%5D=Ann%20%26%20B%C3%B6b&filter[age]=30&name=Zo%C3%AB&tags=a&tags=b\
             &csv=name,Al,age,7&pipes=1|2|3&spaces=a%20b&bad[age]=old",
            &[],
            "",
        )
        .await;
        assert_eq!(
            req.query_deep_object::<Signup>("filter", false).unwrap(),
            Some(Signup {
                name: "Ann & Böb".into(),
                age: Some(30),
                tags: vec![]
            })
        );
        assert_eq!(
            req.query_exploded_object::<Signup>(
                "signup",
                ObjectKeys::Only(&["name", "age", "tags"]),
                true
            )
            .unwrap(),
            Some(Signup {
                name: "Zoë".into(),
                age: None,
                tags: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(
            req.query_delimited_object::<Signup>("csv", Delimiter::Comma)
                .unwrap()
                .unwrap()
                .age,
            Some(7)
        );
        assert_eq!(
            req.query_delimited_object::<Signup>("absent", Delimiter::Comma)
                .unwrap(),
            None
        );
        assert_eq!(
            req.query_delimited::<i32>("pipes", Delimiter::Pipe)
                .unwrap(),
            Some(vec![1, 2, 3])
        );
        assert_eq!(
            req.query_delimited::<String>("spaces", Delimiter::Space)
                .unwrap(),
            Some(vec!["a".into(), "b".into()])
        );
        let err = req.query_deep_object::<Signup>("bad", false).unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::BAD_REQUEST, RejectionKind::InvalidParameter)
        );
        assert_eq!(
            err.message,
            "the query parameter `bad` is invalid: `bad[age]`: expected a non-negative 32-bit integer, found `old`"
        );
        let err = req
            .query_delimited::<i32>("spaces", Delimiter::Space)
            .unwrap_err();
        assert!(err.message.contains("`spaces`"), "{}", err.message);
    }

    #[tokio::test]
    async fn form_bodies_are_checked_for_type_syntax_and_emptiness() {
        let form = [("content-type", "application/x-www-form-urlencoded")];
        let ok = incoming("/", &form, "name=Ann+%26+B%C3%B6b&age=3&tags=x&tags=y%3Dz").await;
        assert_eq!(
            ok.form_body::<Signup>().unwrap(),
            Some(Signup {
                name: "Ann & Böb".into(),
                age: Some(3),
                tags: vec!["x".into(), "y=z".into()]
            })
        );
        // An empty form is a form; no body at all is none.
        let empty = incoming("/", &form, "").await;
        assert_eq!(
            empty
                .form_body::<std::collections::BTreeMap<String, String>>()
                .unwrap(),
            Some(Default::default())
        );
        assert_eq!(
            incoming("/", &[], "").await.form_body::<Signup>().unwrap(),
            None
        );

        let wrong_type = incoming("/", &[("content-type", "application/json")], "{}").await;
        let err = wrong_type.form_body::<Signup>().unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                RejectionKind::UnsupportedMediaType
            )
        );
        for (body, message) in [
            (
                "name=a&age=-1",
                "the request body is not valid: `age`: expected a non-negative 32-bit integer, found `-1`",
            ),
            (
                "age=1",
                "the request body is not valid: missing field `name`",
            ),
            (
                "name=%E2%98",
                "the request body is not valid: `name`: the text is not UTF-8 once percent-decoded",
            ),
            (
                "name=50%",
                "the request body is not valid: `name`: `%` is not a percent-escape (`%` and two hex digits)",
            ),
        ] {
            let err = incoming("/", &form, body)
                .await
                .form_body::<Signup>()
                .unwrap_err();
            assert_eq!(
                (err.status, err.kind),
                (StatusCode::BAD_REQUEST, RejectionKind::InvalidBody)
            );
            assert_eq!(err.message, message);
        }
    }

    #[tokio::test]
    async fn multipart_bodies_are_checked_for_type_and_syntax() {
        use crate::form::Multipart;
        let mut form = Multipart::new();
        form.text("name", &"Ann".to_string());
        let (content_type, body) = form.encode().unwrap();
        let request = http::Request::builder()
            .uri("/")
            .method("POST")
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap();
        let req = Incoming::read(request, 1024).await.unwrap();
        let back: Multipart = req.multipart_body().await.unwrap().unwrap();
        assert_eq!(back, form);

        assert_eq!(
            incoming("/", &[], "")
                .await
                .multipart_body::<Multipart>()
                .await
                .unwrap(),
            None
        );
        let err = incoming(
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            "a=1",
        )
        .await
        .multipart_body::<Multipart>()
        .await
        .unwrap_err();
        assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let err = incoming(
            "/",
            &[("content-type", "multipart/form-data; boundary=X")],
            "--X\r\ncut",
        )
        .await
        .multipart_body::<Multipart>()
        .await
        .unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::BAD_REQUEST, RejectionKind::InvalidBody)
        );
        assert!(
            err.message
                .starts_with("the request body is not valid: malformed multipart body"),
            "{}",
            err.message
        );
    }

    /// What the client's `Request` sends is what the server reads back.
    #[cfg(feature = "client")]
    #[tokio::test]
    async fn client_bodies_and_queries_read_back_on_the_server() {
        use crate::form::{FilePart, Multipart};
        use crate::param::{ObjectStyle, QueryString};
        let signup = Signup {
            name: "Ann & Bob = \"ü\" [x]".into(),
            age: Some(41),
            tags: vec!["a b".into(), "c&d".into()],
        };
        let mut query = QueryString::new();
        query
            .push_object("s", &signup, ObjectStyle::DeepObject)
            .unwrap();
        query
            .push_object("e", &signup, ObjectStyle::Exploded)
            .unwrap();
        let query = query.finish();

        let send = |request: crate::client::Request| {
            let query = query.clone();
            async move {
                let (content_type, body) = request.body.unwrap();
                let request = http::Request::builder()
                    .uri(format!("/?{query}"))
                    .method("POST")
                    .header("content-type", content_type.as_ref())
                    .body(axum::body::Body::from(body))
                    .unwrap();
                Incoming::read(request, 4096).await.unwrap()
            }
        };

        let mut request = crate::client::Request::new("op", Method::POST, "/".into());
        request
            .form::<_, ()>("application/x-www-form-urlencoded", &signup)
            .unwrap();
        let req = send(request).await;
        assert_eq!(req.form_body::<Signup>().unwrap(), Some(signup.clone()));
        assert_eq!(
            req.query_deep_object::<Signup>("s", true).unwrap(),
            Some(signup.clone())
        );
        assert_eq!(
            req.query_exploded_object::<Signup>("e", ObjectKeys::AllBut(&["s"]), true)
                .unwrap(),
            Some(signup.clone())
        );

        let mut form = Multipart::new();
        form.text("name", &signup.name);
        form.file(
            "photo",
            &FilePart::new(vec![0xff, 0, b'\r', b'\n']).with_content_type("image/png"),
        );
        let mut request = crate::client::Request::new("op", Method::POST, "/".into());
        request.multipart::<_, ()>(&form).unwrap();
        let req = send(request).await;
        let mut back: Multipart = req.multipart_body().await.unwrap().unwrap();
        assert_eq!(back.take_text::<String>("name").unwrap(), Some(signup.name));
        assert_eq!(
            back.take_file("photo").unwrap(),
            FilePart::new(vec![0xff, 0, b'\r', b'\n'])
                .with_file_name("photo")
                .with_content_type("image/png")
        );
    }
}
