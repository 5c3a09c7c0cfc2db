//! Request bodies by media type: JSON, forms, multipart, text and bytes,
//! each refused with 415 when sent as something else.

use std::borrow::Cow;

use http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use super::Incoming;
use crate::form::MultipartBody;
use crate::server::rejection::{Rejection, RejectionKind, invalid_body};

impl Incoming {
    /// The body as JSON, `None` when there is none.
    pub fn json_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Rejection> {
        if self.body.is_empty() {
            return Ok(None);
        }
        self.expect_content_type("application/json", |essence| {
            essence == "application/json" || essence.ends_with("+json")
        })?;
        serde_json::from_slice(&self.body).map(Some).map_err(|e| {
            Rejection::new(
                RejectionKind::InvalidBody,
                format!("the request body is not valid: {e}"),
            )
        })
    }

    /// An `application/x-www-form-urlencoded` body, `None` when there is
    /// none. An empty body sent as a form is an empty form (an object whose
    /// properties are all absent), not a missing one.
    pub fn form_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Rejection> {
        if self.body.is_empty() && !self.headers.contains_key(CONTENT_TYPE) {
            return Ok(None);
        }
        self.expect_content_type("application/x-www-form-urlencoded", |essence| {
            essence == "application/x-www-form-urlencoded"
        })?;
        crate::form::decode_urlencoded(&self.body)
            .map(Some)
            .map_err(invalid_body)
    }

    /// A `multipart/form-data` body, `None` when there is none. The body
    /// was read whole within the router's limit, so parsing is bounded too.
    pub fn multipart_body<T: MultipartBody>(&self) -> Result<Option<T>, Rejection> {
        if self.body.is_empty() {
            return Ok(None);
        }
        self.expect_content_type("multipart/form-data", |essence| {
            essence == "multipart/form-data"
        })?;
        let content_type = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let form =
            crate::form::parse_multipart(content_type, self.body.clone()).map_err(invalid_body)?;
        T::from_multipart(form).map(Some).map_err(invalid_body)
    }

    /// The body as UTF-8 text, sent as `media_type` (any `text/*` when that
    /// is what the spec says). `None` when nothing was sent at all; an empty
    /// body with a content type is the empty string.
    pub fn text_body(&self, media_type: &str) -> Result<Option<String>, Rejection> {
        if !self.has_body() {
            return Ok(None);
        }
        self.expect_declared(media_type)?;
        String::from_utf8(self.body.to_vec())
            .map(Some)
            .map_err(|_| {
                Rejection::new(RejectionKind::InvalidBody, "the request body is not UTF-8")
            })
    }

    /// The body bytes as sent as `media_type`; `application/octet-stream`
    /// and `*/*` take any content type. `None` when nothing was sent at
    /// all; an empty body with a content type is empty bytes.
    pub fn bytes_body(&self, media_type: &str) -> Result<Option<Vec<u8>>, Rejection> {
        if !self.has_body() {
            return Ok(None);
        }
        if !matches!(media_type, "application/octet-stream" | "*/*") {
            self.expect_declared(media_type)?;
        }
        Ok(Some(self.body.to_vec()))
    }

    /// Whether anything was sent: bytes, or a content type for an empty body.
    fn has_body(&self) -> bool {
        !self.body.is_empty() || self.headers.contains_key(CONTENT_TYPE)
    }

    /// The content type must be `media_type` (ignoring parameters), or any
    /// `text/...` for `text/*`.
    fn expect_declared(&self, media_type: &str) -> Result<(), Rejection> {
        let wanted = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        self.expect_content_type(&wanted, |essence| match wanted.strip_suffix("/*") {
            Some(family) => essence.split('/').next() == Some(family),
            None => essence == wanted,
        })
    }

