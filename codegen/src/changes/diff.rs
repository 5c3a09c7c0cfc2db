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
//!
//! Who builds and who reads a type follows from where the API uses it:
//! clients build what requests carry (parameters, bodies) and servers read
//! it; servers build what responses carry and clients read it. A type no
//! operation reaches may be used any way, so it counts as both.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::surface::{
    FieldSurface, InputSurface, OperationSurface, ResponseSurface, Surface, TypeSurface, mentioned,
};

/// One difference between two surfaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub item: Item,
    pub what: What,
    /// Code using the crate as a client may stop compiling.
    pub breaks_client: bool,
    /// Code implementing the server trait may stop compiling.
    pub breaks_server: bool,
    /// Why it breaks, in Rust terms.
    pub why: Option<&'static str>,
}

/// What changed, as a user of the crate names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// A client and trait method.
    Operation(String),
    Type(String),
    /// A security scheme's constant.
    Scheme(String),
    /// A server URL's function.
    Function(String),
    ServerTrait(String),
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Operation(name) => write!(f, "operation `{name}`"),
            Item::Type(name) => write!(f, "type `{name}`"),
            Item::Scheme(name) => write!(f, "security scheme `{name}`"),
            Item::Function(name) => write!(f, "function `{name}`"),
            Item::ServerTrait(name) => write!(f, "server trait `{name}`"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// A new item; `detail` says what it is (`POST /users`, `struct`).
    Added {
        detail: String,
    },
    Removed {
        detail: String,
    },
    /// The same item under another name (an operation: by operationId or
    /// endpoint).
    Renamed {
        from: String,
        detail: Option<String>,
    },
    /// The method calls another endpoint; `taken_over_by`: the method that
    /// calls the old one now.
    EndpointChanged {
        from: String,
        to: String,
        taken_over_by: Option<String>,
    },
    InputAdded {
        field: String,
        input: InputSurface,
    },
    InputRemoved {
        field: String,
        input: InputSurface,
    },
    InputChanged {
        field: String,
        from: InputSurface,
        to: InputSurface,
    },
    ArgumentsReordered {
        from: Vec<String>,
        to: Vec<String>,
    },
    ResponseAdded {
        variant: String,
        response: ResponseSurface,
    },
    ResponseRemoved {
        variant: String,
        response: ResponseSurface,
    },
    ResponseChanged {
        variant: String,
        from: ResponseSurface,
        to: ResponseSurface,
    },
    KindChanged {
        from: &'static str,
        to: &'static str,
    },
    FieldAdded {
        field: String,
        to: FieldSurface,
    },
    FieldRemoved {
        field: String,
        from: FieldSurface,
    },
    FieldChanged {
        field: String,
        from: FieldSurface,
        to: FieldSurface,
    },
    DefaultRemoved,
    DefaultAdded,
    VariantAdded {
        variant: String,
        value: String,
    },
    VariantRemoved {
        variant: String,
        value: String,
    },
    VariantChanged {
        variant: String,
        from: String,
        to: String,
    },
    TagChanged {
        from: Option<String>,
        to: Option<String>,
    },
    NewtypeChanged {
        from: String,
        to: String,
    },
    MethodsChanged {
        from: Vec<String>,
        to: Vec<String>,
    },
    ArgumentsChanged {
        from: Vec<String>,
        to: Vec<String>,
    },
}

