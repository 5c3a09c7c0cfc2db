//! [`SchemeVerifier`]: the schemes a spec declares, each checked by a
//! closure of yours.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::request::Parts;

use super::{AuthOutcome, Principal, Verifier, unauthorized};
use crate::security::Scheme;

type Check = Arc<dyn Fn(String) -> BoxFuture<'static, Option<Grant>> + Send + Sync>;

/// What a check found a credential to be: whose it is and, for schemes with
/// scopes (OAuth2, OpenID Connect), the scopes it grants. A check returns
/// `Option<String>` (a subject, no scopes) or `Option<Grant>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Whose credential it is, as the implementation sees it.
    pub subject: String,
    /// The scopes it grants; a requirement's scopes must all be among them.
    pub scopes: Vec<String>,
}

impl Grant {
    /// A credential of `subject` granting no scopes.
    pub fn new(subject: impl Into<String>) -> Self {
        Grant {
            subject: subject.into(),
            scopes: Vec::new(),
        }
    }

    /// The same grant, with `scopes` (a token's `scope` claim, split on
    /// spaces, or what introspection returned).
    #[must_use]
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
}

impl From<String> for Grant {
    fn from(subject: String) -> Self {
        Grant::new(subject)
    }
}

impl From<&str> for Grant {
    fn from(subject: &str) -> Self {
        Grant::new(subject)
    }
}

/// Verifies a spec's security schemes, each with a check of yours that
/// turns a credential into a subject (`None`: not valid), and the scopes
/// it grants where operations list some ([`Grant`]).
///
/// Every scheme whose credential is present is checked: if any fails, the
/// request is refused (401), even when another verifies; otherwise each
/// that verified is a principal, in the order added, and the operation's
/// requirements decide whether they are enough (AND within a requirement,
/// OR across them). None sent is anonymous, which operations that declare
/// `security` refuse themselves. Schemes that travel the same way (a
/// bearer scheme and an OAuth2 one both read `Authorization: Bearer`) see
/// the same credential: give them one check, with [`SchemeVerifier::with_any`].
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

    /// Accept `scheme`'s credential when `check` returns a subject (or a
    /// [`Grant`]) for it.
    #[must_use]
    pub fn with<F, Fut, G>(self, scheme: Scheme, check: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<G>> + Send + 'static,
        G: Into<Grant>,
    {
        self.with_any([scheme], check)
    }

    /// Accept the credential of each of `schemes` when `check` returns a
    /// subject (or a [`Grant`]) for it: one check for a credential that
    /// travels several ways. Ping's SSO token comes as the session cookie
    /// or as a header of the same name, so the tenant's cookie name is set
    /// once, on both schemes: `with_any([SSO_TOKEN, SSO_COOKIE].map(|s|
    /// s.named(name)), check)` (the README shows it whole). The principal
    /// names the scheme the credential came by.
    #[must_use]
    pub fn with_any<F, Fut, G>(
        mut self,
        schemes: impl IntoIterator<Item = Scheme>,
        check: F,
    ) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<G>> + Send + 'static,
        G: Into<Grant>,
    {
        let check = Arc::new(check);
        let check: Check = Arc::new(move |credential| {
            let found = check(credential);
            Box::pin(async move { found.await.map(Into::into) })
        });
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
            let mut principals = Vec::new();
            // Schemes sharing a check and a credential (bearer, OAuth2 and
            // OpenID Connect all read `Authorization: Bearer`) ask it once.
            let mut asked: Vec<(&Check, String, Option<Grant>)> = Vec::new();
            for (scheme, check) in &self.schemes {
                let Some(credential) = scheme.credential(parts) else {
                    continue;
                };
                let earlier = asked
                    .iter()
                    .find(|(c, sent, _)| Arc::ptr_eq(c, check) && *sent == credential);
                let grant = match earlier {
                    Some((_, _, grant)) => grant.clone(),
                    None => {
                        let grant = check(credential.clone()).await;
                        asked.push((check, credential, grant.clone()));
                        grant
                    }
                };
                match grant {
                    Some(grant) => principals
                        .push(Principal::new(scheme.key, grant.subject).with_scopes(grant.scopes)),
                    None => refused.push(scheme.key),
                }
            }
            match (refused.as_slice(), principals.is_empty()) {
                ([], true) => AuthOutcome::Anonymous,
                ([], false) => AuthOutcome::Authenticated(principals),
                ([one], _) => {
                    AuthOutcome::Refused(unauthorized(format!("the {one} credential is not valid")))
                }
                ([rest @ .., last], _) => AuthOutcome::Refused(unauthorized(format!(
                    "the {} and {last} credentials are not valid",
                    rest.join(", ")
                ))),
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
            AuthOutcome::Authenticated(p) => assert_eq!(p, [Principal::new("ssoCookie", "ann")]),
            other => panic!("{other:?}"),
        }
        match run(&[("6ac6499e9da2071", "AQIC5w")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(p, [Principal::new("ssoToken", "ann")]),
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
            AuthOutcome::Authenticated(p) => assert_eq!(p, [Principal::new("bearerAuth", "ann")]),
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
        // Both valid: both are principals, in the order added (the
        // operation's requirements decide whether they are enough).
        match run(&[("x-sso", "sso-ok"), ("authorization", "Bearer good")]).await {
            AuthOutcome::Authenticated(p) => assert_eq!(
                p,
                [
                    Principal::new("bearerAuth", "ann"),
                    Principal::new("ssoToken", "bob")
                ]
            ),
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

    /// A check may say what the credential grants: the principal carries
    /// the scopes, for the operation's requirement to check.
    #[tokio::test]
    async fn a_check_can_grant_scopes() {
        let verifier = SchemeVerifier::new().with(Scheme::bearer("oauth"), |token| async move {
            (token == "t").then(|| Grant::new("ann").with_scopes(["read", "write"]))
        });
        let p = parts("/", &[("authorization", "Bearer t")]);
        match verifier.verify(&p, &Bytes::new()).await {
            AuthOutcome::Authenticated(p) => {
                assert_eq!(
                    p,
                    [Principal::new("oauth", "ann").with_scopes(["read", "write"])]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    /// Schemes sharing one check and one credential ask the check once:
    /// a token introspected by an authorization server costs one call.
    #[tokio::test]
    async fn one_credential_read_by_several_schemes_is_checked_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let verifier = SchemeVerifier::new().with_any(
            [Scheme::bearer("bearer"), Scheme::bearer("oauth")],
            move |token| {
                counter.fetch_add(1, Ordering::SeqCst);
                async move { (token == "t").then(|| Grant::new("ann").with_scopes(["read"])) }
            },
        );
        let p = parts("/", &[("authorization", "Bearer t")]);
        match verifier.verify(&p, &Bytes::new()).await {
            AuthOutcome::Authenticated(p) => assert_eq!(
                p.iter().map(|p| p.scheme.as_ref()).collect::<Vec<_>>(),
                ["bearer", "oauth"]
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(asked.load(Ordering::SeqCst), 1);
    }
}
