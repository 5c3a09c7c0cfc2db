//! End to end tests of the code generated from `specs/ping.yaml`: the typed
//! client (`mfa_apis::ping::Client`) talks over 127.0.0.1 to the generated
//! router serving the generated test double (`ping::testing::Double`),
//! scripted with the spec's examples, and both ends are checked: the typed
//! values each side sees, and the raw request on the wire.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use http::{Method, StatusCode};
use mfa_apis::ping::operations::*;
use mfa_apis::ping::server::router_with_body_limit;
use mfa_apis::ping::testing::Double;
use mfa_apis::ping::types::*;
use mfa_apis::ping::{Client, router};
use mfa_runtime::client::{ClientError, RetryPolicy};
use mfa_runtime::server::Principal;
use mfa_runtime::server::auth::{AuthLayer, AuthOutcome, SchemeVerifier, Verifier};
use mfa_runtime::testing::Script;
use mfa_runtime::{HasStatus, Operation};
use mfa_tests::{TestServer, WireRequest, canned, raw};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Example values of the spec
// ---------------------------------------------------------------------------

/// The user `_id` of the spec's examples.
const USER: &str = "014c54bd-6078-4639-8316-8ce0e7746fa4";
/// The device `_id` of the spec's examples.
const DEVICE: &str = "ff1db8bf-d2d7-46e1-926a-568b877f87a5";
/// The realm hierarchy of the spec's examples, and its path.
const ALPHA: [&str; 2] = ["root", "alpha"];
const ALPHA_PATH: &str = "/realms/root/realms/alpha";
/// The push mechanism and JWT of the spec's `PushDeviceIdRefresh` example.
const MECHANISM: &str = "9f3c2b7e-5a41-4c8d-b6e2-1d7a0f4e8c35";
const JWT: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJkZXZpY2VJZCI6ImNNOGtRejJSVGE2eDpBUEE5MWJGM25XN3ZMcDBzWXQiLCJkZXZpY2VOYW1lIjoiUGl4ZWwgOCJ9.2pCL4OEHB10M1GqUblHNKJZ7NBA3s_K5RfUTCKWREE8";
/// The modulus of the RSA key in the spec's `DeletedBoundDevice` example.
const RSA_N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";
/// The documented error statuses: every operation has all of them.
const ERROR_STATUSES: [u16; 5] = [400, 401, 403, 404, 500];
/// The headers a well-formed request with a JSON body carries.
const GOOD_HEADERS: &[(&str, &str)] = &[
    ("accept-api-version", "resource=1.0"),
    ("content-type", "application/json"),
];

/// Any bearer or SSO token (under either cookie name the tests use) is
/// accepted, and a caller without one passes as `anonymous`: these tests are
/// about the requests, not about who sends them (`e2e_server_auth` tests
/// that).
struct AnyCaller(SchemeVerifier);

impl Verifier for AnyCaller {
    fn verify<'a>(
        &'a self,
        parts: &'a http::request::Parts,
        body: &'a bytes::Bytes,
    ) -> Pin<Box<dyn Future<Output = AuthOutcome> + Send + 'a>> {
        Box::pin(async move {
            match self.0.verify(parts, body).await {
                AuthOutcome::Anonymous => {
                    AuthOutcome::Authenticated(vec![Principal::new("bearerAuth", "anonymous")])
                }
                other => other,
            }
        })
    }
}

fn any_caller() -> AuthLayer<AnyCaller> {
    use mfa_apis::ping::server::security::{BEARER_AUTH, SSO_TOKEN};
    let accept = |credential: String| async move { Some(credential) };
    AuthLayer::new(AnyCaller(
        SchemeVerifier::new()
            .with(BEARER_AUTH, accept)
            .with(SSO_TOKEN, accept)
            .with(SSO_TOKEN.named("6ac6499e9da2071"), accept),
    ))
}

/// A realm path from its items.
fn realm(items: &[&str]) -> RealmPath {
    RealmPath(items.iter().map(ToString::to_string).collect())
}

/// A JSON Web Key from its string members.
fn jwk(members: &[(&str, &str)]) -> BTreeMap<String, Value> {
    members
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value)))
        .collect()
}

/// The `ResetDone` example.
fn reset_done() -> ActionResult {
    ActionResult { result: true }
}

/// The `listWebAuthnDevices` 200 example.
fn webauthn_list() -> WebAuthnDeviceList {
    WebAuthnDeviceList {
        result: vec![WebAuthnDevice {
            id: DEVICE.into(),
            rev: Some("163664231".into()),
            created_date: Some(1_749_572_704_744),
            last_access_date: Some(1_749_658_650_801),
            credential_id: Some("XGJpYNYv4AHG9sHHgxFfTw".into()),
            device_name: Some("New Security Key".into()),
            uuid: Some(DEVICE.into()),
            device_management_status: Some(false),
        }],
        result_count: 1,
        paged_results_cookie: Some(None),
        total_paged_results_policy: Some(TotalPagedResultsPolicy::None),
        total_paged_results: Some(-1),
        remaining_paged_results: Some(-1),
    }
}

/// The `deleteWebAuthnDevice` 200 example.
fn deleted_webauthn() -> DeletedWebAuthnDevice {
    DeletedWebAuthnDevice {
        id: DEVICE.into(),
        rev: Some("1642022518".into()),
        uuid: Some(DEVICE.into()),
        recovery_codes: Some(vec![
            "iZmEtxvQ00".into(),
            "Eqw3JGyRvJ".into(),
            "tY6p0NnNhP".into(),
        ]),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        credential_id: Some("XGJpYNYv4AHG9sHHgxFfTw".into()),
        algorithm: Some("SHA256withECDSA".into()),
        device_name: Some("New Security Key".into()),
        sign_count: Some(0),
        key: Some(jwk(&[
            ("kty", "EC"),
            ("crv", "P-256"),
            ("alg", "ES256"),
            ("x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"),
            ("y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"),
        ])),
    }
}

/// The `listBoundDevices` 200 example.
fn bound_list() -> BoundDeviceList {
    BoundDeviceList {
        result: vec![BoundDevice {
            id: DEVICE.into(),
            rev: Some("163664231".into()),
            created_date: Some(1_749_572_704_744),
            last_access_date: Some(1_749_658_650_801),
            device_id: Some("e2e84b5d2a927abdcb85570bac9701c390a92751".into()),
            device_name: Some("iOS Device".into()),
            uuid: Some(DEVICE.into()),
            device_management_status: Some(false),
        }],
        result_count: 1,
        paged_results_cookie: Some(None),
        total_paged_results_policy: Some(TotalPagedResultsPolicy::None),
        total_paged_results: Some(-1),
        remaining_paged_results: Some(-1),
    }
}

/// The `deleteBoundDevice` 200 example.
fn deleted_bound() -> DeletedBoundDevice {
    DeletedBoundDevice {
        id: DEVICE.into(),
        rev: Some("1642022518".into()),
        uuid: Some(DEVICE.into()),
        recovery_codes: Some(vec![
            "iZmEtxvQ00".into(),
            "Eqw3JGyRvJ".into(),
            "tY6p0NnNhP".into(),
        ]),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        device_id: Some("e2e84b5d2a927abdcb85570bac9701c390a92751".into()),
        device_name: Some("iOS Device".into()),
        sign_count: Some(0),
        key: Some(jwk(&[
            ("kty", "RSA"),
            ("kid", "9a7b2c1d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"),
            ("use", "sig"),
            ("alg", "RS512"),
            ("e", "AQAB"),
            ("n", RSA_N),
        ])),
    }
}

/// The OATH device of the spec's examples.
const OATH_DEVICE: &str = "3a6a0a7c-5ab4-4d53-8b6e-9d0d0c1d2e3f";
/// The push device of the spec's examples.
const PUSH_DEVICE: &str = "6c3f8f2e-1b7d-4c49-9a51-2e8d7b0c4f11";

/// The `listOathDevices` 200 example.
fn oath_list() -> OathDeviceList {
    OathDeviceList {
        result: vec![OathDevice {
            id: OATH_DEVICE.into(),
            rev: Some("1264855893".into()),
            created_date: Some(1_749_572_704_744),
            last_access_date: Some(1_749_658_650_801),
            device_name: Some("OATH Device".into()),
            uuid: Some(OATH_DEVICE.into()),
            device_management_status: Some(false),
        }],
        result_count: 1,
        paged_results_cookie: Some(None),
        total_paged_results_policy: Some(TotalPagedResultsPolicy::None),
        total_paged_results: Some(-1),
        remaining_paged_results: Some(-1),
    }
}

