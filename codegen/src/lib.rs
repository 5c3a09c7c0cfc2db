//! The generator: OpenAPI 3.0 and 3.1 documents (one file or many) in, Rust
//! source out.
//!
//! It is a pipeline, one private module per stage:
//! 1. `load`: YAML or JSON text to `openapiv3::OpenAPI`, with a source map
//!    from JSON pointers to lines;
//! 2. `model`: every `$ref` resolved into our own model of the API;
//! 3. `plan`: every name and every decision about the generated code,
//!    made once;
//! 4. `emit`: the plan printed as tokens: models, client, server, double;
//! 5. `write`: formatting, headers, and an all-or-nothing write.
//!
//! The public surface is small on purpose, so the stages can change
//! without breaking their users (xtask, the tests, the fuzz targets):
//! [`generate_module`] runs the stages on one [`SpecInput`],
//! [`generate_crate`] on a set of specs, and [`plan_module`] stops after
//! planning. [`changes`] reads each module's API surface from its plan and
//! reports what a new spec changes for the crate's users; [`lock`] is the
//! names lock that keeps names stable across spec changes; the [`Tree`]
//! functions write or compare a generated crate. ARCHITECTURE.md at the
//! repository root walks through the stages.

// xtask and the tests read this API; every public item says what it is.
#![warn(missing_docs)]

pub mod changes;
pub mod diagnostics;
mod emit;
mod graph;
mod load;
mod model;
mod plan;
mod write;

pub use load::Files;
pub use plan::lock::{self, NameLock};
pub use write::{Tree, diff_text, diff_tree, write_file, write_tree};

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diagnostics::Diagnostic;

/// The module a spec file's stem becomes: its stem in snake case
/// (`fireblocks`). A stem that is a keyword (`MATCH.json`) gets a trailing
/// `_`, since the name is also a directory and a `mod` item, where a raw
/// identifier (`r#match`) cannot go.
pub fn module_name(stem: &str) -> String {
    let ident = plan::names::field_ident(stem);
    match ident.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => ident,
    }
}

/// One spec to generate, as the module `module`.
#[derive(Debug, Clone)]
pub struct SpecInput {
    /// The Rust module name (`fireblocks`).
    pub module: String,
    /// The spec's path as shown in diagnostics and file headers (`specs/fireblocks.yaml`).
    pub path: String,
    /// The spec's text, YAML or JSON.
    pub text: String,
    /// What to generate from it: everything by default.
    pub options: Options,
}

impl SpecInput {
    /// The spec in the file at `path`, shown in diagnostics as written,
    /// with the files it `$ref`s read from its directory tree.
    pub fn read(path: &std::path::Path, module: &str) -> Result<SpecInput, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(SpecInput {
            module: module.to_string(),
            path: path.display().to_string(),
            text,
            options: Options::default().with_files(Files::Directory(directory)),
        })
    }
}

/// Generation settings for one spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    selection: model::Selection,
    /// Where the files the spec `$ref`s are read from: none by default.
    files: Files,
    names: NameLock,
}

impl Options {
    /// Read the other files the spec `$ref`s from `files`.
    pub fn with_files(mut self, files: Files) -> Self {
        self.files = files;
        self
    }

    /// Generate these operations (by operationId) and the types they reach.
    pub fn with_operations<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.selection
            .operations
            .extend(ids.into_iter().map(Into::into));
        self
    }

    /// Generate the operations with these tags (ignoring case) and the types they reach.
    pub fn with_tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.selection.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Keep the names `lock` gives the items still in the spec (see
    /// [`lock`]); without one, names follow the naming rules alone.
    pub fn with_names(mut self, lock: NameLock) -> Self {
        self.names = lock;
        self
    }
}

/// The generated crate's package settings.
#[derive(Debug, Clone)]
pub struct CrateConfig {
    /// The package name (`mfa-apis`).
    pub name: String,
    /// The package description.
    pub description: String,
    /// Path from the generated crate to the runtime crate.
    pub runtime_path: String,
}

/// A generated crate, ready to write, and the warnings found on the way.
#[derive(Debug)]
pub struct Generated {
    /// The crate's files, each module's API surface
    /// ([`changes::surface_path`]) among them.
    pub tree: Tree,
    /// Every warning, spec by spec.
    pub warnings: Vec<Diagnostic>,
    /// Per spec, in order: its module's API and names.
    pub modules: Vec<ModuleApi>,
}

