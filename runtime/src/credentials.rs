//! Credentials for the spec's security schemes, redacted in `Debug` output.

use std::fmt;

/// A secret string: usable, never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLocation {
    Header,
    Query,
    Cookie,
}

/// How a request proves who sends it.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic <base64(user:password)>`.
    Basic { username: String, password: Secret },
    /// A key in a named header, query parameter or cookie.
    ApiKey {
        location: KeyLocation,
        name: String,
        value: Secret,
    },
}

impl Credential {
    pub fn bearer(token: impl Into<String>) -> Self {
        Credential::Bearer(Secret::new(token))
    }

    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credential::Basic {
            username: username.into(),
            password: Secret::new(password),
        }
    }

    pub fn api_key(
        location: KeyLocation,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Credential::ApiKey {
            location,
            name: name.into(),
            value: Secret::new(value),
        }
    }
}

/// RFC 7617 credentials: base64 of `user:password`.
pub(crate) fn basic(username: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
}

#[cfg(test)]
mod tests {
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
        assert!(!format!("{c:?}").contains("AQIC5w"));
    }
}