/// The `listPushDevices` 200 example.
fn push_list() -> PushDeviceList {
    PushDeviceList {
        result: vec![PushDevice {
            id: PUSH_DEVICE.into(),
            rev: Some("-1941127419".into()),
            created_date: Some(1_749_572_704_744),
            last_access_date: Some(1_749_658_650_801),
            device_name: Some("Push Device".into()),
            uuid: Some(PUSH_DEVICE.into()),
            device_management_status: Some(false),
        }],
        result_count: 1,
        paged_results_cookie: Some(None),
        total_paged_results_policy: Some(TotalPagedResultsPolicy::None),
        total_paged_results: Some(-1),
        remaining_paged_results: Some(-1),
    }
}

/// The `deleteOathDevice` 200 example.
fn deleted_oath() -> DeletedOathDevice {
    DeletedOathDevice {
        id: OATH_DEVICE.into(),
        rev: Some("1264855893".into()),
        uuid: Some(OATH_DEVICE.into()),
        recovery_codes: Some(vec!["iZmEtxvQ00".into(), "Eqw3JGyRvJ".into()]),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        device_name: Some("OATH Device".into()),
        additional_properties: BTreeMap::new(),
    }
}

/// The `deletePushDevice` 200 example.
fn deleted_push() -> DeletedPushDevice {
    DeletedPushDevice {
        id: PUSH_DEVICE.into(),
        rev: Some("-1941127419".into()),
        uuid: Some(PUSH_DEVICE.into()),
        recovery_codes: Some(vec!["iZmEtxvQ00".into(), "Eqw3JGyRvJ".into()]),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        device_name: Some("Push Device".into()),
        additional_properties: BTreeMap::new(),
    }
}

/// The `renameWebAuthnDevice` request body example: the listed device with
/// a new name, as the Ping JS SDK sends it.
fn rename_body() -> WebAuthnDeviceRename {
    let listed = json!({
        "_id": DEVICE, "_rev": "163664231", "createdDate": 1_749_572_704_744_i64,
        "lastAccessDate": 1_749_658_650_801_i64, "credentialId": "XGJpYNYv4AHG9sHHgxFfTw",
        "uuid": DEVICE, "deviceManagementStatus": false
    });
    WebAuthnDeviceRename {
        device_name: "Work Security Key".into(),
        additional_properties: serde_json::from_value(listed).expect("an object"),
    }
}

/// The `renameWebAuthnDevice` 200 example.
fn renamed_webauthn() -> UpdatedWebAuthnDevice {
    let deleted = deleted_webauthn();
    UpdatedWebAuthnDevice {
        id: deleted.id,
        rev: Some("1642022519".into()),
        uuid: deleted.uuid,
        recovery_codes: deleted.recovery_codes,
        created_date: deleted.created_date,
        last_access_date: deleted.last_access_date,
        credential_id: deleted.credential_id,
        algorithm: deleted.algorithm,
        device_name: Some("Work Security Key".into()),
        sign_count: deleted.sign_count,
        key: deleted.key,
    }
}

/// The `refreshPushDeviceId` request body example.
fn refresh_body() -> PushDeviceIdRefresh {
    PushDeviceIdRefresh {
        mechanism_uid: MECHANISM.into(),
        username: Some(Some(USER.into())),
        jwt: JWT.into(),
    }
}

/// The documented CREST error body (the spec's example) for `status`.
fn crest(status: u16) -> CrestError {
    let (reason, message) = match status {
        400 => ("Bad Request", "Invalid query filter".to_string()),
        401 => ("Unauthorized", "Access Denied".to_string()),
        403 => (
            "Forbidden",
            "User does not have permission to perform this operation".to_string(),
        ),
        404 => ("Not Found", format!("Resource '{DEVICE}' not found")),
        500 => ("Internal Server Error", "Internal Server Error".to_string()),
        other => panic!("{other} is not a documented error status"),
    };
    CrestError {
        code: status.into(),
        reason: Some(reason.into()),
        message,
        detail: None,
    }
}

/// The spec's example JSON of the 200 bodies, exactly as documented
/// (including `pagedResultsCookie: null`), keyed by operationId.
fn spec_example_json(operation: &str) -> Value {
    let list = |device: Value| {
        json!({
            "result": [device],
            "resultCount": 1,
            "pagedResultsCookie": null,
            "totalPagedResultsPolicy": "NONE",
            "totalPagedResults": -1,
            "remainingPagedResults": -1
        })
    };
    match operation {
        "resetOathDevices" | "resetPushDevices" => json!({"result": true}),
        "listWebAuthnDevices" => list(json!({
            "_id": DEVICE, "_rev": "163664231", "createdDate": 1_749_572_704_744_i64,
            "lastAccessDate": 1_749_658_650_801_i64, "credentialId": "XGJpYNYv4AHG9sHHgxFfTw",
            "deviceName": "New Security Key", "uuid": DEVICE, "deviceManagementStatus": false
        })),
        "listBoundDevices" => list(json!({
            "_id": DEVICE, "_rev": "163664231", "createdDate": 1_749_572_704_744_i64,
            "lastAccessDate": 1_749_658_650_801_i64, "deviceId": "e2e84b5d2a927abdcb85570bac9701c390a92751",
            "deviceName": "iOS Device", "uuid": DEVICE, "deviceManagementStatus": false
        })),
        "deleteWebAuthnDevice" => json!({
            "_id": DEVICE, "_rev": "1642022518", "uuid": DEVICE,
            "recoveryCodes": ["iZmEtxvQ00", "Eqw3JGyRvJ", "tY6p0NnNhP"],
            "createdDate": 1_749_572_704_744_i64, "lastAccessDate": 1_749_658_650_801_i64,
            "credentialId": "XGJpYNYv4AHG9sHHgxFfTw", "algorithm": "SHA256withECDSA",
            "deviceName": "New Security Key", "signCount": 0,
            "key": {
                "kty": "EC", "crv": "P-256", "alg": "ES256",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
            }
        }),
        "deleteBoundDevice" => json!({
            "_id": DEVICE, "_rev": "1642022518", "uuid": DEVICE,
            "recoveryCodes": ["iZmEtxvQ00", "Eqw3JGyRvJ", "tY6p0NnNhP"],
            "createdDate": 1_749_572_704_744_i64, "lastAccessDate": 1_749_658_650_801_i64,
            "deviceId": "e2e84b5d2a927abdcb85570bac9701c390a92751", "deviceName": "iOS Device",
            "signCount": 0,
            "key": {
                "kty": "RSA", "kid": "9a7b2c1d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "use": "sig",
                "alg": "RS512", "e": "AQAB", "n": RSA_N
            }
        }),
        "listOathDevices" => list(json!({
            "_id": OATH_DEVICE, "_rev": "1264855893", "createdDate": 1_749_572_704_744_i64,
            "lastAccessDate": 1_749_658_650_801_i64, "deviceName": "OATH Device",
            "uuid": OATH_DEVICE, "deviceManagementStatus": false
        })),
        "listPushDevices" => list(json!({
            "_id": PUSH_DEVICE, "_rev": "-1941127419", "createdDate": 1_749_572_704_744_i64,
            "lastAccessDate": 1_749_658_650_801_i64, "deviceName": "Push Device",
            "uuid": PUSH_DEVICE, "deviceManagementStatus": false
        })),
        "deleteOathDevice" => json!({
            "_id": OATH_DEVICE, "_rev": "1264855893", "uuid": OATH_DEVICE,
            "recoveryCodes": ["iZmEtxvQ00", "Eqw3JGyRvJ"],
            "createdDate": 1_749_572_704_744_i64, "lastAccessDate": 1_749_658_650_801_i64,
            "deviceName": "OATH Device"
        }),
        "deletePushDevice" => json!({
            "_id": PUSH_DEVICE, "_rev": "-1941127419", "uuid": PUSH_DEVICE,
            "recoveryCodes": ["iZmEtxvQ00", "Eqw3JGyRvJ"],
            "createdDate": 1_749_572_704_744_i64, "lastAccessDate": 1_749_658_650_801_i64,
            "deviceName": "Push Device"
        }),
        "renameWebAuthnDevice" => {
            let mut renamed = spec_example_json("deleteWebAuthnDevice");
            renamed["_rev"] = json!("1642022519");
            renamed["deviceName"] = json!("Work Security Key");
            renamed
        }
        "refreshPushDeviceId" => json!({}),
        other => panic!("no operation `{other}`"),
    }
}

/// `text` with a `'static` lifetime, for [`canned`] bodies built at run time.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

// ---------------------------------------------------------------------------
// The scripted double
// ---------------------------------------------------------------------------

/// The generated error enums, built from a documented status and its body.
trait DocumentedError: Sized {
    fn documented(status: u16, body: CrestError) -> Self;
}

