//! Paths to operations: parameters by location, the body by media type,
//! responses by status, range or `default`.

use indexmap::IndexMap;
use openapiv3::{
    Example as OaExample, MediaType, Operation as OaOperation, Parameter as OaParameter,
    ParameterSchemaOrContent, PathItem, PathStyle, QueryStyle, ReferenceOr, SchemaKind,
    SecurityRequirement, StatusCode, Type,
};

use super::builder::Builder;
use super::ir::*;
use super::schemas::{SchemaAt, extend};
use crate::diagnostics::join_pointer;

/// The extension that marks a path parameter spanning several segments.
pub const PATH_SEGMENT_PREFIX: &str = "x-path-segment-prefix";

/// The extension that makes the client send an optional parameter's
/// `default` unless the call sets another value.
pub const SEND_DEFAULT: &str = "x-send-default";

impl<'a> Builder<'a> {
    pub(crate) fn operations(
        &mut self,
        global_security: &'a Option<Vec<SecurityRequirement>>,
    ) -> Vec<Operation> {
        let mut operations = Vec::new();
        for (path, item) in &self.spec.openapi.paths.paths {
            // A path item may be a `$ref` (to `#/components/pathItems/X` in
            // 3.1, or to another path): its operations are this path's, and
            // diagnostics point where they are written.
            let (item, pointer) = match self.resolve(item, &join_pointer("/paths", path)) {
                Ok(resolved) => (resolved.item, resolved.pointer),
                Err(message) => {
                    self.error(&join_pointer("/paths", path), message);
                    continue;
                }
            };
            for (method, op) in methods(item) {
                let op_pointer = format!("{pointer}/{}", method.as_str().to_ascii_lowercase());
                if let Some(operation) =
                    self.operation(path, item, method, op, &op_pointer, global_security)
                {
                    operations.push(operation);
                }
            }
        }
        operations
    }

    fn operation(
        &mut self,
        path: &str,
        item: &'a PathItem,
        method: Method,
        op: &'a OaOperation,
        pointer: &str,
        global_security: &'a Option<Vec<SecurityRequirement>>,
    ) -> Option<Operation> {
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {path}", method.as_str().to_ascii_lowercase()));
        let mut parameters = self.parameters(&id, item, op, pointer);
        self.declare_template_params(path, &mut parameters, pointer);
        let segments = self.path_segments(path, &parameters, pointer)?;
        // A path parameter with one allowed value (Azure's constants, a
        // one-value enum) is fixed text: it is written into the path, and
        // nobody passes it or reads it back.
        let segments = fixed_path(segments, &parameters);
        parameters.retain(|p| !(p.location == ParamLocation::Path && p.constant.is_some()));
        self.check_adjacent(path, &segments, &parameters, pointer)?;
        let body = op
            .request_body
            .as_ref()
            .and_then(|b| self.request_body(&id, b, &format!("{pointer}/requestBody")));
        let responses = self.responses(&id, op, &format!("{pointer}/responses"));
        let security = match (&op.security, global_security) {
            (Some(own), _) => self.requirements(own, &format!("{pointer}/security")),
            (None, Some(global)) => self.requirements(global, "/security"),
            (None, None) => Vec::new(),
        };
        Some(Operation {
            id,
            method,
            path: path.to_string(),
            segments,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            tags: op.tags.clone(),
            parameters,
            body,
            responses,
            security,
            pointer: pointer.to_string(),
        })
    }

    /// The spec's requirements, in its order, each scheme with its scopes;
    /// a scheme `components/securitySchemes` does not declare is kept (a
    /// custom verifier may know it) with a warning.
    fn requirements(
        &mut self,
        requirements: &[SecurityRequirement],
        pointer: &str,
    ) -> Vec<Requirement> {
        let declared = |key: &str| self.components.security_schemes.contains_key(key);
        let mut undeclared = Vec::new();
        let requirements = requirements
            .iter()
            .enumerate()
            .map(|(i, requirement)| Requirement {
                schemes: requirement
                    .iter()
                    .map(|(scheme, scopes)| {
                        if !declared(scheme) {
                            undeclared.push((format!("{pointer}/{i}"), scheme.clone()));
                        }
                        SchemeUse {
                            scheme: scheme.clone(),
                            scopes: scopes.clone(),
                        }
                    })
                    .collect(),
            })
            .collect();
        for (at, scheme) in undeclared {
            self.warning(
                &join_pointer(&at, &scheme),
                format!(
                    "the security requirement names `{scheme}`, which `components/securitySchemes` does not declare; only a verifier of your own can authenticate it"
                ),
            );
        }
        requirements
    }

