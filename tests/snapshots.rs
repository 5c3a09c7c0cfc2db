//! Snapshot tests of the generator: one small fixture per construct, and
//! the diagnostics for broken specs.
//!
//! A fixture's snapshot shows what the fixture is about and nothing else:
//! the files of the module its construct shows up in (`types.rs` for a
//! fixture about enums; `operations.rs`, `client.rs` and `server.rs` for
//! one about parameters), and in those only what the fixture adds: every
//! item, and every member of an `impl` or a trait, that a spec with the
//! same title and no paths or schemas generates too (the client's and
//! server's plumbing) is left out. Each snapshot's header says what its
//! fixture is about. Every fixture's whole output is compiled by
//! `build.rs`, so a snapshot can never be accepted while broken.
//!
//! The vendor specs have no snapshot: generated/ is theirs, and
//! `generated_is_fresh` fails when it is stale.
//!
//! Review changes with `cargo insta review`; never accept a snapshot unread.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use mfa_codegen::{GeneratedModule, SpecInput, generate_module};

/// A file of a generated module.
#[derive(Debug, Clone, Copy)]
enum File {
    Mod,
    Types,
    Operations,
    Client,
    Server,
    Testing,
}

use File::{Client, Mod, Operations, Server, Testing, Types};

impl File {
    fn name(self) -> &'static str {
        match self {
            Mod => "mod.rs",
            Types => "types.rs",
            Operations => "operations.rs",
            Client => "client.rs",
            Server => "server.rs",
            Testing => "testing.rs",
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

/// The spec at `relative` (from the workspace root), with the files it
/// `$ref`s read from its directory.
fn read(relative: &str) -> SpecInput {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut stem = Path::new(relative)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("file stem");
    // A multi-file spec is named by its directory.
    if stem == "openapi" {
        stem = Path::new(relative)
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .expect("directory name");
    }
    let directory = path.parent().expect("in a directory").to_path_buf();
    SpecInput {
        module: mfa_codegen::module_name(stem),
        path: relative.to_string(),
        text,
        options: mfa_codegen::Options::default()
            .with_files(mfa_codegen::Files::Directory(directory)),
    }
}

fn generate(spec: &SpecInput) -> GeneratedModule {
    generate_module(spec).unwrap_or_else(|errors| {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{} should generate:\n{}", spec.path, errors.join("\n"))
    })
}

/// A spec with `spec`'s module name, title and version and nothing else:
/// what it generates is what every module has.
fn baseline(spec: &SpecInput) -> SpecInput {
    let (planned, _) = mfa_codegen::plan_module(spec).expect("the fixture plans");
    let quoted = |text: &str| serde_json::to_string(text).expect("a string");
    SpecInput {
        module: spec.module.clone(),
        path: spec.path.clone(),
        text: format!(
            "openapi: 3.0.3\ninfo: {{title: {}, version: {}}}\npaths: {{}}\n",
            quoted(&planned.title),
            quoted(&planned.version)
        ),
        options: Default::default(),
    }
}

/// One top-level item of a generated file. An `impl` or a trait is also
/// split into its members, so the members every module has can be left
/// out of it.
struct Item {
    text: String,
    /// For an `impl` or a trait: its attributes, docs and signature line,
    /// and its members.
    container: Option<(String, Vec<String>)>,
}

/// The blank-line-separated blocks of `text` at `indent`: generated files
/// put a blank line between items, and between the members of an impl,
/// and nowhere else at those depths.
fn blocks(text: &str, indent: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, line) in lines.iter().enumerate() {
        let next_at_depth = lines
            .get(i + 1)
            .is_some_and(|next| !next.is_empty() && next.len() - next.trim_start().len() == indent);
        if line.is_empty() && next_at_depth {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

fn items(text: &str) -> Vec<Item> {
    blocks(text, 0)
        .into_iter()
        .map(|text| {
            let lines: Vec<&str> = text.lines().collect();
            let signature = lines
                .iter()
                .position(|l| !(l.starts_with("///") || l.starts_with("#[")));
            let container = signature.and_then(|at| {
                let line = lines[at];
                let opens = ["impl", "pub trait ", "trait "]
                    .iter()
                    .any(|k| line.starts_with(k))
                    && line.ends_with('{')
                    && lines.last() == Some(&"}");
                opens.then(|| {
                    let header = lines[..=at].join("\n");
                    let body = lines[at + 1..lines.len() - 1].join("\n");
                    (header, blocks(&body, 4))
                })
            });
            Item { text, container }
        })
        .collect()
}

/// What `file` of `module` has that the same file of `baseline` does not.
fn added(module: &str, baseline: Option<&str>) -> Vec<String> {
    let baseline = items(baseline.unwrap_or(""));
    let known: BTreeSet<&str> = baseline.iter().map(|i| i.text.as_str()).collect();
    let known_members: BTreeMap<&str, BTreeSet<&str>> = baseline
        .iter()
        .filter_map(|i| i.container.as_ref())
        .map(|(header, members)| {
            (
                header.as_str(),
                members.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for item in items(module) {
        // The file header, and imports, say nothing about a construct.
        if item.text.starts_with("// @generated") || item.text.starts_with("use ") {
            continue;
        }
        if known.contains(item.text.as_str()) {
            continue;
        }
        match &item.container {
            Some((header, members)) if known_members.contains_key(header.as_str()) => {
                let new: Vec<&str> = members
                    .iter()
                    .map(String::as_str)
                    .filter(|m| !known_members[header.as_str()].contains(m))
                    .collect();
                if !new.is_empty() {
                    out.push(format!("{header}\n{}}}\n", new.join("\n")));
                }
            }
            _ => out.push(item.text),
        }
    }
    out
}

/// The snapshot of the fixture at `path`: its warnings, then what it adds
/// to each of `files`.
fn view(spec: &SpecInput, files: &[File]) -> String {
    let module = generate(spec);
    let baseline = generate(&baseline(spec));
    let text_of = |tree: &mfa_codegen::Tree, file: File| {
        tree.iter()
            .find(|(path, _)| path.file_name().and_then(|n| n.to_str()) == Some(file.name()))
            .map(|(_, text)| text.clone())
    };
    let mut out = String::new();
    for warning in &module.warnings {
        out.push_str(&format!("{warning}\n"));
    }
    for &file in files {
        let text = text_of(&module.tree, file).expect("every module has every file");
        let items = added(&text, text_of(&baseline.tree, file).as_deref());
        out.push_str(&format!("==== {} ====\n", file.name()));
        if items.is_empty() {
            out.push_str("(nothing beyond what every module has)\n");
        }
        out.push_str(&items.join("\n"));
        out.push('\n');
    }
    out
}

fn check(name: &str, path: &str, files: &[File], about: &str) {
    let snapshot = view(&read(path), files);
    let description = format!("{path}: {about}");
    insta::with_settings!({ description => description, omit_expression => true }, {
        insta::assert_snapshot!(name, snapshot);
    });
}

macro_rules! fixtures {
    ($($name:ident => $path:literal, [$($file:ident),*], $about:literal;)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), $path, &[$($file),*], $about);
            }
        )*

        /// Every fixture with a snapshot.
        const SNAPSHOTTED: &[&str] = &[$($path),*];
    };
}

fixtures! {
    enums => "tests/fixtures/enums.yaml", [Types],
        "string enums whose values are not Rust names (empty, `*`, a leading digit, dots, \
         slashes, values differing only by case): each variant's name and the wire value \
         serde reads and writes.";
    numeric_enums => "tests/fixtures/numeric_enums.yaml", [Types],
        "integer and number enums: each variant's name and the number it is on the wire.";
    fields => "tests/fixtures/fields.yaml", [Types],
        "struct fields: required, optional, nullable, read-only, write-only, deprecated, \
         maps with typed or any values, `additionalProperties` beside named fields, and a \
         field named like a keyword.";
    composition => "tests/fixtures/composition.yaml", [Types],
        "`allOf` merged into one struct, `oneOf`/`anyOf` as enums (tagged by a \
         discriminator or untagged), and an `allOf` with a discriminated member flattened.";
    defaults => "tests/fixtures/defaults.yaml", [Types],
        "schema defaults: filled in when a field is missing, for every scalar type, an \
         enum, an `allOf`-wrapped enum, and `default: null` on a non-nullable string.";
    docs => "tests/fixtures/docs.yaml", [Mod, Types],
        "spec descriptions made safe for rustdoc: no doctests from code blocks, no broken \
         intra-doc links from brackets, bare URLs linked, HTML as text, Windows line ends \
         and a lone carriage return as line breaks.";
    names => "tests/fixtures/names.yaml", [Types, Operations, Client, Server],
        "names that collide: operations spelled alike (`getThing`, `GetThing`), parameters \
         named like the call builder's methods, operations named like the client's, fields \
         `self`/`Self`, schemas differing by case, a schema named `Option`.";
    responses => "tests/fixtures/responses.yaml", [Operations, Client, Server],
        "responses: exact codes, ranges (`4XX`) and `default`, with headers, JSON, text and \
         binary bodies, and an operation whose only response is `default` (its success).";
    redirects => "tests/fixtures/redirects.yaml", [Mod, Operations, Client],
        "a documented redirect decoded as a typed answer (its `Location` header included); \
         an undocumented one is the runtime's `ClientError::Redirect`.";
    parameters => "tests/fixtures/parameters.yaml", [Operations, Client, Server],
        "parameters in path, query, header and cookie: arrays exploded or not, an object, \
         a single-value enum and a one-value path parameter fixed as constants, a default \
         the client sends (`x-send-default`), a path spanning segments, a parameter inside \
         a path segment, and one that may hold `/` (`allowReserved`).";
    query_styles => "tests/fixtures/query_styles.yaml", [Operations, Client, Server],
        "every way an array or an object travels in a query: form (exploded or not), \
         `spaceDelimited`, `pipeDelimited` and `deepObject`, written by the client and \
         read back by the server.";
    form_bodies => "tests/fixtures/form_bodies.yaml", [Operations, Client, Server],
        "request and response bodies that are not JSON: url-encoded forms, multipart with \
         files and JSON parts, a multipart body without a schema, raw bytes and text.";
    security => "tests/fixtures/security.yaml", [Operations, Client, Server],
        "security requirements as the spec means them (OR across requirements, AND within \
         one, OAuth2 and OpenID Connect scopes, `{}` for anonymous callers, `security: []`) \
         over bearer, basic, API keys in a header, the query and a cookie: the client's \
         credential methods and constants, the server's scheme constants, each operation's \
         requirements.";
    param_shapes => "tests/fixtures/param_shapes.yaml", [Types, Operations, Server],
        "parameters of every shape real specs put in a path or a query: unions of texts \
         (written as their branch's text, read by the first branch that takes it), lists in \
         a path (simple style), an object in a path (compact JSON), a constant right after \
         a parameter, and an integer right before another (`{id}{format}`).";
    cycles => "tests/fixtures/cycles.yaml", [Types],
        "types that hold themselves: a loop through a struct property is boxed; a loop \
         through unions, newtypes and flattened `allOf` members only reads any JSON value \
         (with a warning), tried after the typed branches.";
    keywords => "tests/fixtures/keywords.yaml", [Types, Operations, Client],
        "operations, types, fields, parameters and enum values named `self`, `Self`, \
         `crate`, `super` and what those escape to: names that pass `-D warnings`, a \
         keyword's `_` dropped inside an UpperCamelCase name.";
    refs => "tests/fixtures/refs.yaml", [Types, Operations],
        "`$ref`s to components of every kind (parameters, request bodies, responses, \
         headers, examples, schemas), a path-level parameter, and a deprecated operation.";
    pointer_refs => "tests/fixtures/pointer_refs.yaml", [Types, Operations],
        "`$ref`s to any JSON pointer, not only whole components: into `#/paths`, into a \
         component, a path item shared by two paths, a header used as a parameter (with a \
         warning).";
    openapi31 => "tests/fixtures/openapi31.yaml", [Mod, Types, Operations],
        "OpenAPI 3.1 and JSON Schema 2020-12 read into the same model as 3.0: type lists \
         with `null`, `const`, `$ref` beside keywords, `prefixItems`, numeric exclusive \
         bounds, boolean schemas, `components/pathItems`, webhooks skipped with a warning.";
    yaml_features => "tests/fixtures/yaml_features.yaml", [Types, Operations],
        "YAML as real specs write it: unquoted integer status keys, anchors and aliases, \
         merge keys.";
    json_input => "tests/fixtures/json_input.json", [Types, Operations],
        "a spec written in JSON, read with the same line numbers and pointers as YAML.";
    multi_file => "tests/fixtures/multi_file/openapi.yaml", [Types, Operations],
        "a spec split over files as DigitalOcean's is, each `$ref` relative to the file it \
         is written in: bundled into one module, a model in another file one type shared by \
         every operation naming it, and naming itself.";
    test_double => "tests/fixtures/security.yaml", [Testing],
        "the test double (feature `testing`): one script per operation, one variant per \
         operation in the record of calls, and callers optional where the operation lets \
         anonymous callers in.";
}

/// A new fixture gets a snapshot saying what it is about (and `build.rs`
/// compiles it without being told).
#[test]
fn every_fixture_has_a_snapshot() {
    let fixtures = root().join("tests/fixtures");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&fixtures).expect("tests/fixtures readable") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        let spec = if path.join("openapi.yaml").is_file() {
            format!("tests/fixtures/{name}/openapi.yaml")
        } else if name.ends_with(".yaml") || name.ends_with(".json") {
            format!("tests/fixtures/{name}")
        } else {
            continue;
        };
        if !SNAPSHOTTED.contains(&spec.as_str()) {
            missing.push(spec);
        }
    }
    assert!(missing.is_empty(), "add these to `fixtures!`: {missing:?}");
}

/// The diagnostics a broken spec produces, one per line.
fn diagnostics_of(spec: &SpecInput) -> String {
    match generate_module(spec) {
        Ok(module) => module.warnings.iter().map(|w| format!("{w}\n")).collect(),
        Err(errors) => errors.iter().map(|e| format!("{e}\n")).collect(),
    }
}

macro_rules! diagnostics {
    ($($name:ident => $path:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            let spec = SpecInput { options: Default::default(), ..read($path) };
            insta::assert_snapshot!(diagnostics_of(&spec));
        }
    )*};
}

