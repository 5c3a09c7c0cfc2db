//! The spec's security schemes, one vocabulary for both sides: a client
//! configures credentials per [`Scheme`] (`Client::BEARER_AUTH`) and a server
//! verifies them per [`Scheme`] (`server::security::BEARER_AUTH`); both
//! name the same scheme with the same value.

use std::borrow::Cow;

use base64::Engine;
use http::request::Parts;

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLocation {
    /// In a header.
    Header,
    /// In the query string.
    Query,
    /// In a cookie.
    Cookie,
}

/// How a security scheme carries its credential on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (also OAuth2 and OpenID Connect).
    Bearer,
    /// `Authorization: Basic <base64 user:password>`.
    Basic,
    /// A named header, query parameter or cookie.
    ApiKey {
        /// Where the key travels.
        location: KeyLocation,
        /// The header, query parameter or cookie name.
        name: Cow<'static, str>,
    },
}

/// A security scheme of a spec; generated modules declare each of theirs
/// as a const, on the client (`Client::BEARER_AUTH`) and in
/// `server::security` alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    /// The key under `components/securitySchemes`.
    pub key: &'static str,
    /// How the credential travels.
    pub kind: SchemeKind,
}

impl Scheme {
    /// A bearer scheme under `key`.
    pub const fn bearer(key: &'static str) -> Self {
        Scheme {
            key,
            kind: SchemeKind::Bearer,
        }
    }

    /// A basic-authentication scheme under `key`.
    pub const fn basic(key: &'static str) -> Self {
        Scheme {
            key,
            kind: SchemeKind::Basic,
        }
    }

    /// An API key scheme under `key`, sent at `location` as `name`.
    pub const fn api_key(key: &'static str, location: KeyLocation, name: &'static str) -> Self {
        Scheme {
            key,
            kind: SchemeKind::ApiKey {
                location,
                name: Cow::Borrowed(name),
            },
        }
    }

    /// The same scheme with the API key under another name: Ping's SSO
    /// token travels in a header named after the tenant's session cookie.
    /// A bearer or basic scheme is returned unchanged.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        if let SchemeKind::ApiKey { name: current, .. } = &mut self.kind {
            *current = Cow::Owned(name.into());
        }
        self
    }

    /// The credential this scheme carries in `parts`, if one was sent
    /// (a basic credential decoded to `user:password`).
    pub fn credential(&self, parts: &Parts) -> Option<String> {
        match &self.kind {
            SchemeKind::Bearer => authorization(parts, "Bearer"),
            SchemeKind::Basic => authorization(parts, "Basic").map(|encoded| {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    // Sent but unreadable: an empty credential, which no
                    // check accepts and which is refused, not ignored.
                    .unwrap_or_default()
            }),
            SchemeKind::ApiKey { location, name } => match location {
                KeyLocation::Header => parts
                    .headers
                    .get(name.as_ref())
                    .map(|v| v.to_str().unwrap_or_default().to_owned()),
                KeyLocation::Query => parts.uri.query().and_then(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .find(|(n, _)| n == name.as_ref())
                        .map(|(_, v)| v.into_owned())
                }),
                KeyLocation::Cookie => cookie(parts, name),
            },
        }
    }
}

/// `Authorization: <scheme> <value>`, the scheme matched ignoring case.
pub(crate) fn authorization(parts: &Parts, scheme: &str) -> Option<String> {
    let value = parts.headers.get(http::header::AUTHORIZATION)?;
    let text = value.to_str().ok()?;
    let (given, rest) = text.split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| rest.trim().to_owned())
}

fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A request's parts with these headers, as verifiers see them.
    pub(crate) fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri(uri);
        for (n, v) in headers {
            builder = builder.header(*n, *v);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn schemes_find_their_credentials() {
        let p = parts(
            "/x?key=q1",
            &[
                ("authorization", "bearer tok"),
                ("cookie", "a=1; sess=c1"),
                ("iPlanetDirectoryPro", "h1"),
            ],
        );
        assert_eq!(Scheme::bearer("b").credential(&p).as_deref(), Some("tok"));
        assert_eq!(Scheme::basic("b").credential(&p), None);
        let header = Scheme::api_key("sso", KeyLocation::Header, "iPlanetDirectoryPro");
        assert_eq!(header.credential(&p).as_deref(), Some("h1"));
        assert_eq!(header.clone().named("other").credential(&p), None);
        let query = Scheme::api_key("q", KeyLocation::Query, "key");
        assert_eq!(query.credential(&p).as_deref(), Some("q1"));
        let cookie = Scheme::api_key("c", KeyLocation::Cookie, "sess");
        assert_eq!(cookie.credential(&p).as_deref(), Some("c1"));
        let basic = parts("/", &[("authorization", "Basic YW5uOnB3")]);
        assert_eq!(
            Scheme::basic("b").credential(&basic).as_deref(),
            Some("ann:pw")
        );
    }
}
