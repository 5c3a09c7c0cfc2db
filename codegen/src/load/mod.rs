//! Stage 1: spec text to `openapiv3::OpenAPI`, keeping the way back from any
//! JSON pointer to a line and column so later stages can point at the source.
//!
//! - `yaml`: one pass over yaml-rust2's events gives both the document as
//!   JSON and its [`SourceMap`](source_map::SourceMap) (JSON is read as YAML flow style).
//! - `version`: `openapi: 3.0.x` goes on as it is, `3.1.x` through
//!   `downgrade`, which rewrites 3.1's constructs as 3.0's (found by
//!   `walk`, which knows what each node is); `origin` keeps the way back
//!   from every rewritten node to where the user wrote it.
//! - `dropped`: warnings for keys openapiv3 would drop without a word.
//! - `diagnose` and `pointer`: serde reads the JSON into openapiv3's
//!   types; on failure, the pointer of the node at fault.
//!
//! Choices where YAML and JSON differ: mapping keys are the key's text as
//! written (`200:` is `"200"`); a duplicate key keeps the last value, with a
//! warning; anchors, aliases and `<<` merge keys are resolved (explicit keys
//! win over merged ones); `.inf` and `.nan` are errors, as JSON cannot hold
//! them; nesting deeper than [`MAX_DEPTH`] is an error.

mod bundle;
mod diagnose;
mod downgrade;
mod dropped;
mod files;
mod origin;
mod pointer;
mod scalar;
mod source_map;
mod version;
mod walk;
mod yaml;

pub use files::Files;
pub use origin::{Origins, SourceFile, percent_decoded};

use crate::diagnostics::{Diagnostic, Severity};

/// A parsed spec plus what is needed to point back into its text.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The whole document as JSON (keys always strings), for `$ref` lookups
    /// and extensions: the root file with other files' content bundled in
    /// and 3.1 constructs in their 3.0 form, as `openapi` was read from.
    pub document: serde_json::Value,
    pub openapi: openapiv3::OpenAPI,
    /// Where each node of `document` was written: file, pointer, line.
    pub origins: Origins,
    /// Warnings found while loading (duplicate keys, ignored YAML tags,
    /// paths without a leading `/`); never errors, which make `load` fail.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadedSpec {
    /// A diagnostic about the node at `pointer` (in `document`), placed in
    /// the file, at the pointer and on the line where the user wrote it.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        placed(&self.origins, Severity::Error, pointer, message)
    }

    pub fn warning(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        placed(&self.origins, Severity::Warning, pointer, message)
    }

    /// Where the root file's nodes are.
    #[cfg(test)]
    pub fn source(&self) -> &source_map::SourceMap {
        &self.origins.files()[0].source
    }
}

/// A diagnostic for the node at `pointer`, traced back to its file.
pub(super) fn placed(
    origins: &Origins,
    severity: Severity,
    pointer: &str,
    message: impl Into<String>,
) -> Diagnostic {
    let place = origins.place(pointer);
    let diagnostic = match severity {
        Severity::Error => Diagnostic::error(place.file, place.pointer, message),
        Severity::Warning => Diagnostic::warning(place.file, place.pointer, message),
    };
    diagnostic.at(place.position)
}

/// Parse YAML or JSON text (JSON is read as YAML flow style), never panicking.
/// A `$ref` to another file is an error: see [`load_with`].
///
/// `Err` holds every diagnostic found, warnings included, and at least one error.
#[cfg(test)]
pub fn load(file: &str, text: &str) -> Result<LoadedSpec, Vec<Diagnostic>> {
    load_with(file, text, &Files::None)
}

/// [`load`], reading the other files the spec `$ref`s from `files` (its
/// directory tree) and bundling them into one document.
pub fn load_with(file: &str, text: &str, files: &Files) -> Result<LoadedSpec, Vec<Diagnostic>> {
    let yaml::Document {
        mut value,
        source,
        mut diagnostics,
    } = yaml::parse(file, text)?;
    let mut origins = Origins::new(SourceFile {
        name: file.to_string(),
        source,
    });
    let version = match version::check(&value) {
        Ok(version) => Some(version),
        Err((pointer, message)) => {
            diagnostics.push(placed(&origins, Severity::Error, &pointer, message));
            None
        }
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    // Each rewrite records its moves in the coordinates the previous ones
    // left, so they chain back to what the user wrote.
    let root = file.rsplit('/').next().unwrap_or(file);
    diagnostics.extend(bundle::bundle(&mut value, root, files, &mut origins));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    for (pointer, message) in dropped::normalize_paths(&mut value, &mut origins) {
        diagnostics.push(placed(&origins, Severity::Warning, &pointer, message));
    }
    if version == Some(version::Version::V3_1) {
        for (pointer, message) in downgrade::downgrade(&mut value, &mut origins) {
            diagnostics.push(placed(&origins, Severity::Warning, &pointer, message));
        }
    }
    origins.retarget_refs(&mut value);
    for (pointer, message) in dropped::ignored_keys(&value) {
        diagnostics.push(placed(&origins, Severity::Warning, &pointer, message));
    }
    match deserialize(&value) {
        Ok(openapi) => Ok(LoadedSpec {
            document: value,
            openapi,
            origins,
            diagnostics,
        }),
        Err((pointer, message)) => {
            diagnostics.push(placed(
                &origins,
                Severity::Error,
                &pointer,
                explain(message),
            ));
            Err(diagnostics)
        }
    }
}

/// Stack for deserializing: serde recurses several frames per nesting level,
/// more through openapiv3's buffered enums and far more in debug builds, and a
/// test thread has only 2 MiB. Schemas nested [`MAX_DEPTH`] deep were measured
/// to need 16 to 32 MiB in a debug build; only the pages used are committed.
const STACK_BYTES: usize = 256 << 20;

/// Read the document as openapiv3's types on a thread with a stack big enough
/// for [`yaml::MAX_DEPTH`] levels; on failure, the pointer and message of the
/// first error.
fn deserialize(document: &serde_json::Value) -> Result<openapiv3::OpenAPI, (String, String)> {
    let work = || {
        if let Some(error) = diagnose::deep_error(document) {
            return Err(error);
        }
        match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(document) {
            Ok(openapi) => Ok(openapi),
            Err(error) => {
                let fallback = (
                    pointer::from_path(error.path()),
                    error.into_inner().to_string(),
                );
                Err(diagnose::first_error(document).unwrap_or(fallback))
            }
        }
    };
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("load".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, work);
        match thread {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err((
                    String::new(),
                    "internal error: deserializing the spec panicked".into(),
                ))
            }),
            Err(error) => Err((
                String::new(),
                format!("could not start a thread to read the spec: {error}"),
            )),
        }
    })
}

/// serde's message in OpenAPI's words, with a hint where YAML's typing is the
/// usual cause: "invalid type: integer `5`, expected a Responses object".
fn explain(message: String) -> String {
    let message = match message.split_once("expected struct ") {
        Some((before, name)) => format!("{before}expected a {name} object"),
        None => message,
    };
    let number = message.starts_with("invalid type: floating point")
        || message.starts_with("invalid type: integer");
    if number && message.ends_with("expected a string") {
        return format!("{message} (YAML reads an unquoted `1.0` as a number: quote it)");
    }
    message
}

#[cfg(test)]
mod tests;
