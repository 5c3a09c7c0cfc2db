//! End to end: the generated Fireblocks client against the generated
//! Fireblocks router, serving the generated test double on 127.0.0.1.

use http::{Method, StatusCode};
use mfa_apis::fireblocks::operations::{ResetDeviceError, ResetDeviceInput, ResetDeviceSuccess};
use mfa_apis::fireblocks::testing::Double;
use mfa_apis::fireblocks::types::{
    ErrorResponse, ErrorResponseError, ErrorResponseErrorType, ErrorSchema,
};
use mfa_apis::fireblocks::{self, Client};
use mfa_runtime::HasStatus;
use mfa_runtime::client::{ClientError, RetryPolicy};
use mfa_runtime::server::ResponseBuilder;
use mfa_tests::{TestServer, canned, documented, raw};
use serde_json::json;

type Outcome = Result<ResetDeviceSuccess, ResetDeviceError>;

struct Harness {
    server: TestServer,
    double: Double,
    client: Client,
}

impl Harness {
    /// The generated router serving a double that answers `outcome`.
    async fn start(outcome: Outcome) -> Self {
        Self::start_with(outcome, false).await
    }

    /// With `custom_reject`, rejections get a response of the test's own.
    async fn start_with(outcome: Outcome, custom_reject: bool) -> Self {
        let double = Double::new();
        double.reset_device().answer(outcome);
        if custom_reject {
            double.rejections().respond_with(|rejection| {
                ResponseBuilder::new(StatusCode::IM_A_TEAPOT)
                    .header("x-rejection-kind", &format!("{:?}", rejection.kind))
                    .json(&json!({ "custom": rejection.message, "was": rejection.status.as_u16() }))
            });
        }
        let server = TestServer::start(fireblocks::router(double.clone())).await;
        let client = Client::new(server.base_url.clone());
        Harness {
            server,
            double,
            client,
        }
    }

    /// The typed inputs the implementation received, in order.
    fn seen(&self) -> Vec<ResetDeviceInput> {
        inputs(&self.double)
    }
}

fn inputs(double: &Double) -> Vec<ResetDeviceInput> {
    let calls = double.reset_device().calls();
    calls.into_iter().map(|call| call.input).collect()
}

fn error_response(kind: ErrorResponseErrorType, message: &str) -> ErrorResponse {
    ErrorResponse {
        error: ErrorResponseError {
            r#type: kind,
            message: message.to_string(),
        },
    }
}

fn rid(value: &str) -> Option<String> {
    Some(value.to_string())
}

fn status(outcome: &Outcome) -> u16 {
    match outcome {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.status().as_u16(),
    }
}

fn request_id(outcome: &Outcome) -> Option<&str> {
    match outcome {
        Ok(ResetDeviceSuccess::Ok { x_request_id })
        | Err(
            ResetDeviceError::Unauthorized { x_request_id, .. }
            | ResetDeviceError::Forbidden { x_request_id, .. }
            | ResetDeviceError::ServerError { x_request_id, .. }
            | ResetDeviceError::Default { x_request_id, .. },
        ) => x_request_id.as_deref(),
    }
}