macro_rules! documented_error {
    ($($error:ty),* $(,)?) => {$(
        impl DocumentedError for $error {
            fn documented(status: u16, body: CrestError) -> Self {
                match status {
                    400 => Self::BadRequest { body },
                    401 => Self::Unauthorized { body },
                    403 => Self::Forbidden { body },
                    404 => Self::NotFound { body },
                    500 => Self::InternalServerError { body },
                    other => panic!("{other} is not a documented error status"),
                }
            }
        }
    )*};
}

documented_error!(
    ResetOathDevicesError,
    ResetPushDevicesError,
    ListWebAuthnDevicesError,
    DeleteWebAuthnDeviceError,
    ListBoundDevicesError,
    DeleteBoundDeviceError,
    RefreshPushDeviceIdError,
    ListOathDevicesError,
    DeleteOathDeviceError,
    ListPushDevicesError,
    DeletePushDeviceError,
    RenameWebAuthnDeviceError,
);

/// A typed request as the implementation received it (who sent it aside:
/// these tests are about requests).
#[derive(Debug, Clone, PartialEq)]
enum Received {
    ResetOath(ResetOathDevicesInput),
    ResetPush(ResetPushDevicesInput),
    ListWebAuthn(ListWebAuthnDevicesInput),
    DeleteWebAuthn(DeleteWebAuthnDeviceInput),
    ListBound(ListBoundDevicesInput),
    DeleteBound(DeleteBoundDeviceInput),
    Refresh(RefreshPushDeviceIdInput),
    ListOath(ListOathDevicesInput),
    DeleteOath(DeleteOathDeviceInput),
    ListPush(ListPushDevicesInput),
    DeletePush(DeletePushDeviceInput),
    RenameWebAuthn(RenameWebAuthnDeviceInput),
}

/// Every typed request `double` received so far, in order.
fn received(double: &Double) -> Vec<Received> {
    use mfa_apis::ping::testing::Received as Call;
    let received = double.received().into_iter().map(|call| match call {
        Call::ResetOathDevices(c) => Received::ResetOath(c.input),
        Call::ResetPushDevices(c) => Received::ResetPush(c.input),
        Call::ListWebAuthnDevices(c) => Received::ListWebAuthn(c.input),
        Call::DeleteWebAuthnDevice(c) => Received::DeleteWebAuthn(c.input),
        Call::ListBoundDevices(c) => Received::ListBound(c.input),
        Call::DeleteBoundDevice(c) => Received::DeleteBound(c.input),
        Call::RefreshPushDeviceId(c) => Received::Refresh(c.input),
        Call::ListOathDevices(c) => Received::ListOath(c.input),
        Call::DeleteOathDevice(c) => Received::DeleteOath(c.input),
        Call::ListPushDevices(c) => Received::ListPush(c.input),
        Call::DeletePushDevice(c) => Received::DeletePush(c.input),
        Call::RenameWebAuthnDevice(c) => Received::RenameWebAuthn(c.input),
    });
    received.collect()
}

/// Script `script` to answer `ok` (`answer: None`) or the documented error
/// of status `answer` with its example CREST body.
fn answer<I>(script: &Script<I>, answer: Option<u16>, ok: I::Success)
where
    I: Operation + Clone,
    I::Success: Clone + Sync,
    I::Error: DocumentedError + Clone + Sync,
{
    script.answer(match answer {
        None => Ok(ok),
        Some(status) => Err(I::Error::documented(status, crest(status))),
    });
}

/// The generated double, scripted to answer every operation with the
/// spec's example 200 (`answer: None`) or with the documented error of
/// status `answer` and its example CREST body.
fn scripted(status: Option<u16>) -> Double {
    let double = Double::new();
    let ok = |body| ResetOathDevicesSuccess::Ok { body };
    answer(double.reset_oath_devices(), status, ok(reset_done()));
    let ok = |body| ResetPushDevicesSuccess::Ok { body };
    answer(double.reset_push_devices(), status, ok(reset_done()));
    let ok = |body| ListWebAuthnDevicesSuccess::Ok { body };
    answer(double.list_web_authn_devices(), status, ok(webauthn_list()));
    let ok = |body| DeleteWebAuthnDeviceSuccess::Ok { body };
    answer(
        double.delete_web_authn_device(),
        status,
        ok(deleted_webauthn()),
    );
    let ok = |body| ListBoundDevicesSuccess::Ok { body };
    answer(double.list_bound_devices(), status, ok(bound_list()));
    let ok = |body| DeleteBoundDeviceSuccess::Ok { body };
    answer(double.delete_bound_device(), status, ok(deleted_bound()));
    let ok = |body| RefreshPushDeviceIdSuccess::Ok { body };
    answer(
        double.refresh_push_device_id(),
        status,
        ok(RefreshResult::default()),
    );
    let ok = |body| ListOathDevicesSuccess::Ok { body };
    answer(double.list_oath_devices(), status, ok(oath_list()));
    let ok = |body| DeleteOathDeviceSuccess::Ok { body };
    answer(double.delete_oath_device(), status, ok(deleted_oath()));
    let ok = |body| ListPushDevicesSuccess::Ok { body };
    answer(double.list_push_devices(), status, ok(push_list()));
    let ok = |body| DeletePushDeviceSuccess::Ok { body };
    answer(double.delete_push_device(), status, ok(deleted_push()));
    let ok = |body| RenameWebAuthnDeviceSuccess::Ok { body };
    answer(
        double.rename_web_authn_device(),
        status,
        ok(renamed_webauthn()),
    );
    double
}

/// Serve `double` on 127.0.0.1; returns the server and a client with a
/// bearer token (any is accepted).
async fn serve(double: &Double) -> (TestServer, Client) {
    let server = TestServer::start(router(double.clone()).layer(any_caller())).await;
    let client = Client::new(&server.base_url).with_bearer_auth("any");
    (server, client)
}

// ---------------------------------------------------------------------------
// One operation, every documented response
// ---------------------------------------------------------------------------

/// What one call must put on the wire and hand to the implementation.
struct Expected {
    method: Method,
    /// Path and query exactly as sent.
    uri: String,
    /// The JSON body, for operations that send one.
    body: Option<Value>,
    /// The typed request the implementation must get.
    received: Received,
}

/// Check the raw request of a call made with `with_bearer_auth("tok")` and
/// no other options.
fn check_wire(wire: &WireRequest, expected: &Expected) {
    assert_eq!(wire.method, expected.method);
    assert_eq!(wire.uri, expected.uri);
    assert_eq!(
        wire.header("accept-api-version"),
        Some("resource=1.0"),
        "sent by default"
    );
    // Every operation takes the bearer token but the push refresh, which
    // takes no session (the authenticator app has none).
    let authorization = match expected.received {
        Received::Refresh(_) => None,
        _ => Some("Bearer tok"),
    };
    assert_eq!(wire.header("authorization"), authorization);
    assert_eq!(
        wire.header("iplanetdirectorypro"),
        None,
        "only one credential is sent"
    );
    match &expected.body {
        Some(body) => {
            assert_eq!(wire.header("content-type"), Some("application/json"));
            assert_eq!(&wire.json(), body);
        }
        None => {
            assert!(
                wire.body.is_empty(),
                "no body expected, got {:?}",
                wire.body
            );
            assert_eq!(wire.header("content-type"), None);
        }
    }
}

/// Make `call` once per documented response of its operation (the 200, then
/// each error status), each time against a fresh double scripted to give
/// that response, and check what the client decoded (whole values and
/// `HasStatus`), what the implementation received and what was on the wire.
async fn check_every_documented_response<T, E, Fut>(
    call: impl Fn(Client) -> Fut,
    expected: Expected,
    ok: T,
) where
    Fut: Future<Output = Result<T, ClientError<E>>>,
    T: PartialEq + Debug + HasStatus,
    E: PartialEq + Debug + HasStatus + DocumentedError,
{
    let answers = std::iter::once(None).chain(ERROR_STATUSES.map(Some));
    for answer in answers {
        let double = scripted(answer);
        let (server, client) = serve(&double).await;
        // One attempt each: retries are tested in client_resilience.rs.
        let client = client.with_retry_policy(RetryPolicy::none());
        let outcome = call(client.with_bearer_auth("tok")).await;
        match (answer, outcome) {
            (None, Ok(value)) => {
                assert_eq!(value, ok);
                assert_eq!(value.status(), StatusCode::OK);
            }
            (Some(status), Err(error)) => {
                assert_eq!(
                    error.status().map(|s| s.as_u16()),
                    Some(status),
                    "{error:?}"
                );
                assert!(
                    error.raw_response().is_none(),
                    "a documented error keeps no raw response: {error:?}"
                );
                let ClientError::Api(error) = error else {
                    panic!("status {status}: expected a documented error, got {error:?}");
                };
                assert_eq!(error, E::documented(status, crest(status)));
                assert_eq!(error.status().as_u16(), status, "{error:?}");
            }
            (answer, outcome) => panic!("scripted {answer:?}, client got {outcome:?}"),
        }
        assert_eq!(
            received(&double),
            vec![expected.received.clone()],
            "scripted {answer:?}"
        );
        check_wire(&server.only_request(), &expected);
    }
}

