//! The intermediate representation every emitter works from.
//!
//! Everything here is already resolved: no `$ref`, no openapiv3 types. Order is
//! the spec's order (operations in path order, fields in property order), which
//! together with `BTreeMap`-keyed types makes the output deterministic.

use std::collections::BTreeMap;

/// One spec, ready to emit.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    pub security_schemes: Vec<SecurityScheme>,
    pub operations: Vec<Operation>,
    /// Every named type, keyed by its id (unique, stable).
    pub types: BTreeMap<TypeId, TypeDef>,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub description: Option<String>,
    pub variables: Vec<ServerVariable>,
}

#[derive(Debug, Clone)]
pub struct ServerVariable {
    pub name: String,
    pub default: String,
    #[expect(
        dead_code,
        reason = "the model keeps what the spec says; no emitter prints it yet"
    )]
    pub values: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// The key under `components/securitySchemes`.
    pub key: String,
    pub description: Option<String>,
    pub kind: SecurityKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityKind {
    /// `type: http, scheme: bearer`.
    Bearer { format: Option<String> },
    /// `type: http, scheme: basic`.
    Basic,
    /// `type: apiKey`: a named header, query parameter or cookie.
    ApiKey {
        location: ParamLocation,
        name: String,
    },
    /// OAuth2 and OpenID Connect both end up as a bearer token on the wire.
    OAuth2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`, or one made from the method and path when the spec has none.
    pub id: String,
    pub method: Method,
    /// The path template exactly as in the spec, e.g. `/users/{id}/reset`.
    pub path: String,
    pub segments: Vec<PathSegment>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub tags: Vec<String>,
    pub parameters: Vec<Parameter>,
    pub body: Option<RequestBody>,
    pub responses: Vec<Response>,
    /// Who may call it: any one of these requirements (OR), each met by
    /// all of its schemes (AND), in the spec's order. Empty: nothing is
    /// required; an empty requirement (`{}`) lets anonymous callers in.
    pub security: Vec<Requirement>,
    /// JSON pointer of the operation in its spec, for diagnostics and docs.
    pub pointer: String,
}

impl Operation {
    pub fn parameters_in(&self, location: ParamLocation) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(move |p| p.location == location)
    }

    pub fn failures(&self) -> impl Iterator<Item = &Response> {
        self.responses.iter().filter(|r| !r.is_success)
    }

    /// The request body and the media type the generated code sends.
    pub fn body_content(&self) -> Option<(&RequestBody, &Content)> {
        self.body
            .as_ref()
            .and_then(|b| b.primary_content().map(|c| (b, c)))
    }
}

/// One security requirement: every scheme it names must authenticate the
/// caller, each granting the scopes listed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub schemes: Vec<SchemeUse>,
}

/// A scheme a requirement names, with the scopes it must grant (OAuth2 and
/// OpenID Connect scopes; in 3.1, roles for any scheme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeUse {
    /// The key under `components/securitySchemes`.
    pub scheme: String,
    pub scopes: Vec<String>,
}

/// One piece of a path template, split on `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A fixed segment (never empty).
    Literal(String),
    /// A segment that is exactly one `{param}`.
    Param(String),
    /// A segment mixing text and parameters, e.g. `{id}.json` or `v{version}`.
    Mixed(Vec<SegmentPart>),
    /// A parameter spanning a run of segments, each item rendered as
    /// `{prefix}/{item}` (the `x-path-segment-prefix` extension): Ping's realm
    /// hierarchy `realms/root/realms/alpha`.
    Hierarchy { param: String, prefix: String },
    /// The template ends with `/`.
    TrailingSlash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentPart {
    Literal(String),
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    /// The name on the wire (`Idempotency-Key`, `_action`, `id`).
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub deprecated: bool,
    pub description: Option<String>,
    pub ty: TypeRef,
    /// How the value is serialized (`style`, with the spec's per-location default).
    pub style: ParamStyle,
    /// `explode` for query arrays (`a=1&a=2` when true, `a=1,2` when false)
    /// and objects (`k=v&k2=v2` when true, `name=k,v,k2,v2` when false).
    pub explode: bool,
    /// The schema's `default`, as JSON.
    pub default: Option<serde_json::Value>,
    /// From `x-send-default: true`: the client sends `default` unless the
    /// call sets another value, though the parameter is optional (a version
    /// header the client pins while servers must not require it). The
    /// server still hands `None` to the implementation when none was sent.
    pub send_default: bool,
    /// A required parameter whose schema allows exactly one value: the client
    /// always sends it, the server checks it, and nobody has to type it.
    pub constant: Option<String>,
    #[expect(
        dead_code,
        reason = "the model keeps what the spec says; no emitter prints it yet"
    )]
    pub example: Option<serde_json::Value>,
    /// From `x-path-segment-prefix`: the value is a list rendered as
    /// `{prefix}/{item}` pairs across several path segments.
    pub segment_prefix: Option<String>,
    /// A path parameter marked `allowReserved: true`: its value may hold a
    /// `/` (sent as `%2F`, in its one segment); others may not.
    pub allow_reserved: bool,
}

/// OpenAPI's `style` of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// Query and cookie default: `name=value`.
    Form,
    /// Path and header default: `value` (arrays `a,b`).
    Simple,
    SpaceDelimited,
    PipeDelimited,
    /// `name[key]=value` for objects in a query.
    DeepObject,
    Label,
    Matrix,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub required: bool,
    pub description: Option<String>,
    pub content: Vec<Content>,
}