/// Every documented response of `resetDevice` (200, 401, 403, two 5xx, two
/// `default`), each for a different console user id and idempotency key.
#[tokio::test]
async fn reset_device_round_trips_every_documented_response() {
    struct Case {
        id: &'static str,
        idempotency_key: Option<&'static str>,
        wire_path: &'static str,
        outcome: Outcome,
        status: u16,
        request_id: Option<&'static str>,
    }
    let cases = [
        Case {
            id: "user-1",
            idempotency_key: Some("idem-200"),
            wire_path: "/management/users/user-1/reset_device",
            outcome: Ok(ResetDeviceSuccess::Ok {
                x_request_id: rid("req-200"),
            }),
            status: 200,
            request_id: Some("req-200"),
        },
        Case {
            id: "console user",
            idempotency_key: None,
            wire_path: "/management/users/console%20user/reset_device",
            outcome: Ok(ResetDeviceSuccess::Ok { x_request_id: None }),
            status: 200,
            request_id: None,
        },
        Case {
            id: "team:alice",
            idempotency_key: Some("idem-401"),
            wire_path: "/management/users/team%3Aalice/reset_device",
            outcome: Err(ResetDeviceError::Unauthorized {
                body: error_response(ErrorResponseErrorType::Authentication, "Missing JWT token"),
                x_request_id: rid("req-401"),
            }),
            status: 401,
            request_id: Some("req-401"),
        },
        Case {
            id: "ü?#%",
            idempotency_key: None,
            wire_path: "/management/users/%C3%BC%3F%23%25/reset_device",
            outcome: Err(ResetDeviceError::Forbidden {
                body: error_response(ErrorResponseErrorType::Forbidden, "Lacking permissions"),
                x_request_id: rid("req-403"),
            }),
            status: 403,
            request_id: Some("req-403"),
        },
        Case {
            id: "u-500",
            idempotency_key: Some("idem-500"),
            wire_path: "/management/users/u-500/reset_device",
            outcome: Err(ResetDeviceError::ServerError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                body: error_response(ErrorResponseErrorType::Internal, "Internal error"),
                x_request_id: rid("req-500"),
            }),
            status: 500,
            request_id: Some("req-500"),
        },
        Case {
            id: "u-503",
            idempotency_key: None,
            wire_path: "/management/users/u-503/reset_device",
            outcome: Err(ResetDeviceError::ServerError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                body: error_response(ErrorResponseErrorType::Internal, "Try again later"),
                x_request_id: None,
            }),
            status: 503,
            request_id: None,
        },
        Case {
            id: "missing",
            idempotency_key: Some("idem-404"),
            wire_path: "/management/users/missing/reset_device",
            outcome: Err(ResetDeviceError::Default {
                status: StatusCode::NOT_FOUND,
                body: ErrorSchema {
                    message: Some("User not found".into()),
                    code: Some(1404.0),
                },
                x_request_id: rid("req-404"),
            }),
            status: 404,
            request_id: Some("req-404"),
        },
        Case {
            id: "busy",
            idempotency_key: None,
            wire_path: "/management/users/busy/reset_device",
            outcome: Err(ResetDeviceError::Default {
                status: StatusCode::TOO_MANY_REQUESTS,
                body: ErrorSchema {
                    message: Some("Too many requests".into()),
                    code: None,
                },
                x_request_id: None,
            }),
            status: 429,
            request_id: None,
        },
    ];

    for case in cases {
        let h = Harness::start(case.outcome.clone()).await;
        // One attempt: retries of the 5xx and 429 cases are tested in
        // client_resilience.rs.
        let mut call = h
            .client
            .reset_device(case.id)
            .retry_policy(RetryPolicy::none());
        if let Some(key) = case.idempotency_key {
            call = call.idempotency_key(key);
        }
        // Without a key from the caller, the call makes one up front.
        let key = call.request().idempotency_key.clone().expect("a key");
        if case.idempotency_key.is_none() {
            assert_eq!(key.len(), 36, "a UUID: {key}");
        }
        let got: Outcome = documented(call.await, case.status);

        // What the client sees.
        assert_eq!(got, case.outcome, "{}", case.wire_path);
        assert_eq!(status(&got), case.status, "{}", case.wire_path);
        assert_eq!(request_id(&got), case.request_id, "{}", case.wire_path);

        // What the implementation received.
        let typed = ResetDeviceInput {
            id: case.id.to_string(),
            idempotency_key: Some(key.clone()),
        };
        assert_eq!(h.seen(), vec![typed]);

        // What went over the wire.
        let wire = h.server.only_request();
        assert_eq!(wire.method, Method::POST);
        assert_eq!(wire.uri, case.wire_path);
        assert_eq!(wire.header("idempotency-key"), Some(key.as_str()));
        assert_eq!(
            wire.header("authorization"),
            None,
            "resetDevice has no security"
        );
        assert!(wire.body.is_empty(), "resetDevice has no request body");
    }
}

/// The spec's servers end in `/v1`: a base URL with a path keeps it.
#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    assert_eq!(
        fireblocks::SERVERS,
        [
            "https://api.fireblocks.io/v1",
            "https://sandbox-api.fireblocks.io/v1"
        ]
    );
    let double = Double::new();
    double
        .reset_device()
        .answer(Ok(ResetDeviceSuccess::Ok { x_request_id: None }));
    let server = TestServer::start(
        mfa_runtime::axum::Router::new().nest("/v1", fireblocks::router(double.clone())),
    )
    .await;
    let client = Client::new(format!("{}/v1/", server.base_url));
    assert_eq!(client.base_url(), format!("{}/v1", server.base_url));

    let response = client.reset_device("u1").await.expect("200");
    assert_eq!(response, ResetDeviceSuccess::Ok { x_request_id: None });
    assert_eq!(
        server.only_request().uri,
        "/v1/management/users/u1/reset_device"
    );
    assert_eq!(inputs(&double)[0].id, "u1");
}

