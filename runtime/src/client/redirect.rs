//! Redirects, followed by the client itself and only where that is safe.
//!
//! reqwest's own redirect following drops only `Authorization` and `Cookie`
//! on the way to another host, so an `X-API-Key`, an SSO header named after
//! a tenant's cookie or an API key in the query would travel on; and it turns
//! a POST answered 301, 302 or 303 into a GET, whose 200 a typed client would
//! read as the POST's success. So the HTTP client underneath never follows
//! ([`ApiClient::http_builder`](super::ApiClient::http_builder) turns it off)
//! and the call follows a redirect itself only when
//!
//! - the new location has the same origin (scheme, host and port): the
//!   credentials a call carries are for that origin alone;
//! - the method stays what it was: GET and HEAD after 301, 302 and 303, any
//!   method (with the same body) after 307 and 308, which say to repeat the
//!   request as it was;
//!
//! for at most [`MAX_REDIRECTS`] hops. Each hop is authenticated afresh (a
//! Fireblocks JWT is signed for the new URI). Any other redirect ends the call
//! with [`ClientError::Redirect`], naming where the server pointed, unless
//! the operation documents redirect responses of its own (then the generated
//! code decodes them as the spec says).

use http::Method;
use reqwest::Url;

use super::error::{ClientError, RawResponse};

/// Hops a call follows before it gives up with [`ClientError::Redirect`]
/// (the limit browsers and reqwest use).
pub const MAX_REDIRECTS: u32 = 10;

/// Where `response` (to a request for `from`) redirects, resolved against
/// `from`: `None` when it is not a redirect or has no usable `Location`.
pub(super) fn location(response: &RawResponse, from: &Url) -> Option<Url> {
    if !response.is_redirect() {
        return None;
    }
    from.join(response.location().trim()).ok()
}

/// The URL to send `method` to next, when the client follows `response`
/// (see the module docs for when it does).
pub(super) fn follow(response: &RawResponse, from: &Url, method: &Method) -> Option<Url> {
    let to = location(response, from)?;
    let keeps_method = match response.status.as_u16() {
        307 | 308 => true,
        _ => *method == Method::GET || *method == Method::HEAD,
    };
    (keeps_method && to.origin() == from.origin()).then_some(to)
}

/// A redirect the client did not follow, as the error the call ends in.
pub(super) fn not_followed<E>(response: RawResponse, from: &Url) -> ClientError<E> {
    let location = match location(&response, from) {
        Some(url) => url.to_string(),
        None => response.location().to_owned(),
    };
    ClientError::Redirect {
        status: response.status,
        location,
        response: Box::new(response),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::header::LOCATION;
    use http::{HeaderMap, StatusCode};

    use super::*;

    fn redirect(status: u16, location: &str) -> RawResponse {
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, location.parse().unwrap());
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::new(),
        }
    }

    #[test]
    fn only_same_origin_hops_that_keep_the_method_are_followed() {
        let from: Url = "https://api.example/v1/users/u1?x=1".parse().unwrap();
        let next = |status, location, method: Method| {
            follow(&redirect(status, location), &from, &method).map(|u| u.to_string())
        };
        assert_eq!(
            next(302, "/v1/users/u2", Method::GET).as_deref(),
            Some("https://api.example/v1/users/u2")
        );
        assert_eq!(
            next(301, "u3", Method::HEAD).as_deref(),
            Some("https://api.example/v1/users/u3")
        );
        for status in [301, 302, 303] {
            assert_eq!(next(status, "/v1/users/u2", Method::POST), None, "{status}");
            assert_eq!(next(status, "/v1/users/u2", Method::DELETE), None);
        }
        for status in [307, 308] {
            assert!(
                next(status, "/v2/reset", Method::POST).is_some(),
                "{status}"
            );
        }
        // Another host, port or scheme is another origin.
        for elsewhere in [
            "https://evil.example/v1/users/u2",
            "https://api.example:8443/v1/users/u2",
            "http://api.example/v1/users/u2",
            "//evil.example/x",
        ] {
            assert_eq!(next(302, elsewhere, Method::GET), None, "{elsewhere}");
            assert_eq!(next(307, elsewhere, Method::POST), None, "{elsewhere}");
        }
        // Not a redirect, or nowhere to go.
        assert_eq!(next(300, "/v1/x", Method::GET), None);
        assert_eq!(next(304, "/v1/x", Method::GET), None);
        let mut no_location = redirect(302, "/x");
        no_location.headers.clear();
        assert_eq!(follow(&no_location, &from, &Method::GET), None);
    }

    #[test]
    fn a_redirect_not_followed_names_its_resolved_location() {
        let from: Url = "https://api.example/v1/users/u1".parse().unwrap();
        match not_followed::<()>(redirect(303, "/status/9"), &from) {
            ClientError::Redirect {
                status, location, ..
            } => {
                assert_eq!(status, StatusCode::SEE_OTHER);
                assert_eq!(location, "https://api.example/status/9");
            }
            other => panic!("{other:?}"),
        }
    }
}
