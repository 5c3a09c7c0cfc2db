//! Changes to the module's types, each breaking whoever builds the type,
//! whoever reads it, or both.
//!
//! Who builds and who reads a type follows from where the API uses it:
//! clients build what requests carry (parameters, bodies) and servers read
//! it; servers build what responses carry and clients read it. A type no
//! operation reaches may be used any way, so it counts as both.

use std::collections::{BTreeMap, BTreeSet};

use super::diff::{Pair, paired};
use super::surface::{Surface, TypeSurface, mentioned};
use super::what::{Change, Item, What};

/// Every change to the types of `old` and `new`, in name order.
pub(super) fn types(old: &Surface, new: &Surface, changes: &mut Vec<Change>) {
    let uses = Uses::of(&[old, new]);
    for (name, pair) in paired(&old.types, &new.types) {
        let ty = Type {
            item: Item::Type(name.clone()),
            sides: uses.sides(name),
        };
        match pair {
            Pair::Added(added) => changes.push(ty.compatible(What::Added {
                detail: added.kind().into(),
            })),
            Pair::Removed(removed) => changes.push(ty.used(
                What::Removed {
                    detail: removed.kind().into(),
                },
                "code naming it no longer compiles",
            )),
            Pair::Both(a, b) => ty.changes(a, b, changes),
        }
    }
}

/// One type, and who builds and reads it.
struct Type {
    item: Item,
    sides: Sides,
}

impl Type {
    fn change(&self, what: What, client: bool, server: bool, why: &'static str) -> Change {
        Change {
            item: self.item.clone(),
            what,
            breaks_client: client,
            breaks_server: server,
            why: Some(why),
        }
    }

    /// Breaks whoever builds the type.
    fn built(&self, what: What, why: &'static str) -> Change {
        let Sides { client, server } = self.sides;
        self.change(what, client.builds, server.builds, why)
    }

    /// Breaks whoever reads the type.
    fn read(&self, what: What, why: &'static str) -> Change {
        let Sides { client, server } = self.sides;
        self.change(what, client.reads, server.reads, why)
    }

    /// Breaks whoever uses the type at all.
    fn used(&self, what: What, why: &'static str) -> Change {
        let Sides { client, server } = self.sides;
        self.change(what, client.uses(), server.uses(), why)
    }

    fn compatible(&self, what: What) -> Change {
        Change {
            item: self.item.clone(),
            what,
            breaks_client: false,
            breaks_server: false,
            why: None,
        }
    }

    fn changes(&self, a: &TypeSurface, b: &TypeSurface, changes: &mut Vec<Change>) {
        match (a, b) {
            (
                TypeSurface::Struct {
                    fields: from,
                    default: had,
                },
                TypeSurface::Struct {
                    fields: to,
                    default: has,
                },
            ) => {
                for (field, pair) in paired(from, to) {
                    let field = field.clone();
                    changes.push(match pair {
                        Pair::Added(to) => self.built(
                            What::FieldAdded {
                                field,
                                to: to.clone(),
                            },
                            if to.required {
                                "a struct literal building it must give the new field"
                            } else if *has {
                                "a struct literal must list every field (one ending in `..Default::default()` still compiles)"
                            } else {
                                "a struct literal must list every field"
                            },
                        ),
                        Pair::Removed(from) => self.used(
                            What::FieldRemoved {
                                field,
                                from: from.clone(),
                            },
                            "code naming the field no longer compiles",
                        ),
                        Pair::Both(x, y) if x == y => continue,
                        Pair::Both(x, y) => {
                            let what = What::FieldChanged {
                                field,
                                from: x.clone(),
                                to: y.clone(),
                            };
                            if x.ty == y.ty {
                                self.compatible(what)
                            } else {
                                self.used(what, "the field's type changed")
                            }
                        }
                    });
                }
                changes.extend(self.default_change(*had, *has));
            }
            (TypeSurface::Enum { variants: from }, TypeSurface::Enum { variants: to }) => {
                // Another wire value under the same variant changes no code.
                self.variants(from, to, "value", false, changes);
            }
            (
                TypeSurface::Union {
                    variants: from,
                    tag: from_tag,
                },
                TypeSurface::Union {
                    variants: to,
                    tag: to_tag,
                },
            ) => {
                self.variants(from, to, "holding", true, changes);
                if from_tag != to_tag {
                    changes.push(self.compatible(What::TagChanged {
                        from: from_tag.clone(),
                        to: to_tag.clone(),
                    }));
                }
            }
            (
                TypeSurface::Newtype {
                    inner: from,
                    default: had,
                },
                TypeSurface::Newtype {
                    inner: to,
                    default: has,
                },
            ) => {
                if from != to {
                    changes.push(self.used(
                        What::NewtypeChanged {
                            from: from.clone(),
                            to: to.clone(),
                        },
                        "the wrapped type changed",
                    ));
                } else {
                    changes.extend(self.default_change(*had, *has));
                }
            }
            (a, b) => changes.push(self.used(
                What::KindChanged {
                    from: a.kind(),
                    to: b.kind(),
                },
                "code using it as it was no longer compiles",
            )),
        }
    }

