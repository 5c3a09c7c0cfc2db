//! End to end: the generated Flashback client against the generated
//! Flashback router, serving the generated test double on 127.0.0.1.

use http::{Method, StatusCode};
use mfa_apis::flashback::operations::{self, ResetMfaError, ResetMfaSuccess};
use mfa_apis::flashback::testing::Double;
use mfa_apis::flashback::types::{ErrorResponse, ResetMfaRequest};
use mfa_apis::flashback::{self, Client};
use mfa_runtime::HasStatus;
use mfa_runtime::client::ClientError;
use mfa_runtime::server::auth::{AuthLayer, SchemeVerifier};
use mfa_runtime::server::{Principal, ResponseBuilder};
use mfa_tests::{TestServer, canned, documented, raw};
use serde_json::{Value, json};

type Outcome = Result<ResetMfaSuccess, ResetMfaError>;

/// Bearer tokens `tok-<user>` are valid, for `<user>`.
fn verifier() -> SchemeVerifier {
    SchemeVerifier::new().with(
        flashback::server::security::BEARER_AUTH,
        |token| async move { token.strip_prefix("tok-").map(str::to_owned) },
    )
}

/// The header a valid token travels in, for raw requests.
const AUTH: (&str, &str) = ("authorization", "Bearer tok-raw");

fn with_auth<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = headers.to_vec();
    all.push(AUTH);
    all
}

struct Harness {
    server: TestServer,
    double: Double,
    client: Client,
}

impl Harness {
    /// The generated router, behind the bearer verifier, serving a double
    /// that answers `outcome`.
    async fn start(outcome: Outcome) -> Self {
        Self::start_with(outcome, false, None).await
    }

    /// With `custom_reject`, rejections get a response of the test's own.
    async fn start_with(outcome: Outcome, custom_reject: bool, body_limit: Option<usize>) -> Self {
        let double = Double::new();
        double.reset_mfa().answer(outcome);
        if custom_reject {
            double.rejections().respond_with(|rejection| {
                ResponseBuilder::new(StatusCode::UNPROCESSABLE_ENTITY)
                    .header("x-rejection-kind", &format!("{:?}", rejection.kind))
                    .json(&json!({ "ok": false, "reason": rejection.message, "was": rejection.status.as_u16() }))
            });
        }
        let router = match body_limit {
            Some(limit) => flashback::server::router_with_body_limit(double.clone(), limit),
            None => flashback::router(double.clone()),
        };
        let server = TestServer::start(router.layer(AuthLayer::new(verifier()))).await;
        let client = Client::new(server.base_url.clone()).with_bearer_auth("tok-default");
        Harness {
            server,
            double,
            client,
        }
    }

    /// The typed inputs the implementation received, in order.
    fn seen(&self) -> Vec<operations::ResetMfaInput> {
        let calls = self.double.reset_mfa().calls();
        calls.into_iter().map(|call| call.input).collect()
    }

    /// Who the implementation was told called, in order.
    fn callers(&self) -> Vec<Principal> {
        let calls = self.double.reset_mfa().calls();
        calls.into_iter().filter_map(|call| call.caller).collect()
    }
}

/// The spec's example bodies.
fn reset_ok() -> ResetMfaSuccess {
    ResetMfaSuccess::Ok {
        body: flashback::types::ResetMfaResponse {
            success: Some(true),
            message: Some("MFA reset successfully".into()),
        },
    }
}

fn error(message: &str) -> ErrorResponse {
    ErrorResponse {
        success: Some(false),
        error: Some(message.to_string()),
    }
}

const FORBIDDEN: &str =
    "Insufficient permissions. OWNER or ADMINISTRATOR role required to reset another user's MFA.";

fn admin(user: &str) -> Option<ResetMfaRequest> {
    Some(ResetMfaRequest {
        reset_user_id: Some(user.to_string()),
        ..ResetMfaRequest::default()
    })
}

fn ok() -> Outcome {
    Ok(reset_ok())
}

