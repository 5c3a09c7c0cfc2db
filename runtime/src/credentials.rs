//! Credentials for the spec's security schemes, redacted in `Debug` output,
//! and the token providers that let them change over time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A secret string: usable, never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wrap `value`; it is never shown by `Debug`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, to put on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where an API key travels: the one type both halves use (see
/// [`crate::security`]), named here too for the credentials that take it.
pub use crate::security::KeyLocation;

/// How a request proves who sends it.
///
/// Tokens and keys come from a [`TokenProvider`]: a fixed [`Secret`], or
/// one that fetches and refreshes ([`RefreshingToken`], or your own).
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer(Arc<dyn TokenProvider>),
    /// `Authorization: Basic <base64(user:password)>`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// A key in a named header, query parameter or cookie.
    ApiKey {
        /// Where the key travels.
        location: KeyLocation,
        /// The header, query parameter or cookie name.
        name: String,
        /// Asked for the key on every attempt.
        value: Arc<dyn TokenProvider>,
    },
}

impl Credential {
    /// A fixed bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Credential::Bearer(Arc::new(Secret::new(token)))
    }

    /// A bearer token asked of `provider` for every attempt.
    pub fn bearer_from(provider: impl TokenProvider + 'static) -> Self {
        Credential::Bearer(Arc::new(provider))
    }

    /// HTTP basic authentication with `username` and `password`.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credential::Basic {
            username: username.into(),
            password: Secret::new(password),
        }
    }

    /// A fixed key, sent in the header, query parameter or cookie `name`.
    pub fn api_key(
        location: KeyLocation,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Credential::api_key_from(location, name, Secret::new(value))
    }

    /// A key asked of `provider` for every attempt (a session token that
    /// expires, say), sent in the header, query parameter or cookie `name`.
    pub fn api_key_from(
        location: KeyLocation,
        name: impl Into<String>,
        provider: impl TokenProvider + 'static,
    ) -> Self {
        Credential::ApiKey {
            location,
            name: name.into(),
            value: Arc::new(provider),
        }
    }
}

/// A boxed future that can be sent between threads: what the credential
/// traits return, so they can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a credential could not be produced or applied.
#[derive(Debug)]
pub struct AuthError {
    message: String,
    invalid_value: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl AuthError {
    /// A provider or signer failed (`message` must not contain the secret).
    pub fn new(message: impl Into<String>) -> Self {
        AuthError {
            message: message.into(),
            invalid_value: false,
            source: None,
        }
    }

    /// A failure caused by `source` (a token endpoint's error, say).
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        AuthError {
            source: Some(Box::new(source)),
            ..AuthError::new(message)
        }
    }

    /// The credential has characters an HTTP header cannot carry.
    pub fn invalid_value() -> Self {
        AuthError {
            invalid_value: true,
            ..AuthError::new("the credential is not a valid header value")
        }
    }

    /// Whether the credential itself is malformed (rather than unavailable).
    pub fn is_invalid_value(&self) -> bool {
        self.invalid_value
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Where a token comes from: asked once per attempt, so a provider can hand
/// out a fresh one when the old one expires. `Debug` must not show tokens.
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The token to send now.
    fn token(&self) -> BoxFuture<'_, Result<Secret, AuthError>>;

    /// The server refused the token (401): forget it. `true` when the next
    /// [`TokenProvider::token`] may be a different one worth a new attempt.
    fn refused(&self) -> BoxFuture<'_, bool> {
        Box::pin(std::future::ready(false))
    }
}

/// A fixed token.
impl TokenProvider for Secret {
    fn token(&self) -> BoxFuture<'_, Result<Secret, AuthError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

/// A token as fetched, with how long it stays valid (`None`: until
/// [`RefreshingToken::invalidate`] is called).
#[derive(Debug, Clone)]
pub struct FreshToken {
    /// The token.
    pub token: Secret,
    /// How long it stays valid from now.
    pub expires_in: Option<Duration>,
}

type Fetch = dyn Fn() -> BoxFuture<'static, Result<FreshToken, AuthError>> + Send + Sync;

/// A token fetched when first needed, kept until shortly before it expires,
/// then fetched again. Concurrent calls wait for one fetch rather than
/// each making their own.
pub struct RefreshingToken {
    fetch: Box<Fetch>,
    cached: tokio::sync::Mutex<Option<(Secret, Option<Instant>)>>,
    refresh_early: Duration,
}

impl fmt::Debug for RefreshingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingToken")
            .field("token", &"<redacted>")
            .field("refresh_early", &self.refresh_early)
            .finish()
    }
}

impl RefreshingToken {
    /// Tokens come from `fetch` (an OAuth client-credentials grant, an SSO
    /// login); they are refreshed 30 s before they expire.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<FreshToken, AuthError>> + Send + 'static,
    {
        RefreshingToken {
            fetch: Box::new(move || Box::pin(fetch())),
            cached: tokio::sync::Mutex::new(None),
            refresh_early: Duration::from_secs(30),
        }
    }