#[tokio::test]
async fn reset_oath_devices_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.reset_oath_devices(ALPHA, USER).await },
        Expected {
            method: Method::POST,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath?_action=reset"),
            body: Some(json!({})),
            received: Received::ResetOath(ResetOathDevicesInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                accept_api_version: Some("resource=1.0".into()),
                body: ResetRequest::default(),
            }),
        },
        ResetOathDevicesSuccess::Ok { body: reset_done() },
    )
    .await;
}

#[tokio::test]
async fn reset_push_devices_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.reset_push_devices(ALPHA, USER).await },
        Expected {
            method: Method::POST,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/push?_action=reset"),
            body: Some(json!({})),
            received: Received::ResetPush(ResetPushDevicesInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                accept_api_version: Some("resource=1.0".into()),
                body: ResetRequest::default(),
            }),
        },
        ResetPushDevicesSuccess::Ok { body: reset_done() },
    )
    .await;
}

#[tokio::test]
async fn list_web_authn_devices_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.list_web_authn_devices(ALPHA, USER).await },
        Expected {
            method: Method::GET,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn?_queryFilter=true"),
            body: None,
            received: Received::ListWebAuthn(ListWebAuthnDevicesInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                query_filter: "true".into(),
                accept_api_version: Some("resource=1.0".into()),
            }),
        },
        ListWebAuthnDevicesSuccess::Ok {
            body: webauthn_list(),
        },
    )
    .await;
}

#[tokio::test]
async fn delete_web_authn_device_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.delete_web_authn_device(ALPHA, USER, DEVICE).await },
        Expected {
            method: Method::DELETE,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn/{DEVICE}"),
            body: None,
            received: Received::DeleteWebAuthn(DeleteWebAuthnDeviceInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                device_id: DEVICE.into(),
                accept_api_version: Some("resource=1.0".into()),
                body: None,
            }),
        },
        DeleteWebAuthnDeviceSuccess::Ok {
            body: deleted_webauthn(),
        },
    )
    .await;
}

#[tokio::test]
async fn list_bound_devices_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.list_bound_devices(ALPHA, USER).await },
        Expected {
            method: Method::GET,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/binding?_queryFilter=true"),
            body: None,
            received: Received::ListBound(ListBoundDevicesInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                query_filter: "true".into(),
                accept_api_version: Some("resource=1.0".into()),
            }),
        },
        ListBoundDevicesSuccess::Ok { body: bound_list() },
    )
    .await;
}

#[tokio::test]
async fn delete_bound_device_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.delete_bound_device(ALPHA, USER, DEVICE).await },
        Expected {
            method: Method::DELETE,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/binding/{DEVICE}"),
            body: None,
            received: Received::DeleteBound(DeleteBoundDeviceInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                device_id: DEVICE.into(),
                accept_api_version: Some("resource=1.0".into()),
                body: None,
            }),
        },
        DeleteBoundDeviceSuccess::Ok {
            body: deleted_bound(),
        },
    )
    .await;
}

#[tokio::test]
async fn refresh_push_device_id_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.refresh_push_device_id(ALPHA, refresh_body()).await },
        Expected {
            method: Method::POST,
            uri: format!("{ALPHA_PATH}/push/sns/message?_action=refresh"),
            body: Some(json!({"mechanismUid": MECHANISM, "username": USER, "jwt": JWT})),
            received: Received::Refresh(RefreshPushDeviceIdInput {
                realm: realm(&ALPHA),
                accept_api_version: Some("resource=1.0".into()),
                body: refresh_body(),
            }),
        },
        RefreshPushDeviceIdSuccess::Ok {
            body: RefreshResult::default(),
        },
    )
    .await;
}

#[tokio::test]
async fn list_oath_devices_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.list_oath_devices(ALPHA, USER).await },
        Expected {
            method: Method::GET,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath?_queryFilter=true"),
            body: None,
            received: Received::ListOath(ListOathDevicesInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                query_filter: "true".into(),
                accept_api_version: Some("resource=1.0".into()),
            }),
        },
        ListOathDevicesSuccess::Ok { body: oath_list() },
    )
    .await;
}

#[tokio::test]
async fn delete_oath_device_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.delete_oath_device(ALPHA, USER, OATH_DEVICE).await },
        Expected {
            method: Method::DELETE,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath/{OATH_DEVICE}"),
            body: None,
            received: Received::DeleteOath(DeleteOathDeviceInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                device_id: OATH_DEVICE.into(),
                accept_api_version: Some("resource=1.0".into()),
                body: None,
            }),
        },
        DeleteOathDeviceSuccess::Ok {
            body: deleted_oath(),
        },
    )
    .await;
}

#[tokio::test]
async fn list_push_devices_every_documented_response() {
    check_every_documented_response(
        |client| async move { client.list_push_devices(ALPHA, USER).await },
        Expected {
            method: Method::GET,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/push?_queryFilter=true"),
            body: None,
            received: Received::ListPush(ListPushDevicesInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                query_filter: "true".into(),
                accept_api_version: Some("resource=1.0".into()),
            }),
        },
        ListPushDevicesSuccess::Ok { body: push_list() },
    )
    .await;
}

/// The push delete with the body the Ping JS SDK sends (`{}`), set on the
/// call.
#[tokio::test]
async fn delete_push_device_every_documented_response() {
    check_every_documented_response(
        |client| async move {
            client
                .delete_push_device(ALPHA, USER, PUSH_DEVICE)
                .body(DeviceDeletion::default())
                .await
        },
        Expected {
            method: Method::DELETE,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/push/{PUSH_DEVICE}"),
            body: Some(json!({})),
            received: Received::DeletePush(DeletePushDeviceInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                device_id: PUSH_DEVICE.into(),
                accept_api_version: Some("resource=1.0".into()),
                body: Some(DeviceDeletion::default()),
            }),
        },
        DeletePushDeviceSuccess::Ok {
            body: deleted_push(),
        },
    )
    .await;
}

#[tokio::test]
async fn rename_web_authn_device_every_documented_response() {
    check_every_documented_response(
        |client| async move {
            client
                .rename_web_authn_device(ALPHA, USER, DEVICE, rename_body())
                .await
        },
        Expected {
            method: Method::PUT,
            uri: format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn/{DEVICE}"),
            body: Some(json!({
                "_id": DEVICE, "_rev": "163664231", "createdDate": 1_749_572_704_744_i64,
                "lastAccessDate": 1_749_658_650_801_i64, "credentialId": "XGJpYNYv4AHG9sHHgxFfTw",
                "deviceName": "Work Security Key", "uuid": DEVICE, "deviceManagementStatus": false
            })),
            received: Received::RenameWebAuthn(RenameWebAuthnDeviceInput {
                realm: realm(&ALPHA),
                user: USER.into(),
                device_id: DEVICE.into(),
                accept_api_version: Some("resource=1.0".into()),
                body: rename_body(),
            }),
        },
        RenameWebAuthnDeviceSuccess::Ok {
            body: renamed_webauthn(),
        },
    )
    .await;
}

/// OATH and push devices are removed one by one the way the Ping SDKs do
/// it: list, then delete each by the `uuid` the list returned.
#[tokio::test]
async fn oath_and_push_devices_are_deleted_one_by_one_after_listing() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    let ListOathDevicesSuccess::Ok { body: oath } = client
        .list_oath_devices(ALPHA, USER)
        .await
        .expect("list oath");
    for device in &oath.result {
        let uuid = device.uuid.as_deref().expect("listed with a uuid");
        client
            .delete_oath_device(ALPHA, USER, uuid)
            .await
            .expect("delete oath");
    }
    let ListPushDevicesSuccess::Ok { body: push } = client
        .list_push_devices(ALPHA, USER)
        .await
        .expect("list push");
    for device in &push.result {
        client
            .delete_push_device(ALPHA, USER, device.id.as_str())
            .await
            .expect("delete push");
    }
    let sent: Vec<(Method, String)> = server
        .requests()
        .into_iter()
        .map(|wire| (wire.method, wire.uri))
        .collect();
    let devices = format!("{ALPHA_PATH}/users/{USER}/devices/2fa");
    assert_eq!(
        sent,
        [
            (Method::GET, format!("{devices}/oath?_queryFilter=true")),
            (Method::DELETE, format!("{devices}/oath/{OATH_DEVICE}")),
            (Method::GET, format!("{devices}/push?_queryFilter=true")),
            (Method::DELETE, format!("{devices}/push/{PUSH_DEVICE}")),
        ]
    );
    assert!(
        matches!(&received(&double)[1], Received::DeleteOath(r) if r.device_id == OATH_DEVICE && r.body.is_none()),
        "{:?}",
        received(&double)
    );
}

