//! Authenticating each attempt of a call: the hook that sees the request as
//! it will be sent, and the spec's security schemes built on it (Fireblocks'
//! signed requests are in `client::signing`, feature `fireblocks`).

use std::fmt;

use http::Method;
use http::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderName, HeaderValue};

use crate::credentials::{AuthError, BoxFuture, Credential};
use crate::security::KeyLocation;

/// One attempt of a request, fully built: what an [`Authenticate`] sees and
/// may add to. Every retry is a new attempt, authenticated afresh.
pub struct Outgoing<'a> {
    pub(crate) request: &'a mut reqwest::Request,
    pub(crate) body: &'a [u8],
    pub(crate) operation: &'static str,
    pub(crate) attempt: u32,
}

/// Names the attempt only: the request's headers and URL may hold
/// credentials, which never reach a log.
impl fmt::Debug for Outgoing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("operation", &self.operation)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl Outgoing<'_> {
    /// The operationId.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// 1 for the first attempt, 2 for the first retry, and so on.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        self.request.method()
    }

    /// The path and query exactly as sent, the base URL's path included:
    /// `/v1/management/users/u1/reset_device` for base
    /// `https://api.fireblocks.io/v1`.
    pub fn uri(&self) -> String {
        let url = self.request.url();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The headers as they will be sent.
    pub fn headers(&self) -> &HeaderMap {
        self.request.headers()
    }

    /// The headers, to add a credential to.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.request.headers_mut()
    }

    /// The body bytes exactly as sent (empty when there is no body).
    pub fn body(&self) -> &[u8] {
        self.body
    }

    /// Add `name=value` to the query string.
    pub fn append_query_pair(&mut self, name: &str, value: &str) {
        self.request
            .url_mut()
            .query_pairs_mut()
            .append_pair(name, value);
    }

    /// Set a header holding a secret: marked sensitive, so HTTP/2 never
    /// indexes it and `Debug` of the header map hides it.
    pub fn set_secret_header(&mut self, name: HeaderName, value: &str) -> Result<(), AuthError> {
        let mut value = HeaderValue::from_str(value).map_err(|_| AuthError::invalid_value())?;
        value.set_sensitive(true);
        self.headers_mut().insert(name, value);
        Ok(())
    }
}

/// Authenticates one attempt: adds headers (or a query parameter) to the
/// request as it will be sent. Implement it for schemes the spec cannot
/// describe; `Debug` must not show secrets.
pub trait Authenticate: Send + Sync + fmt::Debug {
    /// Add this scheme's credential to `request`.
    fn authenticate<'a>(
        &'a self,
        request: &'a mut Outgoing<'_>,
    ) -> BoxFuture<'a, Result<(), AuthError>>;

    /// The server answered 401 to a request this authenticated. `true` when
    /// a new attempt would carry a different credential (a refreshed token):
    /// the call is then sent once more, whatever its method, since a 401
    /// means the server did not act on it.
    fn refused(&self) -> BoxFuture<'_, bool> {
        Box::pin(std::future::ready(false))
    }
}

/// The spec's security schemes: bearer, basic, or an API key in a header,
/// query parameter or cookie. Tokens are asked of their provider each time.
impl Authenticate for Credential {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut Outgoing<'_>,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            match self {
                Credential::Bearer(provider) => {
                    let token = provider.token().await?;
                    request.set_secret_header(AUTHORIZATION, &format!("Bearer {}", token.expose()))
                }
                Credential::Basic { username, password } => {
                    let encoded = crate::credentials::basic(username, password.expose());
                    request.set_secret_header(AUTHORIZATION, &format!("Basic {encoded}"))
                }
                Credential::ApiKey {
                    location,
                    name,
                    value,
                } => {
                    let value = value.token().await?;
                    match location {
                        KeyLocation::Header => {
                            let header = HeaderName::from_bytes(name.as_bytes())
                                .map_err(|_| AuthError::invalid_value())?;
                            request.set_secret_header(header, value.expose())
                        }
                        KeyLocation::Cookie => {
                            // One `Cookie` header (RFC 6265, 5.4): a second
                            // credential of the same requirement joins it.
                            let pair = format!("{name}={}", value.expose());
                            let line = match request.headers().get(COOKIE) {
                                Some(sent) => {
                                    let sent =
                                        sent.to_str().map_err(|_| AuthError::invalid_value())?;
                                    format!("{sent}; {pair}")
                                }
                                None => pair,
                            };
                            request.set_secret_header(COOKIE, &line)
                        }
                        KeyLocation::Query => {
                            request.append_query_pair(name, value.expose());
                            Ok(())
                        }
                    }
                }
            }
        })
    }

    fn refused(&self) -> BoxFuture<'_, bool> {
        match self {
            Credential::Bearer(provider)
            | Credential::ApiKey {
                value: provider, ..
            } => provider.refused(),
            Credential::Basic { .. } => Box::pin(std::future::ready(false)),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn request(url: &str) -> reqwest::Request {
        reqwest::Request::new(Method::POST, url.parse().unwrap())
    }

    pub(crate) async fn apply(
        auth: &dyn Authenticate,
        request: &mut reqwest::Request,
        body: &[u8],
    ) {
        let mut outgoing = Outgoing {
            request,
            body,
            operation: "op",
            attempt: 1,
        };
        auth.authenticate(&mut outgoing).await.unwrap();
    }

    #[tokio::test]
    async fn credentials_land_where_their_scheme_says() {
        let mut sent = request("http://h/base/x?q=1");
        apply(&Credential::bearer("t0k"), &mut sent, b"").await;
        assert_eq!(sent.headers()[AUTHORIZATION], "Bearer t0k");

        let mut sent = request("http://h/x");
        let cookie = Credential::api_key(KeyLocation::Cookie, "6ac6499e9da2071", "AQIC5w");
        apply(&cookie, &mut sent, b"").await;
        assert_eq!(sent.headers()[COOKIE], "6ac6499e9da2071=AQIC5w");

        let mut sent = request("http://h/x?q=1");
        let query = Credential::api_key(KeyLocation::Query, "api key", "a&b");
        apply(&query, &mut sent, b"").await;
        assert_eq!(sent.url().query(), Some("q=1&api+key=a%26b"));

        let mut sent = request("http://h/x");
        let mut outgoing = Outgoing {
            request: &mut sent,
            body: b"",
            operation: "op",
            attempt: 1,
        };
        let bad = Credential::api_key(KeyLocation::Header, "X-Key", "a\nb");
        let error = bad.authenticate(&mut outgoing).await.unwrap_err();
        assert!(error.is_invalid_value());
    }
}
