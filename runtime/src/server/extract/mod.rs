//! Reading a request: the body whole, within a size limit and a time limit
//! ([`read_body`]), then typed parameters out of it ([`Incoming`]); path
//! parameters by name (`path`), the body by its media type (`json_body`,
//! `form_body` and the rest).
//!
//! A scalar parameter is read into a [`ParamField`]: the value itself when
//! it is required (absent is a rejection naming it), an `Option` when not;
//! the field's type decides. Lists, objects and bodies come back as an
//! `Option`.

use std::time::Duration;

use bytes::Bytes;
use http::header::{COOKIE, HeaderMap};
use http::{Method, Uri};
use serde::de::DeserializeOwned;

use super::rejection::{Rejection, RejectionKind, invalid, invalid_form, missing};
use crate::param::{Location, ParamField, ParamValue};
use crate::query::{Delimiter, ObjectKeys, split_array, split_delimited};

mod body;
mod path;

pub use path::PathValue;

/// Request bodies larger than this are refused with 413 before parsing.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// How long a request body may take to arrive when nothing else is set: a
/// client trickling its body is answered 408 instead of holding a task.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A request extension that overrides [`DEFAULT_BODY_READ_TIMEOUT`] for the
/// generated routers ([`Server`](super::serve::Server) inserts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyReadTimeout(pub Duration);

/// A request read whole: method, URI, headers and body bytes.
#[derive(Debug)]
pub struct Incoming {
    /// The request method.
    pub method: Method,
    /// The request URI, path and query still encoded.
    pub uri: Uri,
    /// The request headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    /// What layers put on the request: the [`AuthOutcome`](crate::server::auth::AuthOutcome) of an
    /// [`AuthLayer`](crate::server::auth::AuthLayer), the store of an [`IdempotencyLayer`](crate::server::idempotency::IdempotencyLayer).
    pub extensions: http::Extensions,
    query: Vec<(String, String)>,
    /// The path parameters the router matched, by name.
    path: Vec<(&'static str, PathValue)>,
}

/// The whole body of a request, refused when it is over `limit` bytes
/// (reading no more than that, however it is framed) or takes longer than the
/// request's [`BodyReadTimeout`] to arrive: every reader of request bodies
/// (the generated routers, the auth layer) goes through here, so none can be
/// held open by a client that trickles its body.
pub async fn read_body(
    parts: &http::request::Parts,
    body: axum::body::Body,
    limit: usize,
) -> Result<Bytes, Rejection> {
    let timeout = parts
        .extensions
        .get::<BodyReadTimeout>()
        .map_or(DEFAULT_BODY_READ_TIMEOUT, |t| t.0);
    match tokio::time::timeout(timeout, crate::chunks::collect(body, limit)).await {
        Ok(Some(body)) => Ok(body),
        Ok(None) => Err(Rejection::new(
            RejectionKind::BodyTooLarge,
            format!("the request body is larger than {limit} bytes or was cut off"),
        )),
        Err(_) => Err(Rejection::new(
            RejectionKind::BodyTimeout,
            format!(
                "the request body did not arrive within {} ms",
                timeout.as_millis()
            ),
        )),
    }
}

impl Incoming {
    /// Read `request`, refusing bodies over `limit` bytes (without reading
    /// more than that, however the body is framed) and bodies that take
    /// longer than the [`BodyReadTimeout`] to arrive.
    pub async fn read(request: axum::extract::Request, limit: usize) -> Result<Self, Rejection> {
        let (parts, body) = request.into_parts();
        let body = read_body(&parts, body, limit).await?;
        let query = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(Incoming {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            extensions: parts.extensions,
            query,
            path: Vec::new(),
        })
    }

    /// A query parameter (the first, when repeated): required or optional
    /// as the field `F` is.
    pub fn query<F: ParamField>(&self, name: &str) -> Result<F, Rejection> {
        let value = self
            .query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| F::Value::from_param(v).map_err(|e| invalid("query parameter", name, &e)))
            .transpose()?;
        F::from_value(value, || missing("query parameter", name))
    }

