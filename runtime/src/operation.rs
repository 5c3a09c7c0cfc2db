//! What both halves know about an operation: generated code implements
//! [`Operation`] on each operation's input type, and the client's call and
//! the server's handler are written once, generically, over it.

use http::{Method, StatusCode};

/// Generated response and error enums know the status code they stand for.
pub trait HasStatus {
    /// The status code this response stands for.
    fn status(&self) -> StatusCode;
}

/// Path parameters spanning several segments, each with the prefix every
/// item follows: `(parameter, prefix)`.
pub type SegmentPrefixes = &'static [(&'static str, &'static str)];

/// Path parameters with nothing between them (`{id}{format}`), as (first,
/// second): the first is an integer and ends where its digits do, so a
/// router splits the text there and a client refuses a second value that
/// starts with a digit (it would read as more of the first).
pub type AdjacentParams = &'static [(&'static str, &'static str)];

/// `code` as a status; one outside 100..=999 (which no spec documents)
/// is a 500.
pub fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// One operation of a spec, implemented by its generated input type (what
/// a call sends and what the server receives).
pub trait Operation: Sized + Send + 'static {
    /// The `operationId`, for errors and tracing.
    const ID: &'static str;
    /// The HTTP method.
    const METHOD: Method;
    /// The path template as the spec writes it (`/users/{id}/reset_device`),
    /// except that a parameter with one allowed value is written in as that
    /// value, percent-encoded: only what a caller passes is left as `{name}`.
    const PATH: &'static str;
    /// Path parameters that span several segments, each item after a fixed
    /// prefix (`x-path-segment-prefix`): Ping's realm hierarchy
    /// `realms/root/realms/alpha` is `("realm", "realms")`.
    const SEGMENT_PREFIXES: SegmentPrefixes = &[];
    /// Path parameters whose value may hold a `/` (`allowReserved: true`
    /// in the spec): it travels as `%2F`, in the parameter's one segment.
    /// Any other path value with a `/`, and every `.` or `..`, is refused
    /// by the client and by the server.
    const ALLOW_RESERVED: &'static [&'static str] = &[];
    /// Path parameters with nothing between them.
    const ADJACENT_PARAMS: AdjacentParams = &[];
    /// Who may call it.
    const SECURITY: Security = Security::NONE;
    /// The header carrying an idempotency key, when the operation takes one:
    /// a request with a key may be retried whatever its method, and a server
    /// behind an idempotency layer answers each key once.
    const IDEMPOTENCY_KEY: Option<&'static str> = None;
    /// The documented successes, one variant per response.
    type Success: HasStatus + Send + 'static;
    /// The documented errors, one variant per response.
    type Error: HasStatus + Send + 'static;
}

/// One security requirement: each scheme it needs (its key under
/// `components/securitySchemes`) with the scopes that scheme's credential
/// must grant. Empty (`{}`): nothing is needed, anonymous callers meet it.
pub type Requirement = &'static [(&'static str, &'static [&'static str])];

/// The security requirements of an operation, as the spec lists them: a
/// caller meets one of them (OR) by authenticating with every scheme it
/// names (AND), each credential granting the scopes listed for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Security {
    /// In the spec's order; none at all means the spec requires nothing.
    pub requirements: &'static [Requirement],
}

impl Security {
    /// The spec requires nothing.
    pub const NONE: Security = Security { requirements: &[] };

    /// A caller must meet one of `requirements`.
    pub const fn any_of(requirements: &'static [Requirement]) -> Self {
        Security { requirements }
    }

    /// Whether a caller who meets no requirement is refused: there is a
    /// requirement, and none is empty.
    pub fn requires_authentication(&self) -> bool {
        !self.requirements.is_empty() && !self.allows_anonymous()
    }

    /// An empty requirement (`{}`) lets callers without credentials in.
    pub fn allows_anonymous(&self) -> bool {
        self.requirements.iter().any(|r| r.is_empty())
    }

    /// The requirements that name schemes, in the spec's order.
    pub fn named(&self) -> impl Iterator<Item = Requirement> + '_ {
        self.requirements.iter().copied().filter(|r| !r.is_empty())
    }

    /// Every scheme some requirement names, once each, in the spec's order.
    pub fn schemes(&self) -> Vec<&'static str> {
        let mut schemes: Vec<&'static str> = Vec::new();
        for (scheme, _) in self.requirements.iter().flat_map(|r| r.iter()) {
            if !schemes.contains(scheme) {
                schemes.push(scheme);
            }
        }
        schemes
    }
}

/// `` `a` and `b` `` for a requirement, `` `a` `` for one scheme, `anonymous`
/// for `{}`: how refusals and docs name it.
pub fn describe(requirement: Requirement) -> String {
    if requirement.is_empty() {
        return "anonymous".into();
    }
    let schemes: Vec<String> = requirement
        .iter()
        .map(|(scheme, scopes)| match scopes {
            [] => format!("`{scheme}`"),
            scopes => format!("`{scheme}` (scopes {})", listed(scopes)),
        })
        .collect();
    schemes.join(" and ")
}

/// Alternatives in words: `` `a`, `b` or `c` ``; with an AND among them,
/// `` `a` and `b`, or `c` ``.
pub fn either(alternatives: &[String]) -> String {
    let and = alternatives.iter().any(|a| a.contains(" and "));
    match alternatives.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) if and => format!("{}, or {last}", rest.join(", or ")),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// `` `a`, `b` ``.
fn listed(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_requirements_without_an_empty_one_refuse_anonymous_callers() {
        const BEARER: Requirement = &[("bearer", &[])];
        const ONLY_BEARER: Security = Security::any_of(&[BEARER]);
        const MAYBE_BEARER: Security = Security::any_of(&[&[], BEARER]);
        assert!(ONLY_BEARER.requires_authentication());
        assert!(!MAYBE_BEARER.requires_authentication());
        assert!(!Security::NONE.requires_authentication());
        const BOTH: Security = Security::any_of(&[&[("key", &[]), ("bearer", &["a"])], BEARER]);
        let both = BOTH;
        assert_eq!(both.schemes(), ["key", "bearer"]);
        assert_eq!(
            describe(both.requirements[0]),
            "`key` and `bearer` (scopes `a`)"
        );
        assert_eq!(describe(&[]), "anonymous");
        let words =
            |items: &[&str]| either(&items.iter().map(ToString::to_string).collect::<Vec<_>>());
        assert_eq!(words(&["`a`", "`b`", "`c`"]), "`a`, `b` or `c`");
        assert_eq!(words(&["`a` and `b`", "`c`"]), "`a` and `b`, or `c`");
    }
}
