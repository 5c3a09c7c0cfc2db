//! What every generated client shares: the HTTP stack, credentials, sending a
//! request, and turning whatever comes back into a typed result or a typed
//! error that keeps the raw response.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::HasStatus;
use crate::credentials::{Credential, KeyLocation};
use crate::form::{FormError, MultipartBody};
use crate::param::ParamValue;

/// Why a call did not produce a documented success.
///
/// `E` is the operation's generated error enum: one variant per documented
/// error response, each with its own body type.
pub enum ClientError<E> {
    /// The server answered with a response the spec documents as an error.
    Api(E),
    /// The status is not documented for this operation.
    UnexpectedStatus(Box<RawResponse>),
    /// The status is documented but the body or a header could not be decoded.
    Decode {
        response: Box<RawResponse>,
        message: String,
    },
    /// Connecting, sending or receiving failed, or the call timed out.
    Transport(reqwest::Error),
    /// The connection failed while the body was arriving: what came before
    /// the failure is kept.
    Incomplete {
        response: Box<RawResponse>,
        source: reqwest::Error,
    },
    /// The response body was larger than the client accepts
    /// ([`ApiClient::with_max_response_bytes`]); reading stopped there.
    TooLarge {
        status: StatusCode,
        headers: HeaderMap,
        limit: usize,
    },
    /// The request could not be built (a header value that is not valid HTTP).
    InvalidRequest(String),
}

impl<E> ClientError<E> {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode>
    where
        E: HasStatus,
    {
        match self {
            ClientError::Api(e) => Some(e.status()),
            ClientError::UnexpectedStatus(r) | ClientError::Decode { response: r, .. } => {
                Some(r.status)
            }
            ClientError::Transport(e) => e.status(),
            ClientError::TooLarge { status, .. } => Some(*status),
            ClientError::Incomplete { response, .. } => Some(response.status),
            ClientError::InvalidRequest(_) => None,
        }
    }

    /// The response as received, for the cases that keep it.
    pub fn raw_response(&self) -> Option<&RawResponse> {
        match self {
            ClientError::UnexpectedStatus(r)
            | ClientError::Decode { response: r, .. }
            | ClientError::Incomplete { response: r, .. } => Some(r),
            _ => None,
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for ClientError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Api(e) => f.debug_tuple("Api").field(e).finish(),
            ClientError::UnexpectedStatus(r) => f.debug_tuple("UnexpectedStatus").field(r).finish(),
            ClientError::Decode { response, message } => f
                .debug_struct("Decode")
                .field("response", response)
                .field("message", message)
                .finish(),
            ClientError::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            ClientError::Incomplete { response, source } => f
                .debug_struct("Incomplete")
                .field("response", response)
                .field("source", source)
                .finish(),
            ClientError::TooLarge {
                status,
                headers,
                limit,
            } => f
                .debug_struct("TooLarge")
                .field("status", status)
                .field("headers", headers)
                .field("limit", limit)
                .finish(),
            ClientError::InvalidRequest(m) => f.debug_tuple("InvalidRequest").field(m).finish(),
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
        }
    }
}

impl<E: fmt::Debug + HasStatus> std::error::Error for ClientError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Transport(e) | ClientError::Incomplete { source: e, .. } => Some(e),
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

