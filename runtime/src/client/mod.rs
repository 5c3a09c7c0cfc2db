//! What every generated client shares: the HTTP stack, credentials, retries
//! and timeouts, sending a request, and turning whatever comes back into a
//! typed result or a typed error that keeps the raw response.
//!
//! Each call is one [`tracing`] span, `mfa_api_call`, with the operation,
//! method, attempt count, last status and the response's `X-Request-ID`
//! (never a credential).

mod auth;
mod call;
mod error;
mod redirect;
mod request;
mod response;
mod retry;
mod send;
#[cfg(feature = "fireblocks")]
mod signing;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use tracing::Instrument;

pub use auth::{Authenticate, Outgoing};
pub use call::{Call, CallFuture, CallResult, Callable, Decoded};
pub use error::{ClientError, DecodeError, InvalidRequest, RawResponse};
pub use redirect::MAX_REDIRECTS;
pub use request::{Request, path_segment};
pub use retry::{CallOptions, RetryPolicy, is_retry_safe, is_retryable_status, parse_retry_after};

use crate::credentials::Credential;

/// The configured HTTP stack a generated client wraps: cheap to clone.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    http: reqwest::Client,
    base_url: String,
    /// Per security scheme, how to authenticate as it.
    credentials: Vec<(&'static str, Arc<dyn Authenticate>)>,
    /// Runs on every request after the scheme's credential, whatever the
    /// operation's security says (Fireblocks signs every call).
    signer: Option<Arc<dyn Authenticate>>,
    max_response_bytes: usize,
    timeout: Duration,
    retry: RetryPolicy,
    /// Sent as `User-Agent` on every request when set, in place of the
    /// HTTP client's own ([`USER_AGENT`] for [`ApiClient::default_http`]).
    user_agent: Option<String>,
}

/// Response bodies larger than this are refused unless the client says
/// otherwise: a misbehaving server cannot make the client allocate without
/// bound.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A call, its retries and the waits between them, must finish within this
/// unless the client or the call says otherwise.
///
/// It is independent of a server's idempotency lease (this crate's server
/// renews the lease while the handler runs, however long): a call that
/// times out while its request still runs leaves the key claimed, and a new
/// call with the same idempotency key waits for that request's answer and
/// gets it, rather than running it again. So keep a key for as long as you
/// retry the same intent, across calls too.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The `User-Agent` of [`ApiClient::default_http`]: this crate and its
/// version, so a vendor's logs tell these calls apart (the vendors' own SDKs
/// name themselves the same way, e.g. `fireblocks/sdk/python/35.1.0`).
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// A new random idempotency key (a UUID v4), for operations that take one.
pub fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .field("signer", &self.inner.signer)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("user_agent", &self.inner.user_agent)
            .finish()
    }
}

/// What one attempt ended in, as the retry loop sees it.
enum Retry {
    /// Final: return it.
    No,
    /// Worth another attempt, after the server's `Retry-After` if it gave one.
    After(Option<Duration>),
}

