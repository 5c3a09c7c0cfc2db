//! Every request form ../shared/REALCLIENTS.md lists, sent byte for byte
//! the way the vendors' own clients send it, to the generated servers set
//! up as a stand-in would set them up (`mfa_tests::stand_in`): each is
//! accepted, and the implementation receives what the client meant.
//!
//! The SDKs themselves run against the same servers in .ci/interop.sh;
//! these tests pin each form down without them, so a regression names the
//! form it breaks.

use http::{Method, StatusCode};
use mfa_runtime::fireblocks::{Claims, Nonce, SigningKey, body_hash, now};
use mfa_runtime::server::routing::without_root;
use mfa_tests::recording::{Call, Recorder};
use mfa_tests::stand_in::*;
use mfa_tests::{TestServer, raw};
use serde_json::{Value, json};

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const USER: &str = "014c54bd-6078-4639-8316-8ce0e7746fa4";
const RESET_PATH: &str = "/v1/management/users/console-user-1/reset_device";

async fn stand_in() -> (TestServer, Recorder) {
    let recorder = Recorder::default();
    let server = TestServer::start(app(&recorder)).await;
    (server, recorder)
}

/// Send one request; fail the test unless it is answered 200.
async fn accepted(
    server: &TestServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Value {
    let (status, _, json) = raw(&server.base_url, method.clone(), path, headers, body).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{method} {path} {headers:?} {body}: {json}"
    );
    json
}

fn call(operation: &str, caller: Value, input: Value) -> Call {
    Call {
        operation: operation.into(),
        caller,
        input,
    }
}

// ---------------------------------------------------------------------------
// Fireblocks
// ---------------------------------------------------------------------------

/// A token the way the SDKs sign it: `exp = iat + 55`, the nonce given,
/// `bodyHash` of `body`.
fn sdk_token(uri: &str, body: &[u8], nonce: Nonce) -> String {
    let signer = SigningKey::from_pem(FIREBLOCKS_API_KEY, PRIVATE).expect("test key");
    let mut claims = Claims::for_request(FIREBLOCKS_API_KEY, uri, body, now());
    claims.exp = claims.iat + 55;
    claims.nonce = nonce;
    assert_eq!(claims.body_hash, body_hash(body));
    format!("Bearer {}", signer.sign(&claims).expect("sign"))
}

fn uuid_nonce() -> Nonce {
    Nonce::Text(mfa_runtime::client::new_idempotency_key())
}

fn fireblocks_caller() -> Value {
    json!({"scheme": "fireblocks", "subject": FIREBLOCKS_API_KEY})
}

/// The current Python SDK (35.1.0) and the TypeScript SDK: no body, the
/// hash of `""`, a UUID nonce, 55 s; an idempotency key only when given.
#[tokio::test]
async fn fireblocks_current_sdks_no_body_uuid_nonce_55_seconds() {
    let (server, recorder) = stand_in().await;
    let user_agent = "fireblocks/sdk/python/35.1.0 (Linux 6.1.0; x86_64)";
    let auth = sdk_token(RESET_PATH, b"", uuid_nonce());
    let headers = [
        ("x-api-key", FIREBLOCKS_API_KEY),
        ("authorization", auth.as_str()),
        ("user-agent", user_agent),
        ("accept", "application/json"),
    ];
    accepted(&server, Method::POST, RESET_PATH, &headers, "").await;
    let keyed = sdk_token(RESET_PATH, b"", uuid_nonce());
    let headers = [
        ("x-api-key", FIREBLOCKS_API_KEY),
        ("authorization", keyed.as_str()),
        ("user-agent", "@fireblocks/ts-sdk/18.0.0"),
        ("idempotency-key", "d8f3c1e2-key"),
    ];
    accepted(&server, Method::POST, RESET_PATH, &headers, "").await;
    assert_eq!(
        recorder.calls(),
        [
            call(
                "resetDevice",
                fireblocks_caller(),
                json!({"id": "console-user-1", "idempotency_key": null})
            ),
            call(
                "resetDevice",
                fireblocks_caller(),
                json!({"id": "console-user-1", "idempotency_key": "d8f3c1e2-key"})
            ),
        ]
    );
}

