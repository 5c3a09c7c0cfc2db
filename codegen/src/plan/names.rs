//! The naming rules: how the spec's words become Rust identifiers,
//! deterministically and without collisions. `Names::new` applies them to
//! a whole spec in one pass (types, then members, operations, security
//! schemes, servers), so every name is decided here, once; the plan
//! attaches each to its item and emitters only print them. Who gets a
//! contested name is `claims`' decision, never the spec's order, and a
//! names lock ([`super::lock`]) keeps every name an item already has.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::claims::{Claim, Namer, suffixed};
use super::lock::{Table, key_path, key_word};
use crate::model::{Api, EnumValue, SecurityKind, StatusMatch, TypeId, TypeKind, TypeRef};

/// The generated `Client`'s own methods (see `emit::client`; each delegates
/// to the runtime's `ApiClient`, and `call` starts a call). Operation and
/// credential methods yield to them.
pub const CLIENT_METHODS: &[&str] = &[
    "new",
    "call",
    "base_url",
    "with_http_client",
    "with_max_response_bytes",
    "api_client",
    "reject",
    "from_api_client",
    "with_credential",
    "with_signer",
    "with_timeout",
    "with_retry_policy",
];

/// The test double's own methods (see `emit::testing`): its accessor for
/// an operation's script is the operation's method name, so operation
/// methods yield to these as they do to the client's.
pub const DOUBLE_METHODS: &[&str] = &["new", "received", "take_received", "rejections"];

/// The types the test double's module declares: the double and the enum
/// of the calls it received. They share the module only with the
/// operation types, whose names end in `Input`, `Success`, `Error` or
/// `Multipart`, so no name in a spec can take them.
pub const DOUBLE: &str = "Double";
pub const DOUBLE_RECEIVED: &str = "Received";

/// The methods every call has besides its setters (the generated `Call`
/// mirrors the runtime's `client::Call`): a parameter's setter never takes
/// one of these names.
pub const CALL_METHODS: &[&str] = &["request", "send", "timeout", "retry_policy"];

/// The alias every generated file gives the runtime crate
/// (`use ::mfa_runtime as rt;`). Generated type names are UpperCamelCase,
/// so none can be it; [`MODULE_TYPES`] keeps it from call types too.
pub const RUNTIME_ALIAS: &str = "rt";

/// Names a call type in the client module may not take: the module's own
/// items (`Client`, the generic `Call` every call type is), the runtime
/// alias and the runtime names it imports, and the prelude names generated
/// code writes unqualified there (`Option`, `Result`, `String`, `Vec`,
/// `Box`, `Default`, `From`...).
pub const MODULE_TYPES: &[&str] = &[
    "Client",
    "Call",
    "rt",
    "Callable",
    "Decoded",
    "InvalidRequest",
    "RawResponse",
    "Request",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Err",
    "From",
    "Future",
    "Into",
    "IntoFuture",
    "None",
    "Ok",
    "Option",
    "PartialEq",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToString",
    "Vec",
];

/// The variant an enum decodes an unlisted value into, keeping its text
/// or number (forward compatibility: a vendor's next release may add values).
/// Reserved in every enum, lock or no lock, so a spec value that would
/// take it (`UNKNOWN`, or `x-enum-varnames: [Unknown]`) is always
/// `Unknown2` and adding or removing such a value never moves the
/// catch-all.
pub const CATCH_ALL_VARIANT: &str = "Unknown";

/// The std names that generated code writes unqualified, unless a type of
/// the `types` module takes the name (see `Plan::shadowed`).
pub const PRELUDE_NAMES: &[&str] = &[
    "Box", "Default", "Err", "From", "None", "Ok", "Option", "Result", "Some", "String", "TryFrom",
    "Vec",
];

/// Every name of one spec's module, in the model's order.
#[derive(Debug, Clone)]
pub(super) struct Names {
    pub types: BTreeMap<TypeId, String>,
    /// Struct fields, or enum and union variants, in definition order.
    pub members: BTreeMap<TypeId, Vec<String>>,
    pub operations: Vec<OperationNames>,
    pub schemes: Vec<SchemeNames>,
    /// The server trait, e.g. `FireblocksApi`.
    pub server_trait: String,
    /// Per server with variables: the function that fills them in
    /// (`server_url`), and one argument per variable.
    pub server_fns: Vec<Option<(String, Vec<String>)>>,
}

