//! Fireblocks' signed requests as a client authenticator: a
//! [`SigningKey`] signs every attempt of every call.

use http::header::{AUTHORIZATION, HeaderName};

use super::auth::{Authenticate, Outgoing};
use crate::credentials::{AuthError, BoxFuture};
use crate::fireblocks::{API_KEY_HEADER, SigningKey};

/// Fireblocks' request signing: `X-API-Key` and a JWT, signed for this
/// attempt's exact URI and body with a new nonce and `iat` (see
/// [`crate::fireblocks`]).
impl Authenticate for SigningKey {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut Outgoing<'_>,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        let signed = self
            .sign_request(&request.uri(), request.body(), crate::fireblocks::now())
            .map_err(|e| AuthError::with_source("could not sign the request", e))
            .and_then(|token| {
                let header = HeaderName::from_bytes(API_KEY_HEADER.as_bytes())
                    .map_err(|_| AuthError::invalid_value())?;
                request.set_secret_header(header, self.api_key())?;
                request.set_secret_header(AUTHORIZATION, &format!("Bearer {token}"))
            });
        Box::pin(std::future::ready(signed))
    }
}

#[cfg(test)]
mod tests {
    use super::super::auth::tests::{apply, request};
    use super::*;
    use crate::fireblocks::{Expected, VerifyingKey, verify};

    const PRIVATE: &[u8] = include_bytes!("../../tests/keys/fireblocks-test-private.pem");
    const PUBLIC: &[u8] = include_bytes!("../../tests/keys/fireblocks-test-public.pem");

    /// The claims of the JWT in `bearer`, verified for exactly the uri
    /// (base path included) and body the test sends.
    fn verified_claims(bearer: &str) -> crate::fireblocks::Claims {
        verify(
            bearer.strip_prefix("Bearer ").unwrap(),
            &VerifyingKey::from_pem(PUBLIC).unwrap(),
            Expected {
                api_key: "api-key-1",
                uri: "/v1/management/users/u%201/reset_device?a=1",
                body: b"{\"x\":1}",
                now: crate::fireblocks::now(),
                leeway_secs: 5,
                max_lifetime_secs: crate::fireblocks::DEFAULT_MAX_LIFETIME_SECS,
            },
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_signing_key_signs_the_uri_with_its_base_path_and_the_body() {
        let key = SigningKey::from_pem("api-key-1", PRIVATE).unwrap();
        let mut sent = request("https://api.example/v1/management/users/u%201/reset_device?a=1");
        apply(&key, &mut sent, b"{\"x\":1}").await;
        assert_eq!(sent.headers()["x-api-key"], "api-key-1");
        let bearer = sent.headers()[AUTHORIZATION].to_str().unwrap().to_owned();
        let claims = verified_claims(&bearer);
        assert!(sent.headers()[AUTHORIZATION].is_sensitive());

        // A second attempt gets a new token with a new nonce.
        apply(&key, &mut sent, b"{\"x\":1}").await;
        let again = sent.headers()[AUTHORIZATION].to_str().unwrap().to_owned();
        assert_ne!(again, bearer);
        assert_ne!(claims.nonce, verified_claims(&again).nonce);
    }
}
