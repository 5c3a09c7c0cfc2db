//! Whether the principals an [`AuthLayer`](super::AuthLayer) verified meet
//! an operation's security requirements, as the spec means them: one
//! requirement (OR), by a principal of every scheme it names (AND), each
//! granting the scopes listed for that scheme.

use super::{Principal, unauthorized};
use crate::operation::{Requirement, Security, describe, either};
use crate::server::extract::Incoming;
use crate::server::rejection::{Rejection, RejectionKind};

/// What generated handlers call for an operation that requires
/// authentication: the principal of the first requirement (in the spec's
/// order) the caller meets, with the other schemes' principals in
/// [`Principal::also`]; else a 401 naming the requirements, or a 403 when
/// the caller has every scheme of one but not the scopes it lists.
pub fn require(
    incoming: &Incoming,
    operation: &str,
    security: &Security,
) -> Result<Principal, Rejection> {
    let principals = incoming.principals();
    let mut lacking_scopes = None;
    for requirement in security.named() {
        match met(principals, requirement) {
            Ok(principal) => return Ok(principal),
            Err(Lack::Scopes(missing)) => {
                lacking_scopes.get_or_insert(missing);
            }
            Err(Lack::Schemes) => {}
        }
    }
    if let Some(missing) = lacking_scopes {
        return Err(Rejection::new(
            RejectionKind::Forbidden,
            format!("`{operation}` needs {missing}, which the credential does not grant"),
        ));
    }
    let wanted: Vec<String> = security.named().map(describe).collect();
    let mut message = format!("`{operation}` requires {}", either(&wanted));
    if !principals.is_empty() {
        let sent: Vec<String> = principals
            .iter()
            .map(|p| format!("`{}`", p.scheme))
            .collect();
        message.push_str(&format!(
            "; the request authenticated {} only",
            sent.join(" and ")
        ));
    }
    Err(unauthorized(message))
}

/// The caller of an operation whose security is optional: the principal
/// of the first named requirement the caller meets, or `None` (whoever
/// sent nothing, or meets only `{}`). When the spec names no scheme
/// (`security: []`, or only `{}`), whoever the layer authenticated (the first principal, the others
/// in [`Principal::also`]).
pub fn optional(incoming: &Incoming, security: &Security) -> Option<Principal> {
    let principals = incoming.principals();
    if security.named().next().is_none() {
        let (first, rest) = principals.split_first()?;
        return Some(Principal {
            also: rest.to_vec(),
            ..first.clone()
        });
    }
    security
        .named()
        .find_map(|requirement| met(principals, requirement).ok())
}

/// Why a requirement is not met.
enum Lack {
    /// A scheme it names authenticated nobody.
    Schemes,
    /// Every scheme did, but one lacks scopes: which, in words.
    Scopes(String),
}