/// Requests the router cannot read are answered in the spec's `default`
/// error shape (`ErrorSchema`: `message` and `code`) and never reach the
/// implementation.
#[tokio::test]
async fn malformed_requests_get_error_schema_rejections() {
    struct Case {
        method: Method,
        path: &'static str,
        headers: &'static [(&'static str, &'static str)],
        status: u16,
        message_has: &'static str,
        allow: Option<&'static str>,
    }
    let cases = [
        Case {
            method: Method::POST,
            path: "/management/users/u1/reset_device",
            headers: &[("idempotency-key", "clé")],
            status: 400,
            message_has: "`Idempotency-Key` is invalid",
            allow: None,
        },
        Case {
            method: Method::GET,
            path: "/management/users/u1/reset_device",
            headers: &[],
            status: 405,
            message_has: "`GET` is not allowed",
            allow: Some("POST"),
        },
        Case {
            method: Method::POST,
            path: "/management/users/u1",
            headers: &[],
            status: 404,
            message_has: "no operation at `/management/users/u1`",
            allow: None,
        },
        Case {
            method: Method::POST,
            path: "/management/users//reset_device",
            headers: &[],
            status: 404,
            message_has: "no operation",
            allow: None,
        },
    ];
    let h = Harness::start(Ok(ResetDeviceSuccess::Ok {
        x_request_id: rid("never"),
    }))
    .await;
    for case in &cases {
        let (status, headers, body) = raw(
            &h.server.base_url,
            case.method.clone(),
            case.path,
            case.headers,
            "",
        )
        .await;
        assert_eq!(
            status.as_u16(),
            case.status,
            "{} {}: {body}",
            case.method,
            case.path
        );
        assert_eq!(
            headers.get("content-type").map(http::HeaderValue::as_bytes),
            Some(&b"application/json"[..])
        );
        assert_eq!(
            headers.get("allow").and_then(|v| v.to_str().ok()),
            case.allow,
            "{}",
            case.path
        );
        assert_eq!(body["code"], json!(case.status), "{body}");
        let message = body["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {body}"));
        assert!(message.contains(case.message_has), "{message}");
        assert_eq!(
            body.as_object().map(serde_json::Map::len),
            Some(2),
            "only `message` and `code`: {body}"
        );
    }
    assert_eq!(h.server.requests().len(), cases.len());
    assert_eq!(
        h.seen(),
        vec![],
        "no malformed request reaches the implementation"
    );
}

/// `.` and `..` cannot travel as a path segment: URL parsing treats them
/// (and `%2E`, `%2E%2E`) as dot segments and removes them, so the request
/// would go to another path (`..` posts to `/management/reset_device`).
/// The client must refuse them before sending.
#[tokio::test]
async fn dot_segment_ids_are_refused_before_sending() {
    for id in [".", ".."] {
        let h = Harness::start(Ok(ResetDeviceSuccess::Ok { x_request_id: None })).await;
        let result = h.client.reset_device(id).await;
        let wire: Vec<String> = h.server.requests().into_iter().map(|w| w.uri).collect();
        assert!(
            matches!(result, Err(ClientError::InvalidRequest(_))),
            "{id:?}: {result:?}, sent to {wire:?}"
        );
        assert_eq!(wire, Vec::<String>::new(), "{id:?}");
    }
}

#[tokio::test]
async fn an_overridden_reject_answers_rejections() {
    let h = Harness::start_with(Ok(ResetDeviceSuccess::Ok { x_request_id: None }), true).await;
    let base = &h.server.base_url;

    let (status, headers, body) = raw(
        base,
        Method::POST,
        "/management/users/u1/reset_device",
        &[("idempotency-key", "clé")],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::IM_A_TEAPOT);
    assert_eq!(headers["x-rejection-kind"], "InvalidParameter");
    assert_eq!(body["was"], json!(400));
    assert!(
        body["custom"]
            .as_str()
            .is_some_and(|m| m.contains("Idempotency-Key")),
        "{body}"
    );

    let (status, headers, body) = raw(
        base,
        Method::DELETE,
        "/management/users/u1/reset_device",
        &[],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::IM_A_TEAPOT);
    assert_eq!(headers["x-rejection-kind"], "MethodNotAllowed");
    assert_eq!(headers["allow"], "POST", "the router still adds `Allow`");
    assert_eq!(body["was"], json!(405));

    assert_eq!(h.seen(), vec![]);
}

