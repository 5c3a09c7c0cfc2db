//! Multi-file specs: `$ref`s to other files (`./schemas/Pet.yaml`,
//! `../common.yaml#/components/schemas/Error`) bundled into one document,
//! as `redocly bundle` or `swagger-cli bundle` would, before anything else
//! reads it.
//!
//! - A schema from another file becomes a component schema of its own
//!   (named after the last token of its pointer, or its file's stem, with a
//!   number added when the name is taken), once however many `$ref`s name
//!   it, so it is one type and may refer to itself.
//! - Anything else (a parameter, a response, a path item, an operation, as
//!   DigitalOcean's spec does) is copied where the `$ref` was.
//! - Inside another file, `$ref`s are that file's: `#/X` is `#/X` of that
//!   file, and relative paths start from its directory.
//! - Every copied node records the file and pointer it came from, so a
//!   problem inside it names that file, that line and that pointer.
//! - Files are read only from the spec's directory tree ([`super::files`]).

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::files::{self, Files};
use super::origin::{Origins, SourceFile};
use super::walk::{Kind, walk};
use super::{placed, yaml};
use crate::diagnostics::{Diagnostic, Severity, escape_token, join_pointer};

/// Most subtrees copied into the document, so that `$ref`s that fan out
/// (each file naming several others, each naming several more) cannot
/// make it explode.
const MAX_COPIES: usize = 100_000;

/// Bundle the files `document`'s `$ref`s name into it. `root` is the spec
/// file's name; diagnostics for what could not be read or found are
/// returned (errors, and the warnings of parsing the other files).
pub(super) fn bundle(
    document: &mut Value,
    root: &str,
    files: &Files,
    origins: &mut Origins,
) -> Vec<Diagnostic> {
    if !has_external_ref(document) {
        return Vec::new();
    }
    let root_shown = origins.files()[0].name.clone();
    let names = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default();
    let mut bundler = Bundler {
        files,
        root: root.to_string(),
        root_shown,
        documents: HashMap::new(),
        imported: HashMap::new(),
        names,
        diagnostics: Vec::new(),
        copies: 0,
    };
    let mut work = vec![Work {
        pointer: String::new(),
        kind: Kind::Document,
        file: root.to_string(),
        chain: Vec::new(),
    }];
    // Breadth-first, in document order, so names are given in a stable order.
    let mut next = 0;
    while let Some(item) = work.get(next).cloned() {
        next += 1;
        bundler.process(document, origins, &item, &mut work);
    }
    bundler.diagnostics
}

/// A subtree whose `$ref`s are to be bundled, written in `file`.
#[derive(Clone)]
struct Work {
    pointer: String,
    kind: Kind,
    file: String,
    /// The (file, pointer) copies that led here: a copy of one of them
    /// again would never end.
    chain: Vec<(String, String)>,
}

/// A `$ref` (or a discriminator mapping, which is one too) found in a subtree.
enum Site {
    Ref {
        pointer: String,
        kind: Kind,
        reference: String,
    },
    Mapping {
        pointer: String,
        reference: String,
    },
}

struct Bundler<'f> {
    files: &'f Files,
    root: String,
    root_shown: String,
    /// Other files read so far: their index among the origins' files and
    /// their content.
    documents: HashMap<String, (usize, Value)>,
    /// (file, pointer) of each schema made a component, and its name.
    imported: HashMap<(String, String), String>,
    /// Component schema names taken.
    names: BTreeSet<String>,
    diagnostics: Vec<Diagnostic>,
    copies: usize,
}

