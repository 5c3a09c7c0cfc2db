//! A change, as the report states it: the item a user names, what
//! happened to it, and whom it breaks.

use std::collections::BTreeSet;
use std::fmt;

use super::surface::{FieldSurface, InputSurface, ResponseSurface};

/// One difference between two surfaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The item a user names.
    pub item: Item,
    /// What happened to it.
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
    /// A type.
    Type(String),
    /// A security scheme's constant.
    Scheme(String),
    /// A server URL's function.
    Function(String),
    /// The server trait.
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

/// What happened to an item.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// A new item; `detail` says what it is (`POST /users`, `struct`).
    Added {
        /// What it is: `POST /users`, `struct`.
        detail: String,
    },
    /// An item that is gone; `detail` says what it was.
    Removed {
        /// What it was.
        detail: String,
    },
    /// The same item under another name (an operation: by operationId or
    /// endpoint).
    Renamed {
        /// The old name.
        from: String,
        /// What it is (an operation's endpoint), when that says more.
        detail: Option<String>,
    },
    /// The method calls another endpoint; `taken_over_by`: the method that
    /// calls the old one now.
    EndpointChanged {
        /// The old endpoint.
        from: String,
        /// The new endpoint.
        to: String,
        /// The method that calls the old endpoint now.
        taken_over_by: Option<String>,
    },
    /// A new field in an operation's input.
    InputAdded {
        /// The field.
        field: String,
        /// What it is.
        input: InputSurface,
    },
    /// A field gone from an operation's input.
    InputRemoved {
        /// The field.
        field: String,
        /// What it was.
        input: InputSurface,
    },
    /// A field of an operation's input changed.
    InputChanged {
        /// The field.
        field: String,
        /// Before.
        from: InputSurface,
        /// After.
        to: InputSurface,
    },
    /// The client method takes the same arguments in another order.
    ArgumentsReordered {
        /// The old order.
        from: Vec<String>,
        /// The new order.
        to: Vec<String>,
    },
    /// A newly documented response.
    ResponseAdded {
        /// Its variant.
        variant: String,
        /// What it is.
        response: ResponseSurface,
    },
    /// A response no longer documented.
    ResponseRemoved {
        /// Its variant.
        variant: String,
        /// What it was.
        response: ResponseSurface,
    },
    /// A documented response changed.
    ResponseChanged {
        /// Its variant.
        variant: String,
        /// Before.
        from: ResponseSurface,
        /// After.
        to: ResponseSurface,
    },
    /// A type became another kind of type (a struct an enum...).
    KindChanged {
        /// The old kind.
        from: &'static str,
        /// The new kind.
        to: &'static str,
    },
    /// A new field of a struct.
    FieldAdded {
        /// The field.
        field: String,
        /// What it is.
        to: FieldSurface,
    },
    /// A field gone from a struct.
    FieldRemoved {
        /// The field.
        field: String,
        /// What it was.
        from: FieldSurface,
    },
    /// A field of a struct changed.
    FieldChanged {
        /// The field.
        field: String,
        /// Before.
        from: FieldSurface,
        /// After.
        to: FieldSurface,
    },
    /// The type no longer derives `Default`.
    DefaultRemoved,
    /// The type now derives `Default`.
    DefaultAdded,
    /// A new variant of an enum or union.
    VariantAdded {
        /// The variant.
        variant: String,
        /// Its wire value or the type it holds.
        value: String,
    },
    /// A variant gone from an enum or union.
    VariantRemoved {
        /// The variant.
        variant: String,
        /// Its wire value or the type it held.
        value: String,
    },
    /// A variant's wire value or type changed.
    VariantChanged {
        /// The variant.
        variant: String,
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A union's discriminator property changed.
    TagChanged {
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// A newtype wraps another type.
    NewtypeChanged {
        /// The old inner type.
        from: String,
        /// The new inner type.
        to: String,
    },
    /// `part`: the parameter or field, when not the item itself.
    Deprecated {
        /// The parameter or field, when not the item itself.
        part: Option<String>,
        /// Deprecated now (else no longer).
        now: bool,
    },
    /// A scheme's client credential methods changed.
    MethodsChanged {
        /// Before.
        from: Vec<String>,
        /// After.
        to: Vec<String>,
    },
    /// A server URL function's arguments changed.
    ArgumentsChanged {
        /// Before.
        from: Vec<String>,
        /// After.
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
                | What::Deprecated { now: true, .. }
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
                            parts.push(format!("header `{name}` is now `{b}` (was `{a}`)"));
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
            What::Deprecated { part, now } => {
                let state = if *now {
                    "deprecated"
                } else {
                    "no longer deprecated"
                };
                match part {
                    Some(part) => write!(f, "{part} {state}"),
                    None => write!(f, "{state}"),
                }
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
