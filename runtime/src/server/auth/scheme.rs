//! [`SchemeVerifier`]: the schemes a spec declares, each checked by a
//! closure of yours.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::request::Parts;

use super::{AuthOutcome, Principal, Verifier, unauthorized};
use crate::security::Scheme;

type Check = Arc<dyn Fn(String) -> BoxFuture<'static, Option<String>> + Send + Sync>;

/// Verifies a spec's security schemes, each with a check of yours that
/// turns a credential into a subject (`None`: not valid).
///
/// Every scheme whose credential is present is checked: if any fails, the
/// request is refused (401), even when another verifies; otherwise the
/// first in the order added authenticates the caller. None sent is
/// anonymous, which operations that declare `security` refuse themselves.
#[derive(Clone, Default)]
pub struct SchemeVerifier {
    schemes: Vec<(Scheme, Check)>,
}

impl std::fmt::Debug for SchemeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.schemes.iter().map(|(s, _)| s))
            .finish()
    }
}

impl SchemeVerifier {
    /// A verifier that knows no scheme yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accept `scheme`'s credential when `check` returns a subject for it.
    #[must_use]
    pub fn with<F, Fut>(self, scheme: Scheme, check: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<String>> + Send + 'static,
    {
        self.with_any([scheme], check)
    }

    /// Accept the credential of each of `schemes` when `check` returns a
    /// subject for it: one check for a credential that travels several
    /// ways. Ping's SSO token comes as the session cookie or as a header of
    /// the same name, so the tenant's cookie name is set once, on both
    /// schemes: `with_any([SSO_TOKEN, SSO_COOKIE].map(|s| s.named(name)),
    /// check)` (the README shows it whole). The principal names the scheme
    /// the credential came by.
    #[must_use]
    pub fn with_any<F, Fut>(mut self, schemes: impl IntoIterator<Item = Scheme>, check: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<String>> + Send + 'static,
    {
        let check: Check = Arc::new(move |credential| Box::pin(check(credential)));
        for scheme in schemes {
            self.schemes.push((scheme, Arc::clone(&check)));
        }
        self
    }
}

impl Verifier for SchemeVerifier {
    fn verify<'a>(&'a self, parts: &'a Parts, _body: &'a Bytes) -> BoxFuture<'a, AuthOutcome> {
        Box::pin(async move {
            // Every credential sent is checked: one that fails fails the
            // request, even next to one that verifies.
            let mut refused = Vec::new();
            let mut first = None;
            for (scheme, check) in &self.schemes {
                let Some(credential) = scheme.credential(parts) else {
                    continue;
                };
                match check(credential).await {
                    Some(subject) => {
                        first.get_or_insert_with(|| Principal::new(scheme.key, subject));
                    }
                    None => refused.push(scheme.key),
                }
            }
            match (refused.is_empty(), first) {
                (false, _) => AuthOutcome::Refused(unauthorized(format!(
                    "the {} credential is not valid",
                    refused.join(" and ")
                ))),
                (true, Some(principal)) => AuthOutcome::Authenticated(principal),
                (true, None) => AuthOutcome::Anonymous,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::KeyLocation;
    use crate::security::tests::parts;

    /// One check, one cookie name, two ways in: Ping's SSO token as the
    /// session cookie or as the header named after it.
    #[tokio::test]
    async fn one_check_can_accept_a_credential_by_several_schemes() {
        let sso = [
            Scheme::api_key("ssoToken", KeyLocation::Header, "iPlanetDirectoryPro"),
            Scheme::api_key("ssoCookie", KeyLocation::Cookie, "iPlanetDirectoryPro"),
        ]
        .map(|scheme| scheme.named("6ac6499e9da2071"));
        let verifier = SchemeVerifier::new().with_any(sso, |token| async move {
            (token == "AQIC5w").then(|| "ann".to_string())
        });
        let run = |headers: &[(&str, &str)]| {
            let p = parts("/", headers);
            let verifier = &verifier;
            async move { verifier.verify(&p, &Bytes::new()).await }
        };
        match run(&[("cookie", "amlbcookie=01; 6ac6499e9da2071=AQIC5w")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("ssoCookie", "ann")),
            other => panic!("{other:?}"),
        }
        match run(&[("6ac6499e9da2071", "AQIC5w")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("ssoToken", "ann")),
            other => panic!("{other:?}"),
        }
        // The default name is not the tenant's: nothing was sent.
        assert!(matches!(
            run(&[("cookie", "iPlanetDirectoryPro=AQIC5w")]).await,
            AuthOutcome::Anonymous
        ));
        assert!(matches!(
            run(&[("cookie", "6ac6499e9da2071=stale")]).await,
            AuthOutcome::Refused(_)
        ));
    }

    #[tokio::test]
    async fn the_scheme_verifier_tries_each_present_credential() {
        let verifier = SchemeVerifier::new()
            .with(Scheme::bearer("bearerAuth"), |token| async move {
                (token == "good").then(|| "ann".to_string())
            })
            .with(
                Scheme::api_key("ssoToken", KeyLocation::Header, "x-sso"),
                |value| async move { (value == "sso-ok").then(|| "bob".to_string()) },
            );
        let run = |headers: &[(&str, &str)]| {
            let p = parts("/", headers);
            let verifier = &verifier;
            async move { verifier.verify(&p, &Bytes::new()).await }
        };
        assert!(matches!(run(&[]).await, AuthOutcome::Anonymous));
        match run(&[("authorization", "Bearer good")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("bearerAuth", "ann")),
            other => panic!("{other:?}"),
        }
        // A credential that fails fails the call, whatever else is sent
        // and in whichever order the schemes were added (issue 13: a bad
        // bearer token next to a good SSO token was let in as the SSO one).
        for headers in [
            [("authorization", "Bearer bad"), ("x-sso", "sso-ok")],
            [("authorization", "Bearer good"), ("x-sso", "sso-bad")],
        ] {
            match run(&headers).await {
                AuthOutcome::Refused(r) => assert_eq!(r.status, http::StatusCode::UNAUTHORIZED),
                other => panic!("{headers:?}: {other:?}"),
            }
        }
        // Both valid: the first scheme added is the principal.
        match run(&[("authorization", "Bearer good"), ("x-sso", "sso-ok")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, Principal::new("bearerAuth", "ann")),
            other => panic!("{other:?}"),
        }
        match run(&[("authorization", "Bearer bad")]).await {
            AuthOutcome::Refused(r) => {
                assert_eq!(r.status, http::StatusCode::UNAUTHORIZED);
                assert!(r.message.contains("bearerAuth"), "{}", r.message);
            }
            other => panic!("{other:?}"),
        }
    }
}
