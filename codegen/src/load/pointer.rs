//! serde_path_to_error paths as JSON pointers.

use crate::diagnostics::join_pointer;
use serde_path_to_error::{Path, Segment};

/// The RFC 6901 pointer of the node a deserialization error is about.
///
/// Map keys and sequence indices become tokens. An `Enum` segment is the key of
/// an externally tagged enum, so it is a token too. `Unknown` segments (serde
/// could not say where it was, e.g. inside a flattened or untagged field) end
/// the pointer there: the error is about that node or something inside it.
pub(super) fn from_path(path: &Path) -> String {
    let mut pointer = String::new();
    for segment in path {
        pointer = match segment {
            Segment::Seq { index } => join_pointer(&pointer, &index.to_string()),
            Segment::Map { key } => join_pointer(&pointer, key),
            Segment::Enum { variant } => join_pointer(&pointer, variant),
            Segment::Unknown => break,
        };
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        paths: BTreeMap<String, Vec<u32>>,
    }

    #[test]
    fn keys_and_indices_become_escaped_tokens() {
        let value = serde_json::json!({"paths": {"/a~b": [1, "x"]}});
        let error = serde_path_to_error::deserialize::<_, Doc>(&value).unwrap_err();
        assert_eq!(from_path(error.path()), "/paths/~1a~0b/1");
    }

    #[test]
    fn the_root_is_the_empty_pointer() {
        let error = serde_path_to_error::deserialize::<_, Doc>(&serde_json::json!(5)).unwrap_err();
        assert_eq!(from_path(error.path()), "");
    }
}