    /// Path-level parameters, overridden by operation-level ones with the
    /// same name and location.
    fn parameters(
        &mut self,
        op_id: &str,
        item: &'a PathItem,
        op: &'a OaOperation,
        pointer: &str,
    ) -> Vec<Parameter> {
        let path_pointer = pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or(pointer);
        let mut out: Vec<Parameter> = Vec::new();
        let sources = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{path_pointer}/parameters/{i}")))
            .chain(
                op.parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, format!("{pointer}/parameters/{i}"))),
            );
        for (param, at) in sources {
            let Some(param) = self.parameter(op_id, param, &at) else {
                continue;
            };
            match out
                .iter_mut()
                .find(|p| p.name == param.name && p.location == param.location)
            {
                Some(existing) => *existing = param,
                None => out.push(param),
            }
        }
        out
    }

    fn parameter(
        &mut self,
        op_id: &str,
        param: &'a ReferenceOr<OaParameter>,
        pointer: &str,
    ) -> Option<Parameter> {
        let resolved = match self.resolve(param, pointer) {
            Ok(r) => r,
            Err(message) => {
                self.error(pointer, message);
                return None;
            }
        };
        if resolved.pointer.starts_with("/components/headers/") {
            let name = &resolved.item.parameter_data_ref().name;
            self.warning(
                pointer,
                format!("a header component is `$ref`ed where a parameter belongs; read as the header parameter `{name}`"),
            );
        }
        let (location, data, style) = match resolved.item {
            OaParameter::Query {
                parameter_data,
                style,
                ..
            } => (
                ParamLocation::Query,
                parameter_data,
                match style {
                    QueryStyle::Form => ParamStyle::Form,
                    QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                    QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                    QueryStyle::DeepObject => ParamStyle::DeepObject,
                },
            ),
            OaParameter::Header { parameter_data, .. } => {
                (ParamLocation::Header, parameter_data, ParamStyle::Simple)
            }
            OaParameter::Path {
                parameter_data,
                style,
                ..
            } => (
                ParamLocation::Path,
                parameter_data,
                match style {
                    PathStyle::Simple => ParamStyle::Simple,
                    PathStyle::Label => ParamStyle::Label,
                    PathStyle::Matrix => ParamStyle::Matrix,
                },
            ),
            OaParameter::Cookie { parameter_data, .. } => {
                (ParamLocation::Cookie, parameter_data, ParamStyle::Form)
            }
        };
        // The spec: `explode` defaults to true for `form`, false otherwise.
        let explode_default = style == ParamStyle::Form;
        let at = resolved.pointer;
        let hint = match resolved.component {
            Some(component) => vec![component.to_string()],
            None => vec![op_id.to_string(), data.name.clone()],
        };
        let (schema, schema_pointer) = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => (Some(schema), format!("{at}/schema")),
            ParameterSchemaOrContent::Content(content) => match content.first() {
                Some((media, m)) => (
                    m.schema.as_ref(),
                    format!("{}/schema", join_pointer(&format!("{at}/content"), media)),
                ),
                None => (None, at.clone()),
            },
        };
        let inline = schema.and_then(|s| s.as_item());
        let constant = single_value(inline).filter(|_| data.required);
        let ty = match (schema, &constant) {
            (_, Some(_)) | (None, _) => TypeRef::String(StringFormat::Plain),
            (Some(schema), None) => self.schema_type(SchemaAt::of(schema), &schema_pointer, &hint),
        };
        // A path segment is never null: `nullable` on a path parameter
        // says nothing the URL can carry.
        let ty = match ty {
            TypeRef::Nullable(inner) if location == ParamLocation::Path => *inner,
            ty => ty,
        };
        let required = data.required || location == ParamLocation::Path;
        if location == ParamLocation::Path && !data.required {
            self.warning(
                &at,
                format!(
                    "path parameter `{}` must be `required: true`; treated as required",
                    data.name
                ),
            );
        }
        let default = inline.and_then(|s| s.schema_data.default.clone());
        let send_default = match data.extensions.get(SEND_DEFAULT) {
            None | Some(serde_json::Value::Bool(false)) => false,
            Some(serde_json::Value::Bool(true)) if default.is_some() => true,
            Some(serde_json::Value::Bool(true)) => {
                self.error(
                    &at,
                    format!("`{SEND_DEFAULT}` needs a `default` in the parameter's schema to send"),
                );
                false
            }
            Some(_) => {
                self.error(&at, format!("`{SEND_DEFAULT}` must be `true` or `false`"));
                false
            }
        };
        // openapiv3 keeps `allowReserved` for query parameters only; on a
        // path parameter it says the value may hold a `/`.
        let allow_reserved = location == ParamLocation::Path
            && self
                .spec
                .document
                .pointer(&at)
                .and_then(|p| p.get("allowReserved"))
                .is_some_and(|v| v == true);
        Some(Parameter {
            name: data.name.clone(),
            location,
            required,
            allow_reserved,
            deprecated: data.deprecated.unwrap_or(false),
            description: data.description.clone(),
            ty,
            style,
            explode: data.explode.unwrap_or(explode_default),
            default,
            send_default,
            constant,
            example: data
                .example
                .clone()
                .or_else(|| inline.and_then(|s| s.schema_data.example.clone())),
            segment_prefix: match data.extensions.get(PATH_SEGMENT_PREFIX) {
                Some(serde_json::Value::String(prefix)) if location == ParamLocation::Path => {
                    Some(prefix.clone())
                }
                Some(_) => {
                    self.error(
                        &at,
                        format!("`{PATH_SEGMENT_PREFIX}` must be a string, on a path parameter"),
                    );
                    None
                }
                None => None,
            },
        })
    }

    /// A `{name}` in the template that no parameter declares (invalid, but
    /// its meaning is clear): a required string path parameter, with a
    /// warning, so the operation is still there.
    fn declare_template_params(
        &mut self,
        path: &str,
        parameters: &mut Vec<Parameter>,
        pointer: &str,
    ) {
        let pieces = path
            .split('/')
            .filter_map(|piece| split_template(piece).ok());
        for part in pieces.flatten() {
            let SegmentPart::Param(name) = part else {
                continue;
            };
            let declared = parameters
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == name);
            if declared {
                continue;
            }
            self.warning(
                pointer,
                format!("path `{path}` uses `{{{name}}}` but the operation declares no such path parameter; read as a required string"),
            );
            parameters.push(Parameter {
                name,
                location: ParamLocation::Path,
                required: true,
                deprecated: false,
                description: None,
                ty: TypeRef::String(StringFormat::Plain),
                style: ParamStyle::Simple,
                explode: false,
                default: None,
                constant: None,
                example: None,
                segment_prefix: None,
                send_default: false,
                allow_reserved: false,
            });
        }
    }

    fn path_segments(
        &mut self,
        path: &str,
        parameters: &[Parameter],
        pointer: &str,
    ) -> Option<Vec<PathSegment>> {
        let path_pointer = pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or(pointer);
        let Some(rest) = path.strip_prefix('/') else {
            self.error(path_pointer, format!("path `{path}` must start with `/`"));
            return None;
        };
        if let Some(hazard) = template_hazard(path) {
            self.warning(
                path_pointer,
                format!("path `{path}` {hazard}; kept as written"),
            );
        }
        let param = |name: &str| {
            parameters
                .iter()
                .find(|p| p.location == ParamLocation::Path && p.name == name)
        };
        let mut segments = Vec::new();
        let pieces: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let last = pieces.len().saturating_sub(1);
        for (i, piece) in pieces.iter().enumerate() {
            if piece.is_empty() {
                if i == last {
                    segments.push(PathSegment::TrailingSlash);
                    continue;
                }
                self.error(
                    path_pointer,
                    format!("path `{path}` has an empty segment (`//`)"),
                );
                return None;
            }
            let parts = match split_template(piece) {
                Ok(parts) => parts,
                Err(message) => {
                    self.error(path_pointer, format!("path `{path}`: {message}"));
                    return None;
                }
            };
            for part in &parts {
                if let SegmentPart::Param(name) = part
                    && param(name).is_none()
                {
                    self.error(pointer, format!("path `{path}` uses `{{{name}}}` but the operation declares no such path parameter"));
                    return None;
                }
            }
            segments.push(match parts.as_slice() {
                [SegmentPart::Literal(text)] => PathSegment::Literal(text.clone()),
                [SegmentPart::Param(name)] => {
                    match param(name).and_then(|p| p.segment_prefix.clone()) {
                        Some(prefix) => PathSegment::Hierarchy {
                            param: name.clone(),
                            prefix,
                        },
                        None => PathSegment::Param(name.clone()),
                    }
                }
                _ => PathSegment::Mixed(parts),
            });
        }
        for p in parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
        {
            let used = segments.iter().any(|s| match s {
                PathSegment::Param(n) | PathSegment::Hierarchy { param: n, .. } => *n == p.name,
                PathSegment::Mixed(parts) => parts.contains(&SegmentPart::Param(p.name.clone())),
                _ => false,
            });
            if !used {
                self.warning(
                    pointer,
                    format!(
                        "path parameter `{}` does not appear in `{path}`; ignored",
                        p.name
                    ),
                );
            }
        }
        Some(segments)
    }

    /// Two parameters with nothing between them (`{id}{format}`; a
    /// constant one is text by now, so `{id}{ext}` with `ext: enum
    /// [.json]` is `{id}.json`): where the first ends can only be told when
    /// it is an integer, which takes the longest run of digits (the client
    /// refuses a second value that starts with a digit). Any other pair is
    /// refused, naming both.
    fn check_adjacent(
        &mut self,
        path: &str,
        segments: &[PathSegment],
        parameters: &[Parameter],
        pointer: &str,
    ) -> Option<()> {
        for pair in segments.iter().flat_map(adjacent_params) {
            let (first, second) = pair;
            let integer = parameters
                .iter()
                .find(|p| p.location == ParamLocation::Path && p.name == first)
                .is_some_and(|p| self.is_integer(&p.ty));
            if !integer {
                let path_pointer = pointer.rsplit_once('/').map_or(pointer, |(p, _)| p);
                self.error(
                    path_pointer,
                    format!(
                        "path `{path}`: `{{{first}}}{{{second}}}` are two parameters with nothing between them, and `{first}` is not an integer, so where it ends cannot be told (an integer ends where its digits do; a parameter with one allowed value is path text)"
                    ),
                );
                return None;
            }
        }
        Some(())
    }

    /// An integer, or a named type that is one.
    fn is_integer(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Integer(_) => true,
            TypeRef::Named(id) => matches!(
                self.types.get(id).map(|d| &d.kind),
                Some(TypeKind::Newtype(TypeRef::Integer(_)))
            ),
            _ => false,
        }
    }

    fn request_body(
        &mut self,
        op_id: &str,
        body: &'a ReferenceOr<openapiv3::RequestBody>,
        pointer: &str,
    ) -> Option<RequestBody> {
        let resolved = match self.resolve(body, pointer) {
            Ok(r) => r,
            Err(message) => {
                self.error(pointer, message);
                return None;
            }
        };
        let hint = match resolved.component {
            Some(component) => vec![component.to_string()],
            None => vec![op_id.to_string(), "body".to_string()],
        };
        let content = self.content(&resolved.item.content, &resolved.pointer, &hint);
        Some(RequestBody {
            required: resolved.item.required,
            description: resolved.item.description.clone(),
            content,
        })
    }

    fn content(
        &mut self,
        content: &'a IndexMap<String, MediaType>,
        pointer: &str,
        hint: &[String],
    ) -> Vec<Content> {
        content
            .iter()
            .map(|(media_type, media)| {
                let at = join_pointer(&format!("{pointer}/content"), media_type);
                let ty = media
                    .schema
                    .as_ref()
                    .map(|s| self.schema_type(SchemaAt::of(s), &format!("{at}/schema"), hint));
                let mut examples: Vec<Example> = media
                    .example
                    .iter()
                    .map(|v| Example {
                        name: None,
                        summary: None,
                        value: v.clone(),
                    })
                    .collect();
                for (name, example) in &media.examples {
                    let ex_at = join_pointer(&format!("{at}/examples"), name);
                    if let Some(example) = self.example(example, &ex_at) {
                        examples.push(Example {
                            name: Some(name.clone()),
                            summary: example.summary.clone(),
                            value: example.value.clone().unwrap_or_default(),
                        });
                    }
                }
                Content {
                    media_type: media_type.clone(),
                    ty,
                    examples,
                }
            })
            .collect()
    }

    fn example(
        &mut self,
        example: &'a ReferenceOr<OaExample>,
        pointer: &str,
    ) -> Option<&'a OaExample> {
        match self.resolve(example, pointer) {
            Ok(r) => Some(r.item),
            Err(message) => {
                self.warning(pointer, message);
                None
            }
        }
    }

    fn responses(&mut self, op_id: &str, op: &'a OaOperation, pointer: &str) -> Vec<Response> {
        let mut found: Vec<(StatusMatch, &'a ReferenceOr<openapiv3::Response>, String)> = op
            .responses
            .responses
            .iter()
            .filter_map(|(code, response)| {
                let key = code.to_string();
                let status = match code {
                    StatusCode::Code(c) => StatusMatch::Code(*c),
                    StatusCode::Range(d) if (1..=5).contains(d) => StatusMatch::Range(*d as u8),
                    StatusCode::Range(_) => {
                        self.error(
                            &join_pointer(pointer, &key),
                            format!("`{key}` is not a status range"),
                        );
                        return None;
                    }
                };
                Some((status, response, join_pointer(pointer, &key)))
            })
            .collect();
        if let Some(default) = &op.responses.default {
            found.push((
                StatusMatch::Default,
                default,
                join_pointer(pointer, "default"),
            ));
        }
        if found.is_empty() {
            self.warning(
                pointer,
                "the operation documents no response; every status will be unexpected",
            );
        }
        found.sort_by_key(|(status, _, _)| *status);
        let any_success = found.iter().any(|(s, _, _)| is_success_status(*s));
        let mut out = Vec::new();
        for (status, response, at) in found {
            let resolved = match self.resolve(response, &at) {
                Ok(r) => r,
                Err(message) => {
                    self.error(&at, message);
                    continue;
                }
            };
            let hint = match resolved.component {
                Some(component) => vec![component.to_string()],
                None => vec![
                    op_id.to_string(),
                    status.words().into_owned(),
                    "body".to_string(),
                ],
            };
            let headers = self.response_headers(&resolved.item.headers, &resolved.pointer, &hint);
            let content = self.content(&resolved.item.content, &resolved.pointer, &hint);
            out.push(Response {
                status,
                is_success: is_success_status(status)
                    || (status == StatusMatch::Default && !any_success),
                description: resolved.item.description.clone(),
                headers,
                content,
            });
        }
        out
    }

    fn response_headers(
        &mut self,
        headers: &'a IndexMap<String, ReferenceOr<openapiv3::Header>>,
        pointer: &str,
        hint: &[String],
    ) -> Vec<ResponseHeader> {
        let mut out = Vec::new();
        for (name, header) in headers {
            // The spec says a `Content-Type` response header is ignored.
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let at = join_pointer(&format!("{pointer}/headers"), name);
            let resolved = match self.resolve(header, &at) {
                Ok(r) => r,
                Err(message) => {
                    self.error(&at, message);
                    continue;
                }
            };
            let ty = match &resolved.item.format {
                ParameterSchemaOrContent::Schema(schema) => self.schema_type(
                    SchemaAt::of(schema),
                    &format!("{}/schema", resolved.pointer),
                    &extend(hint, name),
                ),
                ParameterSchemaOrContent::Content(_) => TypeRef::String(StringFormat::Plain),
            };
            out.push(ResponseHeader {
                name: name.clone(),
                required: resolved.item.required,
                description: resolved.item.description.clone(),
                ty,
            });
        }
        out
    }
}