#[derive(Debug, Clone)]
pub(super) struct OperationNames {
    /// Client and trait method: `reset_device`.
    pub method: String,
    /// What the server receives: `ResetDeviceInput` (not `...Request`, which
    /// vendor specs use for their own schemas).
    pub input: String,
    /// Documented successes: `ResetDeviceSuccess`.
    pub success: String,
    /// Documented errors: `ResetDeviceError`.
    pub error: String,
    /// The client's call builder: `ResetDevice`.
    pub builder: String,
    /// The operation's own name, the stem of its types: `ResetDevice`
    /// (the test double's variant for its calls).
    pub stem: String,
    /// A multipart body's own struct: `ResetDeviceMultipart` (no other name
    /// in the operations module ends in `Multipart`).
    pub multipart: String,
    /// One field per parameter, in the model's order (constants keep a name
    /// too, so a parameter turning constant renames no other).
    pub params: Vec<String>,
    /// The body field.
    pub body: String,
    /// One variant per response, in the model's order.
    pub responses: Vec<String>,
    /// One field per response header, per response.
    pub response_headers: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(super) struct SchemeNames {
    /// The constant naming the scheme (`BEARER_AUTH`): the client's
    /// associated const and the server's `security` const.
    pub constant: String,
    /// The client method taking its credential: `with_bearer_auth`.
    pub method: String,
    /// For an API key, the same with the key's name given:
    /// `with_sso_token_named`.
    pub named_method: Option<String>,
}

impl Names {
    /// Every name of `api`'s module: the names `namer`'s lock records for
    /// items still in the spec, and names by its rules for the rest.
    /// `namer.given` collects them all, to be written back as the new lock.
    pub fn new(api: &Api, module: &str, namer: &mut Namer<'_>) -> Self {
        let keys = type_keys(api);
        let type_claims: Vec<Claim> = api
            .types
            .iter()
            .map(|(id, def)| {
                let spelling = def.name_hint.join(" ");
                let natural = type_ident(&spelling);
                // Component schemas choose before inline types.
                let inline = !id.0.starts_with("#/components/schemas/");
                Claim::new(Table::Types, keys[id].clone(), &spelling, natural)
                    .rank(u8::from(inline))
            })
            .collect();
        let types: BTreeMap<TypeId, String> = api
            .types
            .keys()
            .cloned()
            .zip(namer.assign(&[], &type_claims))
            .collect();
        let members = api
            .types
            .iter()
            .filter_map(|(id, def)| {
                let owner = &keys[id];
                let member = |table, wire: &str, natural| {
                    Claim::new(table, format!("{owner}/{}", key_word(wire)), wire, natural)
                };
                let mut reserved: &[&str] = &[];
                let claims: Vec<Claim> = match &def.kind {
                    TypeKind::Struct(s) => s
                        .fields
                        .iter()
                        .map(|f| member(Table::Fields, &f.name, field_ident(&f.name)))
                        .collect(),
                    TypeKind::Enum(e) => {
                        reserved = &[CATCH_ALL_VARIANT];
                        e.values
                            .iter()
                            .map(|v| {
                                let wire = match v {
                                    EnumValue::String(s) => s.clone(),
                                    EnumValue::Integer(i) => i.to_string(),
                                };
                                member(Table::Variants, &wire, enum_variant_ident(v))
                            })
                            .collect()
                    }
                    TypeKind::OneOf(o) => o
                        .variants
                        .iter()
                        .map(|v| match (&v.tag, &v.ty) {
                            (Some(tag), _) => member(Table::Variants, tag, variant_ident(tag)),
                            (None, ty) => {
                                let name = branch_name(ty, &types);
                                member(Table::Variants, &name, name.clone())
                            }
                        })
                        .collect(),
                    TypeKind::Newtype(_) => return None,
                };
                Some((id.clone(), namer.assign(reserved, &unique_keys(claims))))
            })
            .collect();

        let op_claims = |table, natural: fn(&str) -> String| -> Vec<Claim> {
            unique_keys(
                api.operations
                    .iter()
                    .map(|op| Claim::new(table, op.id.clone(), &op.id, natural(&op.id)))
                    .collect(),
            )
        };
        // An operation's stem takes its `Input`, `Success` and `Error` too.
        let bases = namer.assign_with(&[], &op_claims(Table::Operations, type_ident), |base| {
            ["", "Input", "Success", "Error"]
                .iter()
                .map(|suffix| compound(base, suffix))
                .collect()
        });
        // The call types yield to the client module's own types, the
        // runtime names it imports and the prelude names it writes.
        let builder_claims: Vec<Claim> = op_claims(Table::Builders, type_ident)
            .into_iter()
            .zip(&bases)
            .map(|(claim, base)| Claim {
                natural: base.clone(),
                ..claim
            })
            .collect();
        let builders = namer.assign(MODULE_TYPES, &builder_claims);
        let scheme_names = namer.assign(
            &[],
            &unique_keys(
                api.security_schemes
                    .iter()
                    .map(|s| Claim::new(Table::Schemes, s.key.clone(), &s.key, field_ident(&s.key)))
                    .collect(),
            ),
        );
        // Operation methods, then credential methods, then an API key's
        // `_named` method share the client with its own methods, and yield
        // to them.
        let mut method_claims = op_claims(Table::Methods, field_ident);
        let scheme_methods: Vec<Claim> = api
            .security_schemes
            .iter()
            .zip(&scheme_names)
            .map(|(s, name)| {
                let bare = name.trim_start_matches("r#");
                Claim::new(
                    Table::Credentials,
                    s.key.clone(),
                    &s.key,
                    format!("with_{bare}"),
                )
                .rank(1)
            })
            .collect();
        let named_methods: Vec<Claim> = api
            .security_schemes
            .iter()
            .zip(&scheme_names)
            .filter(|(s, _)| matches!(s.kind, SecurityKind::ApiKey { .. }))
            .map(|(s, name)| {
                let bare = name.trim_start_matches("r#");
                let key = format!("{}/named", key_word(&s.key));
                Claim::new(
                    Table::Credentials,
                    key,
                    &s.key,
                    format!("with_{bare}_named"),
                )
                .rank(2)
            })
            .collect();
        let op_count = method_claims.len();
        let scheme_count = scheme_methods.len();
        method_claims.extend(scheme_methods);
        method_claims.extend(named_methods);
        let reserved: Vec<&str> = CLIENT_METHODS
            .iter()
            .chain(DOUBLE_METHODS)
            .copied()
            .collect();
        let mut all_methods = namer.assign(&reserved, &method_claims);
        let mut named_methods = all_methods.split_off(op_count + scheme_count).into_iter();
        let scheme_methods = all_methods.split_off(op_count);
        let methods = all_methods;

        let operations = api
            .operations
            .iter()
            .zip(bases)
            .zip(builders)
            .zip(methods)
            .map(|(((op, base), builder), method)| {
                let [input, success, error] =
                    ["Input", "Success", "Error"].map(|suffix| compound(&base, suffix));
                let op_key = key_word(&op.id);
                // Fields are also the call builder's setters, so they yield
                // to its own methods; the body yields to the parameters.
                let mut field_claims: Vec<Claim> = op
                    .parameters
                    .iter()
                    .map(|p| {
                        let location = format!("{:?}", p.location).to_ascii_lowercase();
                        let key = format!("{op_key}/{location}/{}", key_word(&p.name));
                        Claim::new(Table::Parameters, key, &p.name, field_ident(&p.name))
                    })
                    .collect();
                if op.body.is_some() {
                    let key = format!("{op_key}/body");
                    field_claims
                        .push(Claim::new(Table::Parameters, key, "body", "body".into()).rank(1));
                }
                let mut fields = namer.assign(CALL_METHODS, &unique_keys(field_claims));
                let body = match op.body {
                    Some(_) => fields.pop().unwrap_or_else(|| "body".to_string()),
                    None => "body".to_string(),
                };
                OperationNames {
                    multipart: compound(&base, "Multipart"),
                    stem: base.clone(),
                    method: method.clone(),
                    input,
                    success,
                    error,
                    builder,
                    params: fields,
                    body,
                    responses: dedupe(op.responses.iter().map(|r| status_variant(r.status))),
                    response_headers: op
                        .responses
                        .iter()
                        .map(|r| {
                            let status = status_key(r.status);
                            let claims = r
                                .headers
                                .iter()
                                .map(|h| {
                                    let key = format!("{op_key}/{status}/{}", key_word(&h.name));
                                    Claim::new(Table::Headers, key, &h.name, field_ident(&h.name))
                                })
                                .collect();
                            namer.assign(&["status", "body"], &unique_keys(claims))
                        })
                        .collect(),
                }
            })
            .collect();
        let schemes = scheme_names
            .iter()
            .zip(scheme_methods)
            .zip(&api.security_schemes)
            .map(|((name, method), scheme)| {
                let named = matches!(scheme.kind, SecurityKind::ApiKey { .. });
                SchemeNames {
                    // Unique because the snake-case names are (and no
                    // keyword is upper case).
                    constant: name.trim_start_matches("r#").to_ascii_uppercase(),
                    named_method: named.then(|| named_methods.next()).flatten(),
                    method,
                }
            })
            .collect();
        // A URL's letters say nothing about which server deserves the plain
        // `server_url`: the spec's order does (its first server is the
        // default), so servers rank by position and the first one wins.
        let server_claims = unique_keys(
            api.servers
                .iter()
                .filter(|s| !s.variables.is_empty())
                .enumerate()
                .map(|(position, s)| {
                    let rank = u8::try_from(position).unwrap_or(u8::MAX);
                    Claim::new(
                        Table::Servers,
                        s.url.clone(),
                        "server_url",
                        "server_url".into(),
                    )
                    .rank(rank)
                })
                .collect(),
        );
        let mut functions = namer.assign(&[], &server_claims).into_iter();
        let server_fns = api
            .servers
            .iter()
            .map(|server| {
                if server.variables.is_empty() {
                    return None;
                }
                let name = functions.next()?;
                let claims = server
                    .variables
                    .iter()
                    .map(|v| {
                        let key = format!("{}/{}", key_word(&server.url), key_word(&v.name));
                        Claim::new(Table::ServerVariables, key, &v.name, field_ident(&v.name))
                    })
                    .collect();
                Some((name, namer.assign(&[], &unique_keys(claims))))
            })
            .collect();
        Names {
            types,
            members,
            operations,
            schemes,
            server_trait: format!("{}Api", type_ident(module)),
            server_fns,
        }
    }