    /// A query array: every `name=` pair when `explode`, else one `a,b,c`.
    pub fn query_array<T: ParamValue>(
        &self,
        name: &str,
        explode: bool,
    ) -> Result<Option<Vec<T>>, Rejection> {
        let values: Vec<&String> = self
            .query
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v)
            .collect();
        if values.is_empty() {
            return Ok(None);
        }
        let parsed = if explode {
            values.into_iter().map(|v| T::from_param(v)).collect()
        } else {
            split_array(values[0])
        };
        parsed
            .map(Some)
            .map_err(|e| invalid("query parameter", name, &e))
    }

    /// A non-exploded array with a `spaceDelimited` or `pipeDelimited` (or
    /// `form`) delimiter: one `a|b|c`.
    pub fn query_delimited<T: ParamValue>(
        &self,
        name: &str,
        delimiter: Delimiter,
    ) -> Result<Option<Vec<T>>, Rejection> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| {
                split_delimited(v, delimiter).map_err(|e| invalid("query parameter", name, &e))
            })
            .transpose()
    }

    /// An object in `form` style, exploded: its properties are pairs of
    /// their own (`owner=ann&limit=5`), picked out by `keys`. A `required`
    /// object whose properties are all optional reads as empty when none is
    /// sent.
    pub fn query_exploded_object<T: DeserializeOwned>(
        &self,
        name: &str,
        keys: ObjectKeys<'_>,
        required: bool,
    ) -> Result<Option<T>, Rejection> {
        crate::query::exploded_object(&self.query, keys, required)
            .map_err(|e| invalid_form("query parameter", name, &e))
    }

    /// An object in `deepObject` style: `filter[owner]=ann&filter[limit]=5`.
    pub fn query_deep_object<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<T>, Rejection> {
        crate::query::deep_object(&self.query, name, required)
            .map_err(|e| invalid_form("query parameter", name, &e))
    }

    /// A non-exploded object: `filter=owner,ann,limit,5` (or space or pipe
    /// delimited).
    pub fn query_delimited_object<T: DeserializeOwned>(
        &self,
        name: &str,
        delimiter: Delimiter,
    ) -> Result<Option<T>, Rejection> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| {
                crate::query::delimited_object(v, delimiter)
                    .map_err(|e| invalid_form("query parameter", name, &e))
            })
            .transpose()
    }

    /// A header: required or optional as the field `F` is.
    pub fn header<F: ParamField>(&self, name: &str) -> Result<F, Rejection> {
        let value = match self.headers.get(name) {
            Some(value) => {
                let text = value
                    .to_str()
                    .map_err(|_| invalid("header", name, "not visible ASCII"))?;
                Some(F::Value::from_param(text).map_err(|e| invalid("header", name, &e))?)
            }
            None => None,
        };
        F::from_value(value, || missing("header", name))
    }

    /// A cookie: required or optional as the field `F` is.
    pub fn cookie<F: ParamField>(&self, name: &str) -> Result<F, Rejection> {
        let value = self
            .cookie_text(name)
            .map(|v| F::Value::from_param(v).map_err(|e| invalid("cookie", name, &e)))
            .transpose()?;
        F::from_value(value, || missing("cookie", name))
    }

    /// A query parameter, header or cookie as compact JSON (objects and
    /// unions there), `None` when it was not sent.
    pub fn json_param<T: DeserializeOwned>(
        &self,
        location: Location,
        name: &str,
    ) -> Result<Option<T>, Rejection> {
        let (what, text) = match location {
            Location::Query => (
                "query parameter",
                self.query
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str()),
            ),
            Location::Header => (
                "header",
                self.headers.get(name).and_then(|v| v.to_str().ok()),
            ),
            Location::Cookie => ("cookie", self.cookie_text(name)),
        };
        text.map(|text| {
            serde_json::from_str(text)
                .map_err(|e| invalid(what, name, &format!("expected JSON: {e}")))
        })
        .transpose()
    }

    /// A constant parameter (a single-value enum) must be sent with its
    /// value.
    pub fn constant(
        &self,
        location: Location,
        name: &str,
        expected: &str,
    ) -> Result<(), Rejection> {
        let (what, found) = match location {
            Location::Query => ("query parameter", self.query::<Option<String>>(name)?),
            Location::Header => ("header", self.header::<Option<String>>(name)?),
            Location::Cookie => ("cookie", self.cookie::<Option<String>>(name)?),
        };
        expect_constant(what, name, found, expected)
    }

    fn cookie_text(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|header| header.to_str().ok())
            .flat_map(|text| text.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }
}