impl Bundler<'_> {
    fn process(
        &mut self,
        document: &mut Value,
        origins: &mut Origins,
        item: &Work,
        work: &mut Vec<Work>,
    ) {
        let Some(node) = document.pointer_mut(&item.pointer) else {
            return;
        };
        let in_root = item.file == self.root;
        let mut sites = Vec::new();
        walk(
            node,
            &item.pointer,
            item.kind,
            &mut |node, pointer, kind| {
                let Value::Object(map) = node else { return };
                if let Some(Value::String(reference)) = map.get("$ref")
                    && (!in_root || !reference.starts_with('#'))
                {
                    sites.push(Site::Ref {
                        pointer: pointer.to_string(),
                        kind,
                        reference: reference.clone(),
                    });
                }
                let mapping = map
                    .get("discriminator")
                    .and_then(|d| d.get("mapping"))
                    .and_then(Value::as_object);
                for (value, target) in mapping.into_iter().flatten() {
                    if let Some(target) = target
                        .as_str()
                        .filter(|t| names_a_file(t) || (!in_root && t.starts_with('#')))
                    {
                        let mapping =
                            join_pointer(&join_pointer(pointer, "discriminator"), "mapping");
                        sites.push(Site::Mapping {
                            pointer: join_pointer(&mapping, value),
                            reference: target.to_string(),
                        });
                    }
                }
            },
        );
        // Innermost first: replacing an outer node must not strand an inner one.
        for site in sites.into_iter().rev() {
            match site {
                Site::Ref {
                    pointer,
                    kind,
                    reference,
                } => self.bundle_ref(document, origins, item, &pointer, kind, &reference, work),
                Site::Mapping { pointer, reference } => {
                    if let Some(local) =
                        self.schema_ref(document, origins, item, &pointer, &reference, work)
                        && let Some(slot) = document.pointer_mut(&pointer)
                    {
                        *slot = Value::String(local);
                    }
                }
            }
        }
    }

    /// Bundle one `$ref` at `pointer`.
    #[allow(clippy::too_many_arguments)]
    fn bundle_ref(
        &mut self,
        document: &mut Value,
        origins: &mut Origins,
        item: &Work,
        pointer: &str,
        kind: Kind,
        reference: &str,
        work: &mut Vec<Work>,
    ) {
        if kind == Kind::Schema {
            if let Some(local) = self.schema_ref(document, origins, item, pointer, reference, work)
                && let Some(slot) = document.pointer_mut(&join_pointer(pointer, "$ref"))
            {
                *slot = Value::String(local);
            }
            return;
        }
        let Some((file, target)) = self.target(origins, item, pointer, reference) else {
            return;
        };
        if file == self.root {
            if let Some(slot) = document.pointer_mut(&join_pointer(pointer, "$ref")) {
                *slot = Value::String(format!("#{target}"));
            }
            return;
        }
        let link = (file.clone(), target.clone());
        if item.chain.contains(&link) {
            self.error(
                origins,
                pointer,
                format!("`$ref: {reference}` leads back to itself through other files"),
            );
            return;
        }
        self.copies += 1;
        if self.copies > MAX_COPIES {
            if self.copies == MAX_COPIES + 1 {
                self.error(
                    origins,
                    pointer,
                    format!("`$ref`s to other files copy more than {MAX_COPIES} objects; stopped"),
                );
            }
            return;
        }
        let Some((index, content)) = self.content(&file, &target) else {
            return;
        };
        if let Some(slot) = document.pointer_mut(pointer) {
            *slot = content;
        }
        origins.record_in_file(pointer, index, &target);
        let mut chain = item.chain.clone();
        chain.push(link);
        work.push(Work {
            pointer: pointer.to_string(),
            kind,
            file,
            chain,
        });
    }

    /// The local `$ref` that stands for the schema `reference` names: the
    /// root file's own pointer, or the component it was imported as.
    fn schema_ref(
        &mut self,
        document: &mut Value,
        origins: &mut Origins,
        item: &Work,
        pointer: &str,
        reference: &str,
        work: &mut Vec<Work>,
    ) -> Option<String> {
        let (file, target) = self.target(origins, item, pointer, reference)?;
        if file == self.root {
            return Some(format!("#{target}"));
        }
        let key = (file.clone(), target.clone());
        if let Some(name) = self.imported.get(&key) {
            return Some(component_ref(name));
        }
        let (index, content) = self.content(&file, &target)?;
        let name = self.fresh_name(&file, &target);
        self.imported.insert(key, name.clone());
        let schemas = schemas_of(document);
        schemas.insert(name.clone(), content);
        let at = join_pointer("/components/schemas", &name);
        origins.record_in_file(&at, index, &target);
        work.push(Work {
            pointer: at,
            kind: Kind::Schema,
            file,
            chain: Vec::new(),
        });
        Some(component_ref(&name))
    }

    /// The file (relative to the spec's directory) and pointer `reference`
    /// names from the file `item` was written in. Reports what is wrong.
    fn target(
        &mut self,
        origins: &mut Origins,
        item: &Work,
        pointer: &str,
        reference: &str,
    ) -> Option<(String, String)> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let file = if path.is_empty() {
            item.file.clone()
        } else {
            match files::resolve(&item.file, path) {
                Ok(file) => file,
                Err(message) => {
                    self.error(origins, pointer, format!("`$ref: {reference}`: {message}"));
                    return None;
                }
            }
        };
        let Some(target) = super::origin::percent_decoded(fragment) else {
            self.error(
                origins,
                pointer,
                format!("`$ref: {reference}` has a bad `%` escape"),
            );
            return None;
        };
        if !target.is_empty() && !target.starts_with('/') {
            self.error(origins, pointer, format!("`$ref: {reference}`: `#{target}` is not a JSON pointer; anchors are not supported"));
            return None;
        }
        if file != self.root
            && !self.documents.contains_key(&file)
            && !self.read(origins, pointer, reference, &file)
        {
            return None;
        }
        if let Some((_, other)) = self.documents.get(&file).filter(|_| file != self.root)
            && other.pointer(&target).is_none()
        {
            let shown = files::shown(&self.root_shown, &file);
            let why = crate::diagnostics::nothing_at(other, &target);
            self.error(
                origins,
                pointer,
                format!("unresolved `$ref: {reference}`, in `{shown}`: {why}"),
            );
            return None;
        }
        Some((file, target))
    }

    /// Read and parse another file; false (with the reason reported) if it cannot be.
    fn read(&mut self, origins: &mut Origins, pointer: &str, reference: &str, file: &str) -> bool {
        let shown = files::shown(&self.root_shown, file);
        let text = match self.files.read(file) {
            Ok(text) => text,
            Err(message) => {
                self.error(origins, pointer, format!("`$ref: {reference}`: {message}"));
                return false;
            }
        };
        match yaml::parse(&shown, &text) {
            Ok(parsed) => {
                self.diagnostics.extend(parsed.diagnostics);
                let index = origins.add_file(SourceFile {
                    name: shown,
                    source: parsed.source,
                });
                self.documents
                    .insert(file.to_string(), (index, parsed.value));
                true
            }
            Err(mut diagnostics) => {
                self.diagnostics.append(&mut diagnostics);
                false
            }
        }
    }

    /// A copy of what `target` points at in `file`, and the file's index.
    fn content(&self, file: &str, target: &str) -> Option<(usize, Value)> {
        let (index, value) = self.documents.get(file)?;
        Some((*index, value.pointer(target)?.clone()))
    }

    fn fresh_name(&mut self, file: &str, target: &str) -> String {
        let from_pointer = target
            .rsplit('/')
            .next()
            .filter(|t| !t.is_empty())
            .map(|t| t.replace("~1", "/").replace("~0", "~"));
        let stem = || {
            let name = file.rsplit('/').next().unwrap_or(file);
            name.split('.').next().unwrap_or(name).to_string()
        };
        let base = from_pointer.unwrap_or_else(stem);
        let base = if base.is_empty() {
            "Schema".to_string()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }

    fn error(&mut self, origins: &Origins, pointer: &str, message: String) {
        self.diagnostics
            .push(placed(origins, Severity::Error, pointer, message));
    }
}

