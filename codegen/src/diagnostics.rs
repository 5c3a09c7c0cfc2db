//! Problems found in a spec, as values: collected and reported together,
//! never a panic.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The spec is invalid but its meaning is clear; generation goes on.
    Warning,
    /// No sensible code exists for this part of the spec; nothing is written.
    Error,
}

/// One problem at one place in one spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The spec file as the user named it.
    pub file: String,
    /// JSON pointer (RFC 6901) to the offending node, `""` for the document.
    pub pointer: String,
    /// 1-based line and column of that node, when the source is known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn error(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, pointer, message)
    }

    pub fn warning(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, pointer, message)
    }

    fn new(
        severity: Severity,
        file: &str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            file: file.to_string(),
            pointer: pointer.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, position: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `error: specs/x.yaml:12:5: #/paths/~1a/get: unresolved $ref ...`
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{severity}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": #{}: {}", self.pointer, self.message)
    }
}

/// Escape one reference token for a JSON pointer (RFC 6901 §3).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Append one token to a pointer.
pub fn join_pointer(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_pointer_and_message() {
        let d = Diagnostic::error("specs/a.yaml", "/paths/~1users/get", "no responses")
            .at(Some((12, 5)));
        assert_eq!(
            d.to_string(),
            "error: specs/a.yaml:12:5: #/paths/~1users/get: no responses"
        );
        let w = Diagnostic::warning("b.json", "", "empty");
        assert_eq!(w.to_string(), "warning: b.json: #: empty");
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(join_pointer("/paths", "/a/{id}~x"), "/paths/~1a~1{id}~0x");
    }
}