/// The reset body is exactly `{}` on the wire (not `null`, not empty).
#[tokio::test]
async fn reset_bodies_are_an_empty_json_object() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    client
        .reset_oath_devices(ALPHA, USER)
        .await
        .expect("oath reset");
    client
        .reset_push_devices(ALPHA, USER)
        .await
        .expect("push reset");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for wire in requests {
        assert_eq!(wire.body, "{}", "{}", wire.uri);
        assert_eq!(wire.header("content-type"), Some("application/json"));
    }
}

/// The documented way to reset WebAuthn devices: list them, then delete
/// each by the `_id` the list returned.
#[tokio::test]
async fn webauthn_devices_are_reset_by_listing_then_deleting_each() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    let ListWebAuthnDevicesSuccess::Ok { body: list } = client
        .list_web_authn_devices(ALPHA, USER)
        .await
        .expect("list");
    for device in &list.result {
        client
            .delete_web_authn_device(ALPHA, USER, device.id.as_str())
            .await
            .expect("delete");
    }
    let uris: Vec<String> = server.requests().into_iter().map(|wire| wire.uri).collect();
    assert_eq!(
        uris,
        [
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn?_queryFilter=true"),
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn/{DEVICE}"),
        ]
    );
    assert!(
        matches!(&received(&double)[1], Received::DeleteWebAuthn(request) if request.device_id == DEVICE),
        "{:?}",
        received(&double)
    );
}

/// What the generated server writes on the wire: the typed 200 body with the
/// spec's field names, and a documented error as the bare CREST body.
#[tokio::test]
async fn the_server_writes_documented_json() {
    let (server, _) = serve(&scripted(None)).await;
    let path = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn?_queryFilter=true");
    let (status, headers, body) = raw(&server.base_url, Method::GET, &path, GOOD_HEADERS, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    // `pagedResultsCookie` is optional and nullable: the spec's `null`
    // (`Some(None)`) is written as `null`, exactly as documented.
    assert_eq!(body, spec_example_json("listWebAuthnDevices"));

    let (server, _) = serve(&scripted(Some(404))).await;
    let path = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/binding/{DEVICE}");
    let (status, headers, body) =
        raw(&server.base_url, Method::DELETE, &path, GOOD_HEADERS, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        body,
        json!({"code": 404, "reason": "Not Found", "message": format!("Resource '{DEVICE}' not found")})
    );
}

// ---------------------------------------------------------------------------
// Realms, users and device IDs in the path
// ---------------------------------------------------------------------------

#[tokio::test]
async fn deeper_realm_hierarchies_round_trip() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    let deep = ["root", "alpha", "sub"];
    client.list_bound_devices(deep, USER).await.expect("list");
    client
        .delete_web_authn_device(deep, USER, DEVICE)
        .await
        .expect("delete");
    client
        .refresh_push_device_id(deep, refresh_body())
        .await
        .expect("refresh");
    client
        .reset_oath_devices(["root"], USER)
        .await
        .expect("root realm");

    let uris: Vec<String> = server.requests().into_iter().map(|wire| wire.uri).collect();
    assert_eq!(
        uris,
        [
            format!(
                "/realms/root/realms/alpha/realms/sub/users/{USER}/devices/2fa/binding?_queryFilter=true"
            ),
            format!(
                "/realms/root/realms/alpha/realms/sub/users/{USER}/devices/2fa/webauthn/{DEVICE}"
            ),
            "/realms/root/realms/alpha/realms/sub/push/sns/message?_action=refresh".to_string(),
            format!("/realms/root/users/{USER}/devices/2fa/oath?_action=reset"),
        ]
    );
    let received = received(&double);
    let realms: Vec<&RealmPath> = received
        .iter()
        .map(|request| match request {
            Received::ListBound(r) => &r.realm,
            Received::DeleteWebAuthn(r) => &r.realm,
            Received::Refresh(r) => &r.realm,
            Received::ResetOath(r) => &r.realm,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        realms,
        [
            &realm(&deep),
            &realm(&deep),
            &realm(&deep),
            &realm(&["root"])
        ]
    );
    assert_eq!(realms[0].len(), 3);
}

/// Realm, user and device values that need percent-encoding reach the
/// implementation exactly as the caller gave them.
#[tokio::test]
async fn path_values_needing_percent_encoding_round_trip() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    // (A `/` is refused on both sides: `path_values_with_a_slash_are_refused`.)
    let odd_realm = ["root", "my realm:x%2F"];
    let odd_user = "user with space?#";
    let odd_device = "dev 1 é";
    client
        .delete_bound_device(odd_realm, odd_user, odd_device)
        .await
        .expect("delete");

    assert_eq!(
        server.only_request().uri,
        "/realms/root/realms/my%20realm%3Ax%252F/users/user%20with%20space%3F%23/devices/2fa/binding/dev%201%20%C3%A9"
    );
    assert_eq!(
        received(&double),
        [Received::DeleteBound(DeleteBoundDeviceInput {
            realm: realm(&odd_realm),
            user: odd_user.into(),
            device_id: odd_device.into(),
            accept_api_version: Some("resource=1.0".into()),
            body: None,
        })]
    );
}

/// A `/` in a realm, user or device id is refused by the client before
/// anything is sent (the server refuses `%2F` there too): no Ping path
/// parameter allows reserved characters.
#[tokio::test]
async fn path_values_with_a_slash_are_refused() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    for (realm, user, device) in [
        (["root", "a/b"], "carol", "d1"),
        (["root", "alpha"], "../admin", "d1"),
        (["root", "alpha"], "carol", "d/1"),
    ] {
        match client.delete_bound_device(realm, user, device).await {
            Err(ClientError::InvalidRequest(message)) => {
                assert!(message.contains("holds a `/`"), "{message}");
            }
            other => panic!("{realm:?} {user} {device}: {other:?}"),
        }
    }
    assert!(server.requests().is_empty(), "nothing was sent");
    assert!(received(&double).is_empty());
}

/// Realm and user values that look like the path's own literals (`realms`,
/// `users`) are still parsed back to the same values.
#[tokio::test]
async fn path_values_named_like_path_literals_round_trip() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    client
        .reset_push_devices(["root", "users", "realms"], "realms")
        .await
        .expect("reset");
    assert_eq!(
        server.only_request().uri,
        "/realms/root/realms/users/realms/realms/users/realms/devices/2fa/push?_action=reset"
    );
    assert_eq!(
        received(&double),
        [Received::ResetPush(ResetPushDevicesInput {
            realm: realm(&["root", "users", "realms"]),
            user: "realms".into(),
            accept_api_version: Some("resource=1.0".into()),
            body: ResetRequest::default(),
        })]
    );
}

/// `.` and `..` are legal realm names and device IDs for the client, but as
/// path segments URL parsers resolve them away, so the call silently goes to
/// another resource. Each call must either be refused before sending or reach
/// the implementation with exactly the values given.
#[tokio::test]
async fn dot_segment_path_values_are_not_sent_to_another_resource() {
    // The device ID `..`: the DELETE lands on `.../devices/2fa/` (404).
    // The realm `..` after `sub`: the DELETE lands on realm `sub` and the
    // implementation deletes a device in a realm the caller never named.
    let calls: [(&[&str], &str); 3] = [
        (&["root", "alpha"], ".."),
        (&["root", "alpha", "sub", ".."], DEVICE),
        (&["root", "alpha", "."], DEVICE),
    ];
    for (realm_items, device) in calls {
        let double = scripted(None);
        let (server, client) = serve(&double).await;
        let outcome = client
            .delete_web_authn_device(realm(realm_items), USER, device)
            .await;
        let sent: Vec<String> = server.requests().into_iter().map(|wire| wire.uri).collect();
        match outcome {
            Err(ClientError::InvalidRequest(_)) => assert!(sent.is_empty(), "{sent:?}"),
            Ok(_) => assert_eq!(
                received(&double),
                [Received::DeleteWebAuthn(DeleteWebAuthnDeviceInput {
                    realm: realm(realm_items),
                    user: USER.into(),
                    device_id: device.into(),
                    accept_api_version: Some("resource=1.0".into()),
                    body: None,
                })],
                "sent as {sent:?}"
            ),
            Err(other) => {
                panic!("{realm_items:?} / {device:?}: sent as {sent:?}, came back as {other:?}")
            }
        }
    }
}

