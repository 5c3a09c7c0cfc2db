//! Problems found in a spec, as values: collected and reported together,
//! never a panic.

use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The spec is invalid but its meaning is clear; generation goes on.
    Warning,
    /// No sensible code exists for this part of the spec; nothing is written.
    Error,
}

/// One problem at one place in one spec file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Whether generation goes on.
    pub severity: Severity,
    /// The spec file as the user named it.
    pub file: String,
    /// JSON pointer (RFC 6901) to the offending node, `""` for the document.
    pub pointer: String,
    /// 1-based line and column of that node, when the source is known.
    pub line: Option<usize>,
    /// 1-based column of that node, when the source is known.
    pub column: Option<usize>,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Diagnostic {
    /// An error in `file` at `pointer`.
    pub fn error(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, pointer, message)
    }

    /// A warning in `file` at `pointer`.
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

    /// The same diagnostic at `position` (line, column).
    pub fn at(mut self, position: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    /// Whether it stops generation.
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

/// `; did you mean `a` or `b`?` naming the closest of `candidates` to
/// `wanted` (by edit distance, ignoring case), or nothing when none is close.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let wanted_lower = wanted.to_lowercase();
    let limit = wanted.chars().count().max(3) / 3 + 1;
    let mut near: Vec<(usize, &str)> = candidates
        .map(|c| (edit_distance(&c.to_lowercase(), &wanted_lower), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    near.sort_unstable();
    near.dedup();
    match near.as_slice() {
        [] => String::new(),
        some => format!(
            "; did you mean {}?",
            some.iter()
                .take(3)
                .map(|(_, c)| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// Why `pointer` finds nothing in `document`: the first token missing, in
/// the deepest node that exists, with the nearest keys there
/// ("no `Pett` in `#/`; did you mean `Pet`?").
pub fn nothing_at(document: &serde_json::Value, pointer: &str) -> String {
    let mut parent = "";
    for (end, _) in pointer
        .match_indices('/')
        .skip(1)
        .chain([(pointer.len(), "")])
    {
        if document.pointer(&pointer[..end]).is_none() {
            break;
        }
        parent = &pointer[..end];
    }
    let rest = &pointer[parent.len()..];
    let missing = rest
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .replace("~1", "/")
        .replace("~0", "~");
    let near = match document.pointer(parent) {
        Some(serde_json::Value::Object(map)) => {
            did_you_mean(&missing, map.keys().map(String::as_str))
        }
        _ => String::new(),
    };
    format!("no `{missing}` in `#{parent}`{near}")
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_the_nearest_names() {
        let names = ["resetDevice", "resendNotification", "getUsers"];
        assert_eq!(
            did_you_mean("resetDevce", names.into_iter()),
            "; did you mean `resetDevice`?"
        );
        assert_eq!(did_you_mean("zzzzzz", names.into_iter()), "");
    }

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
    fn missing_pointers_say_where_they_stop() {
        let document = serde_json::json!({"Pet": {"properties": {"name": {}}}});
        assert_eq!(
            nothing_at(&document, "/Pett"),
            "no `Pett` in `#`; did you mean `Pet`?"
        );
        assert_eq!(
            nothing_at(&document, "/Pet/properties/nam/type"),
            "no `nam` in `#/Pet/properties`; did you mean `name`?"
        );
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(join_pointer("/paths", "/a/{id}~x"), "/paths/~1a~1{id}~0x");
    }
}