/// What one spec's module offers, and the names it gives.
#[derive(Debug)]
pub struct ModuleApi {
    /// The module's name.
    pub module: String,
    /// The spec's path (`specs/fireblocks.yaml`).
    pub spec: String,
    /// What the module offers its users, for the next change report.
    pub surface: changes::Surface,
    /// To be written back as the spec's names lock.
    pub names: NameLock,
}

/// Generate one module per spec, in memory. Nothing is written here; on
/// error every problem in every spec is returned together.
pub fn generate_crate(
    config: &CrateConfig,
    specs: &[SpecInput],
) -> Result<Generated, Vec<Diagnostic>> {
    let mut tree = Tree::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut modules = Vec::new();
    let mut apis = Vec::new();
    for spec in specs {
        match generate_module(spec) {
            Ok(mut module) => {
                tree.append(&mut module.tree);
                tree.insert(
                    changes::surface_path(&spec.module),
                    module.surface.to_json(),
                );
                modules.push((spec.module.clone(), module.title));
                warnings.append(&mut module.warnings);
                apis.push(ModuleApi {
                    module: spec.module.clone(),
                    spec: spec.path.clone(),
                    surface: module.surface,
                    names: module.names,
                });
            }
            Err(mut spec_errors) => errors.append(&mut spec_errors),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let sources: Vec<&str> = specs.iter().map(|s| s.path.as_str()).collect();
    let root = crate_root(&modules, &sources.join(", ")).map_err(|e| vec![e])?;
    tree.insert(PathBuf::from("src/lib.rs"), root);
    tree.insert(PathBuf::from("Cargo.toml"), cargo_toml(config));
    Ok(Generated {
        tree,
        warnings,
        modules: apis,
    })
}

/// Render the crate root for `modules` (name, doc line) with a header naming `sources`.
pub fn crate_root(modules: &[(String, String)], sources: &str) -> Result<String, Diagnostic> {
    write::format_rust(emit::crate_root(modules), &write::rust_header(sources))
        .map_err(|e| Diagnostic::error("<crate root>", "", e))
}

/// One spec's generated module.
#[derive(Debug)]
pub struct GeneratedModule {
    /// Files keyed by their path in the crate (`src/<module>/types.rs`).
    pub tree: Tree,
    /// A line for the crate docs naming the API and its spec.
    pub title: String,
    /// The spec's warnings.
    pub warnings: Vec<Diagnostic>,
    /// How many operations the module has.
    pub operations: usize,
    /// How many types the module has.
    pub types: usize,
    /// What the module offers its users, for change reports.
    pub surface: changes::Surface,
    /// Every item's name, keyed by its identity: the new names lock.
    pub names: NameLock,
    /// How long each stage took.
    pub timings: Timings,
}

/// Time spent in each stage of [`generate_module`], for `cargo xtask bench`.
/// Emit and format run file by file on one worker per core, so theirs are
/// the sums over files (CPU time, not wall time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Parsing YAML or JSON into the OpenAPI document.
    pub load: Duration,
    /// Resolving every `$ref` into the model.
    pub model: Duration,
    /// Planning: every name and decision.
    pub plan: Duration,
    /// Emitting tokens, summed over files.
    pub emit: Duration,
    /// Parsing and pretty-printing the tokens, summed over files.
    pub format: Duration,
    /// Emit and format together, wall time.
    pub emit_format_wall: Duration,
}

/// Run the whole pipeline on one spec.
pub fn generate_module(spec: &SpecInput) -> Result<GeneratedModule, Vec<Diagnostic>> {
    let mut timings = Timings::default();
    let (api, mut warnings) = model_spec(spec, &mut timings)?;
    let started = Instant::now();
    let plan::Planned {
        plan,
        names,
        conflicts,
    } = plan::build_locked(&api, &spec.module, &spec.options.names);
    let (operations, types) = (api.operations.len(), api.types.len());
    // Emitters print the plan alone: free the model too.
    drop(api);
    timings.plan = started.elapsed();
    let surface = changes::Surface::of(&plan);
    warnings.extend(
        conflicts
            .into_iter()
            .map(|conflict| Diagnostic::warning(&spec.path, "", conflict)),
    );
    let started = Instant::now();
    let (tree, emit, format) =
        format_module(&plan, spec).map_err(|e| vec![Diagnostic::error(&spec.path, "", e)])?;
    timings.emit_format_wall = started.elapsed();
    (timings.emit, timings.format) = (emit, format);
    Ok(GeneratedModule {
        timings,
        tree,
        title: format!(
            "{} (version {}), generated from `{}`.",
            plan.title, plan.version, spec.path
        ),
        warnings,
        operations,
        types,
        surface,
        names,
    })
}

/// What planning one spec decides, without emitting code: enough for a
/// change report and for the names lock.
#[derive(Debug)]
pub struct PlannedModule {
    /// The API's title (`info.title`).
    pub title: String,
    /// The API's version (`info.version`).
    pub version: String,
    /// What the module would offer its users.
    pub surface: changes::Surface,
    /// Every item's name, keyed by its identity: the new names lock.
    pub names: NameLock,
}

/// The API surface of `spec`'s module and the names it gives: the plan's
/// part of [`generate_module`], without emitting code.
pub fn plan_module(spec: &SpecInput) -> Result<(PlannedModule, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (planned, warnings) = plan_spec(spec)?;
    let module = PlannedModule {
        title: planned.plan.title.clone(),
        version: planned.plan.version.clone(),
        surface: changes::Surface::of(&planned.plan),
        names: planned.names,
    };
    Ok((module, warnings))
}

/// Load, model and plan `spec`.
fn plan_spec(spec: &SpecInput) -> Result<(plan::Planned, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (api, warnings) = model_spec(spec, &mut Timings::default())?;
    let planned = plan::build_locked(&api, &spec.module, &spec.options.names);
    Ok((planned, warnings))
}

/// Load and model `spec` (stages 1 and 2), timing each: the model and
/// every warning so far, or every problem found.
fn model_spec(
    spec: &SpecInput,
    timings: &mut Timings,
) -> Result<(model::Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let started = Instant::now();
    let mut loaded = load::load_with(&spec.path, &spec.text, &spec.options.files)?;
    timings.load = started.elapsed();
    let started = Instant::now();
    // The loader's warnings come first, before the model's: a path read
    // with its missing `/` added is said, whatever else happens.
    let mut warnings = std::mem::take(&mut loaded.diagnostics);
    let built = model::build(&loaded, &spec.options.selection).map_err(|mut errors| {
        warnings.append(&mut errors);
        std::mem::take(&mut warnings)
    })?;
    warnings.extend(built.warnings);
    // The model owns what the emitters need: free the document before the
    // memory-heavy emit and format stages.
    drop(loaded);
    timings.model = started.elapsed();
    Ok((built.api, warnings))
}

/// Emit and format every file of the module. Formatting dominates
/// generation time and the files are independent, so one worker per core
/// takes files from a queue; each holds only its current file's tokens and
/// syntax tree, which bounds peak memory. The tree is ordered by path, so the
/// output does not depend on which worker finished first. Also returns the
/// time spent emitting and formatting, each summed over files.
fn format_module(
    plan: &plan::Plan,
    spec: &SpecInput,
) -> Result<(Tree, Duration, Duration), String> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let header = write::rust_header(&spec.path);
    let module = spec.module.as_str();
    let next = AtomicUsize::new(0);
    type Formatted = (Result<(PathBuf, String), String>, Duration, Duration);
    let done: Mutex<Vec<Formatted>> = Mutex::new(Vec::new());
    let work = || {
        while let Some(&(file, emitter)) =
            emit::MODULE_FILES.get(next.fetch_add(1, Ordering::Relaxed))
        {
            let started = Instant::now();
            let tokens = emitter(plan);
            let emitted = started.elapsed();
            let started = Instant::now();
            let result = write::format_rust(tokens, &header)
                .map(|text| (PathBuf::from("src").join(module).join(file), text));
            let formatted = started.elapsed();
            if let Ok(mut done) = done.lock() {
                done.push((result, emitted, formatted));
            }
        }
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(emit::MODULE_FILES.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                // Deeply nested specs recurse deeply in quote, syn and prettyplease.
                std::thread::Builder::new()
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, work)
            })
            .collect();
        for handle in handles {
            let joined = handle
                .map_err(|e| format!("cannot start a formatting thread: {e}"))?
                .join();
            joined.map_err(|_| "a code emitter panicked (a generator bug)".to_string())?;
        }
        Ok::<(), String>(())
    })?;
    let done = done
        .into_inner()
        .map_err(|_| "a code emitter panicked (a generator bug)".to_string())?;
    if done.len() != emit::MODULE_FILES.len() {
        return Err("a module file was not generated (a generator bug)".into());
    }
    let emit = done.iter().map(|(_, emit, _)| *emit).sum();
    let format = done.iter().map(|(_, _, format)| *format).sum();
    let tree = done
        .into_iter()
        .map(|(file, _, _)| file)
        .collect::<Result<_, _>>()?;
    Ok((tree, emit, format))
}

