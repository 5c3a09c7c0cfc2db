//! One attempt of a call: build, authenticate, send and read, following
//! the redirects that are safe to follow (see [`redirect`](super::redirect)),
//! each hop authenticated afresh.

use std::borrow::Cow;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};

use super::auth::{Authenticate, Outgoing};
use super::error::{ClientError, RawResponse};
use super::redirect::{self, MAX_REDIRECTS};
use super::request::Request;
use super::{ApiClient, response};
use crate::operation::Security;

/// A scheme's name and how to authenticate as it.
pub(super) type SchemeCredential = (&'static str, Arc<dyn Authenticate>);

/// The credentials one call sends: every scheme of the requirement chosen.
pub(super) type Chosen<'a> = [&'a SchemeCredential];

impl ApiClient {
    /// One attempt: build, authenticate, send, read; then follow the
    /// redirects that are safe to follow (see [`redirect`]), each hop
    /// authenticated afresh.
    pub(super) async fn attempt<E>(
        &self,
        request: &Request,
        credentials: &Chosen<'_>,
        url: &str,
        body: Option<&(Cow<'static, str>, Bytes)>,
        attempt: u32,
    ) -> Result<RawResponse, ClientError<E>> {
        let mut url = reqwest::Url::parse(url)
            .map_err(|e| ClientError::InvalidRequest(format!("`{url}` is not a URL: {e}")))?;
        let mut hops = 0;
        loop {
            let response = self
                .send_once(request, credentials, &url, body, attempt)
                .await?;
            match redirect::follow(&response, &url, &request.method) {
                Some(next) if hops < MAX_REDIRECTS => {
                    tracing::debug!(status = response.status.as_u16(), "following a redirect");
                    hops += 1;
                    url = next;
                }
                _ if response.is_redirect() && !request.documents_redirects => {
                    return Err(redirect::not_followed(response, &url));
                }
                _ => return Ok(response),
            }
        }
    }

    /// Build, authenticate, send and read one request to `url`.
    async fn send_once<E>(
        &self,
        request: &Request,
        credentials: &Chosen<'_>,
        url: &reqwest::Url,
        body: Option<&(Cow<'static, str>, Bytes)>,
        attempt: u32,
    ) -> Result<RawResponse, ClientError<E>> {
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url.clone())
            .headers(request.headers.clone());
        if let Some(user_agent) = &self.inner.user_agent {
            builder = builder.header(USER_AGENT, user_agent);
        }
        match body {
            Some((content_type, bytes)) => {
                builder = builder
                    .header(CONTENT_TYPE, content_type.as_ref())
                    .body(bytes.clone());
            }
            // No body where the method gives one a meaning: say so with
            // `Content-Length: 0` (RFC 9110 8.6: a client SHOULD; hyper
            // leaves it out), as the vendors' SDKs do; some front ends
            // answer 411 without it. What is signed (Fireblocks' `bodyHash`
            // of `""`) is what is sent, on every hop.
            None if has_content_semantics(&request.method) => {
                builder = builder.header(CONTENT_LENGTH, "0");
            }
            None => {}
        }
        // A request reqwest cannot build never will be: not a transport
        // failure to retry.
        let mut http_request = builder
            .build()
            .map_err(|e| ClientError::InvalidRequest(e.to_string()))?;
        let mut outgoing = Outgoing {
            request: &mut http_request,
            body: body.map(|(_, bytes)| &bytes[..]).unwrap_or_default(),
            operation: request.operation,
            attempt,
        };
        self.authenticate(credentials, &mut outgoing).await?;
        let sent = http_request.url().clone();
        let response = self
            .inner
            .http
            .execute(http_request)
            .await
            .map_err(ClientError::Transport)?;
        // An HTTP client that follows redirects itself has already carried
        // this request's headers to wherever it was sent: refuse the answer
        // and say how to build one that does not.
        if *response.url() != sent {
            return Err(ClientError::InvalidRequest(format!(
                "the HTTP client followed a redirect from `{sent}` to `{}`; build it from \
                 `ApiClient::http_builder()`, which turns redirects off, so credentials \
                 never leave their origin",
                response.url()
            )));
        }
        response::read(response, self.inner.max_response_bytes).await
    }

    /// The credentials to send: every scheme of the first requirement (in
    /// the spec's order) the client has a credential for each scheme of;
    /// none when the spec requires nothing or lets anonymous callers in and
    /// no requirement can be met; else the call is refused before it is
    /// sent, since the server could only answer 401.
    pub(super) fn credentials_for<E>(
        &self,
        operation: &'static str,
        security: &Security,
    ) -> Result<Vec<&SchemeCredential>, ClientError<E>> {
        let configured = |scheme: &str| self.inner.credentials.iter().find(|(s, _)| *s == scheme);
        let met = security.named().find_map(|requirement| {
            requirement
                .iter()
                .map(|(scheme, _)| configured(scheme))
                .collect::<Option<Vec<_>>>()
        });
        match met {
            Some(credentials) => Ok(credentials),
            None if !security.requires_authentication() => Ok(Vec::new()),
            None => Err(ClientError::MissingCredentials {
                operation,
                requirements: security
                    .named()
                    .map(|r| r.iter().map(|(scheme, _)| *scheme).collect())
                    .collect(),
            }),
        }
    }

    /// Tell the credentials and the signer the server refused them; whether
    /// any has something new to send.
    pub(super) async fn refused(&self, credentials: &Chosen<'_>) -> bool {
        let mut renewed = false;
        for (_, credential) in credentials {
            renewed |= credential.refused().await;
        }
        if let Some(signer) = &self.inner.signer {
            renewed |= signer.refused().await;
        }
        renewed
    }

    /// Each scheme's credential, then the client-wide signer.
    async fn authenticate<E>(
        &self,
        credentials: &Chosen<'_>,
        outgoing: &mut Outgoing<'_>,
    ) -> Result<(), ClientError<E>> {
        for (scheme, credential) in credentials {
            credential
                .authenticate(outgoing)
                .await
                .map_err(|e| match e.is_invalid_value() {
                    true => ClientError::InvalidRequest(format!(
                        "the credential for `{scheme}` is not a valid header value"
                    )),
                    false => ClientError::Auth(e),
                })?;
        }
        if let Some(signer) = &self.inner.signer {
            signer
                .authenticate(outgoing)
                .await
                .map_err(ClientError::Auth)?;
        }
        Ok(())
    }
}

/// Whether a request of `method` gives enclosed content a meaning, so an
/// absent body is sent as an empty one.
fn has_content_semantics(method: &http::Method) -> bool {
    [http::Method::POST, http::Method::PUT, http::Method::PATCH].contains(method)
}
