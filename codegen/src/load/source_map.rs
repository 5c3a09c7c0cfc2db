//! From JSON pointers back to lines and columns in the spec's text.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

/// Where each node of a document starts, by JSON pointer (RFC 6901).
///
/// A mapping entry is placed at its key (`responses:` rather than the first
/// line of its value, which for a block mapping is the next line), a sequence
/// item at the item itself, and the document at its first node. Nodes that
/// came from an alias or a merge key (`<<`) are placed where the alias or the
/// `<<` is written. Lines and columns are 1-based; columns count characters.
///
/// Every node of the document has an entry, so the map is kept small: a
/// pointer is stored as a 64-bit hash, not as its text (Microsoft Graph's
/// 750,000 nodes have 88 MB of pointers; as hashes the map is 15 MB). Two
/// pointers sharing a hash would at worst put one diagnostic on the other's
/// line, at odds of about one in ten million for a spec that size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    positions: HashMap<u64, (u32, u32), BuildHasherDefault<Prehashed>>,
}

/// The keys are hashes already: use them as they are.
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// The key of a pointer: SipHash with fixed keys, the same in every run.
fn key(pointer: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    pointer.hash(&mut hasher);
    hasher.finish()
}

fn narrow((line, column): (usize, usize)) -> (u32, u32) {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    (clamp(line), clamp(column))
}

impl SourceMap {
    /// Position of the node at `pointer` (RFC 6901, e.g. "/paths/~1users/get"),
    /// or of its nearest ancestor that has one. A leading `#` is allowed.
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut pointer = pointer.strip_prefix('#').unwrap_or(pointer);
        loop {
            if let Some(&(line, column)) = self.positions.get(&key(pointer)) {
                return Some((line as usize, column as usize));
            }
            // Tokens are escaped (`~1`), so the last `/` always ends the parent.
            pointer = &pointer[..pointer.rfind('/')?];
        }
    }

    /// How many nodes have a position.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Record a node's position unless it already has one (the first wins, so
    /// a merged key never moves an explicit one).
    pub(super) fn insert(&mut self, pointer: String, position: (usize, usize)) {
        self.positions
            .entry(key(&pointer))
            .or_insert(narrow(position));
    }

    /// Record a node's position, replacing an earlier one (a duplicate key).
    pub(super) fn replace(&mut self, pointer: String, position: (usize, usize)) {
        self.positions.insert(key(&pointer), narrow(position));
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