/// Every documented response of `resetMfa` (200, 403, 404, 500 with the
/// spec's examples), across self resets (no body, or `{}`) and admin resets,
/// each caller authenticated by its bearer token.
#[tokio::test]
async fn reset_mfa_round_trips_every_documented_response() {
    struct Case {
        body: Option<ResetMfaRequest>,
        wire_body: Option<Value>,
        token: Option<&'static str>,
        outcome: Outcome,
        status: u16,
        /// The spec's example for this status, as the server must send it.
        example: Value,
    }
    let cases = [
        Case {
            body: None,
            wire_body: None,
            token: Some("tok-self"),
            outcome: ok(),
            status: 200,
            example: json!({"success": true, "message": "MFA reset successfully"}),
        },
        Case {
            body: admin("user-id-to-reset"),
            wire_body: Some(json!({"resetUserId": "user-id-to-reset"})),
            token: Some("tok-member"),
            outcome: Err(ResetMfaError::Forbidden {
                body: error(FORBIDDEN),
            }),
            status: 403,
            example: json!({"success": false, "error": FORBIDDEN}),
        },
        Case {
            body: admin("no-such-user"),
            wire_body: Some(json!({"resetUserId": "no-such-user"})),
            token: Some("tok-admin"),
            outcome: Err(ResetMfaError::NotFound {
                body: error("User not found"),
            }),
            status: 404,
            example: json!({"success": false, "error": "User not found"}),
        },
        // What Flashback's own client sends: `enable` with every reset.
        Case {
            body: Some(ResetMfaRequest {
                reset_user_id: Some("user-id-to-reset".into()),
                enable: Some(true),
            }),
            wire_body: Some(json!({"resetUserId": "user-id-to-reset", "enable": true})),
            token: Some("tok-owner"),
            outcome: ok(),
            status: 200,
            example: json!({"success": true, "message": "MFA reset successfully"}),
        },
        Case {
            body: Some(ResetMfaRequest {
                reset_user_id: None,
                enable: Some(false),
            }),
            wire_body: Some(json!({"enable": false})),
            token: Some("tok-self"),
            outcome: ok(),
            status: 200,
            example: json!({"success": true, "message": "MFA reset successfully"}),
        },
        Case {
            body: Some(ResetMfaRequest::default()),
            wire_body: Some(json!({})),
            token: Some("tok-owner"),
            outcome: Err(ResetMfaError::InternalServerError {
                body: error("Failed to reset MFA"),
            }),
            status: 500,
            example: json!({"success": false, "error": "Failed to reset MFA"}),
        },
    ];

    for case in cases {
        let h = Harness::start(case.outcome.clone()).await;
        let client = match case.token {
            Some(token) => h.client.with_bearer_auth(token),
            None => h.client.clone(),
        };
        let mut call = client.reset_mfa();
        if let Some(body) = case.body.clone() {
            call = call.body(body);
        }
        let got: Outcome = documented(call.await, case.status);

        // What the client sees.
        assert_eq!(got, case.outcome, "{}", case.status);
        let status = match &got {
            Ok(response) => response.status(),
            Err(error) => error.status(),
        };
        assert_eq!(status.as_u16(), case.status);

        // What the implementation received, and from whom.
        assert_eq!(
            h.seen(),
            vec![operations::ResetMfaInput {
                body: case.body.clone()
            }]
        );
        let user = case.token.and_then(|t| t.strip_prefix("tok-"));
        assert_eq!(
            h.callers(),
            vec![Principal::new("bearerAuth", user.expect("a valid token"))]
        );

        // What went over the wire.
        let wire = h.server.only_request();
        assert_eq!(wire.method, Method::POST);
        assert_eq!(wire.uri, "/mfa/reset");
        // As the vendor's own examples send it.
        assert_eq!(wire.header("accept"), Some("application/json"));
        let authorization = case.token.map(|t| format!("Bearer {t}"));
        assert_eq!(wire.header("authorization"), authorization.as_deref());
        match &case.wire_body {
            None => {
                assert!(
                    wire.body.is_empty(),
                    "a self reset sends no body: {:?}",
                    wire.body
                );
                assert_eq!(wire.header("content-type"), None);
            }
            Some(expected) => {
                assert_eq!(wire.header("content-type"), Some("application/json"));
                assert_eq!(&wire.json(), expected);
            }
        }

        // The response on the wire is the spec's example, byte for byte in JSON.
        let (status, headers, body) =
            raw(&h.server.base_url, Method::POST, "/mfa/reset", &[AUTH], "").await;
        assert_eq!(status.as_u16(), case.status);
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(body, case.example);
    }
}

