//! Spec descriptions are CommonMark written for web pages; rustdoc reads
//! them differently. This makes them safe: code blocks are never doctests,
//! `[x]` is never an intra-doc link, URLs are links and HTML is text.

/// The text with every line break as `\n`. Specs written on Windows end
/// lines with `\r\n`, and some hold a lone `\r` (VTEX's Orders API): rustc
/// refuses a bare carriage return in a doc comment, and `str::lines` only
/// takes the `\r` of a `\r\n`.
pub fn unix_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    }
}

pub fn sanitize(text: &str) -> String {
    let text = unix_newlines(text);
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut in_item = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // A fence opens as `text` so rustdoc never compiles it.
            out.push(if in_fence {
                "```".to_string()
            } else {
                "```text".to_string()
            });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        if trimmed.is_empty() {
            in_item = false;
            out.push(String::new());
            continue;
        }
        if is_list_item(trimmed) {
            in_item = true;
        } else if in_item && trimmed.len() < line.len() {
            // An indented line continues its list item: keep it there, at
            // an indent that can never become a code block.
            out.push(format!("  {}", inline(trimmed.trim_end())));
            continue;
        } else if in_item {
            // Unindented text after an item would continue it lazily, which
            // reads ambiguously: make it its own paragraph.
            in_item = false;
            out.push(String::new());
        }
        // Indentation would make an indented code block: a doctest.
        out.push(inline(trimmed.trim_end()));
    }
    if in_fence {
        out.push("```".to_string());
    }
    out.join("\n")
}

fn is_list_item(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") || {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && line[digits..].starts_with(". ")
    }
}

/// Escape one line of prose.
fn inline(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(8).collect();
        let c = chars[i];
        // Code spans are shown as written: copy them through untouched.
        if c == '`'
            && let Some(len) = chars[i + 1..].iter().position(|c| *c == '`')
        {
            out.extend(&chars[i..i + len + 2]);
            i += len + 2;
            continue;
        }
        if c == '[' {
            // Keep real markdown links `[text](url)`; escape everything else.
            if let Some(len) = markdown_link_len(&chars[i..]) {
                out.extend(&chars[i..i + len]);
                i += len;
                continue;
            }
            out.push_str("\\[");
        } else if c == ']' {
            out.push_str("\\]");
        } else if c == '<' {
            out.push_str("&lt;");
        } else if c == '>' {
            out.push_str("&gt;");
        } else if (rest.starts_with("http://") || rest.starts_with("https://"))
            && !preceded_by_link(&out)
        {
            let end = chars[i..]
                .iter()
                .position(|c| c.is_whitespace() || *c == ')' || *c == '"')
                .map_or(chars.len(), |p| i + p);
            let mut url: String = chars[i..end].iter().collect();
            let mut tail = String::new();
            while url.ends_with(['.', ',', ';', ':']) {
                tail.insert(0, url.pop().unwrap_or_default());
            }
            out.push('<');
            out.push_str(&url);
            out.push('>');
            out.push_str(&tail);
            i = end;
            continue;
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

fn preceded_by_link(out: &str) -> bool {
    out.ends_with("](")
}

/// Length of `[text](url)` at the start of `chars`, if it is one.
fn markdown_link_len(chars: &[char]) -> Option<usize> {
    let close = chars.iter().position(|c| *c == ']')?;
    if chars[1..close].contains(&'[') || chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 2..].iter().position(|c| *c == ')')? + close + 2;
    let url: String = chars[close + 2..end].iter().collect();
    (url.starts_with("http") || url.starts_with('#') || url.starts_with('/')).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn carriage_returns_become_line_breaks() {
        assert_eq!(super::unix_newlines("a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(
            sanitize("JSON:\r\n```\r\n\r{\r\n  \"a\": 1\r}\r\n```"),
            "JSON:\n```text\n\n{\n  \"a\": 1\n}\n```"
        );
    }

    #[test]
    fn code_never_becomes_a_doctest() {
        assert_eq!(
            sanitize("Example:\n```\nlet x = 1;\n```"),
            "Example:\n```text\nlet x = 1;\n```"
        );
        assert_eq!(sanitize("a\n    indented"), "a\nindented");
        assert_eq!(sanitize("```json\n{}"), "```text\n{}\n```");
    }

    #[test]
    fn lines_after_list_items_become_paragraphs() {
        assert_eq!(sanitize("- item\nmore text"), "- item\n\nmore text");
        assert_eq!(sanitize("- a\n- b"), "- a\n- b");
        assert_eq!(sanitize("1. first\nnext"), "1. first\n\nnext");
        // An indented continuation stays in its item.
        assert_eq!(
            sanitize("- a long\n    item\n- b\n\nafter"),
            "- a long\n  item\n- b\n\nafter"
        );
    }

    #[test]
    fn links_urls_brackets_and_html() {
        assert_eq!(
            sanitize("[Fireblocks Website](https://fireblocks.com)"),
            "[Fireblocks Website](https://fireblocks.com)"
        );
        assert_eq!(sanitize("see https://x.io/a."), "see <https://x.io/a>.");
        assert_eq!(sanitize("values [A, B]"), "values \\[A, B\\]");
        assert_eq!(sanitize("<b>bold</b>"), "&lt;b&gt;bold&lt;/b&gt;");
        assert_eq!(
            sanitize("the `<tenant>` and `[x]` as written"),
            "the `<tenant>` and `[x]` as written"
        );
    }
}
