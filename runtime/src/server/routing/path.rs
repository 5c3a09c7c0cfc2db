//! Matching a request path against the spec's path templates (read into
//! [`Segment`]s by the `template` module).

use http::Method;

use super::template::{Part, Route, Segment};
use crate::param::decode_segment;
use crate::server::extract::PathValue;

/// What a request path matches in a route table.
#[derive(Debug, PartialEq, Eq)]
pub enum RouteMatch {
    /// `route` indexes the table; `params` are in template order.
    Found {
        /// The index of the route.
        route: usize,
        /// The path parameters' values.
        params: Vec<PathValue>,
    },
    /// The path exists, but not for this method.
    MethodNotAllowed {
        /// The methods the path has, HEAD included where GET is.
        allowed: Vec<Method>,
    },
    /// No route has this path.
    NotFound,
}

/// Find the route for `method` and `path` (the raw, still-encoded path).
/// When several templates match, the one with the most literal text wins,
/// so `/users/me` beats `/users/{id}`.
pub fn match_route(routes: &[Route], method: &Method, path: &str) -> RouteMatch {
    let Some(rest) = path.strip_prefix('/') else {
        return RouteMatch::NotFound;
    };
    let segments: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').collect()
    };
    let mut best: Option<(usize, usize, Vec<PathValue>)> = None;
    // HEAD is GET without the body (RFC 9110 9.3.2): a GET route answers
    // it when no route is for HEAD itself.
    let mut get_for_head: Option<(usize, usize, Vec<PathValue>)> = None;
    let mut allowed = Vec::new();
    for (index, route) in routes.iter().enumerate() {
        let mut params = Vec::new();
        if !match_segments(&route.segments, &segments, &mut params) {
            continue;
        }
        let score = specificity(&route.segments);
        let slot = if route.method == *method {
            &mut best
        } else if *method == Method::HEAD && route.method == Method::GET {
            &mut get_for_head
        } else {
            if !allowed.contains(&route.method) {
                allowed.push(route.method.clone());
            }
            continue;
        };
        if slot.as_ref().is_none_or(|(_, s, _)| score > *s) {
            *slot = Some((index, score, params));
        }
    }
    // Where GET is allowed, so is HEAD.
    if let Some(get) = allowed.iter().position(|m| *m == Method::GET)
        && !allowed.contains(&Method::HEAD)
    {
        allowed.insert(get + 1, Method::HEAD);
    }
    match best.or(get_for_head) {
        Some((route, _, params)) => RouteMatch::Found { route, params },
        None if !allowed.is_empty() => RouteMatch::MethodNotAllowed { allowed },
        None => RouteMatch::NotFound,
    }
}

fn specificity(segments: &[Segment]) -> usize {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => 1000 + text.len(),
            Segment::Mixed(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Literal(text) => text.len(),
                    Part::Param | Part::Digits => 0,
                })
                .sum::<usize>(),
            Segment::TrailingSlash => 1,
            Segment::Param | Segment::Hierarchy(_) => 0,
        })
        .sum()
}

fn match_segments(template: &[Segment], path: &[&str], params: &mut Vec<PathValue>) -> bool {
    let Some((first, rest)) = template.split_first() else {
        return path.is_empty();
    };
    match first {
        Segment::TrailingSlash => path == [""],
        Segment::Literal(text) => {
            path.first().is_some_and(|s| segment_is(s, text))
                && match_segments(rest, &path[1..], params)
        }
        Segment::Param => {
            let Some(value) = path
                .first()
                .filter(|s| !s.is_empty())
                .and_then(|s| decode_segment(s))
            else {
                return false;
            };
            params.push(PathValue::One(value));
            match_segments(rest, &path[1..], params) || {
                params.pop();
                false
            }
        }
        Segment::Mixed(parts) => {
            let Some(segment) = path.first().and_then(|s| decode_segment(s)) else {
                return false;
            };
            let before = params.len();
            match_parts(parts, &segment, params) && match_segments(rest, &path[1..], params) || {
                params.truncate(before);
                false
            }
        }
        Segment::Hierarchy(prefix) => {
            // Take pairs greedily, then give them back one at a time until
            // the rest of the template matches.
            let mut values = Vec::new();
            let mut i = 0;
            while i + 1 < path.len() && segment_is(path[i], prefix) {
                match decode_segment(path[i + 1]).filter(|v| !v.is_empty()) {
                    Some(value) => values.push(value),
                    None => break,
                }
                i += 2;
            }
            while !values.is_empty() {
                let used = values.len() * 2;
                params.push(PathValue::Many(values.clone()));
                if match_segments(rest, &path[used..], params) {
                    return true;
                }
                params.pop();
                values.pop();
            }
            false
        }
    }
}

/// Whether the raw `segment` decodes to the template's `text` (decoded
/// too: a constant path parameter is written into the template escaped);
/// compares in place unless either has escapes (matching runs on every
/// request, and literal segments are most of a path).
fn segment_is(segment: &str, text: &str) -> bool {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .is_ok_and(|decoded| decoded == decoded_literal(text))
}

/// Template text as the decoded path reads it: `%20` is a space. Text that
/// does not decode to UTF-8 is compared as written.
fn decoded_literal(text: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap_or(std::borrow::Cow::Borrowed(text))
}

/// Match one segment against literal text and parameters (`{id}.json`).
/// A parameter takes the shortest text that lets the rest match.
fn match_parts(parts: &[Part], text: &str, params: &mut Vec<PathValue>) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match first {
        Part::Literal(lit) => text
            .strip_prefix(&*decoded_literal(lit))
            .is_some_and(|t| match_parts(rest, t, params)),
        Part::Digits => {
            let sign = usize::from(text.starts_with('-'));
            let digits = text[sign..].bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            let end = sign + digits;
            params.push(PathValue::One(text[..end].to_string()));
            match_parts(rest, &text[end..], params) || {
                params.pop();
                false
            }
        }
        Part::Param => {
            for end in (1..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                params.push(PathValue::One(text[..end].to_string()));
                if match_parts(rest, &text[end..], params) {
                    return true;
                }
                params.pop();
            }
            false
        }
    }
}

/// A hierarchy path value with a leading `root` taken off, for comparing
/// realms: Ping (ForgeRock AM) addresses the `alpha` realm as
/// `/realms/root/realms/alpha` (the docs, the Frodo library) or as
/// `/realms/alpha` (the Ping JS SDK), and a generated server receives each
/// as sent, `[root, alpha]` or `[alpha]`. Both give `[alpha]` here; the root
/// realm itself (`/realms/root`) gives `[]`.
pub fn without_root<T: AsRef<str>>(hierarchy: &[T]) -> &[T] {
    match hierarchy.split_first() {
        Some((first, rest)) if first.as_ref() == "root" => rest,
        _ => hierarchy,
    }
}

#[cfg(test)]
mod tests;