    /// Refresh this long before the token expires (default 30 s).
    #[must_use]
    pub fn refresh_early(mut self, margin: Duration) -> Self {
        self.refresh_early = margin;
        self
    }

    /// Forget the token (the server refused it): the next call fetches one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }
}

impl TokenProvider for RefreshingToken {
    fn token(&self) -> BoxFuture<'_, Result<Secret, AuthError>> {
        Box::pin(async move {
            let mut cached = self.cached.lock().await;
            let now = Instant::now();
            if let Some((token, expires)) = cached.as_ref() {
                let fresh = expires.is_none_or(|at| {
                    now.checked_add(self.refresh_early)
                        .is_some_and(|refresh_at| refresh_at < at)
                });
                if fresh {
                    return Ok(token.clone());
                }
            }
            let fetched = (self.fetch)().await?;
            // A lifetime too long for the clock never expires.
            let expires = fetched
                .expires_in
                .and_then(|lifetime| now.checked_add(lifetime));
            *cached = Some((fetched.token.clone(), expires));
            Ok(fetched.token)
        })
    }

    /// A refused token is dropped, so the next call fetches a new one.
    fn refused(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            self.invalidate().await;
            true
        })
    }
}

/// RFC 7617 credentials: base64 of `user:password`.
pub(crate) fn basic(username: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn basic_credentials_match_rfc_7617() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic("a", "b"), "YTpi");
        assert_eq!(basic("ab", "c"), "YWI6Yw==");
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Credential::api_key(KeyLocation::Header, "iPlanetDirectoryPro", "AQIC5w-token");
        let shown = format!("{c:?}");
        assert!(!shown.contains("AQIC5w"), "{shown}");
        assert!(shown.contains("iPlanetDirectoryPro"), "{shown}");
        let c = Credential::basic("alice", "hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
        let c = Credential::bearer("eyJ-bearer");
        assert!(!format!("{c:?}").contains("eyJ"));
    }

    /// A provider that counts its fetches and hands out `token-N`.
    fn counting(lifetime: Option<Duration>) -> (RefreshingToken, Arc<AtomicU32>) {
        let fetches = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&fetches);
        let provider = RefreshingToken::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                // Suspend, as a real fetch does, so concurrent callers
                // overlap it: sharing one fetch is then a real claim.
                tokio::task::yield_now().await;
                Ok(FreshToken {
                    token: Secret::new(format!("token-{n}")),
                    expires_in: lifetime,
                })
            }
        });
        (provider, fetches)
    }

    /// A lifetime too long for the clock (a token server's `expires_in`)
    /// means a token that never expires, not a panic.
    #[tokio::test]
    async fn an_endless_lifetime_is_cached_for_good() {
        let (provider, fetches) = counting(Some(Duration::MAX));
        for _ in 0..2 {
            assert_eq!(provider.token().await.unwrap().expose(), "token-1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_refreshing_token_is_cached_until_it_nears_expiry() {
        let (provider, fetches) = counting(Some(Duration::from_secs(3_600)));
        for _ in 0..3 {
            assert_eq!(provider.token().await.unwrap().expose(), "token-1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        provider.invalidate().await;
        assert_eq!(provider.token().await.unwrap().expose(), "token-2");

        // Lifetime 200 ms, refreshed 100 ms early: fresh for about 100 ms.
        let (provider, fetches) = counting(Some(Duration::from_millis(200)));
        let provider = provider.refresh_early(Duration::from_millis(100));
        assert_eq!(provider.token().await.unwrap().expose(), "token-1");
        assert_eq!(provider.token().await.unwrap().expose(), "token-1");
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(provider.token().await.unwrap().expose(), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn only_a_refreshing_token_can_replace_a_refused_one() {
        let fixed = Secret::new("fixed");
        assert!(!fixed.refused().await);
        assert_eq!(fixed.token().await.unwrap().expose(), "fixed");

        let (provider, fetches) = counting(None);
        assert_eq!(provider.token().await.unwrap().expose(), "token-1");
        assert!(TokenProvider::refused(&provider).await);
        assert_eq!(provider.token().await.unwrap().expose(), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let (provider, fetches) = counting(None);
        let provider = Arc::new(provider);
        let calls = (0..8).map(|_| {
            let provider = Arc::clone(&provider);
            tokio::spawn(async move { provider.token().await.unwrap().expose().to_owned() })
        });
        for call in calls {
            assert_eq!(call.await.unwrap(), "token-1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(!format!("{provider:?}").contains("token-1"));
    }

    #[tokio::test]
    async fn a_failed_fetch_is_reported_and_retried_next_time() {
        let attempts = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&attempts);
        let provider = RefreshingToken::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Err(AuthError::new("token endpoint unreachable"))
                } else {
                    Ok(FreshToken {
                        token: Secret::new("ok"),
                        expires_in: None,
                    })
                }
            }
        });
        let error = provider.token().await.unwrap_err();
        assert_eq!(error.to_string(), "token endpoint unreachable");
        assert_eq!(provider.token().await.unwrap().expose(), "ok");
    }
}