impl ApiClient {
    /// `base_url` is the server URL without a trailing slash, e.g.
    /// `https://api.fireblocks.io/v1`; any URL works (a proxy, a test server).
    /// `http` must not follow redirects: use [`ApiClient::default_http`], or
    /// build it from [`ApiClient::http_builder`].
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
                signer: None,
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
                timeout: DEFAULT_TIMEOUT,
                retry: RetryPolicy::default(),
                user_agent: None,
            }),
        }
    }

    /// [`ApiClient::http_builder`], built: rustls, a connect timeout,
    /// redirects off and `User-Agent: ` [`USER_AGENT`].
    pub fn default_http() -> reqwest::Client {
        Self::http_builder()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    }

    /// The reqwest builder to start a custom HTTP client from (for your own
    /// TLS roots, proxies or pool settings): rustls, a connect timeout (the
    /// call's own timeout, [`ApiClient::with_timeout`], bounds the rest),
    /// `User-Agent: ` [`USER_AGENT`] and redirects off. The client follows
    /// redirects itself, only where credentials stay in their origin and the
    /// method is kept (see [`ClientError::Redirect`]); an HTTP client that
    /// follows them would carry every credential header along, so a call
    /// through one that does is refused.
    pub fn http_builder() -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Use `credential` for operations that accept the security scheme `scheme`.
    #[must_use]
    pub fn with_credential(&self, scheme: &'static str, credential: Credential) -> Self {
        self.with_authenticator(scheme, credential)
    }

    /// Authenticate operations that accept the security scheme `scheme` with
    /// `authenticator` (for schemes a [`Credential`] cannot express).
    #[must_use]
    pub fn with_authenticator(
        &self,
        scheme: &'static str,
        authenticator: impl Authenticate + 'static,
    ) -> Self {
        let authenticator: Arc<dyn Authenticate> = Arc::new(authenticator);
        self.with(|inner| {
            inner.credentials.retain(|(s, _)| *s != scheme);
            inner.credentials.push((scheme, authenticator));
        })
    }

    /// Run `signer` on every attempt of every call, after any scheme
    /// credential: for vendor authentication the spec does not declare,
    /// such as a Fireblocks `SigningKey` (`crate::fireblocks`, feature
    /// `fireblocks`).
    #[must_use]
    pub fn with_signer(&self, signer: impl Authenticate + 'static) -> Self {
        let signer: Arc<dyn Authenticate> = Arc::new(signer);
        self.with(|inner| inner.signer = Some(signer))
    }

    /// Refuse response bodies over `limit` bytes with
    /// [`ClientError::TooLarge`] (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    #[must_use]
    pub fn with_max_response_bytes(&self, limit: usize) -> Self {
        self.with(|inner| inner.max_response_bytes = limit)
    }

    /// Give each call at most `timeout`, retries included (default
    /// [`DEFAULT_TIMEOUT`]); a call can set its own.
    #[must_use]
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        self.with(|inner| inner.timeout = timeout)
    }

    /// Send `User-Agent: <user_agent>` on every request instead of the HTTP
    /// client's own ([`USER_AGENT`] for [`ApiClient::default_http`] and
    /// clients built from [`ApiClient::http_builder`]). A value HTTP cannot carry fails each call with
    /// [`ClientError::InvalidRequest`].
    #[must_use]
    pub fn with_user_agent(&self, user_agent: impl Into<String>) -> Self {
        let user_agent = user_agent.into();
        self.with(|inner| inner.user_agent = Some(user_agent))
    }

    /// Retry calls by `policy` (default [`RetryPolicy::default`]); a call
    /// can set its own.
    #[must_use]
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Self {
        self.with(|inner| inner.retry = policy)
    }

    /// How long a call may take, every attempt and wait included.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// When and how often a failed attempt is retried.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
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

    /// Send `request`, retrying where the policy allows and it is safe, and
    /// read the whole response. Every status comes back as a
    /// [`RawResponse`]; errors are transport failures, timeouts and
    /// credentials that could not be applied.
    pub async fn execute<E>(&self, request: Request) -> Result<RawResponse, ClientError<E>> {
        let span = tracing::info_span!(
            "mfa_api_call",
            operation = request.operation,
            method = %request.method,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        self.execute_in(request, span.clone())
            .instrument(span)
            .await
    }

    async fn execute_in<E>(
        &self,
        mut request: Request,
        span: tracing::Span,
    ) -> Result<RawResponse, ClientError<E>> {
        let timeout = request.options.timeout.unwrap_or(self.inner.timeout);
        let policy = request.options.retry.unwrap_or(self.inner.retry);
        let started = tokio::time::Instant::now();
        // A limit too large to add to the clock is no limit.
        let after = |limit: Duration| {
            started
                .checked_add(limit)
                .unwrap_or(started + Duration::from_secs(100 * 365 * 86_400))
        };
        let deadline = after(timeout);
        let safe = is_retry_safe(&request.method, request.has_idempotency_key);
        let mut url = format!("{}{}", self.inner.base_url, request.path);
        if !request.query_string().is_empty() {
            url.push('?');
            url.push_str(request.query_string());
        }
        let body = request
            .body
            .take()
            .map(|(content_type, bytes)| (content_type, Bytes::from(bytes)));
        let credentials = self.credentials_for(request.operation, &request.security)?;
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let sent = self.attempt(&request, &credentials, &url, body.as_ref(), attempt);
            let Ok(outcome) = tokio::time::timeout_at(deadline, sent).await else {
                return Err(ClientError::Timeout {
                    limit: timeout,
                    attempts: attempt,
                });
            };
            if let Ok(response) = &outcome {
                span.record("status", response.status.as_u16());
                if let Some(id) = response
                    .headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("request_id", id);
                }
            }
            // A refused credential that has been refreshed is worth one
            // more attempt, at once.
            let unauthorized = matches!(&outcome, Ok(r) if r.status == StatusCode::UNAUTHORIZED);
            if unauthorized && !refreshed && self.refused(&credentials).await {
                refreshed = true;
                tracing::debug!(attempt, "retrying with a refreshed credential");
                continue;
            }
            let Retry::After(retry_after) = retry_decision(&outcome) else {
                return outcome;
            };
            let wait = retry_after.unwrap_or_else(|| policy.backoff(attempt));
            // A wait too long to add to the clock (`Retry-After: 999…`) is
            // past every bound.
            let Some(resume) = tokio::time::Instant::now().checked_add(wait) else {
                return outcome;
            };
            if !safe
                || attempt >= policy.max_attempts
                || resume > after(policy.max_elapsed)
                || resume >= deadline
            {
                return outcome;
            }
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep_until(resume).await;
        }
    }
}

