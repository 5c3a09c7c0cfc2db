//! What prettyplease leaves to us, done on its output line by line and
//! deterministically: a blank line between items (prettyplease prints none)
//! and doc comments wrapped to [`WIDTH`] columns (prettyplease never breaks
//! a comment). Code lines are prettyplease's own.

/// The widest line generated files should have.
pub const WIDTH: usize = 100;

/// `text` with items spaced out and long doc lines wrapped.
pub fn lay_out(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut prev: Option<&str> = None;
    let mut in_inner_attribute = false;
    let mut fence = false;
    for line in text.lines() {
        if let Some(prev) = prev {
            if in_inner_attribute && ends_inner_attribute(prev) {
                in_inner_attribute = false;
                if !line.starts_with("#![") && !line.is_empty() {
                    out.push('\n');
                }
            } else if starts_item_after(prev, line) || ends_inner_docs(prev, line) {
                out.push('\n');
            }
        }
        if line.starts_with("#![") {
            in_inner_attribute = true;
        }
        match doc_comment(line) {
            Some((indent, marker, text)) => {
                if text.trim_start().starts_with("```") {
                    fence = !fence;
                }
                if fence || line.len() <= WIDTH {
                    out.push_str(line);
                    out.push('\n');
                } else {
                    wrap_doc(&mut out, indent, marker, text);
                }
            }
            None => {
                fence = false;
                out.push_str(line);
                out.push('\n');
            }
        }
        prev = Some(line);
    }
    out
}

/// An inner attribute (`#![...]`, perhaps over several lines) ends here.
fn ends_inner_attribute(line: &str) -> bool {
    !line.starts_with(' ') && line.ends_with(']')
}