/// The legacy Python SDK (2.19.1): a `{}` body hashed as sent, and the
/// nonce as a 63-bit JSON integer. The legacy JS SDK (5.39.1): the same
/// body with a UUID string nonce.
#[tokio::test]
async fn fireblocks_legacy_sdks_empty_object_body_integer_nonce() {
    let (server, recorder) = stand_in().await;
    for nonce in [Nonce::Number(5_102_658_734_927_187_541), uuid_nonce()] {
        let auth = sdk_token(RESET_PATH, b"{}", nonce);
        let headers = [
            ("x-api-key", FIREBLOCKS_API_KEY),
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        accepted(&server, Method::POST, RESET_PATH, &headers, "{}").await;
    }
    let input = json!({"id": "console-user-1", "idempotency_key": null});
    assert_eq!(
        recorder.calls(),
        [
            call("resetDevice", fireblocks_caller(), input.clone()),
            call("resetDevice", fireblocks_caller(), input),
        ]
    );
}

/// Each convention verifies only against its own bytes: what was signed
/// is what must arrive.
#[tokio::test]
async fn fireblocks_body_conventions_do_not_cross() {
    let (server, recorder) = stand_in().await;
    for (signed, sent) in [(&b""[..], "{}"), (&b"{}"[..], "")] {
        let auth = sdk_token(RESET_PATH, signed, uuid_nonce());
        let headers = [
            ("x-api-key", FIREBLOCKS_API_KEY),
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        let (status, _, json) =
            raw(&server.base_url, Method::POST, RESET_PATH, &headers, sent).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
        assert!(json.to_string().contains("bodyHash"), "{json}");
    }
    assert_eq!(recorder.calls(), []);
}

// ---------------------------------------------------------------------------
// Ping
// ---------------------------------------------------------------------------

fn by_token() -> Value {
    json!({"scheme": "bearerAuth", "subject": PING_TOKEN_SUBJECT})
}

fn by_cookie() -> Value {
    json!({"scheme": "ssoCookie", "subject": PING_SESSION_SUBJECT})
}

fn by_header() -> Value {
    json!({"scheme": "ssoToken", "subject": PING_SESSION_SUBJECT})
}

fn list_input(realm: &[&str], version: Option<&str>) -> Value {
    json!({"realm": realm, "user": USER, "query_filter": "true", "accept_api_version": version})
}

/// frodo-lib 3.3.3: the full realm path, `protocol=2.0,resource=1.0`, a
/// JSON content type even on GET, and a bearer token or the session
/// cookie; the four device lists.
#[tokio::test]
async fn ping_frodo_lists_devices_with_a_bearer_token_or_the_session_cookie() {
    let (server, recorder) = stand_in().await;
    let bearer = format!("Bearer {PING_ACCESS_TOKEN}");
    let cookie = format!("{PING_COOKIE_NAME}={PING_SSO_TOKEN}");
    let kinds = [
        ("binding", "listBoundDevices"),
        ("oath", "listOathDevices"),
        ("push", "listPushDevices"),
        ("webauthn", "listWebAuthnDevices"),
    ];
    let mut expected = Vec::new();
    for (credential, value, caller) in [
        ("authorization", &bearer, by_token()),
        ("cookie", &cookie, by_cookie()),
    ] {
        for (kind, operation) in kinds {
            let path = format!(
                "/am/json/realms/root/realms/alpha/users/{USER}/devices/2fa/{kind}?_queryFilter=true"
            );
            let headers = [
                ("accept-api-version", "protocol=2.0,resource=1.0"),
                ("content-type", "application/json"),
                ("x-forgerock-transactionid", "frodo-3c0e"),
                (credential, value.as_str()),
            ];
            let page = accepted(&server, Method::GET, &path, &headers, "").await;
            assert_eq!(page["resultCount"], 1, "{page}");
            expected.push(call(
                operation,
                caller.clone(),
                list_input(&["root", "alpha"], Some("protocol=2.0,resource=1.0")),
            ));
        }
    }
    assert_eq!(recorder.calls(), expected);
}

/// The Ping JS SDK's device client (4.9.1): `/realms/alpha` without the
/// root, no `Accept-API-Version`, the browser's session cookie among
/// others; DELETE with the device JSON as body (`{}` for push), the bound
/// device under `/realms/root/realms/alpha`, and the WebAuthn rename.
#[tokio::test]
async fn ping_js_sdk_device_client() {
    let (server, recorder) = stand_in().await;
    let cookie = format!("amlbcookie=01; {PING_COOKIE_NAME}={PING_SSO_TOKEN}; i18next=en");
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json"),
        ("x-requested-with", "ping-sdk"),
        ("x-requested-platform", "javascript"),
        ("cookie", cookie.as_str()),
    ];
    let devices = format!("/am/json/realms/alpha/users/{USER}/devices/2fa");
    let root_devices = format!("/am/json/realms/root/realms/alpha/users/{USER}/devices/2fa");
    // Its OATH device: `createdDate` is a JS Date, so an ISO string.
    let oath = json!({"id": "oath-1", "deviceName": "OATH", "uuid": "oath-1",
        "createdDate": "2025-06-10T16:25:04.744Z", "lastAccessDate": "2025-06-11T16:17:30.801Z"});
    let webauthn = json!({"_id": "wa-1", "_rev": "163664231", "createdDate": 1_749_572_704_744_i64,
        "lastAccessDate": 1_749_658_650_801_i64, "credentialId": "XGJpYNYv4AHG9sHHgxFfTw",
        "deviceName": "Work Key", "uuid": "wa-1", "deviceManagementStatus": false});
    let bound = json!({"id": "b-1", "deviceId": "e2e84b5d", "deviceName": "iOS Device", "uuid": "b-1",
        "createdDate": 1_749_572_704_744_i64, "lastAccessDate": 1_749_658_650_801_i64});

    accepted(
        &server,
        Method::GET,
        &format!("{devices}/oath?_queryFilter=true"),
        &headers,
        "",
    )
    .await;
    accepted(
        &server,
        Method::DELETE,
        &format!("{devices}/oath/oath-1"),
        &headers,
        &oath.to_string(),
    )
    .await;
    accepted(
        &server,
        Method::GET,
        &format!("{devices}/push?_queryFilter=true"),
        &headers,
        "",
    )
    .await;
    accepted(
        &server,
        Method::DELETE,
        &format!("{devices}/push/push-1"),
        &headers,
        "{}",
    )
    .await;
    let renamed = accepted(
        &server,
        Method::PUT,
        &format!("{devices}/webauthn/wa-1"),
        &headers,
        &webauthn.to_string(),
    )
    .await;
    assert_eq!(renamed["deviceName"], "Work Key");
    accepted(
        &server,
        Method::DELETE,
        &format!("{devices}/webauthn/wa-1"),
        &headers,
        &webauthn.to_string(),
    )
    .await;
    accepted(
        &server,
        Method::DELETE,
        &format!("{root_devices}/binding/b-1"),
        &headers,
        &bound.to_string(),
    )
    .await;

    let alpha = json!(["alpha"]);
    let delete_input = |realm: &Value, device: &str, body: &Value| json!({"realm": realm, "user": USER, "device_id": device, "accept_api_version": null, "body": body});
    let mut webauthn_sent = webauthn.clone();
    webauthn_sent
        .as_object_mut()
        .expect("object")
        .remove("deviceName");
    assert_eq!(
        recorder.calls(),
        [
            call("listOathDevices", by_cookie(), list_input(&["alpha"], None)),
            call(
                "deleteOathDevice",
                by_cookie(),
                delete_input(&alpha, "oath-1", &oath)
            ),
            call("listPushDevices", by_cookie(), list_input(&["alpha"], None)),
            call(
                "deletePushDevice",
                by_cookie(),
                delete_input(&alpha, "push-1", &json!({}))
            ),
            call(
                "renameWebAuthnDevice",
                by_cookie(),
                json!({"realm": alpha, "user": USER, "device_id": "wa-1", "accept_api_version": null,
                    "body": webauthn}),
            ),
            call(
                "deleteWebAuthnDevice",
                by_cookie(),
                delete_input(&alpha, "wa-1", &webauthn)
            ),
            call(
                "deleteBoundDevice",
                by_cookie(),
                delete_input(&json!(["root", "alpha"]), "b-1", &bound)
            ),
        ]
    );
    // The rename's body kept the name apart from the rest of the record.
    let rename: mfa_apis::ping::types::WebAuthnDeviceRename =
        serde_json::from_value(recorder.calls()[4].input["body"].clone()).expect("typed");
    assert_eq!(rename.device_name, "Work Key");
    assert_eq!(
        serde_json::to_value(&rename.additional_properties).expect("json"),
        webauthn_sent
    );
}

/// Seed 004: the SSO token in a header named after the session cookie.
#[tokio::test]
async fn ping_sso_token_in_the_header_named_after_the_cookie() {
    let (server, recorder) = stand_in().await;
    let path =
        format!("/am/json/realms/root/realms/alpha/users/{USER}/devices/2fa/oath?_action=reset");
    let headers = [
        ("content-type", "application/json"),
        ("accept-api-version", "resource=1.0"),
        (PING_COOKIE_NAME, PING_SSO_TOKEN),
    ];
    assert_eq!(
        accepted(&server, Method::POST, &path, &headers, "{}").await,
        json!({"result": true})
    );
    assert_eq!(
        recorder.calls(),
        [call(
            "resetOathDevices",
            by_header(),
            json!({"realm": ["root", "alpha"], "user": USER, "accept_api_version": "resource=1.0", "body": {}})
        )]
    );
}

/// The docs' own list example: a bearer token and nothing else.
#[tokio::test]
async fn ping_docs_list_example_without_a_version_header() {
    let (server, recorder) = stand_in().await;
    let path = format!(
        "/am/json/realms/root/realms/alpha/users/{USER}/devices/2fa/webauthn?_queryFilter=true"
    );
    let bearer = format!("Bearer {PING_ACCESS_TOKEN}");
    accepted(
        &server,
        Method::GET,
        &path,
        &[("authorization", &bearer)],
        "",
    )
    .await;
    assert_eq!(
        recorder.calls(),
        [call(
            "listWebAuthnDevices",
            by_token(),
            list_input(&["root", "alpha"], None)
        )]
    );
}

/// The authenticator app's push device-ID refresh (the iOS SDK): no bearer
/// token and no session, `resource=1.0, protocol=1.0`, `username` only
/// when the mechanism has one.
#[tokio::test]
async fn ping_push_refresh_from_the_authenticator_app() {
    let (server, recorder) = stand_in().await;
    let path = "/am/json/realms/alpha/push/sns/message?_action=refresh";
    let headers = [
        ("content-type", "application/json"),
        ("accept-api-version", "resource=1.0, protocol=1.0"),
    ];
    let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJkZXZpY2VJZCI6Im5ldyJ9.c2ln";
    let without = json!({"mechanismUid": "9f3c2b7e", "jwt": jwt});
    let with = json!({"mechanismUid": "9f3c2b7e", "jwt": jwt, "username": USER});
    accepted(&server, Method::POST, path, &headers, &without.to_string()).await;
    accepted(&server, Method::POST, path, &headers, &with.to_string()).await;
    let input = |body: &Value| json!({"realm": ["alpha"], "accept_api_version": "resource=1.0, protocol=1.0", "body": body});
    assert_eq!(
        recorder.calls(),
        [
            call("refreshPushDeviceId", Value::Null, input(&without)),
            call("refreshPushDeviceId", Value::Null, input(&with)),
        ]
    );
}

/// `/realms/alpha` and `/realms/root/realms/alpha` reach the same
/// operation; the implementation gets each as sent, and
/// `server::routing::without_root` makes them the same realm.
#[tokio::test]
async fn ping_both_realm_forms_reach_the_same_realm() {
    let (server, recorder) = stand_in().await;
    let bearer = format!("Bearer {PING_ACCESS_TOKEN}");
    for realm in ["/realms/alpha", "/realms/root/realms/alpha"] {
        let path = format!("/am/json{realm}/users/{USER}/devices/2fa/push?_queryFilter=true");
        accepted(
            &server,
            Method::GET,
            &path,
            &[("authorization", &bearer)],
            "",
        )
        .await;
    }
    let realms: Vec<Vec<String>> = recorder
        .calls()
        .into_iter()
        .map(|call| serde_json::from_value(call.input["realm"].clone()).expect("a list"))
        .collect();
    assert_eq!(realms, [vec!["alpha"], vec!["root", "alpha"]]);
    assert_eq!(without_root(&realms[0]), without_root(&realms[1]));
}

// ---------------------------------------------------------------------------
// Flashback
// ---------------------------------------------------------------------------

/// Flashback's own client (`ApiClient.resetMFA`): `enable` with every
/// reset, `resetUserId` for an admin reset; the docs' self reset sends no
/// body at all.
#[tokio::test]
async fn flashback_client_resets_with_enable() {
    let (server, recorder) = stand_in().await;
    let bearer = format!("Bearer {FLASHBACK_TOKEN}");
    let json_headers = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    for body in [
        r#"{"enable":true}"#,
        r#"{"resetUserId":"user-9","enable":false}"#,
    ] {
        let answer = accepted(
            &server,
            Method::POST,
            "/flashback/mfa/reset",
            &json_headers,
            body,
        )
        .await;
        assert_eq!(answer["success"], true);
    }
    let docs_headers = [
        ("authorization", bearer.as_str()),
        ("accept", "application/json"),
    ];
    accepted(
        &server,
        Method::POST,
        "/flashback/mfa/reset",
        &docs_headers,
        "",
    )
    .await;
    let owner = json!({"scheme": "bearerAuth", "subject": FLASHBACK_SUBJECT});
    assert_eq!(
        recorder.calls(),
        [
            call("resetMfa", owner.clone(), json!({"body": {"enable": true}})),
            call(
                "resetMfa",
                owner.clone(),
                json!({"body": {"resetUserId": "user-9", "enable": false}})
            ),
            call("resetMfa", owner, json!({"body": null})),
        ]
    );
}
