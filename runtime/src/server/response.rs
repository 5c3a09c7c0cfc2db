//! Writing a typed response: [`ResponseBuilder`] turns one variant of a
//! generated response enum into status, headers and body.

use axum::body::Body;
use axum::response::Response;
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::rejection::Rejection;
use crate::HasStatus;
use crate::param::{ParamField, ParamValue};

/// Builds the HTTP response for one variant of a generated response enum.
#[must_use]
#[derive(Debug)]
pub struct ResponseBuilder {
    status: StatusCode,
    headers: HeaderMap,
    problem: Option<String>,
}

impl ResponseBuilder {
    /// A response with `status` and no headers yet.
    pub fn new(status: StatusCode) -> Self {
        ResponseBuilder {
            status,
            headers: HeaderMap::new(),
            problem: None,
        }
    }

    /// The response for a variant of a generated response enum, with the
    /// status it stands for.
    pub fn of(response: &impl HasStatus) -> Self {
        Self::new(response.status())
    }

    /// For a `1XX`..`5XX` variant: a status outside the range would be a
    /// response the spec does not describe, so it becomes a 500 instead.
    pub fn in_range(mut self, first_digit: u16) -> Self {
        let status = self.status;
        if status.as_u16() / 100 != first_digit {
            self.problem = Some(format!(
                "the implementation answered {status} for a {first_digit}XX response"
            ));
        }
        self
    }

    /// A header, or nothing for an optional one that is `None`.
    pub fn header<F: ParamField>(self, name: &str, value: &F) -> Self {
        match value.value() {
            Some(value) => self.header_text(name, &value.to_param()),
            None => self,
        }
    }

    /// A header whose value is compact JSON (an object or a list), or
    /// nothing when it is `None`.
    pub fn json_header<T: serde::Serialize>(self, name: &str, value: Option<&T>) -> Self {
        match value {
            Some(value) => self.header_text(name, &crate::param::json_text(value)),
            None => self,
        }
    }

    fn header_text(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => {
                self.problem = Some(format!(
                    "response header `{name}` has characters HTTP does not allow"
                ));
            }
        }
        self
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize>(self, body: &T) -> Response {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.bytes("application/json", bytes),
            Err(e) => internal_error(&format!("response body could not be serialized: {e}")),
        }
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form<T: serde::Serialize>(self, content_type: &'static str, body: &T) -> Response {
        match crate::form::encode_urlencoded(body) {
            Ok(text) => self.bytes(content_type, text.into_bytes()),
            Err(e) => internal_error(&format!("response body could not be serialized: {e}")),
        }
    }

    /// A text body of `content_type`.
    pub fn text(self, content_type: &'static str, body: String) -> Response {
        self.bytes(content_type, body.into_bytes())
    }

    /// A body of `content_type`, as bytes.
    pub fn bytes(mut self, content_type: &'static str, body: Vec<u8>) -> Response {
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        self.finish(Body::from(body))
    }

    /// No body.
    pub fn empty(self) -> Response {
        self.finish(Body::empty())
    }

    fn finish(self, body: Body) -> Response {
        if let Some(problem) = self.problem {
            return internal_error(&problem);
        }
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// The implementation produced something HTTP cannot carry.
fn internal_error(message: &str) -> Response {
    let mut response = Response::new(Body::from(message.to_string()));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A rejection written as JSON `body` with its status (what generated
/// `reject` methods return by default, in the vendor's error shape).
pub fn rejection_response(rejection: &Rejection, body: &serde_json::Value) -> Response {
    ResponseBuilder::new(rejection.status).json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_carry_status_headers_and_body() {
        let r = ResponseBuilder::new(StatusCode::CREATED)
            .header("x-request-id", &"r1".to_string())
            .header("x-absent", &None::<String>)
            .json_header("x-list", Some(&[1, 2]))
            .json(&serde_json::json!({"ok": true}));
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["x-request-id"], "r1");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.headers().get("x-absent").is_none());
        assert_eq!(r.headers()["x-list"], "[1,2]");
        let bad = ResponseBuilder::new(StatusCode::OK)
            .header("x-bad", &"a\nb".to_string())
            .empty();
        assert_eq!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            ResponseBuilder::new(StatusCode::BAD_GATEWAY)
                .in_range(5)
                .empty()
                .status(),
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            ResponseBuilder::new(StatusCode::NOT_FOUND)
                .in_range(5)
                .empty()
                .status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
