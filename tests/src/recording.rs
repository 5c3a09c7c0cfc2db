//! The three generated test doubles, scripted as a stand-in for the
//! vendors, for tests that check what a real client's request looks like by
//! the time it reaches an implementation: the operation, who the auth layer
//! said the caller is, and every field of the typed input, as JSON. The
//! vendors' own SDKs are driven against them by the interop tests
//! (`serve_interop`, tests/interop/), and raw requests shaped like theirs
//! by tests/e2e/real_clients.rs.
//!
//! Every call succeeds with a body of the documented shape, so a client
//! carries on as against the vendor; Ping's lists hold one device each.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use mfa_apis::fireblocks::{self, operations::ResetDeviceSuccess};
use mfa_apis::flashback::{self, operations::ResetMfaSuccess, types::ResetMfaResponse};
use mfa_apis::ping::{self, operations::*, types::*};
use mfa_runtime::server::Principal;
use serde::Serialize;
use serde_json::{Value, json};

/// One call as the implementation received it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    /// The operationId.
    pub operation: String,
    /// `{"scheme", "subject"}` of the authenticated caller, or null.
    pub caller: Value,
    /// The typed input, field by field (Rust field names).
    pub input: Value,
}

/// The three generated test doubles, scripted to answer as above; what
/// they receive is read back as [`Call`]s. Clones share the doubles.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub fireblocks: fireblocks::testing::Double,
    pub ping: ping::testing::Double,
    pub flashback: flashback::testing::Double,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            fireblocks: fireblocks_double(),
            ping: ping_double(),
            flashback: flashback_double(),
        }
    }
}

impl Recorder {
    /// Every call so far, in order for each API (Fireblocks', Ping's, then
    /// Flashback's).
    pub fn calls(&self) -> Vec<Call> {
        let fireblocks = self.fireblocks.received().into_iter().map(fireblocks_call);
        let ping = self.ping.received().into_iter().map(ping_call);
        let flashback = self.flashback.received().into_iter().map(flashback_call);
        fireblocks.chain(ping).chain(flashback).collect()
    }

    /// Every call so far, as [`Recorder::calls`], emptying the record.
    pub fn take(&self) -> Vec<Call> {
        let fireblocks = self
            .fireblocks
            .take_received()
            .into_iter()
            .map(fireblocks_call);
        let ping = self.ping.take_received().into_iter().map(ping_call);
        let flashback = self
            .flashback
            .take_received()
            .into_iter()
            .map(flashback_call);
        fireblocks.chain(ping).chain(flashback).collect()
    }
}

/// A call as JSON: the operation, `{"scheme", "subject"}` of the caller
/// (or null) and `fields` of the input.
fn call(operation: &str, caller: Option<Principal>, input: Value) -> Call {
    let caller = caller.map_or(
        Value::Null,
        |p| json!({"scheme": p.scheme.as_ref(), "subject": p.subject}),
    );
    Call {
        operation: operation.to_string(),
        caller,
        input,
    }
}

/// The named fields of a typed input as a JSON object.
macro_rules! fields {
    ($input:expr; $($field:ident),* $(,)?) => {
        json!({ $(stringify!($field): serde_json::to_value(&$input.$field).expect("serializable")),* })
    };
}

fn fireblocks_call(received: fireblocks::testing::Received) -> Call {
    use fireblocks::testing::Received::*;
    match received {
        ResetDevice(c) => call(
            "resetDevice",
            c.caller,
            fields!(c.input; id, idempotency_key),
        ),
    }
}

fn flashback_call(received: flashback::testing::Received) -> Call {
    use flashback::testing::Received::*;
    match received {
        ResetMfa(c) => call("resetMfa", c.caller, fields!(c.input; body)),
    }
}