/// A constant parameter (a single-value enum) must have that value.
pub fn expect_constant(
    what: &str,
    name: &str,
    found: Option<String>,
    expected: &str,
) -> Result<(), Rejection> {
    match found {
        Some(value) if value == expected => Ok(()),
        Some(value) => Err(invalid(
            what,
            name,
            &format!("expected `{expected}`, found `{value}`"),
        )),
        None => Err(missing(what, name)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use http::StatusCode;

    use super::*;

    pub(crate) async fn incoming(
        uri: &str,
        headers: &[(&'static str, &str)],
        body: &str,
    ) -> Incoming {
        let mut builder = http::Request::builder().uri(uri).method("POST");
        for (n, v) in headers {
            builder = builder.header(*n, *v);
        }
        let request = builder
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        Incoming::read(request, 64).await.unwrap()
    }

    #[tokio::test]
    async fn query_header_and_cookie_parameters_are_typed() {
        let req = incoming(
            "/x?limit=5&ids=a&ids=b&csv=1,2&bad=x",
            &[("cookie", "a=1; session=abc"), ("x-n", "7")],
            "",
        )
        .await;
        assert_eq!(req.query::<Option<i64>>("limit").unwrap(), Some(5));
        assert_eq!(req.query::<i64>("limit").unwrap(), 5);
        assert_eq!(req.query::<Option<i64>>("absent").unwrap(), None);
        let err = req.query::<i64>("absent").unwrap_err();
        assert_eq!(err.kind, RejectionKind::MissingParameter);
        assert!(err.message.contains("`absent`"), "{}", err.message);
        assert_eq!(
            req.query_array::<String>("ids", true).unwrap(),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            req.query_array::<i32>("csv", false).unwrap(),
            Some(vec![1, 2])
        );
        let err = req.query::<i64>("bad").unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::BAD_REQUEST, RejectionKind::InvalidParameter)
        );
        assert!(err.message.contains("`bad`"), "{}", err.message);
        assert_eq!(req.cookie::<String>("session").unwrap(), "abc");
        assert_eq!(req.cookie::<Option<String>>("none").unwrap(), None);
        assert_eq!(req.header::<i32>("X-N").unwrap(), 7);
        assert_eq!(req.header::<Option<i32>>("X-None").unwrap(), None);
        assert_eq!(
            req.header::<i32>("X-None").unwrap_err().kind,
            RejectionKind::MissingParameter
        );
    }

    #[tokio::test]
    async fn json_parameters_and_constants_are_read_where_they_travel() {
        let req = incoming(
            "/x?_action=reset&filter=%7B%22a%22%3A1%7D&bad=%7B",
            &[("cookie", "c={\"b\":2}"), ("x-j", "[1,2]")],
            "",
        )
        .await;
        let filter: Option<serde_json::Value> = req.json_param(Location::Query, "filter").unwrap();
        assert_eq!(filter, Some(serde_json::json!({"a": 1})));
        let list: Option<Vec<i32>> = req.json_param(Location::Header, "x-j").unwrap();
        assert_eq!(list, Some(vec![1, 2]));
        let cookie: Option<serde_json::Value> = req.json_param(Location::Cookie, "c").unwrap();
        assert_eq!(cookie, Some(serde_json::json!({"b": 2})));
        let err = req
            .json_param::<serde_json::Value>(Location::Query, "bad")
            .unwrap_err();
        assert_eq!(err.kind, RejectionKind::InvalidParameter);
        assert!(req.constant(Location::Query, "_action", "reset").is_ok());
        assert!(req.constant(Location::Query, "_action", "other").is_err());
        assert_eq!(
            req.constant(Location::Header, "x-action", "reset")
                .unwrap_err()
                .kind,
            RejectionKind::MissingParameter
        );
    }

    #[tokio::test]
    async fn a_body_that_stops_arriving_is_refused_after_the_read_timeout() {
        let stalled = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
        let mut request = http::Request::builder()
            .uri("/")
            .body(axum::body::Body::from_stream(stalled))
            .unwrap();
        request
            .extensions_mut()
            .insert(BodyReadTimeout(Duration::from_millis(20)));
        let err = Incoming::read(request, 64).await.unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::REQUEST_TIMEOUT, RejectionKind::BodyTimeout)
        );
        assert!(err.message.contains("20 ms"), "{}", err.message);
    }

    #[test]
    fn constant_parameters_must_have_their_value() {
        assert!(
            expect_constant("query parameter", "_action", Some("reset".into()), "reset").is_ok()
        );
        assert_eq!(
            expect_constant("query parameter", "_action", None, "reset")
                .unwrap_err()
                .kind,
            RejectionKind::MissingParameter
        );
        assert!(expect_constant("query parameter", "_action", Some("x".into()), "reset").is_err());
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub(super) struct Signup {
        pub(super) name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) age: Option<u32>,
        #[serde(default)]
        pub(super) tags: Vec<String>,
    }

    #[tokio::test]
    async fn query_objects_and_delimited_arrays_are_typed_or_refused() {
        let req = incoming(
            "/x?filter%5Bname%5D=Ann%20%26%20B%C3%B6b&filter[age]=30&name=Zo%C3%AB&tags=a&tags=b\
             &csv=name,Al,age,7&pipes=1|2|3&spaces=a%20b&bad[age]=old",
            &[],
            "",
        )
        .await;
        assert_eq!(
            req.query_deep_object::<Signup>("filter", false).unwrap(),
            Some(Signup {
                name: "Ann & Böb".into(),
                age: Some(30),
                tags: vec![]
            })
        );
        assert_eq!(
            req.query_exploded_object::<Signup>(
                "signup",
                ObjectKeys::Only(&["name", "age", "tags"]),
                true
            )
            .unwrap(),
            Some(Signup {
                name: "Zoë".into(),
                age: None,
                tags: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(
            req.query_delimited_object::<Signup>("csv", Delimiter::Comma)
                .unwrap()
                .unwrap()
                .age,
            Some(7)
        );
        assert_eq!(
            req.query_delimited_object::<Signup>("absent", Delimiter::Comma)
                .unwrap(),
            None
        );
        assert_eq!(
            req.query_delimited::<i32>("pipes", Delimiter::Pipe)
                .unwrap(),
            Some(vec![1, 2, 3])
        );
        assert_eq!(
            req.query_delimited::<String>("spaces", Delimiter::Space)
                .unwrap(),
            Some(vec!["a".into(), "b".into()])
        );
        let err = req.query_deep_object::<Signup>("bad", false).unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::BAD_REQUEST, RejectionKind::InvalidParameter)
        );
        assert_eq!(
            err.message,
            "the query parameter `bad` is invalid: `bad[age]`: expected a non-negative 32-bit integer, found `old`"
        );
        let err = req
            .query_delimited::<i32>("spaces", Delimiter::Space)
            .unwrap_err();
        assert!(err.message.contains("`spaces`"), "{}", err.message);
    }
}