/// A module's own docs (`//!`) end here.
fn ends_inner_docs(prev: &str, line: &str) -> bool {
    prev.trim_start().starts_with("//!")
        && !line.trim_start().starts_with("//!")
        && !line.is_empty()
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Whether `line` starts an item (or a documented member) right after the
/// end of another one at the same depth: a blank line goes between them.
/// Fields, variants, statements and match arms never end with `}`, `{}` or
/// `;` followed by an item keyword, so they stay together, and so do the
/// undocumented associated consts and types of one impl.
fn starts_item_after(prev: &str, line: &str) -> bool {
    if prev.trim().is_empty() || line.trim().is_empty() || indent(prev) != indent(line) {
        return false;
    }
    let prev = prev.trim();
    // An item with an empty body (`pub enum E {}`, `fn f() {}`) ends on
    // its first line.
    let ends_item =
        prev == "}" || prev.ends_with(" {}") || (prev.ends_with(';') && !prev.starts_with("//"));
    let line = line.trim_start();
    let item_start = [
        "///",
        "//!",
        "#[",
        "fn ",
        "pub fn ",
        "async fn ",
        "pub async fn ",
        "impl",
        "pub struct ",
        "pub enum ",
        "pub trait ",
        "pub mod ",
        "mod ",
        "pub type ",
        "pub const ",
        "static ",
        "pub static ",
        "pub use ",
        "struct ",
        "enum ",
        "trait ",
    ];
    ends_item && item_start.iter().any(|start| line.starts_with(start))
}

/// `(indent, "///" or "//!", text after the marker)` of a doc comment line.
fn doc_comment(line: &str) -> Option<(&str, &str, &str)> {
    let at = indent(line);
    let (indent, rest) = line.split_at(at);
    ["///", "//!"].into_iter().find_map(|marker| {
        let text = rest.strip_prefix(marker)?;
        // `////` is an ordinary comment.
        (!text.starts_with('/')).then_some((indent, marker, text))
    })
}

/// One doc line too long for [`WIDTH`], as several: words moved down so
/// that no line starts with something markdown would read as a new block,
/// and a list item's lines indented under its text. A heading or a table
/// row stays as it is, and so does a word longer than the width.
fn wrap_doc(out: &mut String, indent: &str, marker: &str, text: &str) {
    let body = text.strip_prefix(' ').unwrap_or(text);
    let lead = body.len() - body.trim_start().len();
    let content = body.trim_start();
    if content.starts_with('#') || content.starts_with('|') {
        push_doc(out, indent, marker, body);
        return;
    }
    let hanging = lead + list_marker_width(content);
    let first = WIDTH.saturating_sub(indent.len() + marker.len() + 1 + lead);
    let rest = WIDTH.saturating_sub(indent.len() + marker.len() + 1 + hanging);
    let words: Vec<&str> = content.split(' ').filter(|w| !w.is_empty()).collect();
    let mut lines: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut len = 0;
    for word in words {
        let limit = if lines.is_empty() { first } else { rest };
        if !current.is_empty() && len + 1 + word.len() > limit {
            lines.push(std::mem::take(&mut current));
            len = 0;
        }
        len += word.len() + usize::from(!current.is_empty());
        current.push(word);
    }
    lines.push(current);
    // A line must not start a new markdown block: move the word before it
    // down too.
    for i in 1..lines.len() {
        while lines[i].first().is_some_and(|word| opens_block(word)) && lines[i - 1].len() > 1 {
            if let Some(word) = lines[i - 1].pop() {
                lines[i].insert(0, word);
            }
        }
    }
    for (i, words) in lines.iter().enumerate() {
        let pad = if i == 0 { lead } else { hanging };
        let line = format!("{}{}", " ".repeat(pad), words.join(" "));
        push_doc(out, indent, marker, &line);
    }
}

fn push_doc(out: &mut String, indent: &str, marker: &str, text: &str) {
    out.push_str(indent);
    out.push_str(marker);
    if !text.is_empty() {
        out.push(' ');
        out.push_str(text);
    }
    out.push('\n');
}

/// The width of a list item's marker (`- `, `1. `), 0 for other text.
fn list_marker_width(text: &str) -> usize {
    if ["- ", "* ", "+ "].iter().any(|m| text.starts_with(m)) {
        return 2;
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && (text[digits..].starts_with(". ") || text[digits..].starts_with(") ")) {
        return digits + 2;
    }
    0
}

/// Whether a line starting with `word` would open a markdown block (a
/// list item, heading, quote, table, fence or setext underline).
fn opens_block(word: &str) -> bool {
    matches!(word, "-" | "*" | "+" | ">" | "|" | "=")
        || word.starts_with('#')
        || word.starts_with('>')
        || word.starts_with('|')
        || word.starts_with("```")
        || word.starts_with("~~~")
        || word.chars().all(|c| c == '-' || c == '=')
        || {
            let digits = word.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && matches!(&word[digits..], "." | ")")
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_spaced_out_and_members_kept_together() {
        let text = "\
#![allow(
    clippy::x,
)]
use a as b;
/// A struct.
pub struct S {
    /// A field.
    pub a: u8,
    pub b: u8,
}
impl S {
    const ID: u8 = 1;
    type T = u8;
    fn f(&self) -> u8 {
        let x = 1;
        match x {
            1 => {
                2
            }
            _ => 3,
        }
    }
    /// Documented.
    pub fn g() {}
}
pub enum Never {}
impl Never {}
pub type C<'a> = S;
";
        let expected = "\
#![allow(
    clippy::x,
)]

use a as b;

/// A struct.
pub struct S {
    /// A field.
    pub a: u8,
    pub b: u8,
}

impl S {
    const ID: u8 = 1;
    type T = u8;

    fn f(&self) -> u8 {
        let x = 1;
        match x {
            1 => {
                2
            }
            _ => 3,
        }
    }

    /// Documented.
    pub fn g() {}
}

pub enum Never {}

impl Never {}

pub type C<'a> = S;
";
        assert_eq!(lay_out(text), expected);
    }

    #[test]
    fn long_doc_lines_wrap_without_starting_a_block() {
        let long = format!(
            "    /// {} - inclusive and more words to go",
            "word ".repeat(17).trim()
        );
        let wrapped = lay_out(&format!("{long}\n"));
        assert!(wrapped.lines().all(|l| l.len() <= WIDTH), "{wrapped}");
        assert!(
            wrapped
                .lines()
                .all(|l| !l.trim_start().starts_with("/// -")),
            "{wrapped}"
        );
        assert_eq!(
            wrapped
                .split_whitespace()
                .filter(|w| *w != "///")
                .collect::<Vec<_>>(),
            long.split_whitespace()
                .filter(|w| *w != "///")
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn list_items_wrap_under_their_text_and_fences_stay() {
        let item = format!("/// - {}", "item ".repeat(30).trim());
        let fence = format!("/// ```text\n/// {}\n/// ```", "x".repeat(120));
        let out = lay_out(&format!("{item}\n{fence}\n"));
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("/// - item") && lines[0].len() <= WIDTH);
        assert!(lines[1].starts_with("///   item"), "{out}");
        assert!(out.contains(&"x".repeat(120)), "{out}");
        let heading = format!("/// # {}", "Title ".repeat(30));
        assert_eq!(lay_out(&format!("{heading}\n")), format!("{heading}\n"));
    }
}
