//! The state of one model build: the spec, the types made so far, and the
//! diagnostics collected on the way.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use openapiv3::Components;

use super::ir::{TypeDef, TypeId};
use super::refs::{Cache, Targets};
use crate::diagnostics::Diagnostic;
use crate::load::LoadedSpec;

pub(crate) struct Builder<'a> {
    pub spec: &'a LoadedSpec,
    pub components: &'a Components,
    /// Objects read at `$ref` pointers that are not whole components.
    pub targets: &'a Targets,
    pub cache: Cache<'a>,
    /// Pointers of schemas reached through such `$ref`s and being
    /// converted: reaching one again is a loop.
    pub resolving: Vec<String>,
    pub types: BTreeMap<TypeId, TypeDef>,
    /// Component schemas being converted: a ref back to one of them is a
    /// recursive type, named rather than expanded.
    pub in_progress: BTreeSet<TypeId>,
    /// Schemas whose `allOf` members are being merged, innermost last: a
    /// member leading back to one of them is a cycle, not more properties.
    pub merging: Vec<String>,
    pub alias_depth: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// The diagnostics already reported, for a constant-time check.
    reported: HashSet<Diagnostic>,
}

impl<'a> Builder<'a> {
    pub fn new(spec: &'a LoadedSpec, components: &'a Components, targets: &'a Targets) -> Self {
        Builder {
            spec,
            components,
            targets,
            cache: Cache::default(),
            resolving: Vec::new(),
            types: BTreeMap::new(),
            in_progress: BTreeSet::new(),
            merging: Vec::new(),
            alias_depth: 0,
            diagnostics: Vec::new(),
            reported: HashSet::new(),
        }
    }

    pub fn error(&mut self, pointer: &str, message: impl Into<String>) {
        let diagnostic = self.spec.error(pointer, message);
        self.push(diagnostic);
    }

    pub fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        let diagnostic = self.spec.warning(pointer, message);
        self.push(diagnostic);
    }

    /// A shared component is visited once per use: report its problems
    /// once (a set, since a list search would make this quadratic).
    fn push(&mut self, diagnostic: Diagnostic) {
        if self.reported.insert(diagnostic.clone()) {
            self.diagnostics.push(diagnostic);
        }
    }
}
