//! YAML (or JSON) text to a JSON value and its source map, in one pass over
//! yaml-rust2's events.
//!
//! We pull events one by one rather than use `Parser::load` or `YamlLoader`,
//! which recurse once per nesting level: our own stack is a `Vec`, so the only
//! limits on nesting are the explicit ones below, and no input can overflow
//! the thread's stack here or later (serde and `Drop` of the value recurse).

use super::scalar::{self, Unrepresentable};
use super::source_map::SourceMap;
use crate::diagnostics::{Diagnostic, join_pointer};
use serde_json::{Map, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting of sequences and mappings accepted, the document being
/// level 1 (flow style stops at 255 in yaml-rust2's scanner already). Real
/// specs stay under 50; code that recurses over a loaded spec (serde, `Drop`,
/// later stages) can rely on this bound.
pub const MAX_DEPTH: usize = 512;

/// Most nodes that aliases may copy in total, so that a small "billion laughs"
/// document cannot expand into gigabytes.
pub(super) const MAX_ALIASED_NODES: usize = 1_000_000;

/// A parsed document: its value, where its nodes are, and the warnings and
/// errors found on the way that did not stop the parse.
pub(super) struct Document {
    pub value: Value,
    pub source: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse `text`, which holds one YAML document (JSON is YAML). `Err` holds the
/// diagnostics when the text could not be read to the end.
pub(super) fn parse(file: &str, text: &str) -> Result<Document, Vec<Diagnostic>> {
    // yaml-rust2 does not skip a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::new(file);
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(next) => next,
            Err(error) => {
                let position = position(error.marker());
                let pointer = builder.child_pointer();
                let message = match error.info() {
                    // The scanner's own limit on `[` and `{` nesting.
                    "recursion limit exceeded" => {
                        "the document nests more than 255 levels deep in `[` and `{`".to_string()
                    }
                    info => format!("YAML syntax error: {info}"),
                };
                return Err(builder.fail(pointer, position, message));
            }
        };
        match builder.on_event(event, &mark) {
            Ok(Flow::Continue) => {}
            Ok(Flow::Done) => break,
            Err(fatal) => return Err(builder.fail(fatal.pointer, fatal.position, fatal.message)),
        }
    }
    let Some(value) = builder.root.take() else {
        return Err(builder.fail(
            String::new(),
            (1, 1),
            "the file holds no YAML or JSON document".into(),
        ));
    };
    Ok(Document {
        value,
        source: builder.source,
        diagnostics: builder.diagnostics,
    })
}

/// yaml-rust2 counts lines from 1 and columns from 0.
fn position(mark: &Marker) -> (usize, usize) {
    (mark.line(), mark.col() + 1)
}

enum Flow {
    Continue,
    Done,
}

/// An error after which the rest of the text cannot be read sensibly.
struct Fatal {
    pointer: String,
    position: (usize, usize),
    message: String,
}

/// A value with what the limits need to know about it.
#[derive(Clone)]
struct Node {
    value: Value,
    /// Nodes in it, itself included.
    nodes: usize,
    /// Collections on its longest path down: 0 for a scalar.
    depth: usize,
}

/// A collection being built.
struct Frame {
    pointer: String,
    /// Placed at its start marker, which for a block mapping yaml-rust2 puts
    /// after the first key: the first key may move it back.
    placed_at_start: bool,
    anchor: usize,
    nodes: usize,
    depth: usize,
    kind: Kind,
}

enum Kind {
    Sequence(Vec<Value>),
    Mapping {
        entries: Map<String, Value>,
        /// The key whose value comes next, if a key has been read.
        key: Option<Key>,
        /// Values of `<<` keys, with where each `<<` is.
        merges: Vec<(Value, (usize, usize))>,
    },
}

struct Key {
    text: String,
    /// The pointer of its value.
    pointer: String,
    position: (usize, usize),
    /// A plain `<<`: its value is merged into the mapping.
    merge: bool,
}

struct Builder<'f> {
    file: &'f str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    aliased_nodes: usize,
    root: Option<Value>,
    source: SourceMap,
    diagnostics: Vec<Diagnostic>,
}

impl<'f> Builder<'f> {
    fn new(file: &'f str) -> Self {
        Builder {
            file,
            stack: Vec::new(),
            anchors: HashMap::new(),
            aliased_nodes: 0,
            root: None,
            source: SourceMap::default(),
            diagnostics: Vec::new(),
        }
    }

