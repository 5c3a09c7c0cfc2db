//! One request as an operation writes it, before the client adds
//! credentials, retries and timeouts: the path template filled in, the
//! query, headers, cookies and body.

use std::borrow::Cow;

use http::Method;
use http::header::{ACCEPT, COOKIE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;

use super::error::InvalidRequest;
use super::retry::CallOptions;
use crate::form::MultipartBody;
use crate::operation::Security;
use crate::param::{Location, ParamField, ParamValue, json_text};
use crate::query::{Delimiter, ObjectStyle, QueryString};

/// One path parameter value as a path segment, percent-encoded. Empty, `.`
/// and `..` are refused: URL normalization would drop or climb them (even
/// encoded as `%2E`), sending the call to a different resource; so is a
/// `/` unless the parameter allows reserved characters
/// ([`path_value_problem`](crate::param::path_value_problem)).
pub fn path_segment(
    name: &str,
    value: &str,
    allow_reserved: bool,
) -> Result<String, InvalidRequest> {
    match crate::param::path_value_problem(value, allow_reserved) {
        Some(problem) => Err(InvalidRequest(format!("path parameter `{name}` {problem}"))),
        None => Ok(crate::param::encode_segment(value)),
    }
}

/// One request as an operation writes it.
#[derive(Debug)]
pub struct Request {
    /// The operationId, for errors and tracing.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path: the spec's template, each `{parameter}` replaced by its
    /// encoded value as it is added.
    pub path: String,
    /// Parameters spanning several segments, with their prefixes.
    segment_prefixes: &'static [(&'static str, &'static str)],
    /// Path parameters the spec lets hold a `/` (`allowReserved: true`).
    allow_reserved: &'static [&'static str],
    /// Path parameters with nothing between them (`{id}{format}`).
    adjacent_params: crate::AdjacentParams,
    query: QueryString,
    /// The header parameters written so far.
    pub headers: HeaderMap,
    /// Content type and bytes.
    pub body: Option<(Cow<'static, str>, Vec<u8>)>,
    /// The operation's security requirements: the client sends every
    /// credential of the first requirement it has all of (see
    /// [`ApiClient::execute`](super::ApiClient::execute)).
    pub security: Security,
    /// Whether the request carries an idempotency key (set by
    /// [`Request::idempotency_key`]): the server then recognises a repeat,
    /// so a retry is safe whatever the method.
    pub has_idempotency_key: bool,
    /// This call's timeout and retry policy, where they differ from the
    /// client's.
    pub options: CallOptions,
    /// The operation documents redirect (3xx) responses: a redirect the
    /// client does not follow is handed to the generated decoder rather than
    /// ending the call in [`ClientError::Redirect`](super::ClientError::Redirect).
    pub documents_redirects: bool,
}

impl Request {
    /// A request for the path `template` (`/users/{id}`), its parameters
    /// still to be filled in with [`Request::path_param`] and
    /// [`Request::path_items`].
    pub fn new(operation: &'static str, method: Method, template: String) -> Self {
        Request {
            operation,
            method,
            path: template,
            segment_prefixes: &[],
            allow_reserved: &[],
            adjacent_params: &[],
            query: QueryString::new(),
            headers: HeaderMap::new(),
            body: None,
            security: Security::NONE,
            has_idempotency_key: false,
            options: CallOptions::default(),
            documents_redirects: false,
        }
    }

    /// The path parameters that span several segments (a hierarchy), each
    /// item after its prefix.
    #[must_use]
    pub fn with_segment_prefixes(
        mut self,
        prefixes: &'static [(&'static str, &'static str)],
    ) -> Self {
        self.segment_prefixes = prefixes;
        self
    }

    /// The path parameters whose values may hold a `/`
    /// (`allowReserved: true`); sent as `%2F`, in their one segment.
    #[must_use]
    pub fn with_allow_reserved(mut self, names: &'static [&'static str]) -> Self {
        self.allow_reserved = names;
        self
    }

    /// The encoded query string without `?`, empty when there is none.
    pub fn query_string(&self) -> &str {
        self.query.as_str()
    }

    /// The request as it is sent, once every path parameter is filled in.
    pub(crate) fn finished(self) -> Result<Self, InvalidRequest> {
        match self.path.find('{') {
            Some(at) => Err(InvalidRequest(format!(
                "the path `{}` has a parameter with no value at {at}",
                self.path
            ))),
            None => Ok(self),
        }
    }

    /// The path parameters with nothing between them (`{id}{format}`): the
    /// first ends where its digits do.
    #[must_use]
    pub fn with_adjacent_params(mut self, pairs: crate::AdjacentParams) -> Self {
        self.adjacent_params = pairs;
        self
    }

    /// Fill in the path parameter `{name}`. A value right after an integer
    /// parameter (`{id}{format}`) must not start with a digit: the server
    /// would read that digit as part of the integer.
    pub fn path_param<T: ParamValue>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), InvalidRequest> {
        let text = value.to_param();
        let after = self
            .adjacent_params
            .iter()
            .find(|(_, second)| *second == name);
        if let Some((first, _)) = after.filter(|_| text.starts_with(|c: char| c.is_ascii_digit())) {
            return Err(InvalidRequest(format!(
                "path parameter `{name}` is `{text}`, which starts with a digit right after the integer `{first}`: the server would read the digit as part of `{first}`"
            )));
        }
        let allow_reserved = self.allow_reserved.contains(&name);
        let segment = path_segment(name, &text, allow_reserved)?;
        self.fill(name, &segment);
        Ok(())
    }

    /// Fill in a list path parameter in `simple` style: the items' texts,
    /// each percent-encoded, joined by commas in one segment (`a,b`). Each
    /// item is held to what a single value is ([`path_segment`]).
    pub fn path_array<T: ParamValue>(
        &mut self,
        name: &str,
        items: &[T],
    ) -> Result<(), InvalidRequest> {
        if items.is_empty() {
            return Err(InvalidRequest(format!("path parameter `{name}` is empty")));
        }
        let allow_reserved = self.allow_reserved.contains(&name);
        let items = items
            .iter()
            .map(|item| path_segment(name, &item.to_param(), allow_reserved))
            .collect::<Result<Vec<String>, InvalidRequest>>()?;
        self.fill(name, &items.join(","));
        Ok(())
    }

    /// Fill in a path parameter written as compact JSON (an object, or a
    /// union with an object or list branch), percent-encoded.
    pub fn path_json<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), InvalidRequest> {
        let allow_reserved = self.allow_reserved.contains(&name);
        let segment = path_segment(name, &json_text(value), allow_reserved)?;
        self.fill(name, &segment);
        Ok(())
    }

    /// Fill in a path parameter spanning several segments: each item after
    /// the parameter's prefix (`realms/root/realms/alpha`). A hierarchy
    /// needs at least one item.
    pub fn path_items<T: ParamValue>(
        &mut self,
        name: &str,
        items: &[T],
    ) -> Result<(), InvalidRequest> {
        if items.is_empty() {
            return Err(InvalidRequest(format!(
                "path parameter `{name}` needs at least one item"
            )));
        }
        let prefix = self
            .segment_prefixes
            .iter()
            .find(|(param, _)| *param == name)
            .map_or("", |(_, prefix)| prefix);
        let allow_reserved = self.allow_reserved.contains(&name);
        let mut text = String::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                text.push('/');
            }
            if !prefix.is_empty() {
                text.push_str(prefix);
                text.push('/');
            }
            text.push_str(&path_segment(name, &item.to_param(), allow_reserved)?);
        }
        self.fill(name, &text);
        Ok(())
    }

    /// Replace `{name}` in the path; values are encoded, so they hold no
    /// braces a later parameter could be mistaken for.
    fn fill(&mut self, name: &str, text: &str) {
        self.path = self.path.replace(&format!("{{{name}}}"), text);
    }

    /// A query parameter, or nothing for an optional one that is `None`.
    pub fn query<F: ParamField>(&mut self, name: &str, value: &F) {
        if let Some(value) = value.value() {
            self.query.push_value(name, value);
        }
    }

    /// A query array: `name=a&name=b` when `explode`, `name=a,b` otherwise.
    pub fn query_array<T: ParamValue>(&mut self, name: &str, values: &[T], explode: bool) {
        self.query.push_array(name, values, explode);
    }

    /// A non-exploded array with its style's delimiter: `name=a|b`.
    pub fn query_delimited<T: ParamValue>(
        &mut self,
        name: &str,
        values: &[T],
        delimiter: Delimiter,
    ) {
        self.query.push_delimited(name, values, delimiter);
    }

    /// An object in a query, in `style`.
    pub fn query_object<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        style: ObjectStyle,
    ) -> Result<(), InvalidRequest> {
        Ok(self.query.push_object(name, value, style)?)
    }

    /// A query parameter, header or cookie written as compact JSON (an
    /// object or a union there).
    pub fn json_param<T: Serialize>(
        &mut self,
        location: Location,
        name: &str,
        value: &T,
    ) -> Result<(), InvalidRequest> {
        self.text(location, name, &json_text(value))
    }

    /// A parameter whose only allowed value is `value`.
    pub fn constant(
        &mut self,
        location: Location,
        name: &str,
        value: &str,
    ) -> Result<(), InvalidRequest> {
        self.text(location, name, value)
    }

    fn text(&mut self, location: Location, name: &str, text: &str) -> Result<(), InvalidRequest> {
        match location {
            Location::Query => {
                self.query.push(name, text);
                Ok(())
            }
            Location::Header => self.header_text(name, text),
            Location::Cookie => self.cookie_text(name, text),
        }
    }

    /// The media types the documented responses can have.
    pub fn accept(&mut self, media_types: &str) -> Result<(), InvalidRequest> {
        let value = HeaderValue::from_str(media_types).map_err(|_| {
            InvalidRequest(format!("`Accept: {media_types}` is not a valid header"))
        })?;
        self.headers.insert(ACCEPT, value);
        Ok(())
    }

    /// The operation's idempotency-key header: like [`Request::header`],
    /// and it makes the request safe to retry.
    pub fn idempotency_key<F: ParamField<Value = String>>(
        &mut self,
        name: &str,
        key: &F,
    ) -> Result<(), InvalidRequest> {
        if let Some(key) = key.value() {
            self.header_text(name, key)?;
            self.has_idempotency_key = true;
        }
        Ok(())
    }

    /// A header parameter, or nothing for an optional one that is `None`.
    pub fn header<F: ParamField>(&mut self, name: &str, value: &F) -> Result<(), InvalidRequest> {
        match value.value() {
            Some(value) => self.header_text(name, &value.to_param()),
            None => Ok(()),
        }
    }

    fn header_text(&mut self, name: &str, text: &str) -> Result<(), InvalidRequest> {
        let invalid = || {
            InvalidRequest(format!(
                "header `{name}` has characters HTTP does not allow"
            ))
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = HeaderValue::from_str(text).map_err(|_| invalid())?;
        self.headers.append(header, value);
        Ok(())
    }

    /// A cookie parameter, or nothing for an optional one that is `None`.
    pub fn cookie<F: ParamField>(&mut self, name: &str, value: &F) -> Result<(), InvalidRequest> {
        match value.value() {
            Some(value) => self.cookie_text(name, &value.to_param()),
            None => Ok(()),
        }
    }

    fn cookie_text(&mut self, name: &str, text: &str) -> Result<(), InvalidRequest> {
        let value = HeaderValue::from_str(&format!("{name}={text}")).map_err(|_| {
            InvalidRequest(format!(
                "cookie `{name}` has characters HTTP does not allow"
            ))
        })?;
        self.headers.append(COOKIE, value);
        Ok(())
    }

    /// A text body.
    pub fn text_body(&mut self, content_type: &'static str, body: &str) {
        self.body = Some((Cow::Borrowed(content_type), body.as_bytes().to_vec()));
    }

    /// A body sent as the bytes given.
    pub fn bytes_body(&mut self, content_type: &'static str, body: &[u8]) {
        self.body = Some((Cow::Borrowed(content_type), body.to_vec()));
    }

    /// A JSON body.
    pub fn json<T: Serialize>(&mut self, body: &T) -> Result<(), InvalidRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Borrowed("application/json"), bytes));
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body (see [`crate::form`] for
    /// arrays and nested objects).
    pub fn form<T: Serialize>(
        &mut self,
        content_type: &'static str,
        body: &T,
    ) -> Result<(), InvalidRequest> {
        let text = crate::form::encode_urlencoded(body)
            .map_err(|e| InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Borrowed(content_type), text.into_bytes()));
        Ok(())
    }

    /// A `multipart/form-data` body, one part per property.
    pub fn multipart<T: MultipartBody>(&mut self, body: &T) -> Result<(), InvalidRequest> {
        let (content_type, bytes) = body
            .to_multipart()
            .and_then(|form| form.encode())
            .map_err(|e| InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Owned(content_type), bytes));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::retry::is_retry_safe;

    #[test]
    fn path_templates_are_filled_in_encoded() {
        let mut request = Request::new("op", Method::POST, "/{realm}/users/{user}/x".into())
            .with_segment_prefixes(&[("realm", "realms")]);
        request
            .path_items("realm", &["root".to_string(), "a b".to_string()])
            .unwrap();
        request.path_param("user", &"u 1".to_string()).unwrap();
        let request = request.finished().unwrap();
        assert_eq!(request.path, "/realms/root/realms/a%20b/users/u%201/x");
        let unfilled = Request::new("op", Method::GET, "/users/{id}".into());
        assert!(unfilled.finished().is_err());
        let mut empty = Request::new("op", Method::GET, "/{realm}".into());
        assert!(empty.path_items::<String>("realm", &[]).is_err());
    }

    #[test]
    fn lists_join_with_commas_and_json_is_one_encoded_segment() {
        let mut request = Request::new("op", Method::GET, "/{ids}/{filter}".into());
        request
            .path_array("ids", &["a,b".to_string(), "c".to_string()])
            .unwrap();
        request
            .path_json("filter", &serde_json::json!({"a": 1}))
            .unwrap();
        let request = request.finished().unwrap();
        assert_eq!(request.path, "/a%2Cb,c/%7B%22a%22%3A1%7D");
        let mut empty = Request::new("op", Method::GET, "/{ids}".into());
        assert!(empty.path_array::<String>("ids", &[]).is_err());
    }

    /// `{id}{format}`: the server reads the longest run of digits as `id`,
    /// so a `format` starting with a digit would change both values.
    #[test]
    fn a_value_right_after_an_integer_must_not_start_with_a_digit() {
        let request = || {
            Request::new("op", Method::GET, "/p/{id}{format}".into())
                .with_adjacent_params(&[("id", "format")])
        };
        let mut ok = request();
        ok.path_param("id", &12_i64).unwrap();
        ok.path_param("format", &".json".to_string()).unwrap();
        assert_eq!(ok.finished().unwrap().path, "/p/12.json");
        let mut ambiguous = request();
        ambiguous.path_param("id", &12_i64).unwrap();
        let error = ambiguous
            .path_param("format", &"3d".to_string())
            .unwrap_err();
        assert!(error.0.contains("starts with a digit"), "{error:?}");
    }

    #[test]
    fn dot_segments_slashes_and_empty_path_values_are_refused() {
        for value in ["", ".", "..", "a/b", "../admin"] {
            assert!(path_segment("id", value, false).is_err(), "{value:?}");
        }
        assert_eq!(path_segment("id", "...", false).unwrap(), "...");
        // `allowReserved: true`: a `/` travels escaped, in its segment.
        assert_eq!(path_segment("id", "a/b", true).unwrap(), "a%2Fb");
        assert!(path_segment("id", "..", true).is_err());
        let mut request = Request::new("op", Method::GET, "/files/{path}/{id}".into())
            .with_allow_reserved(&["path"]);
        request.path_param("path", &"docs/a b".to_string()).unwrap();
        let refused = request.path_param("id", &"x/y".to_string()).unwrap_err();
        assert!(
            refused.0.contains("path parameter `id` holds a `/`"),
            "{refused}"
        );
    }

    #[test]
    fn optional_parameters_that_are_none_are_left_out() {
        let mut request = Request::new("op", Method::GET, "/".into());
        request.query("limit", &Some(5_i64));
        request.query("absent", &None::<i64>);
        request.query("q", &"a b".to_string());
        request.query_array("ids", &[1, 2], false);
        request
            .constant(Location::Query, "_action", "reset")
            .unwrap();
        request.header("x-n", &None::<String>).unwrap();
        request.cookie("session", &"abc".to_string()).unwrap();
        request
            .json_param(Location::Header, "x-j", &[1, 2])
            .unwrap();
        assert_eq!(
            request.query_string(),
            "limit=5&q=a+b&ids=1,2&_action=reset"
        );
        assert!(request.headers.get("x-n").is_none());
        assert_eq!(request.headers["cookie"], "session=abc");
        assert_eq!(request.headers["x-j"], "[1,2]");
    }

    #[test]
    fn an_idempotency_key_makes_any_method_retry_safe() {
        let mut request = Request::new("op", Method::POST, "/".into());
        assert!(!is_retry_safe(&request.method, request.has_idempotency_key));
        request
            .idempotency_key("Idempotency-Key", &None::<String>)
            .unwrap();
        assert!(!request.has_idempotency_key);
        request
            .idempotency_key("Idempotency-Key", &"k-1".to_string())
            .unwrap();
        assert!(is_retry_safe(&request.method, request.has_idempotency_key));
        assert_eq!(request.headers["idempotency-key"], "k-1");
        assert!(
            request
                .idempotency_key("Idempotency-Key", &"a\nb".to_string())
                .is_err()
        );
    }

    #[test]
    fn header_parameters_with_newlines_are_refused() {
        let mut request = Request::new("op", Method::GET, "/".into());
        let err = request
            .header("idempotency-key", &"a\r\nb".to_string())
            .unwrap_err();
        assert!(err.0.contains("idempotency-key"), "{err}");
    }
}
