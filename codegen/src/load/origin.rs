//! Where each node of the document came from, in the user's own files.
//!
//! The load stage hands later stages one document, but that document is not
//! always the root file exactly as written: other files' content is bundled
//! into it (multi-file specs), OpenAPI 3.1 constructs are rewritten as 3.0
//! ones, a path written without its leading `/` gets one. Each such change
//! records a *move*: the pointer a subtree has now, and the file and pointer
//! it was written at. A diagnostic's pointer goes through the moves (the
//! longest matching prefix wins) back to a file, a pointer in that file, and
//! so a line and column.

use std::collections::HashMap;

use serde_json::Value;

use super::source_map::SourceMap;

/// One file that went into the document: its name as shown in diagnostics
/// and where its nodes are.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub source: SourceMap,
}

/// The files of a document and the moves that put their nodes where they
/// are now. File 0 is the root file; a pointer with no move is in it.
#[derive(Debug, Clone)]
pub struct Origins {
    files: Vec<SourceFile>,
    /// Current pointer -> (file, pointer written there).
    moves: HashMap<String, (usize, String)>,
    /// Pointer in the root file as written -> pointer now, for the nodes a
    /// rewrite moved: a `$ref` written against the user's layout must
    /// still find its node ([`Origins::retarget_refs`]).
    renames: Vec<(String, String)>,
}

/// `#/a/b/c` when `/a/b` moved to `/x`: `#/x/c`. Renames chain (a node
/// moved twice), so the longest moved prefix is applied until none is.
fn retarget(reference: &str, renames: &HashMap<&str, &str>) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let mut pointer = percent_decoded(fragment)?;
    let mut changed = false;
    // Each step replaces a prefix by a different one; a rename cycle cannot
    // arise from rewrites that only ever move nodes deeper or sideways, but
    // bound the steps anyway.
    for _ in 0..16 {
        let mut prefix = pointer.as_str();
        let found = loop {
            if let Some(to) = renames.get(prefix) {
                break Some((prefix.len(), *to));
            }
            match prefix.rfind('/') {
                Some(end) => prefix = &prefix[..end],
                None => break None,
            }
        };
        let Some((length, to)) = found else { break };
        pointer = format!("{to}{}", &pointer[length..]);
        changed = true;
    }
    changed.then(|| format!("#{pointer}"))
}

/// A URI fragment's `%XX` escapes decoded (`%7Bid%7D` is `{id}`).
pub fn percent_decoded(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A node's place in the user's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'o> {
    pub file: &'o str,
    pub pointer: String,
    pub position: Option<(usize, usize)>,
}

impl Origins {
    pub fn new(root: SourceFile) -> Self {
        Origins {
            files: vec![root],
            moves: HashMap::new(),
            renames: Vec::new(),
        }
    }

    /// Add a file; returns its index for [`Origins::record`].
    pub fn add_file(&mut self, file: SourceFile) -> usize {
        self.files.push(file);
        self.files.len() - 1
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The subtree now at `to` was written at `from` in the current
    /// document, itself perhaps moved: record where it really comes from.
    pub fn record(&mut self, to: &str, from: &str) {
        let (file, pointer) = self.trace(from);
        self.moves.insert(to.to_string(), (file, pointer));
    }

    /// The subtree at `from` (in the document as it is) moves to `to`:
    /// diagnostics about it point where it was written, and `$ref`s to it
    /// follow it.
    pub fn moved(&mut self, from: &str, to: &str) {
        self.record(to, from);
        self.renames.push((from.to_string(), to.to_string()));
    }

    /// Point every local `$ref` in `document` that goes into a moved
    /// subtree at where that subtree is now. One pass over the document.
    pub fn retarget_refs(&self, document: &mut Value) {
        if self.renames.is_empty() {
            return;
        }
        let renames: HashMap<&str, &str> = self
            .renames
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        let mut pending = vec![document];
        while let Some(node) = pending.pop() {
            match node {
                Value::Object(map) => {
                    if let Some(Value::String(reference)) = map.get_mut("$ref")
                        && let Some(moved) = retarget(reference, &renames)
                    {
                        *reference = moved;
                    }
                    pending.extend(map.values_mut());
                }
                Value::Array(items) => pending.extend(items.iter_mut()),
                _ => {}
            }
        }
    }

    /// The subtree now at `to` comes from `pointer` in file `file`.
    pub fn record_in_file(&mut self, to: &str, file: usize, pointer: &str) {
        self.moves
            .insert(to.to_string(), (file, pointer.to_string()));
    }

    /// Where the node at `pointer` (in the document as it is now) was written.
    pub fn place(&self, pointer: &str) -> Place<'_> {
        let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
        let (file, written) = self.trace(pointer);
        let source = &self.files[file];
        Place {
            file: &source.name,
            position: source.source.locate(&written),
            pointer: written,
        }
    }

