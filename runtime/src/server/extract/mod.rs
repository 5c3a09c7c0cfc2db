//! Reading a request: the body whole, within a size limit and a time limit
//! ([`read_body`]), then typed parameters out of it ([`Incoming`]); the
//! body is read by its media type (`json_body`, `form_body` and the rest).

use std::time::Duration;

use bytes::Bytes;
use http::header::{COOKIE, HeaderMap};
use http::{Method, Uri};
use serde::de::DeserializeOwned;

use super::rejection::{Rejection, RejectionKind, invalid, invalid_form, missing};
use crate::param::ParamValue;
use crate::query::{Delimiter, ObjectKeys, split_array, split_delimited};

mod body;

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
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What layers put on the request: the [`AuthOutcome`](crate::server::auth::AuthOutcome) of an
    /// [`AuthLayer`](crate::server::auth::AuthLayer), the store of an [`IdempotencyLayer`](crate::server::idempotency::IdempotencyLayer).
    pub extensions: http::Extensions,
    query: Vec<(String, String)>,
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
        })
    }

    /// An optional query parameter (the first, when repeated).
    pub fn query<T: ParamValue>(&self, name: &str) -> Result<Option<T>, Rejection> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| T::from_param(v).map_err(|e| invalid("query parameter", name, &e)))
            .transpose()
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

    /// An optional header.
    pub fn header<T: ParamValue>(&self, name: &str) -> Result<Option<T>, Rejection> {
        let Some(value) = self.headers.get(name) else {
            return Ok(None);
        };
        let text = value
            .to_str()
            .map_err(|_| invalid("header", name, "not visible ASCII"))?;
        T::from_param(text)
            .map(Some)
            .map_err(|e| invalid("header", name, &e))
    }

    /// An optional cookie.
    pub fn cookie<T: ParamValue>(&self, name: &str) -> Result<Option<T>, Rejection> {
        for header in self.headers.get_all(COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            for pair in text.split(';') {
                if let Some((n, v)) = pair.trim().split_once('=') {
                    if n == name {
                        return T::from_param(v)
                            .map(Some)
                            .map_err(|e| invalid("cookie", name, &e));
                    }
                }
            }
        }
        Ok(None)
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
mod tests {
    use http::StatusCode;

    use super::*;

    pub(super) async fn incoming(
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
        assert_eq!(req.query::<i64>("limit").unwrap(), Some(5));
        assert_eq!(req.query::<i64>("absent").unwrap(), None);
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
        assert_eq!(
            req.cookie::<String>("session").unwrap().as_deref(),
            Some("abc")
        );
        assert_eq!(req.header::<i32>("X-N").unwrap(), Some(7));
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