    fn expect_content_type(
        &self,
        wanted: &str,
        accepts: impl Fn(&str) -> bool,
    ) -> Result<(), Rejection> {
        // Lowercased only when it has capitals: most requests send it
        // lowercase, and this runs on every one with a body.
        let essence = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v.split(';').next().unwrap_or("").trim();
                match essence.bytes().any(|b| b.is_ascii_uppercase()) {
                    true => Cow::Owned(essence.to_ascii_lowercase()),
                    false => Cow::Borrowed(essence),
                }
            });
        match essence {
            Some(essence) if accepts(&essence) => Ok(()),
            Some(other) => Err(Rejection::new(
                RejectionKind::UnsupportedMediaType,
                format!("the request body must be {wanted}, not {other}"),
            )),
            None => Err(Rejection::new(
                RejectionKind::UnsupportedMediaType,
                format!("the request body must be {wanted}: Content-Type is missing"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::super::tests::{Signup, incoming};
    use super::*;

    #[tokio::test]
    async fn bodies_are_checked_for_type_syntax_and_size() {
        let ok = incoming(
            "/",
            &[("content-type", "application/json; charset=utf-8")],
            "{\"a\":1}",
        )
        .await;
        assert_eq!(
            ok.json_body::<serde_json::Value>().unwrap(),
            Some(serde_json::json!({"a": 1}))
        );
        let wrong_type = incoming("/", &[("content-type", "text/plain")], "{}").await;
        assert_eq!(
            wrong_type
                .json_body::<serde_json::Value>()
                .unwrap_err()
                .kind,
            RejectionKind::UnsupportedMediaType
        );
        let broken = incoming("/", &[("content-type", "application/json")], "{").await;
        assert_eq!(
            broken.json_body::<serde_json::Value>().unwrap_err().kind,
            RejectionKind::InvalidBody
        );
        let empty = incoming("/", &[], "").await;
        assert_eq!(empty.json_body::<serde_json::Value>().unwrap(), None);

        let request = http::Request::builder()
            .uri("/")
            .body(axum::body::Body::from(vec![b'x'; 65]))
            .unwrap();
        let err = Incoming::read(request, 64).await.unwrap_err();
        assert_eq!(err.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn text_and_binary_bodies_check_their_media_type_and_keep_empty_ones() {
        let text = incoming("/", &[("content-type", "text/plain; charset=utf-8")], "hi").await;
        assert_eq!(text.text_body("text/plain").unwrap().as_deref(), Some("hi"));
        assert_eq!(text.text_body("text/*").unwrap().as_deref(), Some("hi"));
        let json = incoming("/", &[("content-type", "application/json")], "hi").await;
        assert_eq!(
            json.text_body("text/plain").unwrap_err().kind,
            RejectionKind::UnsupportedMediaType
        );
        assert_eq!(
            json.bytes_body("application/pdf").unwrap_err().kind,
            RejectionKind::UnsupportedMediaType
        );
        assert_eq!(
            json.bytes_body("application/octet-stream").unwrap(),
            Some(b"hi".to_vec())
        );
        // An empty body with a content type is an empty value, not a missing one.
        let empty = incoming("/", &[("content-type", "text/plain")], "").await;
        assert_eq!(empty.text_body("text/plain").unwrap().as_deref(), Some(""));
        let nothing = incoming("/", &[], "").await;
        assert_eq!(nothing.text_body("text/plain").unwrap(), None);
        assert_eq!(
            nothing.bytes_body("application/octet-stream").unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn media_types_compare_ignoring_case_and_parameters() {
        for content_type in [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/problem+json ",
        ] {
            let json = incoming("/", &[("content-type", content_type)], r#"{"a":1}"#).await;
            assert_eq!(
                json.json_body::<serde_json::Value>().unwrap(),
                Some(serde_json::json!({"a": 1})),
                "{content_type}"
            );
        }
        let text = incoming("/", &[("content-type", "TEXT/Plain")], "hi").await;
        assert_eq!(text.text_body("text/plain").unwrap().as_deref(), Some("hi"));
        let err = text.json_body::<serde_json::Value>().unwrap_err();
        assert_eq!(err.kind, RejectionKind::UnsupportedMediaType);
        assert!(err.message.ends_with("not text/plain"), "{}", err.message);
    }

    #[tokio::test]
    async fn form_bodies_are_checked_for_type_syntax_and_emptiness() {
        let form = [("content-type", "application/x-www-form-urlencoded")];
        let ok = incoming("/", &form, "name=Ann+%26+B%C3%B6b&age=3&tags=x&tags=y%3Dz").await;
        assert_eq!(
            ok.form_body::<Signup>().unwrap(),
            Some(Signup {
                name: "Ann & Böb".into(),
                age: Some(3),
                tags: vec!["x".into(), "y=z".into()]
            })
        );
        // An empty form is a form; no body at all is none.
        let empty = incoming("/", &form, "").await;
        assert_eq!(
            empty
                .form_body::<std::collections::BTreeMap<String, String>>()
                .unwrap(),
            Some(Default::default())
        );
        assert_eq!(
            incoming("/", &[], "").await.form_body::<Signup>().unwrap(),
            None
        );

        let wrong_type = incoming("/", &[("content-type", "application/json")], "{}").await;
        let err = wrong_type.form_body::<Signup>().unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                RejectionKind::UnsupportedMediaType
            )
        );
        for (body, message) in [
            (
                "name=a&age=-1",
                "the request body is not valid: `age`: expected a non-negative 32-bit integer, found `-1`",
            ),
            (
                "age=1",
                "the request body is not valid: missing field `name`",
            ),
            (
                "name=%E2%98",
                "the request body is not valid: `name`: the text is not UTF-8 once percent-decoded",
            ),
            (
                "name=50%",
                "the request body is not valid: `name`: `%` is not a percent-escape (`%` and two hex digits)",
            ),
        ] {
            let err = incoming("/", &form, body)
                .await
                .form_body::<Signup>()
                .unwrap_err();
            assert_eq!(
                (err.status, err.kind),
                (StatusCode::BAD_REQUEST, RejectionKind::InvalidBody)
            );
            assert_eq!(err.message, message);
        }
    }

    #[tokio::test]
    async fn multipart_bodies_are_checked_for_type_and_syntax() {
        use crate::form::Multipart;
        let mut form = Multipart::new();
        form.text("name", &"Ann".to_string());
        let (content_type, body) = form.encode().unwrap();
        let request = http::Request::builder()
            .uri("/")
            .method("POST")
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap();
        let req = Incoming::read(request, 1024).await.unwrap();
        let back: Multipart = req.multipart_body().unwrap().unwrap();
        assert_eq!(back, form);

        assert_eq!(
            incoming("/", &[], "")
                .await
                .multipart_body::<Multipart>()
                .unwrap(),
            None
        );
        let err = incoming(
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            "a=1",
        )
        .await
        .multipart_body::<Multipart>()
        .unwrap_err();
        assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let err = incoming(
            "/",
            &[("content-type", "multipart/form-data; boundary=X")],
            "--X\r\ncut",
        )
        .await
        .multipart_body::<Multipart>()
        .unwrap_err();
        assert_eq!(
            (err.status, err.kind),
            (StatusCode::BAD_REQUEST, RejectionKind::InvalidBody)
        );
        assert!(
            err.message
                .starts_with("the request body is not valid: malformed multipart body"),
            "{}",
            err.message
        );
    }

    /// What the client's `Request` sends is what the server reads back.
    #[cfg(feature = "client")]
    #[tokio::test]
    async fn client_bodies_and_queries_read_back_on_the_server() {
        use crate::form::{FilePart, Multipart};
        use crate::query::{ObjectKeys, ObjectStyle, QueryString};
        use http::Method;
        let signup = Signup {
            name: "Ann & Bob = \"ü\" [x]".into(),
            age: Some(41),
            tags: vec!["a b".into(), "c&d".into()],
        };
        let mut query = QueryString::new();
        query
            .push_object("s", &signup, ObjectStyle::DeepObject)
            .unwrap();
        query
            .push_object("e", &signup, ObjectStyle::Exploded)
            .unwrap();
        let query = query.finish();

        let send = |request: crate::client::Request| {
            let query = query.clone();
            async move {
                let (content_type, body) = request.body.unwrap();
                let request = http::Request::builder()
                    .uri(format!("/?{query}"))
                    .method("POST")
                    .header("content-type", content_type.as_ref())
                    .body(axum::body::Body::from(body))
                    .unwrap();
                Incoming::read(request, 4096).await.unwrap()
            }
        };

        let mut request = crate::client::Request::new("op", Method::POST, "/".into());
        request
            .form("application/x-www-form-urlencoded", &signup)
            .unwrap();
        let req = send(request).await;
        assert_eq!(req.form_body::<Signup>().unwrap(), Some(signup.clone()));
        assert_eq!(
            req.query_deep_object::<Signup>("s", true).unwrap(),
            Some(signup.clone())
        );
        assert_eq!(
            req.query_exploded_object::<Signup>("e", ObjectKeys::AllBut(&["s"]), true)
                .unwrap(),
            Some(signup.clone())
        );

        let mut form = Multipart::new();
        form.text("name", &signup.name);
        form.file(
            "photo",
            &FilePart::new(vec![0xff, 0, b'\r', b'\n']).with_content_type("image/png"),
        );
        let mut request = crate::client::Request::new("op", Method::POST, "/".into());
        request.multipart(&form).unwrap();
        let req = send(request).await;
        let mut back: Multipart = req.multipart_body().unwrap().unwrap();
        assert_eq!(back.take_text::<String>("name").unwrap(), Some(signup.name));
        assert_eq!(
            back.take_file("photo").unwrap(),
            FilePart::new(vec![0xff, 0, b'\r', b'\n'])
                .with_file_name("photo")
                .with_content_type("image/png")
        );
    }
}