/// The bodies Flashback's own TypeScript client (`ApiClient.resetMFA`)
/// sends, byte for byte: `enable` reaches the implementation as sent, with
/// or without `resetUserId`, and a non-boolean `enable` is refused.
#[tokio::test]
async fn flashbacks_own_client_bodies_reach_the_implementation() {
    let h = Harness::start(ok()).await;
    let headers = [AUTH, ("content-type", "application/json")];
    for (body, expected) in [
        (
            r#"{"resetUserId":"user-9","enable":true}"#,
            ResetMfaRequest {
                reset_user_id: Some("user-9".into()),
                enable: Some(true),
            },
        ),
        (
            r#"{"enable":false}"#,
            ResetMfaRequest {
                reset_user_id: None,
                enable: Some(false),
            },
        ),
    ] {
        let (status, _, _) = raw(
            &h.server.base_url,
            Method::POST,
            "/mfa/reset",
            &headers,
            body,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let seen = h.seen();
        assert_eq!(
            seen.last().and_then(|input| input.body.clone()),
            Some(expected)
        );
    }
    let (status, _, error) = raw(
        &h.server.base_url,
        Method::POST,
        "/mfa/reset",
        &headers,
        r#"{"enable":"yes"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["success"], json!(false));
    assert_eq!(
        h.seen().len(),
        2,
        "a bad `enable` never reaches the implementation"
    );
}

/// `resetUserId` (issue 13, finding 6): `null`, or a misspelt property
/// name, is never read as "no target", which would reset the caller's own
/// MFA. The server refuses both (400, naming the problem) before the
/// implementation runs: `null` is not a value the spec allows, and the
/// body schema is closed (`additionalProperties: false`, ours). Leaving
/// the property out still resets the caller's own MFA.
#[tokio::test]
async fn a_null_or_misspelt_reset_target_is_refused_not_read_as_a_self_reset() {
    let h = Harness::start(ok()).await;
    let headers = [AUTH, ("content-type", "application/json")];
    for (body, error_has) in [
        (
            r#"{"resetUserId":null}"#,
            "invalid type: null, expected a value",
        ),
        (r#"{"resetUserid":"user-9"}"#, "unknown field `resetUserid`"),
        (
            r#"{"enable":true,"userId":"user-9"}"#,
            "unknown field `userId`",
        ),
    ] {
        let (status, _, error) = raw(
            &h.server.base_url,
            Method::POST,
            "/mfa/reset",
            &headers,
            body,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["success"], json!(false));
        let message = error["error"].as_str().unwrap_or_default();
        assert!(message.contains(error_has), "{body}: {message}");
    }
    assert!(h.seen().is_empty(), "none reached the implementation");
    let (status, _, _) = raw(
        &h.server.base_url,
        Method::POST,
        "/mfa/reset",
        &headers,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let seen = h.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].body,
        Some(ResetMfaRequest::default()),
        "a self-reset"
    );
}

/// Requests the router cannot read get Flashback's own error shape
/// (`{"success": false, "error": ...}`) and never reach the implementation.
#[tokio::test]
async fn malformed_requests_get_flashback_shaped_rejections() {
    struct Case {
        method: Method,
        path: &'static str,
        headers: &'static [(&'static str, &'static str)],
        body: &'static str,
        status: u16,
        error_has: &'static str,
        allow: Option<&'static str>,
    }
    const JSON: &[(&str, &str)] = &[("content-type", "application/json")];
    let cases = [
        Case {
            method: Method::POST,
            path: "/mfa/reset",
            headers: JSON,
            body: r#"{"resetUserId": "#,
            status: 400,
            error_has: "the request body is not valid",
            allow: None,
        },
        Case {
            method: Method::POST,
            path: "/mfa/reset",
            headers: JSON,
            body: r#"{"resetUserId": 42}"#,
            status: 400,
            error_has: "invalid type: integer `42`",
            allow: None,
        },
        Case {
            method: Method::POST,
            path: "/mfa/reset",
            headers: &[("content-type", "text/plain")],
            body: r#"{"resetUserId": "u"}"#,
            status: 415,
            error_has: "must be application/json, not text/plain",
            allow: None,
        },
        Case {
            method: Method::POST,
            path: "/mfa/reset",
            headers: &[],
            body: "{}",
            status: 415,
            error_has: "Content-Type is missing",
            allow: None,
        },
        Case {
            method: Method::POST,
            path: "/mfa/unknown",
            headers: JSON,
            body: "{}",
            status: 404,
            error_has: "no operation at `/mfa/unknown`",
            allow: None,
        },
        Case {
            method: Method::GET,
            path: "/mfa/reset",
            headers: &[],
            body: "",
            status: 405,
            error_has: "`GET` is not allowed on `/mfa/reset`",
            allow: Some("POST"),
        },
    ];
    let h = Harness::start(ok()).await;
    for case in &cases {
        let (status, headers, body) = raw(
            &h.server.base_url,
            case.method.clone(),
            case.path,
            &with_auth(case.headers),
            case.body,
        )
        .await;
        assert_rejection(case.status, case.error_has, (status, &headers, &body));
        assert_eq!(
            headers.get("allow").and_then(|v| v.to_str().ok()),
            case.allow,
            "{}",
            case.path
        );
    }
    assert_eq!(h.server.requests().len(), cases.len());
    assert_eq!(
        h.seen(),
        vec![],
        "no malformed request reaches the implementation"
    );

    // Bodies over the router's limit are refused the same way.
    let h = Harness::start_with(ok(), false, Some(8)).await;
    let (status, headers, body) = raw(
        &h.server.base_url,
        Method::POST,
        "/mfa/reset",
        &with_auth(JSON),
        r#"{"resetUserId": "a-long-user-id"}"#,
    )
    .await;
    assert_rejection(413, "larger than 8 bytes", (status, &headers, &body));
    assert_eq!(h.seen(), vec![]);
}

fn assert_rejection(
    expected: u16,
    error_has: &str,
    (status, headers, body): (StatusCode, &http::HeaderMap, &Value),
) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body["success"], json!(false), "{body}");
    let error = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {body}"));
    assert!(error.contains(error_has), "{error:?} lacks {error_has:?}");
    assert_eq!(
        body.as_object().map(serde_json::Map::len),
        Some(2),
        "only `success` and `error`: {body}"
    );
}