    pub fn type_name(&self, id: &TypeId) -> &str {
        self.types
            .get(id)
            .map(String::as_str)
            .unwrap_or("UnnamedType")
    }

    pub fn members(&self, id: &TypeId) -> &[String] {
        self.members.get(id).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Each type's identity, its key in the lock: the words it is named from
/// (`Thing`, `Thing/status`, `paths:getUsers/status`), prefixed by the part
/// of the spec it comes from unless that is `components/schemas`. The words
/// stay put when a spec is reordered (a JSON pointer's array indices do
/// not); two types named from the same words are told apart by the order of
/// their pointers (`Thing#2`).
fn type_keys(api: &Api) -> BTreeMap<TypeId, String> {
    let mut taken = BTreeSet::new();
    api.types
        .iter()
        .map(|(id, def)| {
            let mut segments = id.0.trim_start_matches("#/").split('/');
            let section = match (segments.next(), segments.next()) {
                (Some("components"), Some("schemas")) => String::new(),
                (Some("components"), Some(section)) => format!("{section}:"),
                (Some(section), _) => format!("{section}:"),
                (None, _) => String::new(),
            };
            let base = format!("{section}{}", key_path(&def.name_hint));
            (id.clone(), unique_key(base, &mut taken))
        })
        .collect()
}

/// `base`, or `base#2`, `base#3`... if an earlier item has it.
fn unique_key(base: String, taken: &mut BTreeSet<String>) -> String {
    let mut key = base.clone();
    let mut n = 2;
    while !taken.insert(key.clone()) {
        key = format!("{base}#{n}");
        n += 1;
    }
    key
}

/// The claims with their keys made unique (two parameters of one name and
/// location, a duplicated enum value), in their order.
fn unique_keys(claims: Vec<Claim>) -> Vec<Claim> {
    let mut taken = BTreeSet::new();
    claims
        .into_iter()
        .map(|claim| Claim {
            key: unique_key(claim.key.clone(), &mut taken),
            ..claim
        })
        .collect()
}

/// A status as a key: `200`, `4XX`, `default`.
fn status_key(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => code.to_string(),
        StatusMatch::Range(digit) => format!("{digit}XX"),
        StatusMatch::Default => "default".into(),
    }
}

/// The private function that supplies a struct field's spec default
/// (`default_page_size`). Member names are unique per struct; `r#type`
/// and `_2fa` lose their prefixes so the function name stays snake case.
pub fn default_fn(member: &str) -> String {
    let base = member.trim_start_matches("r#").trim_start_matches('_');
    format!("default_{base}")
}

/// A union branch without a tag is named for what it holds.
fn branch_name(ty: &TypeRef, types: &BTreeMap<TypeId, String>) -> String {
    match ty {
        TypeRef::Named(id) => types.get(id).cloned().unwrap_or_else(|| "Object".into()),
        TypeRef::String(_) => "String".into(),
        TypeRef::Integer(_) => "Integer".into(),
        TypeRef::Number(_) => "Number".into(),
        TypeRef::Boolean => "Boolean".into(),
        TypeRef::Array(item) => format!("{}List", branch_name(item, types)),
        TypeRef::Map(_) => "Map".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Nullable(inner) => branch_name(inner, types),
    }
}

/// The `http::StatusCode` constant for `code`, mirroring the constants of
/// the `http` crate every 1.x version has (`EARLY_HINTS` and `TOO_EARLY`
/// came later, so those codes are written as numbers).
pub fn status_constant(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "CONTINUE",
        101 => "SWITCHING_PROTOCOLS",
        102 => "PROCESSING",
        200 => "OK",
        201 => "CREATED",
        202 => "ACCEPTED",
        203 => "NON_AUTHORITATIVE_INFORMATION",
        204 => "NO_CONTENT",
        205 => "RESET_CONTENT",
        206 => "PARTIAL_CONTENT",
        207 => "MULTI_STATUS",
        208 => "ALREADY_REPORTED",
        226 => "IM_USED",
        300 => "MULTIPLE_CHOICES",
        301 => "MOVED_PERMANENTLY",
        302 => "FOUND",
        303 => "SEE_OTHER",
        304 => "NOT_MODIFIED",
        305 => "USE_PROXY",
        307 => "TEMPORARY_REDIRECT",
        308 => "PERMANENT_REDIRECT",
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        402 => "PAYMENT_REQUIRED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        406 => "NOT_ACCEPTABLE",
        407 => "PROXY_AUTHENTICATION_REQUIRED",
        408 => "REQUEST_TIMEOUT",
        409 => "CONFLICT",
        410 => "GONE",
        411 => "LENGTH_REQUIRED",
        412 => "PRECONDITION_FAILED",
        413 => "PAYLOAD_TOO_LARGE",
        414 => "URI_TOO_LONG",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        416 => "RANGE_NOT_SATISFIABLE",
        417 => "EXPECTATION_FAILED",
        418 => "IM_A_TEAPOT",
        421 => "MISDIRECTED_REQUEST",
        422 => "UNPROCESSABLE_ENTITY",
        423 => "LOCKED",
        424 => "FAILED_DEPENDENCY",
        426 => "UPGRADE_REQUIRED",
        428 => "PRECONDITION_REQUIRED",
        429 => "TOO_MANY_REQUESTS",
        431 => "REQUEST_HEADER_FIELDS_TOO_LARGE",
        451 => "UNAVAILABLE_FOR_LEGAL_REASONS",
        500 => "INTERNAL_SERVER_ERROR",
        501 => "NOT_IMPLEMENTED",
        502 => "BAD_GATEWAY",
        503 => "SERVICE_UNAVAILABLE",
        504 => "GATEWAY_TIMEOUT",
        505 => "HTTP_VERSION_NOT_SUPPORTED",
        506 => "VARIANT_ALSO_NEGOTIATES",
        507 => "INSUFFICIENT_STORAGE",
        508 => "LOOP_DETECTED",
        510 => "NOT_EXTENDED",
        511 => "NETWORK_AUTHENTICATION_REQUIRED",
        _ => return None,
    })
}

