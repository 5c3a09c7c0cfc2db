//! One request as the generated code describes it, before the client adds
//! credentials, retries and timeouts.

use std::borrow::Cow;

use http::Method;
use http::header::{COOKIE, HeaderMap, HeaderName, HeaderValue};

use super::error::ClientError;
use super::retry::CallOptions;
use crate::form::MultipartBody;
use crate::param::ParamValue;

/// One path parameter value as a path segment, percent-encoded. Empty, `.`
/// and `..` are refused: URL normalization would drop or climb them (even
/// encoded as `%2E`), sending the call to a different resource.
pub fn path_segment<E>(name: &str, value: &str) -> Result<String, ClientError<E>> {
    match value {
        "" => Err(ClientError::InvalidRequest(format!(
            "path parameter `{name}` is empty"
        ))),
        "." | ".." => Err(ClientError::InvalidRequest(format!(
            "path parameter `{name}` is `{value}`, which would address a different resource"
        ))),
        _ => Ok(crate::param::encode_segment(value)),
    }
}

/// One request as the generated code describes it.
#[derive(Debug)]
pub struct Request {
    /// The operationId, for errors and tracing.
    pub operation: &'static str,
    pub method: Method,
    /// The path, already encoded, starting with `/`.
    pub path: String,
    /// The encoded query string without `?` (may be empty).
    pub query: String,
    pub headers: HeaderMap,
    /// Content type and bytes.
    pub body: Option<(Cow<'static, str>, Vec<u8>)>,
    /// The security schemes that may authenticate this operation, in the
    /// spec's order; the first one with a credential configured is used.
    pub security: &'static [&'static str],
    /// Whether the request carries an idempotency key (set by
    /// [`Request::idempotency_key`]): the server then recognises a repeat,
    /// so a retry is safe whatever the method.
    pub has_idempotency_key: bool,
    /// This call's timeout and retry policy, where they differ from the
    /// client's.
    pub options: CallOptions,
}

impl Request {
    pub fn new(operation: &'static str, method: Method, path: String) -> Self {
        Request {
            operation,
            method,
            path,
            query: String::new(),
            headers: HeaderMap::new(),
            body: None,
            security: &[],
            has_idempotency_key: false,
            options: CallOptions::default(),
        }
    }

    /// Add the operation's idempotency-key header: like [`Request::header`],
    /// and it makes the request safe to retry.
    pub fn idempotency_key<E>(&mut self, name: &str, key: &str) -> Result<(), ClientError<E>> {
        self.header::<String, E>(name, &key.to_owned())?;
        self.has_idempotency_key = true;
        Ok(())
    }

    /// Add a header parameter.
    pub fn header<T: ParamValue, E>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), ClientError<E>> {
        let invalid = || {
            ClientError::InvalidRequest(format!(
                "header `{name}` has characters HTTP does not allow"
            ))
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = HeaderValue::from_str(&value.to_param()).map_err(|_| invalid())?;
        self.headers.append(header, value);
        Ok(())
    }

    /// Add a cookie parameter.
    pub fn cookie<T: ParamValue, E>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), ClientError<E>> {
        let value =
            HeaderValue::from_str(&format!("{name}={}", value.to_param())).map_err(|_| {
                ClientError::InvalidRequest(format!(
                    "cookie `{name}` has characters HTTP does not allow"
                ))
            })?;
        self.headers.append(COOKIE, value);
        Ok(())
    }

    /// A text body.
    pub fn text(&mut self, content_type: &'static str, body: String) {
        self.body = Some((Cow::Borrowed(content_type), body.into_bytes()));
    }

    /// A body sent as the bytes given.
    pub fn bytes(&mut self, content_type: &'static str, body: Vec<u8>) {
        self.body = Some((Cow::Borrowed(content_type), body));
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize, E>(&mut self, body: &T) -> Result<(), ClientError<E>> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ClientError::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Borrowed("application/json"), bytes));
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body (see [`crate::form`] for
    /// arrays and nested objects).
    pub fn form<T: serde::Serialize, E>(
        &mut self,
        content_type: &'static str,
        body: &T,
    ) -> Result<(), ClientError<E>> {
        let text = crate::form::encode_urlencoded(body)
            .map_err(|e| ClientError::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Borrowed(content_type), text.into_bytes()));
        Ok(())
    }

    /// A `multipart/form-data` body, one part per property.
    pub fn multipart<T: MultipartBody, E>(&mut self, body: &T) -> Result<(), ClientError<E>> {
        let (content_type, bytes) = body
            .to_multipart()
            .and_then(|form| form.encode())
            .map_err(|e| ClientError::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((Cow::Owned(content_type), bytes));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::retry::is_retry_safe;

    #[test]
    fn dot_segments_and_empty_path_values_are_refused() {
        for value in ["", ".", ".."] {
            assert!(
                matches!(
                    path_segment::<()>("id", value),
                    Err(ClientError::InvalidRequest(_))
                ),
                "{value:?}"
            );
        }
        assert_eq!(path_segment::<()>("id", "...").unwrap(), "...");
        assert_eq!(path_segment::<()>("id", "a/b").unwrap(), "a%2Fb");
    }

    #[test]
    fn an_idempotency_key_makes_any_method_retry_safe() {
        let mut request = Request::new("op", Method::POST, "/".into());
        assert!(!is_retry_safe(&request.method, request.has_idempotency_key));
        request
            .idempotency_key::<()>("Idempotency-Key", "k-1")
            .unwrap();
        assert!(is_retry_safe(&request.method, request.has_idempotency_key));
        assert_eq!(request.headers["idempotency-key"], "k-1");
        assert!(
            request
                .idempotency_key::<()>("Idempotency-Key", "a\nb")
                .is_err()
        );
    }

    #[test]
    fn header_parameters_with_newlines_are_refused() {
        let mut request = Request::new("op", Method::GET, "/".into());
        let err = request
            .header::<String, ()>("idempotency-key", &"a\r\nb".to_string())
            .unwrap_err();
        assert!(matches!(err, ClientError::InvalidRequest(_)));
    }
}