/// Vendor JSON written by hand (not by the generated server) decodes into
/// the documented variants: integer `code`s included.
#[tokio::test]
async fn client_decodes_vendor_json() {
    let cases: [(u16, &'static str, Outcome); 3] = [
        (
            401,
            r#"{"error":{"type":"AUTHENTICATION","message":"Unauthorized"}}"#,
            Err(ResetDeviceError::Unauthorized {
                body: error_response(ErrorResponseErrorType::Authentication, "Unauthorized"),
                x_request_id: rid("vendor-1"),
            }),
        ),
        (
            400,
            r#"{"message":"Invalid user id","code":1003}"#,
            Err(ResetDeviceError::Default {
                status: StatusCode::BAD_REQUEST,
                body: ErrorSchema {
                    message: Some("Invalid user id".into()),
                    code: Some(1003.0),
                },
                x_request_id: rid("vendor-1"),
            }),
        ),
        (
            200,
            "",
            Ok(ResetDeviceSuccess::Ok {
                x_request_id: rid("vendor-1"),
            }),
        ),
    ];
    for (code, body, expected) in cases {
        let server = TestServer::start(canned(
            code,
            &[
                ("content-type", "application/json"),
                ("x-request-id", "vendor-1"),
            ],
            body,
        ))
        .await;
        let got = match Client::new(server.base_url.clone())
            .reset_device("u1")
            .await
        {
            Ok(response) => Ok(response),
            Err(ClientError::Api(error)) => Err(error),
            Err(other) => panic!("{code}: expected a documented response, got {other:?}"),
        };
        assert_eq!(got, expected, "{code}");
    }
}

/// Bodies that do not match the documented schema are `Decode` errors that
/// keep the raw response, never panics.
#[tokio::test]
async fn undecodable_responses_keep_the_raw_response() {
    let cases: [(u16, &'static str, &'static str); 2] = [
        (
            502,
            "text/html",
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        ),
        (
            503,
            "application/json",
            r#"{"error":"down for maintenance"}"#,
        ),
    ];
    for (code, content_type, body) in cases {
        let server = TestServer::start(canned(
            code,
            &[("content-type", content_type), ("x-request-id", "edge-7")],
            body,
        ))
        .await;
        let err = Client::new(server.base_url.clone())
            .reset_device("u1")
            .await
            .expect_err("not decodable");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
        let shown = err.to_string();
        match &err {
            ClientError::Decode { response, message } => {
                assert_eq!(response.status.as_u16(), code);
                assert_eq!(response.body, body.as_bytes());
                assert_eq!(response.headers["x-request-id"], "edge-7");
                assert!(message.starts_with("invalid JSON body"), "{message}");
                let status = response.status.to_string();
                assert!(
                    shown.starts_with(&format!(
                        "could not decode the {status} response: invalid JSON body"
                    )),
                    "{shown}"
                );
            }
            other => panic!("{code}: expected a decode error, got {other:?}"),
        }
        assert_eq!(err.raw_response().map(|r| r.body.len()), Some(body.len()));
    }
}

/// A 401 whose `type` a newer Fireblocks added still decodes, keeping the
/// text (issue 13, finding 5): before, the whole answer was a decode error
/// and the caller lost the documented 401.
#[tokio::test]
async fn a_401_with_an_unknown_error_type_decodes() {
    use mfa_apis::fireblocks::types::ErrorResponseErrorType;
    let body = r#"{"error":{"type":"TEAPOT","message":"no such type"}}"#;
    let server =
        TestServer::start(canned(401, &[("content-type", "application/json")], body)).await;
    let err = Client::new(server.base_url.clone())
        .reset_device("u1")
        .await
        .expect_err("a 401");
    match err {
        ClientError::Api(ResetDeviceError::Unauthorized { body, .. }) => {
            assert_eq!(
                body.error.r#type,
                ErrorResponseErrorType::Unknown("TEAPOT".into())
            );
            assert_eq!(body.error.r#type.as_str(), "TEAPOT");
            assert_eq!(body.error.message, "no such type");
        }
        other => panic!("expected the documented 401, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = Client::new(format!("http://{addr}"))
        .reset_device("u1")
        .await
        .expect_err("nothing listens");
    match &err {
        ClientError::Transport(e) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(err.status(), None);
    let shown = err.to_string();
    assert!(shown.starts_with("transport error: "), "{shown}");
    assert!(
        shown.contains(&format!("{addr}/management/users/u1/reset_device")),
        "{shown}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the reqwest error is the source"
    );
}

/// An idempotency key HTTP cannot carry is refused before anything is sent.
#[tokio::test]
async fn an_invalid_idempotency_key_is_refused_before_sending() {
    let h = Harness::start(Ok(ResetDeviceSuccess::Ok { x_request_id: None })).await;
    let err = h
        .client
        .reset_device("u1")
        .idempotency_key("a\r\nx-injected: 1")
        .await
        .expect_err("invalid header");
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid request: header `Idempotency-Key` has characters HTTP does not allow"
    );
    assert_eq!(h.server.requests().len(), 0);
    assert_eq!(h.seen(), vec![]);
}

/// `Display` of a documented error names the variant and its status.
#[tokio::test]
async fn documented_errors_display_their_variant() {
    let outcome = ResetDeviceError::ServerError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        body: error_response(ErrorResponseErrorType::Internal, "maintenance"),
        x_request_id: rid("req-d"),
    };
    let h = Harness::start(Err(outcome)).await;
    let err = h.client.reset_device("u1").await.expect_err("503");
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let shown = err.to_string();
    for part in [
        "documented error response",
        "ServerError",
        "503",
        "maintenance",
        "req-d",
    ] {
        assert!(shown.contains(part), "{part:?} not in {shown}");
    }
}