fn ping_call(received: ping::testing::Received) -> Call {
    use ping::testing::Received::*;
    match received {
        ListOathDevices(c) => call(
            "listOathDevices",
            c.caller,
            fields!(c.input; realm, user, query_filter, accept_api_version),
        ),
        ResetOathDevices(c) => call(
            "resetOathDevices",
            c.caller,
            fields!(c.input; realm, user, accept_api_version, body),
        ),
        DeleteOathDevice(c) => call(
            "deleteOathDevice",
            c.caller,
            fields!(c.input; realm, user, device_id, accept_api_version, body),
        ),
        ListPushDevices(c) => call(
            "listPushDevices",
            c.caller,
            fields!(c.input; realm, user, query_filter, accept_api_version),
        ),
        ResetPushDevices(c) => call(
            "resetPushDevices",
            c.caller,
            fields!(c.input; realm, user, accept_api_version, body),
        ),
        DeletePushDevice(c) => call(
            "deletePushDevice",
            c.caller,
            fields!(c.input; realm, user, device_id, accept_api_version, body),
        ),
        ListWebAuthnDevices(c) => call(
            "listWebAuthnDevices",
            c.caller,
            fields!(c.input; realm, user, query_filter, accept_api_version),
        ),
        RenameWebAuthnDevice(c) => call(
            "renameWebAuthnDevice",
            c.caller,
            fields!(c.input; realm, user, device_id, accept_api_version, body),
        ),
        DeleteWebAuthnDevice(c) => call(
            "deleteWebAuthnDevice",
            c.caller,
            fields!(c.input; realm, user, device_id, accept_api_version, body),
        ),
        ListBoundDevices(c) => call(
            "listBoundDevices",
            c.caller,
            fields!(c.input; realm, user, query_filter, accept_api_version),
        ),
        DeleteBoundDevice(c) => call(
            "deleteBoundDevice",
            c.caller,
            fields!(c.input; realm, user, device_id, accept_api_version, body),
        ),
        RefreshPushDeviceId(c) => call(
            "refreshPushDeviceId",
            c.caller,
            fields!(c.input; realm, accept_api_version, body),
        ),
    }
}

/// Fireblocks: every reset succeeds, with a request id of its own.
fn fireblocks_double() -> fireblocks::testing::Double {
    let double = fireblocks::testing::Double::new();
    let runs = AtomicUsize::new(0);
    double.reset_device().respond_with(move |_| {
        let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(ResetDeviceSuccess::Ok {
            x_request_id: Some(format!("req-{run}")),
        })
    });
    double
}

/// Flashback: every reset succeeds, with the spec's example answer
/// (also the stand-in of suites that need a Flashback that just works).
pub fn flashback_double() -> flashback::testing::Double {
    let double = flashback::testing::Double::new();
    double.reset_mfa().answer(Ok(ResetMfaSuccess::Ok {
        body: ResetMfaResponse {
            success: Some(true),
            message: Some("MFA reset successfully".into()),
        },
    }));
    double
}

/// The one device of each kind every user has: `<kind>-<user>`.
fn device_id(kind: &str, user: &str) -> String {
    format!("{kind}-{user}")
}

fn webauthn_device(user: &str) -> WebAuthnDevice {
    WebAuthnDevice {
        id: device_id("webauthn", user),
        rev: Some("1".into()),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        credential_id: Some("XGJpYNYv4AHG9sHHgxFfTw".into()),
        device_name: Some("Security Key".into()),
        uuid: Some(device_id("webauthn", user)),
        device_management_status: Some(false),
    }
}

fn bound_device(user: &str) -> BoundDevice {
    BoundDevice {
        id: device_id("binding", user),
        rev: Some("1".into()),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        device_id: Some("e2e84b5d2a927abdcb85570bac9701c390a92751".into()),
        device_name: Some("iOS Device".into()),
        uuid: Some(device_id("binding", user)),
        device_management_status: Some(false),
    }
}