/// The spec secures `resetMfa` with `bearerAuth`: an anonymous call is
/// refused with 401 in Flashback's shape and never reaches the
/// implementation (which could not know whose MFA a self reset is for).
#[tokio::test]
async fn a_call_without_the_bearer_token_is_refused() {
    let h = Harness::start(ok()).await;
    let (status, headers, body) =
        raw(&h.server.base_url, Method::POST, "/mfa/reset", &[], "").await;
    assert_eq!(
        h.seen(),
        vec![],
        "an anonymous call reached the implementation ({status} {body})"
    );
    assert_rejection(401, "bearerAuth", (status, &headers, &body));
}

#[tokio::test]
async fn an_overridden_reject_answers_rejections() {
    let h = Harness::start_with(ok(), true, None).await;
    let base = &h.server.base_url;

    let (status, headers, body) = raw(
        base,
        Method::POST,
        "/mfa/reset",
        &[("content-type", "application/json"), AUTH],
        "{nope",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(headers["x-rejection-kind"], "InvalidBody");
    assert_eq!(body["ok"], json!(false));
    assert_eq!(body["was"], json!(400));
    assert!(
        body["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("the request body is not valid")),
        "{body}"
    );

    let (status, headers, body) = raw(base, Method::PUT, "/mfa/reset", &[], "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(headers["x-rejection-kind"], "MethodNotAllowed");
    assert_eq!(headers["allow"], "POST", "the router still adds `Allow`");
    assert_eq!(body["was"], json!(405));

    assert_eq!(h.seen(), vec![]);
}

/// A status the spec does not document is `UnexpectedStatus`, keeping the
/// raw response.
#[tokio::test]
async fn an_undocumented_status_keeps_the_raw_response() {
    const BODY: &str = r#"{"success":false,"error":"Token expired"}"#;
    let server =
        TestServer::start(canned(401, &[("content-type", "application/json")], BODY)).await;
    let client = Client::new(server.base_url.clone()).with_bearer_auth("expired");
    let err = client.reset_mfa().await.expect_err("401 is not documented");
    match &err {
        ClientError::UnexpectedStatus(response) => {
            assert_eq!(response.status, StatusCode::UNAUTHORIZED);
            assert_eq!(response.body, BODY.as_bytes());
            assert_eq!(response.headers["content-type"], "application/json");
        }
        other => panic!("expected an unexpected status, got {other:?}"),
    }
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(
        err.raw_response().map(|r| r.body.clone()),
        Some(BODY.into())
    );
    assert_eq!(
        err.to_string(),
        "undocumented response status 401 Unauthorized"
    );
    assert_eq!(
        server.only_request().header("authorization"),
        Some("Bearer expired")
    );
}

/// A documented status whose body is not the documented JSON is `Decode`,
/// keeping the raw body.
#[tokio::test]
async fn a_documented_status_with_invalid_json_is_a_decode_error() {
    let cases: [(u16, &'static str); 3] = [
        (200, "MFA reset successfully"),
        (404, "<html>Not Found</html>"),
        (500, r#"{"success": "no"}"#),
    ];
    for (code, body) in cases {
        let server =
            TestServer::start(canned(code, &[("content-type", "application/json")], body)).await;
        let err = Client::new(server.base_url.clone())
            .with_bearer_auth("tok")
            .reset_mfa()
            .await
            .expect_err("not decodable");
        let shown = err.to_string();
        match &err {
            ClientError::Decode { response, message } => {
                assert_eq!(response.status.as_u16(), code);
                assert_eq!(response.body, body.as_bytes());
                assert!(message.starts_with("invalid JSON body: "), "{message}");
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
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = Client::new(format!("http://{addr}"))
        .with_bearer_auth("tok")
        .reset_mfa()
        .await
        .expect_err("nothing listens");
    match &err {
        ClientError::Transport(e) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(err.status(), None);
    assert!(err.raw_response().is_none());
    let shown = err.to_string();
    assert!(shown.starts_with("transport error: "), "{shown}");
    assert!(
        shown.contains(&format!("http://{addr}/mfa/reset")),
        "{shown}"
    );
}

/// A token HTTP cannot carry is refused before anything is sent, and the
/// message does not show it.
#[tokio::test]
async fn an_invalid_token_is_refused_before_sending() {
    let h = Harness::start(ok()).await;
    let err = h
        .client
        .with_bearer_auth("secret\nvalue")
        .reset_mfa()
        .await
        .expect_err("invalid header");
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    let shown = err.to_string();
    assert_eq!(
        shown,
        "invalid request: the credential for `bearerAuth` is not a valid header value"
    );
    assert!(!shown.contains("secret") && !format!("{err:?}").contains("secret"));
    assert_eq!(h.server.requests().len(), 0);
    assert_eq!(h.seen(), vec![]);
}

/// `Display` of a documented error names the variant and carries the body.
#[tokio::test]
async fn documented_errors_display_their_variant() {
    let h = Harness::start(Err(ResetMfaError::NotFound {
        body: error("User not found"),
    }))
    .await;
    let err = h
        .client
        .reset_mfa()
        .body(ResetMfaRequest {
            reset_user_id: Some("ghost".into()),
            ..ResetMfaRequest::default()
        })
        .await
        .expect_err("404");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    let shown = err.to_string();
    for part in ["documented error response", "NotFound", "User not found"] {
        assert!(shown.contains(part), "{part:?} not in {shown}");
    }
}