impl What {
    /// New API a user may start to use: a minor version at least.
    pub fn adds_api(&self) -> bool {
        matches!(
            self,
            What::Added { .. }
                | What::InputAdded { .. }
                | What::ResponseAdded { .. }
                | What::FieldAdded { .. }
                | What::DefaultAdded
                | What::VariantAdded { .. }
        )
    }
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            What::Added { detail } => write!(f, "added ({detail})"),
            What::Removed { detail } => write!(f, "removed ({detail})"),
            What::Renamed { from, detail } => {
                write!(f, "renamed from `{from}`")?;
                match detail {
                    Some(detail) => write!(f, " ({detail})"),
                    None => Ok(()),
                }
            }
            What::EndpointChanged {
                from,
                to,
                taken_over_by,
            } => match taken_over_by {
                Some(method) => {
                    write!(
                        f,
                        "now calls `{to}`; `{method}` calls its old endpoint `{from}`"
                    )
                }
                None => write!(f, "now calls `{to}` (was `{from}`)"),
            },
            What::InputAdded { field, input } => {
                let presence = input_presence(input);
                match input.location.as_str() {
                    "body" => write!(f, "{presence} request body `{}` added", input.ty)?,
                    _ => write!(f, "{presence} parameter `{field}: {}` added", input.ty)?,
                }
                if input.argument {
                    write!(f, ", a new argument")?;
                }
                Ok(())
            }
            What::InputRemoved { field, input } => {
                write!(f, "{} removed", input_words(field, input))
            }
            What::InputChanged { field, from, to } => {
                let mut parts = Vec::new();
                if from.ty != to.ty {
                    parts.push(format!("type `{}` is now `{}`", from.ty, to.ty));
                }
                if from.argument != to.argument {
                    let role = |argument| if argument { "an argument" } else { "a setter" };
                    parts.push(format!(
                        "{} is now {}",
                        role(from.argument),
                        role(to.argument)
                    ));
                }
                if (&from.location, &from.wire) != (&to.location, &to.wire) {
                    parts.push(format!(
                        "sent as {} (was {})",
                        wire_words(to),
                        wire_words(from)
                    ));
                }
                write!(f, "{}: {}", input_name(field, to), parts.join("; "))
            }
            What::ArgumentsReordered { from, to } => write!(
                f,
                "arguments now ({}), were ({})",
                to.join(", "),
                from.join(", ")
            ),
            What::ResponseAdded { variant, response } => {
                write!(
                    f,
                    "response `{variant}` ({}) added",
                    response_words(response)
                )
            }
            What::ResponseRemoved { variant, response } => {
                write!(
                    f,
                    "response `{variant}` ({}) removed",
                    response_words(response)
                )
            }
            What::ResponseChanged { variant, from, to } => {
                let mut parts = Vec::new();
                if from.success != to.success {
                    let side = |success| if success { "a success" } else { "an error" };
                    parts.push(format!(
                        "now {} (was {})",
                        side(to.success),
                        side(from.success)
                    ));
                }
                if from.body != to.body {
                    let body = |b: &Option<String>| {
                        b.as_ref()
                            .map_or("no body".to_string(), |ty| format!("body `{ty}`"))
                    };
                    parts.push(format!("{} (was {})", body(&to.body), body(&from.body)));
                }
                let mut names: BTreeSet<&String> = from.headers.keys().collect();
                names.extend(to.headers.keys());
                for name in names {
                    match (from.headers.get(name), to.headers.get(name)) {
                        (None, Some(ty)) => parts.push(format!("header `{name}: {ty}` added")),
                        (Some(_), None) => parts.push(format!("header `{name}` removed")),
                        (Some(a), Some(b)) if a != b => {
                            parts.push(format!("header `{name}` is now `{b}` (was `{a}`)"))
                        }
                        _ => {}
                    }
                }
                if from.status != to.status {
                    parts.push(format!("status {} (was {})", to.status, from.status));
                }
                write!(f, "response `{variant}`: {}", parts.join("; "))
            }
            What::KindChanged { from, to } => write!(f, "now a {to} (was a {from})"),
            What::FieldAdded { field, to } => {
                write!(f, "{} field `{field}: {}` added", presence(to), to.ty)
            }
            What::FieldRemoved { field, .. } => write!(f, "field `{field}` removed"),
            What::FieldChanged { field, from, to } => {
                let mut parts = Vec::new();
                if from.ty != to.ty {
                    parts.push(format!("type `{}` is now `{}`", from.ty, to.ty));
                }
                if (from.required, from.nullable) != (to.required, to.nullable) {
                    parts.push(format!("now {} (was {})", presence(to), presence(from)));
                }
                if from.wire != to.wire {
                    parts.push(format!("property `{}` (was `{}`)", to.wire, from.wire));
                }
                write!(f, "field `{field}`: {}", parts.join("; "))
            }
            What::DefaultRemoved => write!(f, "no longer implements `Default`"),
            What::DefaultAdded => write!(f, "now implements `Default`"),
            What::VariantAdded { variant, value } => {
                write!(f, "variant `{variant}` ({value}) added")
            }
            What::VariantRemoved { variant, value } => {
                write!(f, "variant `{variant}` ({value}) removed")
            }
            What::VariantChanged { variant, from, to } => {
                write!(f, "variant `{variant}`: {to} (was {from})")
            }
            What::TagChanged { from, to } => {
                let tag = |t: &Option<String>| {
                    t.as_ref()
                        .map_or("untagged".to_string(), |p| format!("tagged by `{p}`"))
                };
                write!(f, "now {} (was {})", tag(to), tag(from))
            }
            What::NewtypeChanged { from, to } => {
                write!(f, "now wraps `{to}` (was `{from}`)")
            }
            What::MethodsChanged { from, to } | What::ArgumentsChanged { from, to } => {
                write!(f, "now ({}), was ({})", to.join(", "), from.join(", "))
            }
        }
    }
}