/// The variant name for a response status, from its reason phrase: `Ok`,
/// `NotFound`, `ServerError` (for `5XX`), `Default`.
pub fn status_variant(status: StatusMatch) -> String {
    type_ident(&status.words())
}

/// Strict and reserved keywords: as fields they become raw identifiers,
/// except the four that cannot be raw, which get a trailing `_`.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn keyword_safe(name: String) -> String {
    if !KEYWORDS.contains(&name.as_str()) {
        return name;
    }
    if matches!(name.as_str(), "self" | "Self" | "super" | "crate") {
        format!("{name}_")
    } else {
        format!("r#{name}")
    }
}

/// A type name made of `base` and a word after it: `ResetDeviceInput`. A
/// keyword's escape is dropped first (`Self_` gives `SelfInput`, not
/// `Self_Input`, which is not UpperCamelCase and fails `-D warnings`).
pub fn compound(base: &str, suffix: &str) -> String {
    let bare = base
        .strip_suffix('_')
        .filter(|_| !suffix.is_empty())
        .unwrap_or(base);
    format!("{bare}{suffix}")
}

/// A snake-case identifier for a field, parameter or method.
pub fn field_ident(raw: &str) -> String {
    let snake = raw.to_snake_case();
    let snake = if snake.is_empty() {
        "field".to_string()
    } else {
        snake
    };
    let snake = if snake.starts_with(|c: char| c.is_ascii_digit()) {
        spell_leading_number(raw.to_upper_camel_case()).to_snake_case()
    } else {
        snake
    };
    keyword_safe(snake)
}