/// Well-formed raw requests with the usual variations of a JSON content
/// type are accepted and reach the implementation.
#[tokio::test]
async fn json_content_types_with_parameters_are_accepted() {
    let path = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath?_action=reset");
    for content_type in [
        "application/json",
        "application/json; charset=UTF-8",
        "Application/JSON",
    ] {
        let double = scripted(None);
        let (server, _) = serve(&double).await;
        let headers = [
            ("accept-api-version", "resource=1.0"),
            ("content-type", content_type),
        ];
        let (status, _, body) = raw(&server.base_url, Method::POST, &path, &headers, "{}").await;
        assert_eq!(status, StatusCode::OK, "{content_type}: {body}");
        assert_eq!(body, json!({"result": true}));
        assert!(
            matches!(&received(&double)[..], [Received::ResetOath(r)] if r.user == USER && r.body == ResetRequest::default()),
            "{:?}",
            received(&double)
        );
    }
}

// ---------------------------------------------------------------------------
// Authentication and defaults
// ---------------------------------------------------------------------------

/// Send one `listBoundDevices` call through `client` and return its request.
async fn one_request(configure: impl FnOnce(Client) -> Client) -> WireRequest {
    let double = scripted(None);
    let (server, _) = serve(&double).await;
    configure(Client::new(&server.base_url))
        .list_bound_devices(ALPHA, USER)
        .await
        .expect("call succeeds");
    assert_eq!(received(&double).len(), 1);
    server.only_request()
}

#[tokio::test]
async fn bearer_auth_is_sent_as_authorization_header() {
    let wire = one_request(|client| client.with_bearer_auth("tok")).await;
    assert_eq!(wire.header("authorization"), Some("Bearer tok"));
    assert_eq!(wire.header("iPlanetDirectoryPro"), None);
}

#[tokio::test]
async fn sso_token_is_sent_in_the_default_cookie_header() {
    let wire = one_request(|client| client.with_sso_token("AQIC5w")).await;
    assert_eq!(wire.header("iPlanetDirectoryPro"), Some("AQIC5w"));
    assert_eq!(wire.header("authorization"), None);
    assert_eq!(wire.header("cookie"), None);
}

/// Seed 004: the session token goes in a header named after the tenant's
/// session cookie.
#[tokio::test]
async fn sso_token_can_use_the_tenant_cookie_name() {
    let wire = one_request(|client| client.with_sso_token_named("6ac6499e9da2071", "AQIC5w")).await;
    assert_eq!(wire.header("6ac6499e9da2071"), Some("AQIC5w"));
    assert_eq!(wire.header("iPlanetDirectoryPro"), None);
    assert_eq!(wire.header("authorization"), None);
}