/// `required parameter `owner``, `optional request body`.
fn input_words(field: &str, input: &InputSurface) -> String {
    format!("{} {}", input_presence(input), input_name(field, input))
}

fn input_presence(input: &InputSurface) -> &'static str {
    if input.ty.starts_with("Option<") {
        "optional"
    } else {
        "required"
    }
}

/// `parameter `owner``, `request body` (its field named only when it is
/// not `body`).
fn input_name(field: &str, input: &InputSurface) -> String {
    match (input.location.as_str(), field) {
        ("body", "body") => "request body".into(),
        ("body", field) => format!("request body `{field}`"),
        _ => format!("parameter `{field}`"),
    }
}

fn wire_words(input: &InputSurface) -> String {
    format!("{} `{}`", input.location, input.wire)
}

fn response_words(response: &ResponseSurface) -> String {
    let side = if response.success { "success" } else { "error" };
    match &response.body {
        Some(ty) => format!("{side} {}, body `{ty}`", response.status),
        None => format!("{side} {}", response.status),
    }
}

fn presence(field: &FieldSurface) -> &'static str {
    match (field.required, field.nullable) {
        (true, false) => "required",
        (true, true) => "required nullable",
        (false, _) => "optional",
    }
}

/// Who builds and who reads each type.
struct Uses {
    /// Types requests carry (clients build, servers read).
    request: BTreeSet<String>,
    /// Types responses carry (servers build, clients read).
    response: BTreeSet<String>,
    /// Types any operation reaches.
    reached: BTreeSet<String>,
}