/// The stored WebAuthn record of `id`, named `name`.
fn webauthn_record(id: String, name: Option<String>) -> UpdatedWebAuthnDevice {
    UpdatedWebAuthnDevice {
        id: id.clone(),
        rev: Some("2".into()),
        uuid: Some(id),
        recovery_codes: Some(vec!["iZmEtxvQ00".into()]),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        credential_id: Some("XGJpYNYv4AHG9sHHgxFfTw".into()),
        algorithm: Some("SHA256withECDSA".into()),
        device_name: name,
        sign_count: Some(0),
        key: Some(BTreeMap::from([("kty".to_string(), json!("EC"))])),
    }
}

/// Ping: every call succeeds; each list holds the user's one device of
/// its kind.
fn ping_double() -> ping::testing::Double {
    let double = ping::testing::Double::new();
    double.list_oath_devices().respond_with(|c| {
        let device = listed_device!(OathDevice, device_id("oath", &c.input.user), "oath device");
        Ok(ListOathDevicesSuccess::Ok {
            body: crest_page!(OathDeviceList, vec![device]),
        })
    });
    double
        .reset_oath_devices()
        .answer(Ok(ResetOathDevicesSuccess::Ok {
            body: ActionResult { result: true },
        }));
    double.delete_oath_device().respond_with(|c| {
        Ok(DeleteOathDeviceSuccess::Ok {
            body: deleted_device!(DeletedOathDevice, c.input.device_id, "oath device"),
        })
    });
    double.list_push_devices().respond_with(|c| {
        let device = listed_device!(PushDevice, device_id("push", &c.input.user), "push device");
        Ok(ListPushDevicesSuccess::Ok {
            body: crest_page!(PushDeviceList, vec![device]),
        })
    });
    double
        .reset_push_devices()
        .answer(Ok(ResetPushDevicesSuccess::Ok {
            body: ActionResult { result: true },
        }));
    double.delete_push_device().respond_with(|c| {
        Ok(DeletePushDeviceSuccess::Ok {
            body: deleted_device!(DeletedPushDevice, c.input.device_id, "push device"),
        })
    });
    double.list_web_authn_devices().respond_with(|c| {
        Ok(ListWebAuthnDevicesSuccess::Ok {
            body: crest_page!(WebAuthnDeviceList, vec![webauthn_device(&c.input.user)]),
        })
    });
    double.rename_web_authn_device().respond_with(|c| {
        let name = Some(c.input.body.device_name);
        Ok(RenameWebAuthnDeviceSuccess::Ok {
            body: webauthn_record(c.input.device_id, name),
        })
    });
    double.delete_web_authn_device().respond_with(|c| {
        let record = webauthn_record(c.input.device_id, Some("Security Key".into()));
        Ok(DeleteWebAuthnDeviceSuccess::Ok {
            body: DeletedWebAuthnDevice {
                id: record.id,
                rev: record.rev,
                uuid: record.uuid,
                recovery_codes: record.recovery_codes,
                created_date: record.created_date,
                last_access_date: record.last_access_date,
                credential_id: record.credential_id,
                algorithm: record.algorithm,
                device_name: record.device_name,
                sign_count: record.sign_count,
                key: record.key,
            },
        })
    });
    double.list_bound_devices().respond_with(|c| {
        Ok(ListBoundDevicesSuccess::Ok {
            body: crest_page!(BoundDeviceList, vec![bound_device(&c.input.user)]),
        })
    });
    double.delete_bound_device().respond_with(|c| {
        let listed = bound_device(&c.input.user);
        let id = c.input.device_id;
        Ok(DeleteBoundDeviceSuccess::Ok {
            body: DeletedBoundDevice {
                id: id.clone(),
                rev: Some("2".into()),
                uuid: Some(id),
                recovery_codes: Some(vec!["iZmEtxvQ00".into()]),
                created_date: listed.created_date,
                last_access_date: listed.last_access_date,
                device_id: listed.device_id,
                device_name: listed.device_name,
                sign_count: Some(0),
                key: Some(BTreeMap::from([("kty".to_string(), json!("RSA"))])),
            },
        })
    });
    double
        .refresh_push_device_id()
        .answer(Ok(RefreshPushDeviceIdSuccess::Ok {
            body: RefreshResult::default(),
        }));
    double
}
