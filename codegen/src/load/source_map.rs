//! From JSON pointers back to lines and columns in the spec's text.

use std::collections::HashMap;

/// Where each node of a document starts, by JSON pointer (RFC 6901).
///
/// A mapping entry is placed at its key (`responses:` rather than the first
/// line of its value, which for a block mapping is the next line), a sequence
/// item at the item itself, and the document at its first node. Nodes that
/// came from an alias or a merge key (`<<`) are placed where the alias or the
/// `<<` is written. Lines and columns are 1-based; columns count characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    positions: HashMap<String, (usize, usize)>,
}

impl SourceMap {
    /// Position of the node at `pointer` (RFC 6901, e.g. "/paths/~1users/get"),
    /// or of its nearest ancestor that has one. A leading `#` is allowed.
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut pointer = pointer.strip_prefix('#').unwrap_or(pointer);
        loop {
            if let Some(&position) = self.positions.get(pointer) {
                return Some(position);
            }
            // Tokens are escaped (`~1`), so the last `/` always ends the parent.
            pointer = &pointer[..pointer.rfind('/')?];
        }
    }

    /// How many nodes have a position.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Record a node's position unless it already has one (the first wins, so
    /// a merged key never moves an explicit one).
    pub(super) fn insert(&mut self, pointer: String, position: (usize, usize)) {
        self.positions.entry(pointer).or_insert(position);
    }

    /// Record a node's position, replacing an earlier one (a duplicate key).
    pub(super) fn replace(&mut self, pointer: String, position: (usize, usize)) {
        self.positions.insert(pointer, position);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_falls_back_to_the_nearest_ancestor() {
        let mut map = SourceMap::default();
        map.insert(String::new(), (1, 1));
        map.insert("/paths".into(), (3, 1));
        map.insert("/paths/~1a".into(), (4, 3));
        assert_eq!(map.locate("/paths/~1a"), Some((4, 3)));
        assert_eq!(map.locate("#/paths/~1a"), Some((4, 3)));
        assert_eq!(map.locate("/paths/~1a/get/responses"), Some((4, 3)));
        assert_eq!(map.locate("/paths/~1b"), Some((3, 1)));
        assert_eq!(map.locate("/nowhere/at/all"), Some((1, 1)));
        assert_eq!(map.locate(""), Some((1, 1)));
        assert_eq!(SourceMap::default().locate("/a"), None);
    }
}
