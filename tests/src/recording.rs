//! A recording implementation of the three generated server traits, for
//! tests that check what a real client's request looks like by the time it
//! reaches an implementation: the operation, who the auth layer said the
//! caller is, and every field of the typed input, as JSON. The vendors' own
//! SDKs are driven against it by the interop tests (`serve_interop`,
//! tests/interop/), and raw requests shaped like theirs by
//! tests/e2e/real_clients.rs.
//!
//! Every call succeeds with a body of the documented shape, so a client
//! carries on as against the vendor; Ping's lists hold one device each.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use mfa_apis::fireblocks::{
    self,
    operations::{ResetDeviceError, ResetDeviceInput, ResetDeviceSuccess},
};
use mfa_apis::flashback::{
    self,
    operations::{ResetMfaError, ResetMfaInput, ResetMfaSuccess},
    types::ResetMfaResponse,
};
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

/// Records every call; clones share the record.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Recorder {
    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("not poisoned").clone()
    }

    /// Every call so far, emptying the record.
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().expect("not poisoned"))
    }

    fn record(&self, operation: &str, caller: Option<&Principal>, input: Value) {
        let caller = caller.map_or(
            Value::Null,
            |p| json!({"scheme": p.scheme.as_ref(), "subject": p.subject}),
        );
        self.calls.lock().expect("not poisoned").push(Call {
            operation: operation.to_string(),
            caller,
            input,
        });
    }
}

/// The named fields of a typed input as a JSON object.
macro_rules! fields {
    ($input:expr; $($field:ident),* $(,)?) => {
        json!({ $(stringify!($field): serde_json::to_value(&$input.$field).expect("serializable")),* })
    };
}

impl fireblocks::FireblocksApi for Recorder {
    async fn reset_device(
        &self,
        caller: Option<Principal>,
        input: ResetDeviceInput,
    ) -> Result<ResetDeviceSuccess, ResetDeviceError> {
        self.record(
            "resetDevice",
            caller.as_ref(),
            fields!(input; id, idempotency_key),
        );
        Ok(ResetDeviceSuccess::Ok {
            x_request_id: Some(format!("req-{}", self.calls().len())),
        })
    }
}

impl flashback::FlashbackApi for Recorder {
    async fn reset_mfa(
        &self,
        caller: Principal,
        input: ResetMfaInput,
    ) -> Result<ResetMfaSuccess, ResetMfaError> {
        self.record("resetMfa", Some(&caller), fields!(input; body));
        Ok(ResetMfaSuccess::Ok {
            body: ResetMfaResponse {
                success: Some(true),
                message: Some("MFA reset successfully".into()),
            },
        })
    }
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

impl ping::PingApi for Recorder {
    async fn list_oath_devices(
        &self,
        caller: Principal,
        input: ListOathDevicesInput,
    ) -> Result<ListOathDevicesSuccess, ListOathDevicesError> {
        self.record(
            "listOathDevices",
            Some(&caller),
            fields!(input; realm, user, query_filter, accept_api_version),
        );
        Ok(ListOathDevicesSuccess::Ok {
            body: crest_page!(
                OathDeviceList,
                vec![listed_device!(
                    OathDevice,
                    device_id("oath", &input.user),
                    "oath device"
                )]
            ),
        })
    }

    async fn reset_oath_devices(
        &self,
        caller: Principal,
        input: ResetOathDevicesInput,
    ) -> Result<ResetOathDevicesSuccess, ResetOathDevicesError> {
        self.record(
            "resetOathDevices",
            Some(&caller),
            fields!(input; realm, user, accept_api_version, body),
        );
        Ok(ResetOathDevicesSuccess::Ok {
            body: ActionResult { result: true },
        })
    }

    async fn delete_oath_device(
        &self,
        caller: Principal,
        input: DeleteOathDeviceInput,
    ) -> Result<DeleteOathDeviceSuccess, DeleteOathDeviceError> {
        self.record(
            "deleteOathDevice",
            Some(&caller),
            fields!(input; realm, user, device_id, accept_api_version, body),
        );
        Ok(DeleteOathDeviceSuccess::Ok {
            body: deleted_device!(DeletedOathDevice, input.device_id, "oath device"),
        })
    }

    async fn list_push_devices(
        &self,
        caller: Principal,
        input: ListPushDevicesInput,
    ) -> Result<ListPushDevicesSuccess, ListPushDevicesError> {
        self.record(
            "listPushDevices",
            Some(&caller),
            fields!(input; realm, user, query_filter, accept_api_version),
        );
        Ok(ListPushDevicesSuccess::Ok {
            body: crest_page!(
                PushDeviceList,
                vec![listed_device!(
                    PushDevice,
                    device_id("push", &input.user),
                    "push device"
                )]
            ),
        })
    }