/// A response exactly as received.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RawResponse {
    /// Decode a JSON body. An empty body reads as `{}`, which an object
    /// whose fields are all optional accepts (servers often send nothing
    /// for "no details"); anything else still needs a body.
    pub fn json<T: DeserializeOwned, E>(&self) -> Result<T, ClientError<E>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return serde_json::from_slice(b"{}")
                .map_err(|_| self.decode_error("the body is empty".to_string()));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| self.decode_error(format!("invalid JSON body: {e}")))
    }

    /// A text body, which must be UTF-8.
    pub fn text<E>(&self) -> Result<String, ClientError<E>> {
        String::from_utf8(self.body.to_vec())
            .map_err(|e| self.decode_error(format!("body is not UTF-8: {e}")))
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form<T: DeserializeOwned, E>(&self) -> Result<T, ClientError<E>> {
        crate::form::decode_urlencoded(&self.body)
            .map_err(|e| self.decode_error(format!("invalid form body: {e}")))
    }

    /// An optional header, parsed.
    pub fn header<T: ParamValue, E>(&self, name: &str) -> Result<Option<T>, ClientError<E>> {
        let Some(value) = self.headers.get(name) else {
            return Ok(None);
        };
        let text = value
            .to_str()
            .map_err(|_| self.decode_error(format!("header `{name}` is not visible ASCII")))?;
        T::from_param(text)
            .map(Some)
            .map_err(|e| self.decode_error(format!("header `{name}`: {e}")))
    }

    /// A header the spec says is always sent.
    pub fn required_header<T: ParamValue, E>(&self, name: &str) -> Result<T, ClientError<E>> {
        self.header(name)?
            .ok_or_else(|| self.decode_error(format!("required header `{name}` is missing")))
    }

    fn decode_error<E>(&self, message: String) -> ClientError<E> {
        ClientError::Decode {
            response: Box::new(self.clone()),
            message,
        }
    }

    /// This response as an undocumented-status error.
    pub fn unexpected<E>(self) -> ClientError<E> {
        ClientError::UnexpectedStatus(Box::new(self))
    }
}

/// One path parameter value as a path segment, percent-encoded. Empty, `.`
/// and `..` are refused: URL normalization would drop or climb them (even
/// encoded as `%2E`), sending the call to a different resource.
pub fn path_segment<E>(name: &str, value: &str) -> Result<String, ClientError<E>> {
    match value {
        "" => Err(ClientError::InvalidRequest(format!(
            "path parameter `{name}` is empty"
        ))),
        "." | ".." => Err(ClientError::InvalidRequest(format!(
            "path parameter `{name}` is `{value}`, which would address a different resource"
        ))),
        _ => Ok(crate::param::encode_segment(value)),
    }
}

/// One request as the generated code describes it.
#[derive(Debug)]
pub struct Request {
    /// The operationId, for errors and tracing.
    pub operation: &'static str,
    pub method: Method,
    /// The path, already encoded, starting with `/`.
    pub path: String,
    /// The encoded query string without `?` (may be empty).
    pub query: String,
    pub headers: HeaderMap,
    /// Content type and bytes.
    pub body: Option<(Cow<'static, str>, Vec<u8>)>,
    /// The security schemes that may authenticate this operation, in the
    /// spec's order; the first one with a credential configured is used.
    pub security: &'static [&'static str],
}

impl Request {
    pub fn new(operation: &'static str, method: Method, path: String) -> Self {
        Request {
            operation,
            method,
            path,
            query: String::new(),
            headers: HeaderMap::new(),
            body: None,
            security: &[],
        }
    }

    /// Add a header parameter.
    pub fn header<T: ParamValue, E>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), ClientError<E>> {
        let invalid = || {
            ClientError::InvalidRequest(format!(
                "header `{name}` has characters HTTP does not allow"
            ))
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = HeaderValue::from_str(&value.to_param()).map_err(|_| invalid())?;
        self.headers.append(header, value);
        Ok(())
    }

    /// Add a cookie parameter.
    pub fn cookie<T: ParamValue, E>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), ClientError<E>> {
        let value =
            HeaderValue::from_str(&format!("{name}={}", value.to_param())).map_err(|_| {
                ClientError::InvalidRequest(format!(
                    "cookie `{name}` has characters HTTP does not allow"
                ))
            })?;
        self.headers.append(COOKIE, value);
        Ok(())
    }

    /// A text body.
    pub fn text(&mut self, content_type: &'static str, body: String) {
        self.body = Some((Cow::Borrowed(content_type), body.into_bytes()));
    }

    /// A body sent as the bytes given.
    pub fn bytes(&mut self, content_type: &'static str, body: Vec<u8>) {
        self.body = Some((Cow::Borrowed(content_type), body));
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize, E>(&mut self, body: &T) -> Result<(), ClientError<E>> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ClientError::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Borrowed("application/json"), bytes));
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body (see [`crate::form`] for
    /// arrays and nested objects).
    pub fn form<T: serde::Serialize, E>(
        &mut self,
        content_type: &'static str,
        body: &T,
    ) -> Result<(), ClientError<E>> {
        let text = crate::form::encode_urlencoded(body)
            .map_err(|e| ClientError::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Borrowed(content_type), text.into_bytes()));
        Ok(())
    }

    /// A `multipart/form-data` body, one part per property.
    pub fn multipart<T: MultipartBody, E>(&mut self, body: &T) -> Result<(), ClientError<E>> {
        let (content_type, bytes) = body
            .to_multipart()
            .and_then(|form| form.encode())
            .map_err(|e| ClientError::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Owned(content_type), bytes));
        Ok(())
    }
}