diagnostics! {
    broken_unresolved_ref => "tests/fixtures/broken/unresolved_ref.yaml",
    broken_missing_path_param => "tests/fixtures/broken/missing_path_param.yaml",
    broken_bad_yaml => "tests/fixtures/broken/bad_yaml.yaml",
    broken_wrong_type => "tests/fixtures/broken/wrong_type.yaml",
    broken_send_default => "tests/fixtures/broken/send_default.yaml",
    broken_swagger2 => "tests/fixtures/broken/swagger2.yaml",
    broken_shared_component_reported_once => "tests/fixtures/broken/shared_component_error.yaml",
    warnings_for_discriminator_mappings => "tests/fixtures/broken/discriminator_mapping.yaml",
    warnings_for_invalid_but_clear_specs => "tests/fixtures/broken/warnings.yaml",
}

/// A user who needs one operation of the 303 in the full Fireblocks swagger
/// names it and gets that operation and exactly the types it reaches: the
/// same four as the seed's excerpt. The snapshot shows them as the full
/// swagger documents them.
#[test]
fn fireblocks_subset_of_the_full_swagger() {
    let full = SpecInput {
        options: mfa_codegen::Options::default().with_operations(["resetDevice"]),
        ..read("../shared/realspecs/fireblocks-api-spec-v2.yaml")
    };
    let full = SpecInput {
        module: "fireblocks".into(),
        ..full
    };
    let subset = generate(&full);
    let excerpt = generate(&read("specs/fireblocks.yaml"));
    assert_eq!((subset.operations, subset.types), (1, excerpt.types));
    let type_names = |module: &GeneratedModule| -> Vec<String> {
        let types = module
            .tree
            .iter()
            .find(|(path, _)| path.ends_with("types.rs"))
            .expect("types.rs")
            .1;
        types
            .lines()
            .filter(|l| l.starts_with("pub struct ") || l.starts_with("pub enum "))
            .map(String::from)
            .collect()
    };
    assert_eq!(type_names(&subset), type_names(&excerpt));
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(view(&full, &[Types, Operations]));
    });
}

/// A problem inside another file is reported in that file, at its line and
/// at the pointer in it, and a `$ref` that climbs out of the spec's
/// directory is refused without reading anything.
#[test]
fn multi_file_diagnostics_name_the_file_at_fault() {
    let files: BTreeMap<String, String> = [
        (
            "paths/pets.yaml".to_string(),
            "get:\n  operationId: listPets\n  responses:\n    '200':\n      $ref: '../responses/ok.yaml'\n".to_string(),
        ),
        (
            "responses/ok.yaml".to_string(),
            "description: ok\ncontent:\n  application/json:\n    schema:\n      $ref: '../schemas/pet.yaml#/Pett'\n".to_string(),
        ),
        ("schemas/pet.yaml".to_string(), "Pet:\n  type: object\n".to_string()),
    ]
    .into();
    let spec = SpecInput {
        module: "pets".into(),
        path: "api/openapi.yaml".into(),
        text: "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets: {$ref: 'paths/pets.yaml'}\n  /secret: {$ref: '../../etc/passwd'}\n".into(),
        options: mfa_codegen::Options::default().with_files(mfa_codegen::Files::Memory(files)),
    };
    insta::assert_snapshot!(diagnostics_of(&spec));
}
