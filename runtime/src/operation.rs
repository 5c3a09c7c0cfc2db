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

/// The security requirements of an operation: any one of `schemes`
/// authenticates a caller, and `anonymous` callers are let through too when
/// the spec allows it (an empty requirement, `{}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Security {
    /// The keys of the schemes that may authenticate it, in the spec's order.
    pub schemes: &'static [&'static str],
    /// Whether a caller without credentials is let through.
    pub anonymous: bool,
}

impl Security {
    /// The spec requires nothing.
    pub const NONE: Security = Security {
        schemes: &[],
        anonymous: true,
    };

    /// One of `schemes` must authenticate the caller.
    pub const fn any_of(schemes: &'static [&'static str]) -> Self {
        Security {
            schemes,
            anonymous: false,
        }
    }

    /// One of `schemes` authenticates the caller, or nobody does.
    pub const fn optional(schemes: &'static [&'static str]) -> Self {
        Security {
            schemes,
            anonymous: true,
        }
    }

    /// Whether a caller no scheme authenticated is refused.
    pub const fn requires_authentication(&self) -> bool {
        !self.schemes.is_empty() && !self.anonymous
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_requirement_without_an_anonymous_option_refuses_anonymous_callers() {
        assert!(Security::any_of(&["bearer"]).requires_authentication());
        assert!(!Security::optional(&["bearer"]).requires_authentication());
        assert!(!Security::NONE.requires_authentication());
    }
}