/// The configured HTTP stack a generated client wraps: cheap to clone.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    http: reqwest::Client,
    base_url: String,
    credentials: Vec<(&'static str, Credential)>,
    max_response_bytes: usize,
}

/// Response bodies larger than this are refused unless the client says
/// otherwise: a misbehaving server cannot make the client allocate without
/// bound.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .finish()
    }
}

impl ApiClient {
    /// `base_url` is the server URL without a trailing slash, e.g.
    /// `https://api.fireblocks.io/v1`; any URL works (a proxy, a test server).
    pub fn new(base_url: impl Into<String>, http: reqwest::Client) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        ApiClient {
            inner: Arc::new(Inner {
                http,
                base_url,
                credentials: Vec::new(),
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            }),
        }
    }

    /// A reqwest client with rustls and sensible timeouts.
    pub fn default_http() -> reqwest::Client {
        reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap_or_default()
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Use `credential` for operations that accept the security scheme `scheme`.
    pub fn with_credential(&self, scheme: &'static str, credential: Credential) -> Self {
        self.with(|inner| {
            inner.credentials.retain(|(s, _)| *s != scheme);
            inner.credentials.push((scheme, credential));
        })
    }

    /// Refuse response bodies over `limit` bytes with
    /// [`ClientError::TooLarge`] (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn with_max_response_bytes(&self, limit: usize) -> Self {
        self.with(|inner| inner.max_response_bytes = limit)
    }

    /// A copy of this client with `change` applied: clients are immutable
    /// and shared, so settings make new ones.
    fn with(&self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Inner::clone(&self.inner);
        change(&mut inner);
        ApiClient {
            inner: Arc::new(inner),
        }
    }

    /// Send `request` and read the whole response. Only transport failures
    /// are errors here: every status comes back as a [`RawResponse`].
    pub async fn execute<E>(&self, mut request: Request) -> Result<RawResponse, ClientError<E>> {
        let mut query = std::mem::take(&mut request.query);
        self.authenticate(&mut request, &mut query)?;
        let mut url = format!("{}{}", self.inner.base_url, request.path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let mut builder = self
            .inner
            .http
            .request(request.method, url)
            .headers(request.headers);
        if let Some((content_type, bytes)) = request.body {
            builder = builder
                .header(CONTENT_TYPE, content_type.as_ref())
                .body(bytes);
        }
        let mut response = builder.send().await.map_err(ClientError::Transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let limit = self.inner.max_response_bytes;
        let too_large = |headers: HeaderMap| ClientError::TooLarge {
            status,
            headers,
            limit,
        };
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large(headers));
        }
        // Read chunk by chunk, so a body without (or lying about) its length
        // stops at the limit rather than after it.
        let mut body = bytes::BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > limit => {
                    return Err(too_large(headers));
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(source) => {
                    let response = RawResponse {
                        status,
                        headers,
                        body: body.freeze(),
                    };
                    return Err(ClientError::Incomplete {
                        response: Box::new(response),
                        source,
                    });
                }
            }
        }
        let body = body.freeze();
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    fn authenticate<E>(
        &self,
        request: &mut Request,
        query: &mut String,
    ) -> Result<(), ClientError<E>> {
        let credential = request
            .security
            .iter()
            .find_map(|scheme| self.inner.credentials.iter().find(|(s, _)| s == scheme));
        let Some((scheme, credential)) = credential else {
            return Ok(());
        };
        let invalid = || {
            ClientError::InvalidRequest(format!(
                "the credential for `{scheme}` is not a valid header value"
            ))
        };
        match credential {
            Credential::Bearer(token) => {
                let value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| invalid())?;
                request.headers.insert(AUTHORIZATION, sensitive(value));
            }
            Credential::Basic { username, password } => {
                let value = HeaderValue::from_str(&format!(
                    "Basic {}",
                    crate::credentials::basic(username, password.expose())
                ))
                .map_err(|_| invalid())?;
                request.headers.insert(AUTHORIZATION, sensitive(value));
            }
            Credential::ApiKey {
                location,
                name,
                value,
            } => match location {
                KeyLocation::Header => {
                    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
                    let value = HeaderValue::from_str(value.expose()).map_err(|_| invalid())?;
                    request.headers.insert(header, sensitive(value));
                }
                KeyLocation::Cookie => {
                    let value = HeaderValue::from_str(&format!("{name}={}", value.expose()))
                        .map_err(|_| invalid())?;
                    request.headers.append(COOKIE, sensitive(value));
                }
                KeyLocation::Query => {
                    let mut pairs = form_urlencoded::Serializer::new(std::mem::take(query));
                    pairs.append_pair(name, value.expose());
                    *query = pairs.finish();
                }
            },
        }
        Ok(())
    }
}

