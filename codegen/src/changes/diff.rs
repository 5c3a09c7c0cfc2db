//! Two surfaces compared: each difference, and whether it breaks code that
//! uses the generated crate as a client or as a server.
//!
//! The rules are Rust's, for the code this generator prints: structs have
//! public fields and no `#[non_exhaustive]`, so a literal building one must
//! list every field; enums have no catch-all variant, so an exhaustive
//! `match` must name every variant; the server trait's methods have no
//! default, so every server implements each one; a required parameter is a
//! positional argument of the client method, an optional one a setter.
//! Code is assumed to read structs by field access (or patterns with `..`):
//! a field added to a struct a side only reads breaks nothing there.

use std::collections::{BTreeMap, BTreeSet};

use super::operations::operations;
use super::surface::Surface;
use super::types::types;
use super::what::{Change, Item, What};

/// Every difference from `old` to `new`: operations, then types, schemes,
/// server functions and the server trait, each in name order.
pub fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut changes = Vec::new();
    operations(old, new, &mut changes);
    types(old, new, &mut changes);
    schemes(old, new, &mut changes);
    for (name, change) in paired(&old.server_functions, &new.server_functions) {
        let item = Item::Function(name.clone());
        match change {
            Pair::Added(arguments) => changes.push(compatible(
                item,
                What::Added {
                    detail: format!("arguments ({})", arguments.join(", ")),
                },
            )),
            Pair::Removed(arguments) => changes.push(client_only(
                item,
                What::Removed {
                    detail: format!("arguments ({})", arguments.join(", ")),
                },
                "calls to it no longer compile",
            )),
            Pair::Both(a, b) if a != b => changes.push(client_only(
                item,
                What::ArgumentsChanged {
                    from: a.clone(),
                    to: b.clone(),
                },
                "calls to it must give other arguments",
            )),
            Pair::Both(..) => {}
        }
    }
    // Deprecation breaks nothing (Cargo counts it a minor change), but
    // every use warns, which fails builds that deny warnings.
    for (entry, now) in old
        .deprecated
        .symmetric_difference(&new.deprecated)
        .map(|e| (e, new.deprecated.contains(e)))
    {
        let mut words = entry.splitn(3, ' ');
        let (kind, name, part) = (words.next(), words.next(), words.next());
        let item = match (kind, name) {
            (Some("operation"), Some(name)) => Item::Operation(name.into()),
            (_, Some(name)) => Item::Type(name.into()),
            _ => continue,
        };
        let part = part
            .and_then(|p| p.split_once(' '))
            .map(|(k, n)| format!("{k} `{n}`"));
        changes.push(compatible(item, What::Deprecated { part, now }));
    }
    if old.server_trait != new.server_trait {
        changes.push(Change {
            item: Item::ServerTrait(new.server_trait.clone()),
            what: What::Renamed {
                from: old.server_trait.clone(),
                detail: None,
            },
            breaks_client: false,
            breaks_server: true,
            why: Some("implementations name the trait"),
        });
    }
    // Each item's changes together, items in kind and name order.
    changes.sort_by(|a, b| a.item.cmp(&b.item));
    changes
}

fn schemes(old: &Surface, new: &Surface, changes: &mut Vec<Change>) {
    for (constant, change) in paired(&old.schemes, &new.schemes) {
        let item = Item::Scheme(constant.clone());
        match change {
            Pair::Added(scheme) => changes.push(compatible(
                item,
                What::Added {
                    detail: format!("`{}`", scheme.key),
                },
            )),
            Pair::Removed(scheme) => changes.push(Change {
                item,
                what: What::Removed {
                    detail: format!("`{}`", scheme.key),
                },
                breaks_client: true,
                breaks_server: true,
                why: Some("its constants and credential methods are gone"),
            }),
            Pair::Both(a, b) if a.methods != b.methods => changes.push(client_only(
                item,
                What::MethodsChanged {
                    from: a.methods.clone(),
                    to: b.methods.clone(),
                },
                "calls to the old credential methods no longer compile",
            )),
            Pair::Both(..) => {}
        }
    }
}

pub(super) fn compatible(item: Item, what: What) -> Change {
    Change {
        item,
        what,
        breaks_client: false,
        breaks_server: false,
        why: None,
    }
}

pub(super) fn client_only(item: Item, what: What, why: &'static str) -> Change {
    Change {
        item,
        what,
        breaks_client: true,
        breaks_server: false,
        why: Some(why),
    }
}

/// An entry of one map or the other, or of both.
pub(super) enum Pair<'a, V> {
    Added(&'a V),
    Removed(&'a V),
    Both(&'a V, &'a V),
}

/// The keys of `old` and `new` in order, each with its entries.
pub(super) fn paired<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
) -> Vec<(&'a String, Pair<'a, V>)> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let pair = match (old.get(key), new.get(key)) {
                (Some(a), Some(b)) => Pair::Both(a, b),
                (Some(a), None) => Pair::Removed(a),
                (None, Some(b)) => Pair::Added(b),
                (None, None) => return None,
            };
            Some((key, pair))
        })
        .collect()
}