    /// An enum's or a union's variants, each described as `word` and its
    /// value (`value `a``, `holding `T``); `retyped_breaks`: a variant
    /// whose value changed breaks code (a union's, which holds another
    /// type), or not (an enum's, another wire spelling).
    fn variants(
        &self,
        from: &BTreeMap<String, String>,
        to: &BTreeMap<String, String>,
        word: &str,
        retyped_breaks: bool,
        changes: &mut Vec<Change>,
    ) {
        let value = |v: &String| format!("{word} `{v}`");
        for (variant, pair) in paired(from, to) {
            let variant = variant.clone();
            changes.push(match pair {
                Pair::Added(v) => self.read(
                    What::VariantAdded {
                        variant,
                        value: value(v),
                    },
                    "an exhaustive `match` must handle the new variant",
                ),
                Pair::Removed(v) => self.used(
                    What::VariantRemoved {
                        variant,
                        value: value(v),
                    },
                    "code naming the variant no longer compiles",
                ),
                Pair::Both(a, b) if a == b => continue,
                Pair::Both(a, b) => {
                    let what = What::VariantChanged {
                        variant,
                        from: value(a),
                        to: value(b),
                    };
                    if retyped_breaks {
                        self.used(what, "the variant holds another type")
                    } else {
                        self.compatible(what)
                    }
                }
            });
        }
    }

    fn default_change(&self, had: bool, has: bool) -> Option<Change> {
        match (had, has) {
            (true, false) => Some(self.built(
                What::DefaultRemoved,
                "`Default::default()` no longer builds it",
            )),
            (false, true) => Some(self.compatible(What::DefaultAdded)),
            _ => None,
        }
    }
}

/// What one side does with a type.
#[derive(Debug, Clone, Copy)]
struct Side {
    builds: bool,
    reads: bool,
}

impl Side {
    fn uses(self) -> bool {
        self.builds || self.reads
    }
}

#[derive(Debug, Clone, Copy)]
struct Sides {
    client: Side,
    server: Side,
}

/// Which types requests and responses carry, in either surface.
struct Uses {
    /// Types requests carry (clients build, servers read).
    request: BTreeSet<String>,
    /// Types responses carry (servers build, clients read).
    response: BTreeSet<String>,
}

impl Uses {
    fn of(surfaces: &[&Surface]) -> Uses {
        let mut uses = Uses {
            request: BTreeSet::new(),
            response: BTreeSet::new(),
        };
        for surface in surfaces {
            let requests = surface
                .operations
                .values()
                .flat_map(|op| op.inputs.values().map(|i| i.ty.as_str()));
            let responses = surface.operations.values().flat_map(|op| {
                op.responses
                    .values()
                    .flat_map(|r| r.body.iter().chain(r.headers.values()).map(String::as_str))
            });
            reach(surface, requests, &mut uses.request);
            reach(surface, responses, &mut uses.response);
        }
        uses
    }

    fn sides(&self, ty: &str) -> Sides {
        let (request, response) = (self.request.contains(ty), self.response.contains(ty));
        if !request && !response {
            let any = Side {
                builds: true,
                reads: true,
            };
            return Sides {
                client: any,
                server: any,
            };
        }
        Sides {
            client: Side {
                builds: request,
                reads: response,
            },
            server: Side {
                builds: response,
                reads: request,
            },
        }
    }
}

/// Every type `roots` mention, and every type those mention.
fn reach<'a>(
    surface: &'a Surface,
    roots: impl Iterator<Item = &'a str>,
    out: &mut BTreeSet<String>,
) {
    let mut stack: Vec<&str> = roots.flat_map(|ty| mentioned(ty, &surface.types)).collect();
    while let Some(name) = stack.pop() {
        if !out.insert(name.to_string()) {
            continue;
        }
        let inner: Vec<&str> = match surface.types.get(name) {
            Some(TypeSurface::Struct { fields, .. }) => {
                fields.values().map(|f| f.ty.as_str()).collect()
            }
            Some(TypeSurface::Union { variants, .. }) => {
                variants.values().map(String::as_str).collect()
            }
            Some(TypeSurface::Newtype { inner, .. }) => vec![inner.as_str()],
            Some(TypeSurface::Enum { .. }) | None => Vec::new(),
        };
        stack.extend(
            inner
                .into_iter()
                .flat_map(|ty| mentioned(ty, &surface.types)),
        );
    }
}