/// An UpperCamelCase identifier for a type.
pub fn type_ident(raw: &str) -> String {
    let camel = raw.to_upper_camel_case();
    let camel = if camel.is_empty() {
        "Type".to_string()
    } else {
        camel
    };
    keyword_safe(spell_leading_number(camel))
}

/// An identifier cannot start with a digit: small leading numbers are
/// spelled out as a person would (`2Tier` is `TwoTier`, `3rdParty` is
/// `ThirdParty`); others get an `N` (`N100mbps`, `N007`).
fn spell_leading_number(camel: String) -> String {
    const CARDINALS: [&str; 21] = [
        "Zero",
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
        "Seven",
        "Eight",
        "Nine",
        "Ten",
        "Eleven",
        "Twelve",
        "Thirteen",
        "Fourteen",
        "Fifteen",
        "Sixteen",
        "Seventeen",
        "Eighteen",
        "Nineteen",
        "Twenty",
    ];
    const ORDINALS: [&str; 11] = [
        "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
        "Ninth", "Tenth",
    ];
    let digits = camel.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return camel;
    }
    let (number, rest) = camel.split_at(digits);
    let small = number
        .parse::<usize>()
        .ok()
        .filter(|_| number == "0" || !number.starts_with('0'));
    // `3rd` is an ordinal when its suffix ends a word (`3rdParty`, `1st`).
    let suffix = rest.get(..2).map(str::to_ascii_lowercase);
    let ordinal = matches!(suffix.as_deref(), Some("st" | "nd" | "rd" | "th"))
        && !rest[2..].starts_with(|c: char| c.is_ascii_lowercase());
    match small {
        Some(n) if ordinal && n < ORDINALS.len() => format!("{}{}", ORDINALS[n], &rest[2..]),
        Some(n) if !ordinal && n < CARDINALS.len() => format!("{}{rest}", CARDINALS[n]),
        _ => format!("N{camel}"),
    }
}