/// The generated crate's manifest.
pub fn cargo_toml(config: &CrateConfig) -> String {
    format!(
        r#"# @generated by `cargo xtask gen`. Do not edit by hand: change the specs or the generator.
[package]
name = "{name}"
description = "{description}"
version = "0.1.0"
edition = "2024"
rust-version = "1.88"
license = "MIT OR Apache-2.0"
publish = false

[features]
default = ["client"]
client = ["mfa-runtime/client"]
server = ["mfa-runtime/server"]
testing = ["server", "mfa-runtime/testing"]

# Generated code is safe Rust: anything lower-level is the runtime's.
[lints.rust]
unsafe_code = "forbid"

[dependencies]
mfa-runtime = {{ path = "{runtime}" }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
"#,
        name = config.name,
        description = config.description,
        runtime = config.runtime_path,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> SpecInput {
        SpecInput {
            module: "api".into(),
            path: "api.yaml".into(),
            text: text.into(),
            options: Options::default(),
        }
    }

    /// The loader's warnings were dropped when generation succeeded: a path
    /// written without its `/` lost its operations without a word.
    #[test]
    fn loader_warnings_reach_the_result_and_slashless_paths_keep_their_operations() {
        let module = generate_module(&spec(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  users:\n    get:\n      operationId: listUsers\n      responses: {'204': {description: ok}}\n",
        ))
        .expect("generates");
        assert_eq!(module.operations, 1);
        let warnings: Vec<String> = module.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "warning: api.yaml:4:3: #/paths/users: the path `users` does not start with `/`; read as `/users`"
            ]
        );
    }

    /// `plan_module` read only the spec's own file, so a spec that `$ref`s
    /// another could not be planned (for a change report) although it
    /// generated, and it dropped the loader's warnings.
    #[test]
    fn planning_reads_the_files_a_spec_refs_and_keeps_the_loaders_warnings() {
        let files = [(
            "pets.yaml".to_string(),
            "get:\n  operationId: listPets\n  responses: {'204': {description: ok}}\n".to_string(),
        )];
        let spec = SpecInput {
            options: Options::default().with_files(Files::Memory(files.into())),
            ..spec(
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  pets: {$ref: 'pets.yaml'}\n",
            )
        };
        let (planned, warnings) = plan_spec(&spec).expect("plans");
        assert_eq!(planned.plan.operations.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].to_string().contains("does not start with `/`"));
    }

    #[test]
    fn module_names_are_identifiers_and_never_keywords() {
        assert_eq!(module_name("fireblocks"), "fireblocks");
        assert_eq!(module_name("MATCH"), "match_");
        assert_eq!(module_name("type"), "type_");
        assert_eq!(module_name("self"), "self_");
        assert_eq!(module_name("api.github.com"), "api_github_com");
        assert!(!module_name("1password").starts_with(|c: char| c.is_ascii_digit()));
    }

    /// 3.1 is rewritten as 3.0 before it is read; a problem inside a
    /// rewritten node is still reported at the user's line and pointer.
    #[test]
    fn openapi_3_1_diagnostics_point_into_the_users_file() {
        let errors = generate_module(&spec(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Pet:\n      $ref: '#/components/schemas/Missing'\n      description: d\n      properties:\n        a: {type: [integer, 'null'], $ref: '#/components/schemas/Nope'}\n",
        ))
        .expect_err("refused");
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "error: api.yaml:5:5: #/components/schemas/Pet: unresolved `$ref: #/components/schemas/Missing`: no such component",
                "error: api.yaml:9:9: #/components/schemas/Pet/properties/a: unresolved `$ref: #/components/schemas/Nope`: no such component",
            ]
        );
    }
}
