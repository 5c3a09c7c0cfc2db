//! Snapshot tests of the generator: one small fixture per feature, the three
//! vendor specs, and the diagnostics for broken specs. Review changes with
//! `cargo insta review`; never accept a snapshot unread.

use std::path::Path;

use mfa_codegen::{SpecInput, generate_module};

fn read(relative: &str) -> SpecInput {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let text =
        std::fs::read_to_string(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let stem = Path::new(relative)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("file stem");
    SpecInput {
        module: mfa_codegen::module_name(stem),
        path: relative.to_string(),
        text,
        options: Default::default(),
    }
}

/// Every file of the module, each under a banner, plus any warnings.
fn generated(relative: &str) -> String {
    generated_from(&read(relative))
}

/// [`generated`] for a spec made some other way.
fn generated_from(spec: &SpecInput) -> String {
    let relative = &spec.path;
    let module = generate_module(spec).unwrap_or_else(|errors| {
        panic!(
            "{relative} should generate:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let mut out = String::new();
    for warning in module.warnings {
        out.push_str(&format!("{warning}\n"));
    }
    for (path, text) in module.tree {
        out.push_str(&format!("==== {} ====\n{text}\n", path.display()));
    }
    out
}

/// The diagnostics a broken spec produces, one per line.
fn diagnostics(relative: &str) -> String {
    diagnostics_of(&read(relative))
}

macro_rules! snapshot {
    ($($name:ident => $path:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(generated($path));
        }
    )*};
}

snapshot! {
    fireblocks => "specs/fireblocks.yaml",
    ping => "specs/ping.yaml",
    flashback => "specs/flashback.yaml",
    enums => "tests/fixtures/enums.yaml",
    fields => "tests/fixtures/fields.yaml",
    composition => "tests/fixtures/composition.yaml",
    responses => "tests/fixtures/responses.yaml",
    redirects => "tests/fixtures/redirects.yaml",
    parameters => "tests/fixtures/parameters.yaml",
    param_shapes => "tests/fixtures/param_shapes.yaml",
    cycles => "tests/fixtures/cycles.yaml",
    names => "tests/fixtures/names.yaml",
    keywords => "tests/fixtures/keywords.yaml",
    security => "tests/fixtures/security.yaml",
    docs => "tests/fixtures/docs.yaml",
    numeric_enums => "tests/fixtures/numeric_enums.yaml",
    defaults => "tests/fixtures/defaults.yaml",
    query_styles => "tests/fixtures/query_styles.yaml",
    form_bodies => "tests/fixtures/form_bodies.yaml",
    json_input => "tests/fixtures/json_input.json",
    refs => "tests/fixtures/refs.yaml",
    pointer_refs => "tests/fixtures/pointer_refs.yaml",
    openapi31 => "tests/fixtures/openapi31.yaml",
    yaml_features => "tests/fixtures/yaml_features.yaml",
}

macro_rules! diagnostics {
    ($($name:ident => $path:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(diagnostics($path));
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
/// same four as the seed's excerpt.
#[test]
fn fireblocks_subset_of_the_full_swagger() {
    let full = mfa_codegen::SpecInput {
        options: mfa_codegen::Options::default().with_operations(["resetDevice"]),
        ..read("../shared/realspecs/fireblocks-api-spec-v2.yaml")
    };
    let subset = generate_module(&full).expect("the full swagger generates");
    let excerpt = generate_module(&read("specs/fireblocks.yaml")).expect("the excerpt generates");
    assert_eq!((subset.operations, subset.types), (1, excerpt.types));
    let type_names = |module: &mfa_codegen::GeneratedModule| -> Vec<String> {
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
    let body: String = subset
        .tree
        .iter()
        .map(|(path, text)| format!("==== {} ====\n{text}\n", path.display()))
        .collect();
    insta::assert_snapshot!(body);
}

/// A spec split over files the way DigitalOcean's is: operations, models,
/// responses and parameters in files of their own, `$ref`ed by relative
/// paths from the file that names them. Bundled into one module; a model
/// in another file is one type, shared by every operation that names it,
/// and may name itself.
#[test]
fn multi_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let relative = "tests/fixtures/multi_file/openapi.yaml";
    let spec = SpecInput {
        options: mfa_codegen::Options::default().with_files(mfa_codegen::load::Files::Directory(
            root.join("tests/fixtures/multi_file"),
        )),
        ..read(relative)
    };
    let out = generated_from(&spec);
    insta::assert_snapshot!(out);
}

/// A problem inside another file is reported in that file, at its line and
/// at the pointer in it, and a `$ref` that climbs out of the spec's
/// directory is refused without reading anything.
#[test]
fn multi_file_diagnostics_name_the_file_at_fault() {
    use std::collections::BTreeMap;
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
        options: mfa_codegen::Options::default().with_files(mfa_codegen::load::Files::Memory(files)),
    };
    insta::assert_snapshot!(diagnostics_of(&spec));
}

fn diagnostics_of(spec: &SpecInput) -> String {
    match generate_module(spec) {
        Ok(module) => module.warnings.iter().map(|w| format!("{w}\n")).collect(),
        Err(errors) => errors.iter().map(|e| format!("{e}\n")).collect(),
    }
}
