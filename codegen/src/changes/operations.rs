//! Changes to the module's operations: their methods, endpoints,
//! arguments and inputs, and responses.

use std::collections::{BTreeMap, BTreeSet};

use super::diff::{Pair, client_only, compatible, paired};
use super::surface::{OperationSurface, Surface};
use super::what::{Change, Item, What};

/// Every change to the operations of `old` and `new`, in method order.
pub(super) fn operations(old: &Surface, new: &Surface, changes: &mut Vec<Change>) {
    // A method that left paired with one that arrived for the same
    // operationId, or failing that the same endpoint, is one operation
    // renamed (a vendor giving its operations ids renames them all), not
    // one removed and another added.
    let left: Vec<(&String, &OperationSurface)> = old
        .operations
        .iter()
        .filter(|(method, _)| !new.operations.contains_key(*method))
        .collect();
    let arrived: Vec<(&String, &OperationSurface)> = new
        .operations
        .iter()
        .filter(|(method, _)| !old.operations.contains_key(*method))
        .collect();
    let mut renamed: BTreeMap<&str, &str> = BTreeMap::new();
    let same_id = |a: &OperationSurface, b: &OperationSurface| a.id == b.id;
    // A trailing slash dropped or added is the same endpoint to a reader.
    let same_endpoint = |a: &OperationSurface, b: &OperationSurface| {
        a.endpoint.trim_end_matches('/') == b.endpoint.trim_end_matches('/')
    };
    for same in [&same_id as &dyn Fn(&_, &_) -> bool, &same_endpoint] {
        for (from, op) in &left {
            if renamed.values().any(|f| f == from) {
                continue;
            }
            let to = arrived
                .iter()
                .find(|(to, other)| same(op, other) && !renamed.contains_key(to.as_str()));
            if let Some((to, _)) = to {
                renamed.insert(to.as_str(), from.as_str());
            }
        }
    }
    let renamed_from: BTreeSet<&str> = renamed.values().copied().collect();
    for (method, change) in paired(&old.operations, &new.operations) {
        let item = Item::Operation(method.clone());
        match change {
            Pair::Added(op) => match renamed.get(method.as_str()) {
                Some(from) => {
                    changes.push(Change {
                        item: item.clone(),
                        what: What::Renamed {
                            from: from.to_string(),
                            detail: Some(endpoint_words(op)),
                        },
                        breaks_client: true,
                        breaks_server: true,
                        why: Some("calls and implementations name the method"),
                    });
                    operation(&item, &old.operations[*from], op, new, changes);
                }
                None => changes.push(Change {
                    item,
                    what: What::Added {
                        detail: endpoint_words(op),
                    },
                    breaks_client: false,
                    breaks_server: true,
                    why: Some("every server must implement the new trait method"),
                }),
            },
            Pair::Removed(_) if renamed_from.contains(method.as_str()) => {}
            Pair::Removed(op) => changes.push(Change {
                item,
                what: What::Removed {
                    detail: endpoint_words(op),
                },
                breaks_client: true,
                breaks_server: true,
                why: Some("calls to it, and servers' implementations of it, no longer compile"),
            }),
            Pair::Both(a, b) => operation(&item, a, b, new, changes),
        }
    }
}

/// `POST /users, operationId createUser` (the id left out when the spec
/// gives none and it is made from the endpoint).
fn endpoint_words(op: &OperationSurface) -> String {
    if op.id.eq_ignore_ascii_case(&op.endpoint) {
        op.endpoint.clone()
    } else {
        format!("{}, operationId {}", op.endpoint, op.id)
    }
}

fn operation(
    item: &Item,
    a: &OperationSurface,
    b: &OperationSurface,
    new: &Surface,
    changes: &mut Vec<Change>,
) {
    if a.endpoint != b.endpoint {
        // A vendor moving an operationId to another endpoint and giving the
        // old endpoint a new id leaves code compiling that now means
        // another call: breaking, though the compiler cannot tell.
        let taken_over_by = new
            .operations
            .iter()
            .find(|(_, other)| other.endpoint == a.endpoint)
            .map(|(method, _)| method.clone());
        let swapped = taken_over_by.is_some();
        let what = What::EndpointChanged {
            from: a.endpoint.clone(),
            to: b.endpoint.clone(),
            taken_over_by,
        };
        changes.push(match swapped {
            true => Change {
                item: item.clone(),
                what,
                breaks_client: true,
                breaks_server: true,
                why: Some(
                    "code still compiles, but calls and implementations now mean another endpoint",
                ),
            },
            false => compatible(item.clone(), what),
        });
    }
    for (field, change) in paired(&a.inputs, &b.inputs) {
        let field = field.clone();
        changes.push(match change {
            Pair::Added(input) if input.argument => client_only(
                item.clone(),
                What::InputAdded {
                    field,
                    input: input.clone(),
                },
                "calls must give the new argument",
            ),
            Pair::Added(input) => compatible(
                item.clone(),
                What::InputAdded {
                    field,
                    input: input.clone(),
                },
            ),
            Pair::Removed(input) => Change {
                item: item.clone(),
                what: What::InputRemoved {
                    field,
                    input: input.clone(),
                },
                breaks_client: true,
                breaks_server: true,
                why: Some("calls giving it, and servers reading it, no longer compile"),
            },
            Pair::Both(x, y) if x == y => continue,
            Pair::Both(x, y) => {
                let what = What::InputChanged {
                    field,
                    from: x.clone(),
                    to: y.clone(),
                };
                if x.ty != y.ty {
                    Change {
                        item: item.clone(),
                        what,
                        breaks_client: true,
                        breaks_server: true,
                        why: Some("the value has another type"),
                    }
                } else if x.argument != y.argument {
                    client_only(
                        item.clone(),
                        what,
                        "calls give it another way (argument or setter)",
                    )
                } else {
                    compatible(item.clone(), what)
                }
            }
        });
    }
    let kept = |from: &[String], to: &[String]| -> Vec<String> {
        from.iter().filter(|a| to.contains(a)).cloned().collect()
    };
    if kept(&a.arguments, &b.arguments) != kept(&b.arguments, &a.arguments) {
        changes.push(client_only(
            item.clone(),
            What::ArgumentsReordered {
                from: a.arguments.clone(),
                to: b.arguments.clone(),
            },
            "calls give the arguments in another order",
        ));
    }
    for (variant, change) in paired(&a.responses, &b.responses) {
        let variant = variant.clone();
        changes.push(match change {
            Pair::Added(response) => client_only(
                item.clone(),
                What::ResponseAdded {
                    variant,
                    response: response.clone(),
                },
                "an exhaustive `match` on the responses must handle it",
            ),
            Pair::Removed(response) => Change {
                item: item.clone(),
                what: What::ResponseRemoved {
                    variant,
                    response: response.clone(),
                },
                breaks_client: true,
                breaks_server: true,
                why: Some("code naming the variant no longer compiles"),
            },
            Pair::Both(x, y) if x == y => continue,
            Pair::Both(x, y) => Change {
                item: item.clone(),
                what: What::ResponseChanged {
                    variant,
                    from: x.clone(),
                    to: y.clone(),
                },
                breaks_client: true,
                breaks_server: true,
                why: Some("patterns and literals naming the variant must change"),
            },
        });
    }
}