fn methods(item: &PathItem) -> impl Iterator<Item = (Method, &OaOperation)> {
    [
        (Method::Get, &item.get),
        (Method::Put, &item.put),
        (Method::Post, &item.post),
        (Method::Delete, &item.delete),
        (Method::Options, &item.options),
        (Method::Head, &item.head),
        (Method::Patch, &item.patch),
        (Method::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
}

fn is_success_status(status: StatusMatch) -> bool {
    matches!(status, StatusMatch::Code(200..=299) | StatusMatch::Range(2))
}

/// The one value a string schema allows (`enum: [reset]`), if that is all it allows.
fn single_value(schema: Option<&openapiv3::Schema>) -> Option<String> {
    match &schema?.schema_kind {
        SchemaKind::Type(Type::String(s)) => match s.enumeration.as_slice() {
            [Some(only)] => Some(only.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `segments` with each constant path parameter replaced by its value,
/// escaped for a path segment.
fn fixed_path(segments: Vec<PathSegment>, parameters: &[Parameter]) -> Vec<PathSegment> {
    let constant = |name: &str| {
        parameters
            .iter()
            .find(|p| p.location == ParamLocation::Path && p.name == name)
            .and_then(|p| p.constant.as_deref())
            .map(escape_segment)
    };
    segments
        .into_iter()
        .map(|segment| match segment {
            PathSegment::Param(name) => match constant(&name) {
                Some(value) if !value.is_empty() => PathSegment::Literal(value),
                _ => PathSegment::Param(name),
            },
            PathSegment::Mixed(parts) => {
                let mut fixed: Vec<SegmentPart> = Vec::new();
                for part in parts {
                    let part = match part {
                        SegmentPart::Param(name) => match constant(&name) {
                            Some(value) => SegmentPart::Literal(value),
                            None => SegmentPart::Param(name),
                        },
                        literal => literal,
                    };
                    // Adjacent text joins up.
                    match (fixed.last_mut(), part) {
                        (Some(SegmentPart::Literal(before)), SegmentPart::Literal(text)) => {
                            before.push_str(&text);
                        }
                        (_, part) => fixed.push(part),
                    }
                }
                match fixed.as_slice() {
                    [SegmentPart::Literal(text)] if !text.is_empty() => {
                        PathSegment::Literal(text.clone())
                    }
                    _ => PathSegment::Mixed(fixed),
                }
            }
            other => other,
        })
        .collect()
}

/// A value as path segment text: RFC 3986's `pchar`s as they are, anything
/// else percent-escaped.
fn escape_segment(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What makes a template address something other than it says on the
/// wire: a `.` or `..` segment, which every URL parser resolves away
/// (RFC 3986, 5.2.4), or a `?` or `#` outside a `{name}`, which starts the
/// query or the fragment.
fn template_hazard(path: &str) -> Option<String> {
    if let Some(dots) = path.split('/').find(|s| matches!(*s, "." | "..")) {
        return Some(format!(
            "has a `{dots}` segment, which URL parsers resolve away: requests would go to another path"
        ));
    }
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '?' if depth == 0 => {
                return Some(
                    "contains `?`, which starts the query string on the wire: no request can match it"
                        .into(),
                );
            }
            '#' if depth == 0 => {
                return Some(
                    "contains `#`, which starts the fragment on the wire: no request can match it"
                        .into(),
                );
            }
            _ => {}
        }
    }
    None
}

/// The pairs of parameters with nothing between them in `segment`.
pub fn adjacent_params(segment: &PathSegment) -> Vec<(&str, &str)> {
    let PathSegment::Mixed(parts) = segment else {
        return Vec::new();
    };
    parts
        .windows(2)
        .filter_map(|pair| match pair {
            [SegmentPart::Param(a), SegmentPart::Param(b)] => Some((a.as_str(), b.as_str())),
            _ => None,
        })
        .collect()
}

/// Split one path segment into literal text and `{param}`s.
fn split_template(segment: &str) -> Result<Vec<SegmentPart>, String> {
    let mut parts = Vec::new();
    let mut rest = segment;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(0) => {
                let end = rest
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` in `{segment}`"))?;
                let name = &rest[1..end];
                if name.is_empty() || name.contains('{') {
                    return Err(format!("bad parameter name in `{segment}`"));
                }
                parts.push(SegmentPart::Param(name.to_string()));
                rest = &rest[end + 1..];
            }
            Some(start) => {
                parts.push(SegmentPart::Literal(rest[..start].to_string()));
                rest = &rest[start..];
            }
            None => {
                if rest.contains('}') {
                    return Err(format!("unmatched `}}` in `{segment}`"));
                }
                parts.push(SegmentPart::Literal(rest.to_string()));
                rest = "";
            }
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each operation of the security fixture: its requirements, each a
    /// list of `scheme[scopes]`.
    #[test]
    fn security_requirements_keep_the_specs_and_and_or() {
        let text = include_str!("../../../tests/fixtures/security.yaml");
        let loaded = crate::load::load("security.yaml", text).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = crate::model::refs::Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        let operations = builder.operations(&loaded.openapi.security);
        let by_id = |id: &str| -> Vec<String> {
            let op = operations.iter().find(|o| o.id == id).expect("operation");
            op.security
                .iter()
                .map(|r| {
                    let schemes: Vec<String> = r
                        .schemes
                        .iter()
                        .map(|s| format!("{}{:?}", s.scheme, s.scopes))
                        .collect();
                    format!("{{{}}}", schemes.join(" "))
                })
                .collect()
        };
        // The global requirement applies where an operation says nothing.
        assert_eq!(by_id("getMe"), ["{bearer[]}", "{apiKeyHeader[]}"]);
        // `security: []` removes it.
        assert_eq!(by_id("getPublic"), Vec::<String>::new());
        // `{}` among the requirements makes authentication optional.
        assert_eq!(by_id("getGreeting"), ["{}", "{bearer[]}"]);
        assert_eq!(by_id("getBoth"), ["{apiKeyHeader[] bearer[]}"]);
        assert_eq!(
            by_id("postAdmin"),
            [r#"{oauth["users:read", "admin:write"]}"#]
        );
        assert_eq!(
            by_id("getReport"),
            [r#"{openId["reports"]}"#, "{apiKeyHeader[] apiKeyCookie[]}"]
        );
        assert!(builder.diagnostics.is_empty(), "{:?}", builder.diagnostics);
    }

    #[test]
    fn undeclared_schemes_in_requirements_are_warned_about() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nsecurity: [{ghost: []}]\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses: {'204': {description: ok}}\n";
        let loaded = crate::load::load("t.yaml", text).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = crate::model::refs::Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        let operations = builder.operations(&loaded.openapi.security);
        assert_eq!(operations[0].security[0].schemes[0].scheme, "ghost");
        let messages: Vec<String> = builder
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.pointer, d.message))
            .collect();
        assert_eq!(
            messages,
            [
                "/security/0/ghost: the security requirement names `ghost`, which `components/securitySchemes` does not declare; only a verifier of your own can authenticate it"
            ]
        );
    }

    /// dnd5eapi's `{index}` is `enum: [acolyte]`, Azure's constants are
    /// one-value enums: the client read a field the input type had dropped
    /// (E0609, 83 specs in the directory). The value is fixed path text now.
    #[test]
    fn constant_path_parameters_are_path_text() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /backgrounds/{index}/v{major}.{minor}:\n    get:\n      operationId: getBackground\n      parameters:\n        - {name: index, in: path, required: true, schema: {type: string, enum: [a c/b]}}\n        - {name: major, in: path, required: true, schema: {type: string, enum: ['1']}}\n        - {name: minor, in: path, required: true, schema: {type: integer}}\n      responses: {'204': {description: ok}}\n";
        let loaded = crate::load::load("t.yaml", text).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = crate::model::refs::Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        let operations = builder.operations(&loaded.openapi.security);
        let op = &operations[0];
        assert_eq!(
            op.segments,
            vec![
                PathSegment::Literal("backgrounds".into()),
                PathSegment::Literal("a%20c%2Fb".into()),
                PathSegment::Mixed(vec![
                    SegmentPart::Literal("v1.".into()),
                    SegmentPart::Param("minor".into()),
                ]),
            ]
        );
        let names: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["minor"]);
        assert!(builder.diagnostics.is_empty(), "{:?}", builder.diagnostics);
    }

    /// A nullable path parameter was a `Nullable` type the path code had
    /// no way to write (E0277): a segment cannot be null.
    #[test]
    fn path_parameters_are_never_nullable() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /users/{id}:\n    get:\n      operationId: getUser\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: integer, nullable: true}}\n        - {name: q, in: query, schema: {type: integer, nullable: true}}\n      responses: {'204': {description: ok}}\n";
        let loaded = crate::load::load("t.yaml", text).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = crate::model::refs::Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        let operations = builder.operations(&loaded.openapi.security);
        let types: Vec<&TypeRef> = operations[0].parameters.iter().map(|p| &p.ty).collect();
        assert_eq!(
            types,
            [
                &TypeRef::Integer(IntegerFormat::I64),
                &TypeRef::Nullable(Box::new(TypeRef::Integer(IntegerFormat::I64))),
            ]
        );
    }

    /// Four specs in the directory (clicksend, icons8, medium, ...) use a
    /// `{name}` they never declare: it is a string, with a warning.
    #[test]
    fn undeclared_template_parameters_are_strings() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /users/{userId}/posts:\n    get:\n      operationId: listPosts\n      responses: {'204': {description: ok}}\n";
        let loaded = crate::load::load("t.yaml", text).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = crate::model::refs::Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        let operations = builder.operations(&loaded.openapi.security);
        let op = &operations[0];
        assert_eq!(op.segments[1], PathSegment::Param("userId".into()));
        assert_eq!(op.parameters[0].ty, TypeRef::String(StringFormat::Plain));
        assert!(op.parameters[0].required);
        let messages: Vec<_> = builder
            .diagnostics
            .iter()
            .map(|d| (d.is_error(), d.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [(
                false,
                "path `/users/{userId}/posts` uses `{userId}` but the operation declares no such path parameter; read as a required string"
            )]
        );
    }

    /// `..` and `.` segments are resolved away by every URL parser, and
    /// `?` or `#` starts the query or the fragment: a template holding them
    /// addresses something else on the wire than it says (issue 13).
    #[test]
    fn templates_that_would_address_another_path_are_warned_about() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/../admin:\n    get:\n      operationId: dots\n      responses: {'204': {description: ok}}\n    delete:\n      operationId: dotsAgain\n      responses: {'204': {description: ok}}\n  /b/./{id}:\n    get:\n      operationId: dot\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n  /c?mode=x:\n    get:\n      operationId: query\n      responses: {'204': {description: ok}}\n  /d#top:\n    get:\n      operationId: fragment\n      responses: {'204': {description: ok}}\n  /e/v1.2/{file}.json:\n    get:\n      operationId: fine\n      parameters: [{name: file, in: path, required: true, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n";
        let loaded = crate::load::load("t.yaml", text).expect("loads");
        let components = loaded.openapi.components.clone().unwrap_or_default();
        let targets = crate::model::refs::Targets::default();
        let mut builder = Builder::new(&loaded, &components, &targets);
        let operations = builder.operations(&loaded.openapi.security);
        assert_eq!(operations.len(), 6, "kept as written");
        let warnings: Vec<String> = builder
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}:{}: {}: {}",
                    d.line.unwrap_or(0),
                    d.column.unwrap_or(0),
                    d.pointer,
                    d.message
                )
            })
            .collect();
        assert_eq!(
            warnings,
            [
                "4:3: /paths/~1a~1..~1admin: path `/a/../admin` has a `..` segment, which URL parsers resolve away: requests would go to another path; kept as written",
                "11:3: /paths/~1b~1.~1{id}: path `/b/./{id}` has a `.` segment, which URL parsers resolve away: requests would go to another path; kept as written",
                "16:3: /paths/~1c?mode=x: path `/c?mode=x` contains `?`, which starts the query string on the wire: no request can match it; kept as written",
                "20:3: /paths/~1d#top: path `/d#top` contains `#`, which starts the fragment on the wire: no request can match it; kept as written",
            ]
        );
    }

    /// `{a}{b}` (bufferapp, healthcare.gov, NASA): a constant is text, an
    /// integer first ends at its digits, and any other pair is refused
    /// naming both parameters.
    #[test]
    fn adjacent_parameters_need_an_integer_first() {
        let spec = |first: &str, second: &str| {
            format!(
                "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /p/{{a}}{{b}}:\n    get:\n      operationId: get\n      parameters:\n        - {{name: a, in: path, required: true, schema: {first}}}\n        - {{name: b, in: path, required: true, schema: {second}}}\n      responses: {{'204': {{description: ok}}}}\n"
            )
        };
        let build = |text: String| {
            let loaded = crate::load::load("t.yaml", &text).expect("loads");
            let components = loaded.openapi.components.clone().unwrap_or_default();
            let targets = crate::model::refs::Targets::default();
            let mut builder = Builder::new(&loaded, &components, &targets);
            let operations = builder.operations(&loaded.openapi.security);
            let segments = operations.first().map(|op| op.segments[1].clone());
            let errors: Vec<String> = builder
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.clone())
                .collect();
            (segments, errors)
        };
        let (segments, errors) = build(spec("{type: string}", "{type: string, enum: [.json]}"));
        assert_eq!(
            segments,
            Some(PathSegment::Mixed(vec![
                SegmentPart::Param("a".into()),
                SegmentPart::Literal(".json".into())
            ]))
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (segments, errors) = build(spec("{type: integer}", "{type: string}"));
        assert_eq!(
            segments,
            Some(PathSegment::Mixed(vec![
                SegmentPart::Param("a".into()),
                SegmentPart::Param("b".into())
            ]))
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (segments, errors) = build(spec("{type: string}", "{type: string, enum: [x, y]}"));
        assert_eq!(segments, None);
        assert_eq!(
            errors,
            [
                "path `/p/{a}{b}`: `{a}{b}` are two parameters with nothing between them, and `a` is not an integer, so where it ends cannot be told (an integer ends where its digits do; a parameter with one allowed value is path text)"
            ]
        );
    }

    #[test]
    fn templates_split_into_literals_and_params() {
        assert_eq!(
            split_template("users").unwrap(),
            vec![SegmentPart::Literal("users".into())]
        );
        assert_eq!(
            split_template("{id}.json").unwrap(),
            vec![
                SegmentPart::Param("id".into()),
                SegmentPart::Literal(".json".into())
            ]
        );
        assert!(split_template("{id").is_err());
        assert_eq!(
            split_template("{a}{b}").unwrap(),
            vec![
                SegmentPart::Param("a".into()),
                SegmentPart::Param("b".into())
            ]
        );
        assert!(split_template("a}").is_err());
    }
}