/// An UpperCamelCase variant for an enum value, spelling out what heck
/// would drop (`""` is `Empty`, `*` is `Star`).
pub fn variant_ident(raw: &str) -> String {
    let camel = raw.to_upper_camel_case();
    if !camel.is_empty() {
        return type_ident(raw);
    }
    if raw.is_empty() {
        return "Empty".to_string();
    }
    let spelled: String = raw
        .chars()
        .map(|c| match c {
            '*' => "Star",
            '+' => "Plus",
            '-' => "Minus",
            '.' => "Dot",
            '/' => "Slash",
            '_' => "Underscore",
            '#' => "Hash",
            '@' => "At",
            '$' => "Dollar",
            '%' => "Percent",
            '&' => "And",
            ' ' => "Space",
            _ => "Symbol",
        })
        .collect();
    spelled
}

fn enum_variant_ident(value: &EnumValue) -> String {
    match value {
        EnumValue::String(s) => variant_ident(s),
        EnumValue::Integer(i) if *i < 0 => format!("Minus{}", i.unsigned_abs()),
        EnumValue::Integer(i) => format!("Value{i}"),
    }
}

/// Make `name` unique in `taken` with a numeric suffix, and record it.
fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = suffixed(&name, n);
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

fn dedupe(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut taken = BTreeSet::new();
    names.map(|n| unique(n, &mut taken)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_valid_and_readable() {
        assert_eq!(field_ident("Idempotency-Key"), "idempotency_key");
        assert_eq!(field_ident("_queryFilter"), "query_filter");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("2fa"), "twofa");
        assert_eq!(field_ident("3rd_party"), "third_party");
        assert_eq!(field_ident("$"), "field");
        assert_eq!(
            type_ident("ErrorResponse error type"),
            "ErrorResponseErrorType"
        );
        assert_eq!(type_ident("self"), "Self_");
        // A keyword's escape never sits inside a name (`Self_Input` fails
        // `non_camel_case_types`).
        assert_eq!(compound("Self_", "Input"), "SelfInput");
        assert_eq!(compound("Self_", ""), "Self_");
        assert_eq!(compound("Reset", "Input"), "ResetInput");
        assert_eq!(
            variant_ident("3RD_PARTY_PROCESSING"),
            "ThirdPartyProcessing"
        );
        assert_eq!(variant_ident("2-TIER"), "TwoTier");
        assert_eq!(variant_ident("100MBPS"), "N100mbps");
        assert_eq!(variant_ident("1st"), "First");
        assert_eq!(variant_ident("21ST_CENTURY"), "N21stCentury");
        assert_eq!(variant_ident("007"), "N007");
        assert_eq!(variant_ident(""), "Empty");
        assert_eq!(variant_ident("*"), "Star");
        assert_eq!(variant_ident("resource=1.0"), "Resource10");
    }

    #[test]
    fn statuses_read_as_http_reasons() {
        assert_eq!(status_variant(StatusMatch::Code(200)), "Ok");
        assert_eq!(status_variant(StatusMatch::Code(418)), "ImATeapot");
        assert_eq!(status_variant(StatusMatch::Code(599)), "Status599");
        assert_eq!(status_variant(StatusMatch::Range(5)), "ServerError");
        assert_eq!(status_variant(StatusMatch::Default), "Default");
        // Every code with a reason phrase, as the variants have been named.
        for (code, name) in [
            (100, "Continue"),
            (101, "SwitchingProtocols"),
            (200, "Ok"),
            (201, "Created"),
            (202, "Accepted"),
            (203, "NonAuthoritativeInformation"),
            (204, "NoContent"),
            (205, "ResetContent"),
            (206, "PartialContent"),
            (207, "MultiStatus"),
            (300, "MultipleChoices"),
            (301, "MovedPermanently"),
            (302, "Found"),
            (303, "SeeOther"),
            (304, "NotModified"),
            (307, "TemporaryRedirect"),
            (308, "PermanentRedirect"),
            (400, "BadRequest"),
            (401, "Unauthorized"),
            (402, "PaymentRequired"),
            (403, "Forbidden"),
            (404, "NotFound"),
            (405, "MethodNotAllowed"),
            (406, "NotAcceptable"),
            (408, "RequestTimeout"),
            (409, "Conflict"),
            (410, "Gone"),
            (411, "LengthRequired"),
            (412, "PreconditionFailed"),
            (413, "PayloadTooLarge"),
            (414, "UriTooLong"),
            (415, "UnsupportedMediaType"),
            (416, "RangeNotSatisfiable"),
            (417, "ExpectationFailed"),
            (418, "ImATeapot"),
            (421, "MisdirectedRequest"),
            (422, "UnprocessableEntity"),
            (423, "Locked"),
            (424, "FailedDependency"),
            (425, "TooEarly"),
            (426, "UpgradeRequired"),
            (428, "PreconditionRequired"),
            (429, "TooManyRequests"),
            (431, "RequestHeaderFieldsTooLarge"),
            (451, "UnavailableForLegalReasons"),
            (500, "InternalServerError"),
            (501, "NotImplemented"),
            (502, "BadGateway"),
            (503, "ServiceUnavailable"),
            (504, "GatewayTimeout"),
            (505, "HttpVersionNotSupported"),
            (507, "InsufficientStorage"),
            (508, "LoopDetected"),
            (511, "NetworkAuthenticationRequired"),
        ] {
            assert_eq!(status_variant(StatusMatch::Code(code)), name);
        }
    }

    #[test]
    fn collisions_get_stable_suffixes() {
        let names = dedupe(
            [
                "status", "Status", "status_2", "type", "Type", "self", "Self",
            ]
            .iter()
            .map(|s| field_ident(s)),
        );
        assert_eq!(
            names,
            vec![
                "status",
                "status_2",
                "status_2_2",
                "r#type",
                "type_2",
                "self_",
                "self_2"
            ]
        );
        let mut taken = BTreeSet::new();
        assert_eq!(unique("Status".into(), &mut taken), "Status");
        assert_eq!(unique("Status".into(), &mut taken), "Status2");
    }
}
