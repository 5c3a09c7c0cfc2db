//! A path template as the spec writes it (`/users/{id}/reset_device`),
//! read once into the [`Segment`]s that matching walks.

use http::Method;

/// One `/`-separated piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text that must match exactly.
    Literal(&'static str),
    /// Exactly one segment.
    Param,
    /// One or more `{prefix}/{value}` pairs.
    Hierarchy(&'static str),
    /// Literal text around parameters inside one segment, e.g. `{id}.json`.
    Mixed(Vec<Part>),
    /// The template ends with `/`.
    TrailingSlash,
}

/// A piece of a segment that mixes text and parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Text that must match exactly.
    Literal(&'static str),
    /// The shortest text that lets the rest of the segment match.
    Param,
    /// An integer right before another parameter (`{id}{format}`): the
    /// longest run of digits (after an optional `-`).
    Digits,
}

/// One operation's method and path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The template, segment by segment.
    pub segments: Vec<Segment>,
    /// The template's parameters, in the order matching captures them.
    pub params: Vec<&'static str>,
    /// Parameters whose value may hold a `/` (`allowReserved: true`).
    pub allow_reserved: &'static [&'static str],
}

impl Route {
    /// The route for `template` as the spec writes it; a parameter named in
    /// `prefixes` spans `{prefix}/{item}` pairs (a hierarchy). Text that is
    /// not a well-formed `{name}` is literal: the generator only writes
    /// templates it has checked.
    pub fn new(
        method: Method,
        template: &'static str,
        prefixes: &[(&'static str, &'static str)],
    ) -> Self {
        let mut params = Vec::new();
        let rest = template.strip_prefix('/').unwrap_or(template);
        let pieces: Vec<&'static str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let last = pieces.len().saturating_sub(1);
        let mut segments = Vec::new();
        for (i, piece) in pieces.into_iter().enumerate() {
            if piece.is_empty() && i == last {
                segments.push(Segment::TrailingSlash);
                continue;
            }
            let parts = parts(piece);
            segments.push(match parts.as_slice() {
                [TemplatePart::Param(name)] => {
                    params.push(*name);
                    match prefixes.iter().find(|(param, _)| param == name) {
                        Some((_, prefix)) => Segment::Hierarchy(prefix),
                        None => Segment::Param,
                    }
                }
                [TemplatePart::Literal(text)] => Segment::Literal(text),
                [] => Segment::Literal(""),
                _ => Segment::Mixed(
                    parts
                        .iter()
                        .map(|part| match part {
                            TemplatePart::Literal(text) => Part::Literal(text),
                            TemplatePart::Param(name) => {
                                params.push(*name);
                                Part::Param
                            }
                        })
                        .collect(),
                ),
            });
        }
        Route {
            method,
            segments,
            params,
            allow_reserved: &[],
        }
    }
}

impl Route {
    /// This route, with the first parameter of each pair in `adjacent`
    /// (`{id}{format}`: an integer with another parameter right after it)
    /// ending where its digits do.
    #[must_use]
    pub fn with_adjacent_params(mut self, adjacent: crate::AdjacentParams) -> Self {
        if adjacent.is_empty() {
            return self;
        }
        let mut names = self.params.iter();
        for segment in &mut self.segments {
            match segment {
                Segment::Param | Segment::Hierarchy(_) => {
                    names.next();
                }
                Segment::Mixed(parts) => {
                    for part in parts.iter_mut().filter(|p| **p == Part::Param) {
                        let name = names.next();
                        if adjacent.iter().any(|(first, _)| Some(first) == name) {
                            *part = Part::Digits;
                        }
                    }
                }
                Segment::Literal(_) | Segment::TrailingSlash => {}
            }
        }
        self
    }
}

enum TemplatePart {
    Literal(&'static str),
    Param(&'static str),
}

/// One segment of a template as literal text and `{name}`s.
fn parts(segment: &'static str) -> Vec<TemplatePart> {
    let mut parts = Vec::new();
    let mut rest = segment;
    while !rest.is_empty() {
        let param = rest
            .find('{')
            .and_then(|open| Some((open, open + rest[open..].find('}')?)));
        match param {
            Some((0, close)) => {
                parts.push(TemplatePart::Param(&rest[1..close]));
                rest = &rest[close + 1..];
            }
            Some((open, _)) => {
                parts.push(TemplatePart::Literal(&rest[..open]));
                rest = &rest[open..];
            }
            None => {
                parts.push(TemplatePart::Literal(rest));
                rest = "";
            }
        }
    }
    parts
}