fn met(principals: &[Principal], requirement: Requirement) -> Result<Principal, Lack> {
    let mut found = Vec::with_capacity(requirement.len());
    let mut missing_scopes = Vec::new();
    for (scheme, scopes) in requirement {
        let principal = principals
            .iter()
            .find(|p| p.scheme == *scheme)
            .ok_or(Lack::Schemes)?;
        let missing: Vec<String> = scopes
            .iter()
            .filter(|scope| !principal.scopes.iter().any(|granted| granted == *scope))
            .map(|scope| format!("`{scope}`"))
            .collect();
        if !missing.is_empty() {
            missing_scopes.push(format!("the scope {} of `{scheme}`", missing.join(", ")));
        }
        found.push(principal.clone());
    }
    if !missing_scopes.is_empty() {
        return Err(Lack::Scopes(missing_scopes.join(" and ")));
    }
    let mut found = found.into_iter();
    let first = found.next().ok_or(Lack::Schemes)?;
    Ok(Principal {
        also: found.collect(),
        ..first
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::auth::AuthOutcome;
    use crate::server::extract::tests::incoming;

    async fn with(principals: Vec<Principal>) -> Incoming {
        let mut request = incoming("/x", &[], "").await;
        let outcome = match principals.is_empty() {
            true => AuthOutcome::Anonymous,
            false => AuthOutcome::Authenticated(principals),
        };
        request.extensions.insert(outcome);
        request
    }

    const BOTH: Security = Security::any_of(&[&[("key", &[]), ("bearer", &[])]]);
    const SCOPED_OR_KEY: Security =
        Security::any_of(&[&[("oauth", &["read", "write"])], &[("key", &[])]]);

    #[tokio::test]
    async fn every_scheme_of_one_requirement_is_needed() {
        let key = Principal::new("key", "app");
        let user = Principal::new("bearer", "ann");
        let only_key = with(vec![key.clone()]).await;
        let refused = require(&only_key, "op", &BOTH).unwrap_err();
        assert_eq!(refused.status, http::StatusCode::UNAUTHORIZED);
        assert_eq!(
            refused.message,
            "`op` requires `key` and `bearer`; the request authenticated `key` only"
        );
        let both = with(vec![user.clone(), key.clone()]).await;
        let caller = require(&both, "op", &BOTH).unwrap();
        // The requirement's order, not the verifier's.
        assert_eq!(
            (caller.scheme.as_ref(), caller.subject.as_str()),
            ("key", "app")
        );
        assert_eq!(caller.also, std::slice::from_ref(&user));
        assert_eq!(caller.of_scheme("bearer"), Some(&user));
        let nobody = with(vec![]).await;
        assert_eq!(
            require(&nobody, "op", &BOTH).unwrap_err().message,
            "`op` requires `key` and `bearer`"
        );
    }

    #[tokio::test]
    async fn scopes_must_be_granted_and_any_requirement_will_do() {
        let reader = Principal::new("oauth", "ann").with_scopes(["read"]);
        let refused = require(&with(vec![reader]).await, "op", &SCOPED_OR_KEY).unwrap_err();
        assert_eq!(refused.status, http::StatusCode::FORBIDDEN);
        assert_eq!(
            refused.message,
            "`op` needs the scope `write` of `oauth`, which the credential does not grant"
        );
        let writer = Principal::new("oauth", "ann").with_scopes(["write", "read", "x"]);
        let incoming = with(vec![writer.clone()]).await;
        assert_eq!(require(&incoming, "op", &SCOPED_OR_KEY).unwrap(), writer);
        // The other requirement: no scopes needed.
        let key = with(vec![Principal::new("key", "app")]).await;
        assert_eq!(require(&key, "op", &SCOPED_OR_KEY).unwrap().subject, "app");
        // Lacking scopes and a scheme that meets another requirement: met.
        let reader_and_key = with(vec![
            Principal::new("oauth", "ann").with_scopes(["read"]),
            Principal::new("key", "app"),
        ])
        .await;
        assert_eq!(
            require(&reader_and_key, "op", &SCOPED_OR_KEY)
                .unwrap()
                .scheme,
            "key"
        );
    }

    #[tokio::test]
    async fn optional_security_names_only_callers_who_meet_a_requirement() {
        let optional_both = Security::any_of(&[&[], &[("key", &[]), ("bearer", &[])]]);
        let key = Principal::new("key", "app");
        assert_eq!(optional(&with(vec![]).await, &optional_both), None);
        assert_eq!(
            optional(&with(vec![key.clone()]).await, &optional_both),
            None
        );
        let both = with(vec![key.clone(), Principal::new("bearer", "ann")]).await;
        assert_eq!(optional(&both, &optional_both).unwrap().also.len(), 1);
        // Nothing required: whoever the layer authenticated.
        let fireblocks = with(vec![Principal::new("fireblocks", "api-key")]).await;
        assert_eq!(
            optional(&fireblocks, &Security::NONE).unwrap().subject,
            "api-key"
        );
    }
}