    async fn reset_push_devices(
        &self,
        caller: Principal,
        input: ResetPushDevicesInput,
    ) -> Result<ResetPushDevicesSuccess, ResetPushDevicesError> {
        self.record(
            "resetPushDevices",
            Some(&caller),
            fields!(input; realm, user, accept_api_version, body),
        );
        Ok(ResetPushDevicesSuccess::Ok {
            body: ActionResult { result: true },
        })
    }

    async fn delete_push_device(
        &self,
        caller: Principal,
        input: DeletePushDeviceInput,
    ) -> Result<DeletePushDeviceSuccess, DeletePushDeviceError> {
        self.record(
            "deletePushDevice",
            Some(&caller),
            fields!(input; realm, user, device_id, accept_api_version, body),
        );
        Ok(DeletePushDeviceSuccess::Ok {
            body: deleted_device!(DeletedPushDevice, input.device_id, "push device"),
        })
    }

    async fn list_web_authn_devices(
        &self,
        caller: Principal,
        input: ListWebAuthnDevicesInput,
    ) -> Result<ListWebAuthnDevicesSuccess, ListWebAuthnDevicesError> {
        self.record(
            "listWebAuthnDevices",
            Some(&caller),
            fields!(input; realm, user, query_filter, accept_api_version),
        );
        Ok(ListWebAuthnDevicesSuccess::Ok {
            body: crest_page!(WebAuthnDeviceList, vec![webauthn_device(&input.user)]),
        })
    }

    async fn rename_web_authn_device(
        &self,
        caller: Principal,
        input: RenameWebAuthnDeviceInput,
    ) -> Result<RenameWebAuthnDeviceSuccess, RenameWebAuthnDeviceError> {
        self.record(
            "renameWebAuthnDevice",
            Some(&caller),
            fields!(input; realm, user, device_id, accept_api_version, body),
        );
        let name = Some(input.body.device_name);
        Ok(RenameWebAuthnDeviceSuccess::Ok {
            body: webauthn_record(input.device_id, name),
        })
    }

    async fn delete_web_authn_device(
        &self,
        caller: Principal,
        input: DeleteWebAuthnDeviceInput,
    ) -> Result<DeleteWebAuthnDeviceSuccess, DeleteWebAuthnDeviceError> {
        self.record(
            "deleteWebAuthnDevice",
            Some(&caller),
            fields!(input; realm, user, device_id, accept_api_version, body),
        );
        let record = webauthn_record(input.device_id, Some("Security Key".into()));
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
    }

    async fn list_bound_devices(
        &self,
        caller: Principal,
        input: ListBoundDevicesInput,
    ) -> Result<ListBoundDevicesSuccess, ListBoundDevicesError> {
        self.record(
            "listBoundDevices",
            Some(&caller),
            fields!(input; realm, user, query_filter, accept_api_version),
        );
        Ok(ListBoundDevicesSuccess::Ok {
            body: crest_page!(BoundDeviceList, vec![bound_device(&input.user)]),
        })
    }

    async fn delete_bound_device(
        &self,
        caller: Principal,
        input: DeleteBoundDeviceInput,
    ) -> Result<DeleteBoundDeviceSuccess, DeleteBoundDeviceError> {
        self.record(
            "deleteBoundDevice",
            Some(&caller),
            fields!(input; realm, user, device_id, accept_api_version, body),
        );
        let listed = bound_device(&input.user);
        Ok(DeleteBoundDeviceSuccess::Ok {
            body: DeletedBoundDevice {
                id: input.device_id.clone(),
                rev: Some("2".into()),
                uuid: Some(input.device_id),
                recovery_codes: Some(vec!["iZmEtxvQ00".into()]),
                created_date: listed.created_date,
                last_access_date: listed.last_access_date,
                device_id: listed.device_id,
                device_name: listed.device_name,
                sign_count: Some(0),
                key: Some(BTreeMap::from([("kty".to_string(), json!("RSA"))])),
            },
        })
    }

    async fn refresh_push_device_id(
        &self,
        caller: Option<Principal>,
        input: RefreshPushDeviceIdInput,
    ) -> Result<RefreshPushDeviceIdSuccess, RefreshPushDeviceIdError> {
        self.record(
            "refreshPushDeviceId",
            caller.as_ref(),
            fields!(input; realm, accept_api_version, body),
        );
        Ok(RefreshPushDeviceIdSuccess::Ok {
            body: RefreshResult::default(),
        })
    }
}