fn component_ref(name: &str) -> String {
    format!("#/components/schemas/{}", escape_token(name))
}

/// `document`'s `components/schemas`, made if missing.
fn schemas_of(document: &mut Value) -> &mut Map<String, Value> {
    let root = match document {
        Value::Object(root) => root,
        other => {
            *other = Value::Object(Map::new());
            match other {
                Value::Object(root) => root,
                _ => unreachable!("just made an object"),
            }
        }
    };
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    if !components.is_object() {
        *components = Value::Object(Map::new());
    }
    let schemas = components.as_object_mut().map(|c| {
        c.entry("schemas")
            .or_insert_with(|| Value::Object(Map::new()))
    });
    match schemas {
        Some(Value::Object(schemas)) => schemas,
        Some(other) => {
            *other = Value::Object(Map::new());
            other.as_object_mut().expect("just made an object")
        }
        None => unreachable!("components is an object"),
    }
}

/// Whether a discriminator mapping's target names a file.
fn names_a_file(target: &str) -> bool {
    let (path, _) = target.split_once('#').unwrap_or((target, ""));
    !path.is_empty()
        && (path.contains('/') || [".yaml", ".yml", ".json"].iter().any(|e| path.ends_with(e)))
}

/// Whether any `$ref` names another file: most specs are one file, and
/// they pay only this scan.
fn has_external_ref(document: &Value) -> bool {
    let mut pending = vec![document];
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(map) => {
                if map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| !r.starts_with('#'))
                {
                    return true;
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn bundled(root: Value, files: &[(&str, &str)]) -> (Value, Vec<String>, Origins) {
        let mut document = root;
        let mut origins = Origins::new(SourceFile {
            name: "api/openapi.yaml".into(),
            source: Default::default(),
        });
        let files: BTreeMap<String, String> = files
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        let diagnostics = bundle(
            &mut document,
            "openapi.yaml",
            &Files::Memory(files),
            &mut origins,
        );
        (
            document,
            diagnostics.iter().map(ToString::to_string).collect(),
            origins,
        )
    }

    #[test]
    fn a_files_own_refs_are_that_files_and_schemas_are_imported_once() {
        let root = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"$ref": "responses.yaml#/ok"}}}}},
            "components": {"schemas": {"Tree": {"type": "string"}}},
        });
        let (document, diagnostics, origins) = bundled(
            root,
            &[
                (
                    "responses.yaml",
                    "ok:\n  description: ok\n  content:\n    application/json:\n      schema: {$ref: 'models.yaml#/Tree'}\n",
                ),
                // `#/Leaf` is models.yaml's, and Tree and Leaf name each other.
                (
                    "models.yaml",
                    "Tree:\n  type: object\n  properties:\n    leaves: {type: array, items: {$ref: '#/Leaf'}}\nLeaf:\n  type: object\n  properties:\n    tree: {$ref: 'models.yaml#/Tree'}\n    root: {$ref: 'openapi.yaml#/components/schemas/Tree'}\n",
                ),
            ],
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let response = &document["paths"]["/a"]["get"]["responses"]["200"];
        assert_eq!(response["description"], json!("ok"));
        // `Tree` was taken by the root file's own schema.
        assert_eq!(
            response["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Tree2"})
        );
        let schemas = &document["components"]["schemas"];
        assert_eq!(
            schemas["Tree2"]["properties"]["leaves"]["items"],
            json!({"$ref": "#/components/schemas/Leaf"})
        );
        assert_eq!(
            schemas["Leaf"]["properties"]["tree"],
            json!({"$ref": "#/components/schemas/Tree2"})
        );
        assert_eq!(
            schemas["Leaf"]["properties"]["root"],
            json!({"$ref": "#/components/schemas/Tree"})
        );
        let place = origins.place("/components/schemas/Leaf/properties/tree");
        assert_eq!(
            (place.file, place.pointer.as_str()),
            ("api/models.yaml", "/Leaf/properties/tree")
        );
        let place = origins.place("/paths/~1a/get/responses/200/content");
        assert_eq!(
            (place.file, place.pointer.as_str()),
            ("api/responses.yaml", "/ok/content")
        );
    }

    #[test]
    fn copies_that_lead_back_to_themselves_are_errors() {
        let root = json!({"paths": {"/a": {"$ref": "loop.yaml"}}});
        let (_, diagnostics, _) = bundled(root, &[("loop.yaml", "get: {$ref: 'loop.yaml'}\n")]);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(
            diagnostics[0].contains("leads back to itself"),
            "{}",
            diagnostics[0]
        );
        assert!(
            diagnostics[0].starts_with("error: api/loop.yaml"),
            "{}",
            diagnostics[0]
        );
    }

    #[test]
    fn one_file_specs_are_left_alone() {
        let root = json!({"paths": {"/a": {"$ref": "#/paths/~1b"}}});
        let (document, diagnostics, _) = bundled(root.clone(), &[]);
        assert_eq!((document, diagnostics.len()), (root, 0));
    }
}