/// Transport failures (before or during the body) and retryable statuses
/// are worth another attempt; everything else is final.
fn retry_decision<E>(outcome: &Result<RawResponse, ClientError<E>>) -> Retry {
    match outcome {
        Ok(response) if is_retryable_status(response.status) => Retry::After(
            response
                .headers
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, std::time::SystemTime::now())),
        ),
        Err(ClientError::Transport(_) | ClientError::Incomplete { .. }) => Retry::After(None),
        _ => Retry::No,
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use http::header::{HeaderName, HeaderValue};

    use super::*;
    use crate::credentials::{FreshToken, KeyLocation, RefreshingToken, Secret};

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> RawResponse {
        let mut map = http::HeaderMap::new();
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
        let err: ClientError<()> = r.json::<serde_json::Value>().unwrap_err().into();
        match err {
            ClientError::Decode { response, message } => {
                assert_eq!(response.body, "{not json");
                assert!(message.starts_with("invalid JSON body"), "{message}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        let unexpected: ClientError<()> = r.undocumented().into();
        assert!(matches!(unexpected, ClientError::UnexpectedStatus(r) if r.body == "{not json"));
        // An undocumented redirect a generated `read` hands back (its
        // operation documents others) is a redirect, as the call's own is.
        let moved = response(302, &[("location", "/v2/items")], "");
        let redirect: ClientError<()> = moved.undocumented().into();
        assert!(
            matches!(&redirect, ClientError::Redirect { location, .. } if location == "/v2/items"),
            "{redirect:?}"
        );
        assert!(matches!(
            moved.unexpected::<()>(),
            ClientError::Redirect { .. }
        ));
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
            empty.json::<AllOptional>().unwrap(),
            AllOptional { note: None }
        );
        let err = empty.json::<NeedsField>().unwrap_err();
        assert_eq!(err.message.as_deref(), Some("the body is empty"));
    }

    #[test]
    fn headers_are_parsed_or_reported() {
        let r = response(200, &[("x-request-id", "abc"), ("x-count", "seven")], "");
        assert_eq!(r.header::<String>("X-Request-ID").unwrap(), "abc");
        assert_eq!(r.header::<Option<String>>("X-Missing").unwrap(), None);
        assert!(r.header::<Option<i64>>("x-count").is_err());
        let missing = r.header::<String>("x-missing").unwrap_err();
        assert!(
            missing
                .message
                .as_deref()
                .unwrap_or_default()
                .contains("x-missing"),
            "{missing:?}"
        );
    }

    #[test]
    fn retryable_statuses_bring_their_retry_after() {
        let decide = |r: RawResponse| match retry_decision::<()>(&Ok(r)) {
            Retry::No => None,
            Retry::After(wait) => Some(wait),
        };
        assert_eq!(
            decide(response(429, &[("retry-after", "3")], "")),
            Some(Some(Duration::from_secs(3)))
        );
        assert_eq!(decide(response(503, &[], "")), Some(None));
        assert_eq!(
            decide(response(502, &[("retry-after", "later")], "")),
            Some(None)
        );
        assert_eq!(decide(response(200, &[("retry-after", "3")], "")), None);
        assert_eq!(decide(response(404, &[], "")), None);
        assert!(matches!(
            retry_decision::<()>(&Err(ClientError::InvalidRequest("x".into()))),
            Retry::No
        ));
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let provider = RefreshingToken::new(|| async {
            Ok(FreshToken {
                token: Secret::new("s3cret-refreshed"),
                expires_in: None,
            })
        });
        let client = ApiClient::new("http://h/", reqwest::Client::new())
            .with_credential("bearerAuth", Credential::bearer("s3cret-token"))
            .with_credential(
                "ssoToken",
                Credential::api_key_from(KeyLocation::Cookie, "session", provider),
            )
            .with_credential("basic", Credential::basic("alice", "s3cret-password"));
        #[cfg(feature = "fireblocks")]
        let client = client.with_signer(
            crate::fireblocks::SigningKey::from_pem(
                "api-key-1",
                include_bytes!("../../tests/keys/fireblocks-test-private.pem"),
            )
            .unwrap(),
        );
        let shown = format!("{client:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");
        let mut visible = vec!["bearerAuth", "ssoToken", "session", "RefreshingToken"];
        if cfg!(feature = "fireblocks") {
            visible.push("api-key-1");
        }
        for visible in visible {
            assert!(shown.contains(visible), "{visible} in {shown}");
        }
        assert_eq!(client.base_url(), "http://h");
    }
}