/// The schemes are alternatives: with both configured only the first the
/// spec lists (`bearerAuth`) is sent; with none, the call is refused before
/// anything is sent, since the server could only answer 401.
#[tokio::test]
async fn one_credential_is_sent_and_none_refuses_the_call() {
    let wire = one_request(|client| client.with_sso_token("AQIC5w").with_bearer_auth("tok")).await;
    assert_eq!(wire.header("authorization"), Some("Bearer tok"));
    assert_eq!(wire.header("iPlanetDirectoryPro"), None);

    let double = scripted(None);
    let (server, _) = serve(&double).await;
    let outcome = Client::new(&server.base_url)
        .list_bound_devices(ALPHA, USER)
        .await;
    assert!(
        matches!(outcome, Err(ClientError::MissingCredentials { .. })),
        "{outcome:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn defaults_can_be_overridden() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    client
        .reset_oath_devices(ALPHA, USER)
        .accept_api_version("resource=2.0")
        .await
        .expect("reset");
    client
        .refresh_push_device_id(ALPHA, refresh_body())
        .accept_api_version("resource=1.0, protocol=1.0")
        .await
        .expect("refresh");
    client
        .list_web_authn_devices(ALPHA, USER)
        .query_filter(r#"deviceName eq "Key & co""#)
        .await
        .expect("list");

    let requests = server.requests();
    assert_eq!(
        requests[0].header("accept-api-version"),
        Some("resource=2.0")
    );
    assert_eq!(
        requests[1].header("accept-api-version"),
        Some("resource=1.0, protocol=1.0")
    );
    assert_eq!(
        requests[2].uri,
        format!(
            "{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn?_queryFilter=deviceName+eq+%22Key+%26+co%22"
        )
    );
    let received = received(&double);
    assert!(
        matches!(&received[0], Received::ResetOath(r) if r.accept_api_version.as_deref() == Some("resource=2.0")),
        "{received:?}"
    );
    assert!(
        matches!(&received[1], Received::Refresh(r) if r.accept_api_version.as_deref() == Some("resource=1.0, protocol=1.0")),
        "{received:?}"
    );
    assert!(
        matches!(&received[2], Received::ListWebAuthn(r) if r.query_filter == r#"deviceName eq "Key & co""#),
        "{received:?}"
    );
}

/// A header value HTTP cannot carry is refused before anything is sent.
#[tokio::test]
async fn header_values_http_cannot_carry_are_refused_by_the_client() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    let outcome = client
        .reset_push_devices(ALPHA, USER)
        .accept_api_version("resource=1.0\r\nX-Injected: 1")
        .await;
    assert!(
        matches!(outcome, Err(ClientError::InvalidRequest(ref m)) if m.contains("Accept-API-Version")),
        "{outcome:?}"
    );
    let outcome = Client::new(&server.base_url)
        .with_sso_token("AQIC\n5w")
        .list_bound_devices(ALPHA, USER)
        .await;
    assert!(
        matches!(outcome, Err(ClientError::InvalidRequest(ref m)) if m.contains("ssoToken")),
        "{outcome:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_is_not_doubled() {
    let double = scripted(None);
    let (server, _) = serve(&double).await;
    let client = Client::new(format!("{}/", server.base_url)).with_bearer_auth("any");
    client
        .delete_bound_device(ALPHA, USER, DEVICE)
        .await
        .expect("delete");
    assert_eq!(
        server.only_request().uri,
        format!("{ALPHA_PATH}/users/{USER}/devices/2fa/binding/{DEVICE}")
    );
}

// ---------------------------------------------------------------------------
// Malformed requests never reach the implementation
// ---------------------------------------------------------------------------

/// Send a raw request to a fresh double; check it is refused with `status`
/// and a CREST body (`code`, `reason`, `message` and nothing else) whose
/// message contains `mentions`, and that the implementation was not called.
/// Returns the response headers.
async fn rejected(
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    status: u16,
    mentions: &str,
) -> http::HeaderMap {
    let double = scripted(None);
    let (server, _) = serve(&double).await;
    let (got, response_headers, json) =
        raw(&server.base_url, method.clone(), path, headers, body).await;
    let what = format!("{method} {path} {headers:?} {body:?}");
    assert_eq!(got.as_u16(), status, "{what}: {json}");
    assert_eq!(
        response_headers["content-type"], "application/json",
        "{what}"
    );
    let reason = got.canonical_reason().expect("a standard status");
    let message = json["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no message in {json}"));
    assert_eq!(
        json,
        json!({"code": status, "reason": reason, "message": message}),
        "{what}"
    );
    assert!(
        message.contains(mentions),
        "{what}: `{message}` should mention `{mentions}`"
    );
    assert!(
        received(&double).is_empty(),
        "{what}: the implementation was called"
    );
    response_headers
}

#[tokio::test]
async fn missing_or_wrong_action_is_a_bad_request() {
    let oath = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath");
    rejected(
        Method::POST,
        &oath,
        GOOD_HEADERS,
        "{}",
        400,
        "`_action` is required",
    )
    .await;
    let wrong = format!("{oath}?_action=delete");
    rejected(
        Method::POST,
        &wrong,
        GOOD_HEADERS,
        "{}",
        400,
        "expected `reset`, found `delete`",
    )
    .await;
    let push = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/push?_action=refresh");
    rejected(
        Method::POST,
        &push,
        GOOD_HEADERS,
        "{}",
        400,
        "expected `reset`, found `refresh`",
    )
    .await;
    let refresh = format!("{ALPHA_PATH}/push/sns/message?_action=reset");
    let body = json!({"mechanismUid": MECHANISM, "username": USER, "jwt": JWT}).to_string();
    rejected(
        Method::POST,
        &refresh,
        GOOD_HEADERS,
        &body,
        400,
        "expected `refresh`, found `reset`",
    )
    .await;
}

/// `Accept-API-Version` is optional (the Ping JS SDK and the docs' own
/// list examples send none): requests without it reach the implementation,
/// which sees `None`.
#[tokio::test]
async fn requests_without_accept_api_version_reach_the_implementation() {
    let double = scripted(None);
    let (server, _) = serve(&double).await;
    let json_only = &[("content-type", "application/json")];
    let oath = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath?_action=reset");
    let list = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/binding?_queryFilter=true");
    let delete = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn/{DEVICE}");
    for (method, path, headers, body) in [
        (Method::POST, &oath, &json_only[..], "{}"),
        (Method::GET, &list, &[][..], ""),
        (Method::DELETE, &delete, &[][..], ""),
    ] {
        let (status, _, json) = raw(&server.base_url, method, path, headers, body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {json}");
    }
    let versions: Vec<Option<String>> = received(&double)
        .into_iter()
        .map(|request| match request {
            Received::ResetOath(r) => r.accept_api_version,
            Received::ListBound(r) => r.accept_api_version,
            Received::DeleteWebAuthn(r) => r.accept_api_version,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(versions, [None, None, None]);
}

/// The client sends `resource=1.0` unless told otherwise, on every
/// operation, the new ones included.
#[tokio::test]
async fn every_call_sends_the_documented_version_by_default() {
    let double = scripted(None);
    let (server, client) = serve(&double).await;
    client.list_oath_devices(ALPHA, USER).await.expect("list");
    client
        .delete_push_device(ALPHA, USER, PUSH_DEVICE)
        .await
        .expect("delete");
    client
        .rename_web_authn_device(ALPHA, USER, DEVICE, rename_body())
        .accept_api_version("protocol=2.0,resource=1.0")
        .await
        .expect("rename");
    let versions: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|wire| wire.header("accept-api-version").map(str::to_owned))
        .collect();
    assert_eq!(
        versions,
        [
            Some("resource=1.0".to_string()),
            Some("resource=1.0".to_string()),
            Some("protocol=2.0,resource=1.0".to_string())
        ]
    );
}

#[tokio::test]
async fn missing_query_filter_is_a_bad_request() {
    let list = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn");
    rejected(
        Method::GET,
        &list,
        GOOD_HEADERS,
        "",
        400,
        "`_queryFilter` is required",
    )
    .await;
}

#[tokio::test]
async fn invalid_or_missing_bodies_are_bad_requests() {
    let oath = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath?_action=reset");
    rejected(Method::POST, &oath, GOOD_HEADERS, "{\"", 400, "not valid").await;
    rejected(Method::POST, &oath, GOOD_HEADERS, "[]", 400, "not valid").await;
    rejected(
        Method::POST,
        &oath,
        GOOD_HEADERS,
        "",
        400,
        "body is required",
    )
    .await;
    let refresh = format!("{ALPHA_PATH}/push/sns/message?_action=refresh");
    let no_jwt = json!({"mechanismUid": MECHANISM, "username": USER}).to_string();
    rejected(Method::POST, &refresh, GOOD_HEADERS, &no_jwt, 400, "jwt").await;
}

#[tokio::test]
async fn a_refresh_body_that_is_not_json_is_unsupported_media_type() {
    let refresh = format!("{ALPHA_PATH}/push/sns/message?_action=refresh");
    let body = json!({"mechanismUid": MECHANISM, "username": USER, "jwt": JWT}).to_string();
    let text = &[
        ("accept-api-version", "resource=1.0"),
        ("content-type", "text/plain"),
    ];
    rejected(Method::POST, &refresh, text, &body, 415, "text/plain").await;
    let untyped = &[("accept-api-version", "resource=1.0")];
    rejected(
        Method::POST,
        &refresh,
        untyped,
        &body,
        415,
        "Content-Type is missing",
    )
    .await;
}

#[tokio::test]
async fn unknown_paths_are_not_found() {
    let sms = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/sms");
    rejected(Method::GET, &sms, GOOD_HEADERS, "", 404, "no operation at").await;
    let no_realm = format!("/users/{USER}/devices/2fa/oath?_action=reset");
    rejected(
        Method::POST,
        &no_realm,
        GOOD_HEADERS,
        "{}",
        404,
        "no operation at",
    )
    .await;
    let no_user = format!("{ALPHA_PATH}/users//devices/2fa/oath?_action=reset");
    rejected(
        Method::POST,
        &no_user,
        GOOD_HEADERS,
        "{}",
        404,
        "no operation at",
    )
    .await;
    rejected(Method::GET, "/", GOOD_HEADERS, "", 404, "no operation at").await;
}

#[tokio::test]
async fn wrong_methods_are_not_allowed_and_say_what_is() {
    let cases = [
        (
            Method::PUT,
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath?_action=reset"),
            "GET, HEAD, POST",
        ),
        (
            Method::DELETE,
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/push"),
            "GET, HEAD, POST",
        ),
        (
            Method::POST,
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/oath/{DEVICE}"),
            "DELETE",
        ),
        (
            Method::POST,
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn?_queryFilter=true"),
            "GET, HEAD",
        ),
        (
            Method::PUT,
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/binding/{DEVICE}"),
            "DELETE",
        ),
        (
            Method::POST,
            format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn/{DEVICE}"),
            "PUT, DELETE",
        ),
        (
            Method::GET,
            format!("{ALPHA_PATH}/push/sns/message"),
            "POST",
        ),
    ];
    for (method, path, allowed) in cases {
        let headers = rejected(method, &path, GOOD_HEADERS, "", 405, "is not allowed").await;
        assert_eq!(headers["allow"], allowed, "{path}");
    }
}

/// HEAD on a GET operation is the GET without its body (RFC 9110), not 405:
/// the implementation answers as for GET, the client gets the headers.
#[tokio::test]
async fn head_on_a_get_operation_is_answered_without_a_body() {
    let double = scripted(None);
    let (server, _) = serve(&double).await;
    let path = format!("{ALPHA_PATH}/users/{USER}/devices/2fa/webauthn?_queryFilter=true");
    let head = mfa_runtime::reqwest::Client::new()
        .head(format!("{}{path}", server.base_url))
        .header("accept-api-version", "resource=1.0")
        .header("authorization", "Bearer any")
        .send()
        .await
        .expect("answered");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-type"], "application/json");
    assert!(head.bytes().await.expect("read").is_empty());
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let double = scripted(None);
    let server =
        TestServer::start(router_with_body_limit(double.clone(), 16).layer(any_caller())).await;
    let client = Client::new(&server.base_url).with_bearer_auth("any");
    let outcome = client.refresh_push_device_id(ALPHA, refresh_body()).await;
    let Err(ClientError::UnexpectedStatus(response)) = outcome else {
        panic!("413 is not documented, expected UnexpectedStatus, got {outcome:?}");
    };
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = serde_json::from_slice(&response.body).expect("JSON body");
    assert_eq!(body["code"], 413);
    assert_eq!(body["reason"], "Payload Too Large");
    assert!(received(&double).is_empty());
}

// ---------------------------------------------------------------------------
// What the client makes of what a server sends
// ---------------------------------------------------------------------------

/// The spec's example 200 bodies, exactly as documented, decode to the
/// typed values.
#[tokio::test]
async fn the_spec_examples_decode_to_typed_values() {
    async fn client_for(operation: &str) -> (TestServer, Client) {
        let body = leak(spec_example_json(operation).to_string());
        let server =
            TestServer::start(canned(200, &[("content-type", "application/json")], body)).await;
        let client = Client::new(&server.base_url).with_bearer_auth("any");
        (server, client)
    }
    let (_s, c) = client_for("resetOathDevices").await;
    assert_eq!(
        c.reset_oath_devices(ALPHA, USER).await.unwrap(),
        ResetOathDevicesSuccess::Ok { body: reset_done() }
    );
    let (_s, c) = client_for("resetPushDevices").await;
    assert_eq!(
        c.reset_push_devices(ALPHA, USER).await.unwrap(),
        ResetPushDevicesSuccess::Ok { body: reset_done() }
    );
    let (_s, c) = client_for("listWebAuthnDevices").await;
    assert_eq!(
        c.list_web_authn_devices(ALPHA, USER).await.unwrap(),
        ListWebAuthnDevicesSuccess::Ok {
            body: webauthn_list()
        }
    );
    let (_s, c) = client_for("deleteWebAuthnDevice").await;
    assert_eq!(
        c.delete_web_authn_device(ALPHA, USER, DEVICE)
            .await
            .unwrap(),
        DeleteWebAuthnDeviceSuccess::Ok {
            body: deleted_webauthn()
        }
    );
    let (_s, c) = client_for("listBoundDevices").await;
    assert_eq!(
        c.list_bound_devices(ALPHA, USER).await.unwrap(),
        ListBoundDevicesSuccess::Ok { body: bound_list() }
    );
    let (_s, c) = client_for("deleteBoundDevice").await;
    assert_eq!(
        c.delete_bound_device(ALPHA, USER, DEVICE).await.unwrap(),
        DeleteBoundDeviceSuccess::Ok {
            body: deleted_bound()
        }
    );
    let (_s, c) = client_for("listOathDevices").await;
    assert_eq!(
        c.list_oath_devices(ALPHA, USER).await.unwrap(),
        ListOathDevicesSuccess::Ok { body: oath_list() }
    );
    let (_s, c) = client_for("listPushDevices").await;
    assert_eq!(
        c.list_push_devices(ALPHA, USER).await.unwrap(),
        ListPushDevicesSuccess::Ok { body: push_list() }
    );
    let (_s, c) = client_for("deleteOathDevice").await;
    assert_eq!(
        c.delete_oath_device(ALPHA, USER, OATH_DEVICE)
            .await
            .unwrap(),
        DeleteOathDeviceSuccess::Ok {
            body: deleted_oath()
        }
    );
    let (_s, c) = client_for("deletePushDevice").await;
    assert_eq!(
        c.delete_push_device(ALPHA, USER, PUSH_DEVICE)
            .await
            .unwrap(),
        DeletePushDeviceSuccess::Ok {
            body: deleted_push()
        }
    );
    let (_s, c) = client_for("renameWebAuthnDevice").await;
    assert_eq!(
        c.rename_web_authn_device(ALPHA, USER, DEVICE, rename_body())
            .await
            .unwrap(),
        RenameWebAuthnDeviceSuccess::Ok {
            body: renamed_webauthn()
        }
    );
    let (_s, c) = client_for("refreshPushDeviceId").await;
    assert_eq!(
        c.refresh_push_device_id(ALPHA, refresh_body())
            .await
            .unwrap(),
        RefreshPushDeviceIdSuccess::Ok {
            body: RefreshResult::default()
        }
    );
}

/// A CREST error with fields beyond the example (`detail` is any JSON, and
/// `reason` may be absent) still decodes to the documented error.
#[tokio::test]
async fn crest_errors_keep_detail_and_tolerate_no_reason() {
    let body = r#"{"code":400,"message":"Invalid query filter","detail":{"filter":["bad",1]}}"#;
    let server =
        TestServer::start(canned(400, &[("content-type", "application/json")], body)).await;
    let outcome = Client::new(&server.base_url)
        .with_bearer_auth("any")
        .list_bound_devices(ALPHA, USER)
        .await;
    let expected = CrestError {
        code: 400,
        reason: None,
        message: "Invalid query filter".into(),
        detail: Some(json!({"filter": ["bad", 1]})),
    };
    assert!(
        matches!(&outcome, Err(ClientError::Api(ListBoundDevicesError::BadRequest { body })) if *body == expected),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn undocumented_statuses_keep_the_raw_response() {
    for status in [201, 418, 429, 502] {
        let headers = &[("content-type", "text/plain"), ("x-request-id", "r-1")];
        let server = TestServer::start(canned(status, headers, "I'm a teapot")).await;
        let outcome = Client::new(&server.base_url)
            .with_bearer_auth("any")
            .reset_oath_devices(ALPHA, USER)
            .await;
        let Err(error) = outcome else {
            panic!("{status}: expected an error, got {outcome:?}")
        };
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        let ClientError::UnexpectedStatus(response) = error else {
            panic!("{status}: expected UnexpectedStatus, got {error:?}");
        };
        assert_eq!(response.status.as_u16(), status);
        assert_eq!(response.body, "I'm a teapot");
        assert_eq!(response.headers["x-request-id"], "r-1");
    }
}

/// Check that `outcome` is a decode error of a `status` response whose raw
/// body is `body`.
fn assert_decode_error<T: Debug, E: Debug>(
    outcome: Result<T, ClientError<E>>,
    status: u16,
    body: &str,
) {
    let Err(ClientError::Decode { response, message }) = outcome else {
        panic!("expected a decode error, got {outcome:?}");
    };
    assert_eq!(response.status.as_u16(), status);
    assert_eq!(response.body, body);
    assert!(message.starts_with("invalid JSON body"), "{message}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_decode_error() {
    let body = "<html>upstream timeout</html>";
    let server =
        TestServer::start(canned(200, &[("content-type", "application/json")], body)).await;
    let client = Client::new(&server.base_url).with_bearer_auth("any");
    assert_decode_error(client.list_web_authn_devices(ALPHA, USER).await, 200, body);
    assert_decode_error(
        client.refresh_push_device_id(ALPHA, refresh_body()).await,
        200,
        body,
    );
    assert_eq!(server.requests().len(), 2);

    let server = TestServer::start(canned(401, &[("content-type", "text/html")], body)).await;
    let client = Client::new(&server.base_url).with_bearer_auth("any");
    let outcome = client.delete_bound_device(ALPHA, USER, DEVICE).await;
    assert_eq!(
        outcome.as_ref().err().and_then(ClientError::status),
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_decode_error(outcome, 401, body);
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_a_decode_error() {
    let cases: [(u16, &'static str); 5] = [
        (200, r#"{"result":"yes"}"#),
        (200, r#"{"result":{"_id":"x"},"resultCount":1}"#),
        (200, r#"{"_rev":"1"}"#),
        (200, "[]"),
        (403, r#"{"error":"forbidden"}"#),
    ];
    for (status, body) in cases {
        let server = TestServer::start(canned(
            status,
            &[("content-type", "application/json")],
            body,
        ))
        .await;
        let client = Client::new(&server.base_url).with_bearer_auth("any");
        assert_decode_error(client.reset_oath_devices(ALPHA, USER).await, status, body);
        assert_decode_error(client.list_bound_devices(ALPHA, USER).await, status, body);
        assert_decode_error(
            client.delete_web_authn_device(ALPHA, USER, DEVICE).await,
            status,
            body,
        );
    }
}

/// The spec's server URL template is filled in with the tenant's FQDN.
#[tokio::test]
async fn server_urls_are_built_from_the_tenant_name() {
    assert_eq!(
        mfa_apis::ping::server_url("openam-acme-euw2-dev.id.forgerock.io"),
        "https://openam-acme-euw2-dev.id.forgerock.io/am/json"
    );
    assert_eq!(
        mfa_apis::ping::SERVERS,
        ["https://{tenantEnvFqdn}/am/json", "{origin}/am/json"]
    );
}

/// The second server builds the same base on any origin, plain HTTP
/// included: a local stand-in is reached the way a tenant is.
#[tokio::test]
async fn a_local_plain_http_base_is_built_from_its_origin() {
    let double = scripted(None);
    let server = TestServer::start(
        mfa_runtime::axum::Router::new()
            .nest("/am/json", router(double.clone()))
            .layer(any_caller()),
    )
    .await;
    let base = mfa_apis::ping::server_url_2(&server.base_url);
    assert_eq!(base, format!("http://{}/am/json", server.addr));
    Client::new(&base)
        .with_bearer_auth("any")
        .list_oath_devices(ALPHA, USER)
        .await
        .expect("served under /am/json");
    assert_eq!(
        server.only_request().uri,
        format!("/am/json{ALPHA_PATH}/users/{USER}/devices/2fa/oath?_queryFilter=true")
    );
}

/// A vendor's next release may add a `totalPagedResultsPolicy`: the listing
/// still decodes, keeping the new value, and writes it back as received
/// (issue 13, finding 5). Before, the whole listing failed to decode.
#[tokio::test]
async fn a_listing_with_an_unknown_paging_policy_decodes() {
    let mut listing = spec_example_json("listBoundDevices");
    listing["totalPagedResultsPolicy"] = json!("APPROXIMATE");
    let listing: &'static str = Box::leak(listing.to_string().into_boxed_str());
    let server = TestServer::start(canned(
        200,
        &[("content-type", "application/json")],
        listing,
    ))
    .await;
    let outcome = Client::new(&server.base_url)
        .with_bearer_auth("any")
        .list_bound_devices(ALPHA, USER)
        .await;
    let Ok(ListBoundDevicesSuccess::Ok { body }) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        body.total_paged_results_policy,
        Some(TotalPagedResultsPolicy::Unknown("APPROXIMATE".into()))
    );
    assert_eq!(body.result.len(), 1);
    let written = serde_json::to_value(&body).expect("serialises");
    assert_eq!(written["totalPagedResultsPolicy"], "APPROXIMATE");
}