    /// File index and pointer there for a pointer in the current document.
    fn trace(&self, pointer: &str) -> (usize, String) {
        if self.moves.is_empty() {
            return (0, pointer.to_string());
        }
        let mut prefix = pointer;
        loop {
            if let Some((file, from)) = self.moves.get(prefix) {
                return (*file, format!("{from}{}", &pointer[prefix.len()..]));
            }
            match prefix.rfind('/') {
                Some(end) => prefix = &prefix[..end],
                None => return (0, pointer.to_string()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, pointers: &[(&str, (usize, usize))]) -> SourceFile {
        let mut source = SourceMap::default();
        for (pointer, position) in pointers {
            source.insert(pointer.to_string(), *position);
        }
        SourceFile {
            name: name.into(),
            source,
        }
    }

    #[test]
    fn unmoved_pointers_are_in_the_root_file() {
        let origins = Origins::new(file("api.yaml", &[("", (1, 1)), ("/paths", (3, 1))]));
        let place = origins.place("#/paths/~1a");
        assert_eq!(
            place,
            Place {
                file: "api.yaml",
                pointer: "/paths/~1a".into(),
                position: Some((3, 1)),
            }
        );
    }

    #[test]
    fn refs_follow_moved_nodes() {
        let mut origins = Origins::new(file("api.yaml", &[]));
        origins.moved("/paths/users", "/paths/~1users");
        origins.moved(
            "/components/schemas/S/properties",
            "/components/schemas/S/allOf/1/properties",
        );
        let mut document = serde_json::json!({"a": [
            {"$ref": "#/paths/users/get/responses/200"},
            {"$ref": "#/components/schemas/S/properties/x"},
            {"$ref": "#/components/schemas/S/propertiesX"},
            {"$ref": "#/paths/us%65rs"},
            {"$ref": "other.yaml#/paths/users"},
        ]});
        origins.retarget_refs(&mut document);
        let refs: Vec<&str> = document["a"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["$ref"].as_str().unwrap())
            .collect();
        assert_eq!(
            refs,
            [
                "#/paths/~1users/get/responses/200",
                "#/components/schemas/S/allOf/1/properties/x",
                "#/components/schemas/S/propertiesX",
                "#/paths/~1users",
                "other.yaml#/paths/users",
            ]
        );
    }

    #[test]
    fn moves_lead_back_through_files_and_earlier_moves() {
        let mut origins = Origins::new(file("api.yaml", &[("", (1, 1)), ("/paths/users", (4, 3))]));
        let pet = origins.add_file(file(
            "schemas/pet.yaml",
            &[("", (1, 1)), ("/Pet/properties/name", (5, 7))],
        ));
        origins.record_in_file("/components/schemas/Pet", pet, "/Pet");
        // A path written without `/`.
        origins.record("/paths/~1users", "/paths/users");
        // A later rewrite inside already-moved content chains through.
        origins.record(
            "/components/schemas/Pet/properties/name/allOf/0",
            "/components/schemas/Pet/properties/name",
        );
        let place = origins.place("/components/schemas/Pet/properties/name/allOf/0");
        assert_eq!(place.file, "schemas/pet.yaml");
        assert_eq!(place.pointer, "/Pet/properties/name");
        assert_eq!(place.position, Some((5, 7)));
        let place = origins.place("/paths/~1users/get");
        assert_eq!(
            (place.file, place.pointer.as_str()),
            ("api.yaml", "/paths/users/get")
        );
        assert_eq!(place.position, Some((4, 3)));
        // A token that merely starts like a moved one is not inside it.
        let place = origins.place("/components/schemas/Pets");
        assert_eq!(
            (place.file, place.pointer.as_str()),
            ("api.yaml", "/components/schemas/Pets")
        );
    }
}