    fn on_event(&mut self, event: Event, mark: &Marker) -> Result<Flow, Fatal> {
        let at = position(mark);
        match event {
            Event::StreamEnd => return Ok(Flow::Done),
            Event::DocumentStart if self.root.is_some() => {
                return Err(self.fatal(
                    String::new(),
                    at,
                    "the file holds more than one YAML document",
                ));
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {}
            Event::Scalar(text, style, anchor, tag) => {
                if self.expects_key() {
                    let merge = style == TScalarStyle::Plain && tag.is_none() && text == "<<";
                    if anchor != 0 {
                        let value = Value::String(text.clone());
                        let node = Node {
                            value,
                            nodes: 1,
                            depth: 0,
                        };
                        self.anchors.insert(anchor, node);
                    }
                    self.set_key(text, at, merge);
                } else {
                    let pointer = self.child_pointer();
                    self.check_tag(tag.as_ref(), &pointer, at);
                    self.record_child(&pointer, at);
                    let value = match scalar::resolve(&text, style, tag.as_ref()) {
                        Ok(value) => value,
                        Err(problem) => {
                            self.error(&pointer, at, unrepresentable(&text, &problem));
                            Value::Null
                        }
                    };
                    self.add(
                        Node {
                            value,
                            nodes: 1,
                            depth: 0,
                        },
                        anchor,
                    );
                }
            }
            Event::Alias(id) => {
                let pointer = self.child_pointer();
                let Some(target) = self.anchors.get(&id).cloned() else {
                    return Err(self.fatal(
                        pointer,
                        at,
                        "this alias refers to a node that contains it",
                    ));
                };
                self.aliased_nodes = self.aliased_nodes.saturating_add(target.nodes);
                if self.aliased_nodes > MAX_ALIASED_NODES {
                    let message = format!("aliases expand to more than {MAX_ALIASED_NODES} nodes");
                    return Err(self.fatal(pointer, at, message));
                }
                if self.expects_key() {
                    let text = match target.value {
                        Value::String(text) => text,
                        Value::Array(_) | Value::Object(_) => {
                            return Err(self.fatal(pointer, at, "mapping keys must be scalars"));
                        }
                        other => other.to_string(),
                    };
                    self.set_key(text, at, false);
                } else {
                    if self.stack.len() + target.depth > MAX_DEPTH {
                        return Err(self.too_deep(pointer, at));
                    }
                    self.record_child(&pointer, at);
                    self.add(target, 0);
                }
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let pointer = self.child_pointer();
                if self.expects_key() {
                    return Err(self.fatal(pointer, at, "mapping keys must be scalars"));
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.too_deep(pointer, at));
                }
                self.check_tag(tag.as_ref(), &pointer, at);
                let placed_at_start = self.record_child(&pointer, at);
                let kind = match event {
                    Event::SequenceStart(..) => Kind::Sequence(Vec::new()),
                    _ => Kind::Mapping {
                        entries: Map::new(),
                        key: None,
                        merges: Vec::new(),
                    },
                };
                self.stack.push(Frame {
                    pointer,
                    placed_at_start,
                    anchor,
                    nodes: 1,
                    depth: 1,
                    kind,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(self.fatal(String::new(), at, "unbalanced end of a collection"));
                };
                let Frame {
                    pointer,
                    anchor,
                    nodes,
                    depth,
                    kind,
                    ..
                } = frame;
                let value = match kind {
                    Kind::Sequence(items) => Value::Array(items),
                    Kind::Mapping {
                        entries, merges, ..
                    } => Value::Object(self.merge(&pointer, entries, merges)),
                };
                self.add(
                    Node {
                        value,
                        nodes,
                        depth,
                    },
                    anchor,
                );
            }
        }
        Ok(Flow::Continue)
    }

    /// Whether the next node is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Mapping { key: None, .. },
                ..
            })
        )
    }

    /// The pointer the next value will have.
    fn child_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(frame) => match &frame.kind {
                Kind::Sequence(items) => join_pointer(&frame.pointer, &items.len().to_string()),
                Kind::Mapping { key: Some(key), .. } => key.pointer.clone(),
                Kind::Mapping { key: None, .. } => frame.pointer.clone(),
            },
        }
    }

    /// Mapping keys are the text as written: `200:` is `"200"`, `true:` is
    /// `"true"`, `0x10:` stays `"0x10"`.
    fn set_key(&mut self, text: String, at: (usize, usize), merge: bool) {
        if let Some(Frame {
            pointer,
            placed_at_start,
            kind: Kind::Mapping { key, .. },
            ..
        }) = self.stack.last_mut()
        {
            if std::mem::take(placed_at_start) {
                let start = self
                    .source
                    .locate(pointer)
                    .map_or(at, |start| start.min(at));
                self.source.replace(pointer.clone(), start);
            }
            let child = join_pointer(pointer, &text);
            if !merge {
                self.source.replace(child.clone(), at);
            }
            *key = Some(Key {
                text,
                pointer: child,
                position: at,
                merge,
            });
        }
    }

    /// A sequence item (or the document) is placed where it starts; a mapping
    /// value already has its key's position. Says whether it placed the node.
    fn record_child(&mut self, pointer: &str, at: (usize, usize)) -> bool {
        let placed = !matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Mapping { .. },
                ..
            })
        );
        if placed {
            self.source.replace(pointer.to_string(), at);
        }
        placed
    }

    /// Attach a finished node to its parent (or make it the document).
    fn add(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node.value);
            return;
        };
        parent.nodes = parent.nodes.saturating_add(node.nodes);
        parent.depth = parent.depth.max(node.depth + 1);
        let duplicate = match &mut parent.kind {
            Kind::Sequence(items) => {
                items.push(node.value);
                None
            }
            Kind::Mapping {
                entries,
                key,
                merges,
            } => match key.take() {
                None => None,
                Some(key) if key.merge => {
                    merges.push((node.value, key.position));
                    None
                }
                Some(key) => entries.insert(key.text.clone(), node.value).map(|_| key),
            },
        };
        if let Some(key) = duplicate {
            let message = format!("duplicate key `{}`: the last value is kept", key.text);
            self.warning(&key.pointer, key.position, message);
        }
    }

    /// Apply `<<` merge keys: explicit keys win, then earlier merged mappings
    /// over later ones. Merged keys are placed at their `<<`.
    fn merge(
        &mut self,
        pointer: &str,
        mut entries: Map<String, Value>,
        merges: Vec<(Value, (usize, usize))>,
    ) -> Map<String, Value> {
        for (value, at) in merges {
            let sources = match value {
                Value::Object(map) => vec![map],
                Value::Array(items) if items.iter().all(Value::is_object) => items
                    .into_iter()
                    .filter_map(|item| {
                        if let Value::Object(map) = item {
                            Some(map)
                        } else {
                            None
                        }
                    })
                    .collect(),
                _ => {
                    let merge_pointer = join_pointer(pointer, "<<");
                    self.error(
                        &merge_pointer,
                        at,
                        "a merge key `<<` needs a mapping or a list of mappings".into(),
                    );
                    continue;
                }
            };
            for source in sources {
                for (key, value) in source {
                    if !entries.contains_key(&key) {
                        self.source.insert(join_pointer(pointer, &key), at);
                        entries.insert(key, value);
                    }
                }
            }
        }
        entries
    }

    /// Tags outside YAML's core schema mean nothing to OpenAPI: say they are ignored.
    fn check_tag(&mut self, tag: Option<&Tag>, pointer: &str, at: (usize, usize)) {
        if let Some(tag) = tag.filter(|tag| !scalar::is_core_tag(tag)) {
            let message = format!("the YAML tag `{}{}` is ignored", tag.handle, tag.suffix);
            self.warning(pointer, at, message);
        }
    }

    fn too_deep(&self, pointer: String, at: (usize, usize)) -> Fatal {
        self.fatal(
            pointer,
            at,
            format!("the document nests more than {MAX_DEPTH} levels deep"),
        )
    }

    fn fatal(
        &self,
        pointer: String,
        position: (usize, usize),
        message: impl Into<String>,
    ) -> Fatal {
        Fatal {
            pointer,
            position,
            message: message.into(),
        }
    }

    fn error(&mut self, pointer: &str, at: (usize, usize), message: String) {
        self.diagnostics
            .push(Diagnostic::error(self.file, pointer, message).at(Some(at)));
    }

    fn warning(&mut self, pointer: &str, at: (usize, usize), message: String) {
        self.diagnostics
            .push(Diagnostic::warning(self.file, pointer, message).at(Some(at)));
    }

    /// The diagnostics so far plus the error that stopped the parse.
    fn fail(mut self, pointer: String, at: (usize, usize), message: String) -> Vec<Diagnostic> {
        self.error(&pointer, at, message);
        self.diagnostics
    }
}

fn unrepresentable(text: &str, problem: &Unrepresentable) -> String {
    match problem {
        Unrepresentable::NonFinite => {
            format!(
                "`{text}` is not a finite number, which JSON cannot hold; quote it if a string is meant"
            )
        }
        Unrepresentable::BadTag(what) => format!("`{text}` is tagged as {what} but is not one"),
    }
}