impl Uses {
    fn of(surfaces: &[&Surface]) -> Uses {
        let mut uses = Uses {
            request: BTreeSet::new(),
            response: BTreeSet::new(),
            reached: BTreeSet::new(),
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
        uses.reached = uses.request.union(&uses.response).cloned().collect();
        uses
    }

    /// (builds, reads) for a client, then for a server.
    fn sides(&self, ty: &str) -> [(bool, bool); 2] {
        if !self.reached.contains(ty) {
            return [(true, true), (true, true)];
        }
        let (request, response) = (self.request.contains(ty), self.response.contains(ty));
        [(request, response), (response, request)]
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
        let Some(ty) = surface.types.get(name) else {
            continue;
        };
        let inner: Vec<&str> = match ty {
            TypeSurface::Struct { fields, .. } => fields.values().map(|f| f.ty.as_str()).collect(),
            TypeSurface::Union { variants, .. } => variants.values().map(String::as_str).collect(),
            TypeSurface::Newtype { inner, .. } => vec![inner.as_str()],
            TypeSurface::Enum { .. } => Vec::new(),
        };
        stack.extend(
            inner
                .into_iter()
                .flat_map(|ty| mentioned(ty, &surface.types)),
        );
    }
}

/// Every difference from `old` to `new`: operations, then types, schemes,
/// server functions and the server trait, each in name order.
pub fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut changes = Vec::new();
    operations(old, new, &mut changes);
    let uses = Uses::of(&[old, new]);
    for (name, change) in paired(&old.types, &new.types) {
        let item = Item::Type(name.clone());
        let [(client_builds, client_reads), (server_builds, server_reads)] = uses.sides(name);
        // Breaks whoever builds it, whoever reads it, or either.
        let builds = |what, why| Change {
            item: item.clone(),
            what,
            breaks_client: client_builds,
            breaks_server: server_builds,
            why: Some(why),
        };
        let reads = |what, why| Change {
            item: item.clone(),
            what,
            breaks_client: client_reads,
            breaks_server: server_reads,
            why: Some(why),
        };
        let uses_it = |what, why| Change {
            item: item.clone(),
            what,
            breaks_client: client_builds || client_reads,
            breaks_server: server_builds || server_reads,
            why: Some(why),
        };
        match change {
            Pair::Added(ty) => changes.push(compatible(
                item.clone(),
                What::Added {
                    detail: ty.kind().into(),
                },
            )),
            Pair::Removed(ty) => changes.push(uses_it(
                What::Removed {
                    detail: ty.kind().into(),
                },
                "code naming it no longer compiles",
            )),
            Pair::Both(a, b) => match (a, b) {
                (
                    TypeSurface::Struct {
                        fields: from,
                        default: had_default,
                    },
                    TypeSurface::Struct {
                        fields: to,
                        default: has_default,
                    },
                ) => {
                    for (field, change) in paired(from, to) {
                        let field = field.clone();
                        changes.push(match change {
                            Pair::Added(to) => builds(
                                What::FieldAdded {
                                    field,
                                    to: to.clone(),
                                },
                                if to.required {
                                    "a struct literal building it must give the new field"
                                } else if *has_default {
                                    "a struct literal must list every field (one ending in `..Default::default()` still compiles)"
                                } else {
                                    "a struct literal must list every field"
                                },
                            ),
                            Pair::Removed(from) => uses_it(
                                What::FieldRemoved {
                                    field,
                                    from: from.clone(),
                                },
                                "code naming the field no longer compiles",
                            ),
                            Pair::Both(a, b) if a == b => continue,
                            Pair::Both(a, b) => {
                                let what = What::FieldChanged {
                                    field,
                                    from: a.clone(),
                                    to: b.clone(),
                                };
                                if a.ty == b.ty {
                                    compatible(item.clone(), what)
                                } else {
                                    uses_it(what, "the field's type changed")
                                }
                            }
                        });
                    }
                    if *had_default && !*has_default {
                        changes.push(builds(
                            What::DefaultRemoved,
                            "`Default::default()` no longer builds it",
                        ));
                    } else if !*had_default && *has_default {
                        changes.push(compatible(item.clone(), What::DefaultAdded));
                    }
                }
                (TypeSurface::Enum { variants: from }, TypeSurface::Enum { variants: to }) => {
                    for (variant, change) in paired(from, to) {
                        let variant = variant.clone();
                        changes.push(match change {
                            Pair::Added(value) => reads(
                                What::VariantAdded {
                                    variant,
                                    value: format!("`{value}`"),
                                },
                                "an exhaustive `match` must handle the new variant",
                            ),
                            Pair::Removed(value) => uses_it(
                                What::VariantRemoved {
                                    variant,
                                    value: format!("`{value}`"),
                                },
                                "code naming the variant no longer compiles",
                            ),
                            Pair::Both(a, b) if a == b => continue,
                            Pair::Both(a, b) => compatible(
                                item.clone(),
                                What::VariantChanged {
                                    variant,
                                    from: format!("value `{a}`"),
                                    to: format!("value `{b}`"),
                                },
                            ),
                        });
                    }
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
                    for (variant, change) in paired(from, to) {
                        let variant = variant.clone();
                        changes.push(match change {
                            Pair::Added(ty) => reads(
                                What::VariantAdded {
                                    variant,
                                    value: format!("holding `{ty}`"),
                                },
                                "an exhaustive `match` must handle the new variant",
                            ),
                            Pair::Removed(ty) => uses_it(
                                What::VariantRemoved {
                                    variant,
                                    value: format!("holding `{ty}`"),
                                },
                                "code naming the variant no longer compiles",
                            ),
                            Pair::Both(a, b) if a == b => continue,
                            Pair::Both(a, b) => uses_it(
                                What::VariantChanged {
                                    variant,
                                    from: format!("holding `{a}`"),
                                    to: format!("holding `{b}`"),
                                },
                                "the variant holds another type",
                            ),
                        });
                    }
                    if from_tag != to_tag {
                        changes.push(compatible(
                            item.clone(),
                            What::TagChanged {
                                from: from_tag.clone(),
                                to: to_tag.clone(),
                            },
                        ));
                    }
                }
                (
                    TypeSurface::Newtype {
                        inner: from,
                        default: had_default,
                    },
                    TypeSurface::Newtype {
                        inner: to,
                        default: has_default,
                    },
                ) => {
                    if from != to {
                        changes.push(uses_it(
                            What::NewtypeChanged {
                                from: from.clone(),
                                to: to.clone(),
                            },
                            "the wrapped type changed",
                        ));
                    } else if *had_default && !*has_default {
                        changes.push(builds(
                            What::DefaultRemoved,
                            "`Default::default()` no longer builds it",
                        ));
                    } else if !*had_default && *has_default {
                        changes.push(compatible(item.clone(), What::DefaultAdded));
                    }
                }
                (a, b) => changes.push(uses_it(
                    What::KindChanged {
                        from: a.kind(),
                        to: b.kind(),
                    },
                    "code using it as it was no longer compiles",
                )),
            },
        }
    }
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
    changes
}

fn operations(old: &Surface, new: &Surface, changes: &mut Vec<Change>) {
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

fn compatible(item: Item, what: What) -> Change {
    Change {
        item,
        what,
        breaks_client: false,
        breaks_server: false,
        why: None,
    }
}

fn client_only(item: Item, what: What, why: &'static str) -> Change {
    Change {
        item,
        what,
        breaks_client: true,
        breaks_server: false,
        why: Some(why),
    }
}

/// An entry of one map or the other, or of both.
enum Pair<'a, V> {
    Added(&'a V),
    Removed(&'a V),
    Both(&'a V, &'a V),
}

/// The keys of `old` and `new` in order, each with its entries.
fn paired<'a, V>(
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