/// One media type of a body.
#[derive(Debug, Clone)]
pub struct Content {
    pub media_type: String,
    /// `None` when the media type has no schema: raw bytes.
    pub ty: Option<TypeRef>,
    #[expect(
        dead_code,
        reason = "the model keeps what the spec says; no emitter prints it yet"
    )]
    pub examples: Vec<Example>,
}

impl Content {
    pub fn is_json(&self) -> bool {
        is_json_media_type(&self.media_type)
    }
}

pub fn is_json_media_type(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

#[derive(Debug, Clone)]
#[expect(
    dead_code,
    reason = "the model keeps what the spec says; no emitter prints it yet"
)]
pub struct Example {
    pub name: Option<String>,
    pub summary: Option<String>,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusMatch {
    /// One status code, e.g. 200.
    Code(u16),
    /// A range `1XX`..`5XX`, stored as its leading digit.
    Range(u8),
    /// `default`: every status not otherwise documented.
    Default,
}

impl StatusMatch {
    /// The status in words: a code's reason phrase (`Not Found`, the
    /// apostrophe of `I'm a teapot` dropped), a range's class (`Server
    /// Error`), or `Default`. Names of response variants and of the types
    /// inline in a response are made from these words.
    pub fn words(self) -> std::borrow::Cow<'static, str> {
        match self {
            StatusMatch::Code(code) => reason_phrase(code)
                .map(std::borrow::Cow::Borrowed)
                .unwrap_or_else(|| format!("Status {code}").into()),
            StatusMatch::Range(1) => "Informational".into(),
            StatusMatch::Range(2) => "Success".into(),
            StatusMatch::Range(3) => "Redirection".into(),
            StatusMatch::Range(4) => "Client Error".into(),
            StatusMatch::Range(5) => "Server Error".into(),
            StatusMatch::Range(d) => format!("Status {d}xx").into(),
            StatusMatch::Default => "Default".into(),
        }
    }
}

/// The IANA reason phrase of the statuses that have one.
fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "Im A Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusMatch,
    /// Whether this response is the caller's `Ok` (2xx, `2XX`, or `default`
    /// when it is the only response documented) rather than an error.
    pub is_success: bool,
    pub description: String,
    pub headers: Vec<ResponseHeader>,
    /// Empty when the response has no body.
    pub content: Vec<Content>,
}

impl Response {
    /// The media type the generated code reads and writes, if any: JSON when
    /// offered, otherwise the first one listed.
    pub fn primary_content(&self) -> Option<&Content> {
        primary_content(&self.content)
    }
}

impl RequestBody {
    pub fn primary_content(&self) -> Option<&Content> {
        primary_content(&self.content)
    }
}

fn primary_content(content: &[Content]) -> Option<&Content> {
    content
        .iter()
        .find(|c| c.is_json())
        .or_else(|| content.first())
}

#[derive(Debug, Clone)]
pub struct ResponseHeader {
    pub name: String,
    pub required: bool,
    pub description: Option<String>,
    pub ty: TypeRef,
}

/// A stable identity for a named type: its origin in the spec, as a JSON
/// pointer (`#/components/schemas/ErrorResponse`, or the pointer of an inline
/// schema). Names are decided later, by the plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub String);

/// How a value's type is written where it is used.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    Named(TypeId),
    String(StringFormat),
    Integer(IntegerFormat),
    Number(NumberFormat),
    Boolean,
    Array(Box<TypeRef>),
    /// An object with only `additionalProperties`: a map from string keys.
    Map(Box<TypeRef>),
    /// Anything JSON: an empty schema or a free-form object.
    Any,
    /// `nullable: true` around another type.
    Nullable(Box<TypeRef>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFormat {
    Plain,
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegerFormat {
    I32,
    I64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    F32,
    F64,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub id: TypeId,
    /// Words to build the Rust name from, most specific last
    /// (`["ErrorResponse", "error", "type"]`); the plan turns them into an
    /// identifier and resolves collisions.
    pub name_hint: Vec<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub kind: TypeKind,
    #[expect(
        dead_code,
        reason = "the model keeps what the spec says; no emitter prints it yet"
    )]
    pub examples: Vec<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(StructDef),
    Enum(EnumDef),
    OneOf(OneOfDef),
    /// A named schema that is just another type (`type: string`, an array...):
    /// a newtype, so the spec's name survives.
    Newtype(TypeRef),
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// `additionalProperties` with a schema (or `true`: `Any`): kept in a
    /// flattened map so nothing the server sends is lost.
    pub additional: Option<TypeRef>,
    /// `additionalProperties: false`: the spec forbids other properties, so
    /// a message with one is refused (a misspelt name is not ignored).
    pub closed: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The JSON property name.
    pub name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub description: Option<String>,
    pub deprecated: bool,
    pub read_only: bool,
    pub write_only: bool,
    pub default: Option<serde_json::Value>,
    /// Not a property: an `allOf` member that is a union, whose branches'
    /// properties sit beside the struct's own (`#[serde(flatten)]`).
    pub flatten: bool,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EnumValue {
    String(String),
    Integer(i64),
}

/// A `oneOf`/`anyOf`: one variant per branch.
#[derive(Debug, Clone)]
pub struct OneOfDef {
    pub variants: Vec<OneOfVariant>,
    /// The discriminator property, when the spec names one.
    pub discriminator: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OneOfVariant {
    /// The discriminator value (from the mapping or the schema name), if tagged.
    pub tag: Option<String>,
    pub ty: TypeRef,
}