fn sensitive(mut value: HeaderValue) -> HeaderValue {
    value.set_sensitive(true);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> RawResponse {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn undecodable_bodies_keep_the_raw_response() {
        let r = response(200, &[], "{not json");
        let err = r.json::<serde_json::Value, ()>().unwrap_err();
        match err {
            ClientError::Decode { response, message } => {
                assert_eq!(response.body, "{not json");
                assert!(message.starts_with("invalid JSON body"), "{message}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn empty_bodies_read_as_an_empty_object_or_fail_clearly() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct AllOptional {
            note: Option<String>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct NeedsField {
            #[allow(dead_code)]
            id: String,
        }
        let empty = response(200, &[], "");
        assert_eq!(
            empty.json::<AllOptional, ()>().unwrap(),
            AllOptional { note: None }
        );
        match empty.json::<NeedsField, ()>().unwrap_err() {
            ClientError::Decode { message, .. } => assert_eq!(message, "the body is empty"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn dot_segments_and_empty_path_values_are_refused() {
        for value in ["", ".", ".."] {
            assert!(
                matches!(
                    path_segment::<()>("id", value),
                    Err(ClientError::InvalidRequest(_))
                ),
                "{value:?}"
            );
        }
        assert_eq!(path_segment::<()>("id", "...").unwrap(), "...");
        assert_eq!(path_segment::<()>("id", "a/b").unwrap(), "a%2Fb");
    }

    #[test]
    fn headers_are_parsed_or_reported() {
        let r = response(200, &[("x-request-id", "abc"), ("x-count", "seven")], "");
        assert_eq!(
            r.header::<String, ()>("X-Request-ID").unwrap().as_deref(),
            Some("abc")
        );
        assert_eq!(r.header::<String, ()>("X-Missing").unwrap(), None);
        assert!(matches!(
            r.header::<i64, ()>("x-count"),
            Err(ClientError::Decode { .. })
        ));
        assert!(matches!(
            r.required_header::<String, ()>("x-missing"),
            Err(ClientError::Decode { .. })
        ));
    }

    #[test]
    fn header_parameters_with_newlines_are_refused() {
        let mut request = Request::new("op", Method::GET, "/".into());
        let err = request
            .header::<String, ()>("idempotency-key", &"a\r\nb".to_string())
            .unwrap_err();
        assert!(matches!(err, ClientError::InvalidRequest(_)));
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let client = ApiClient::new("http://h/", reqwest::Client::new())
            .with_credential("bearerAuth", Credential::bearer("s3cret-token"));
        let shown = format!("{client:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(client.base_url(), "http://h");
    }
}
