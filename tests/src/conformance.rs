//! The three generated test doubles, scripted for checking the generated
//! servers against their specs with schemathesis (`serve_conformance`, run
//! by CI).
//!
//! Answers are computed from the input, so every documented path runs: an
//! id is "unknown" when its stable hash says so (about one in four), giving
//! 404 (or the vendor's equivalent), and any other id succeeds with a body
//! that echoes it.

use std::collections::BTreeMap;

use mfa_apis::fireblocks::{
    self,
    operations::{ResetDeviceError, ResetDeviceSuccess},
    types::ErrorSchema,
};
use mfa_apis::flashback::{
    self,
    operations::{ResetMfaError, ResetMfaSuccess},
    types::{ErrorResponse as FlashbackError, ResetMfaResponse},
};
use mfa_apis::ping::{self, operations::*, types::*};
use mfa_runtime::http::StatusCode;
use mfa_runtime::server::auth::{AuthLayer, SchemeVerifier};

/// Whether `id` names nothing: a stable hash (FNV-1a), so the same id
/// always gets the same answer and runs are reproducible.
pub fn is_unknown(id: &str) -> bool {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % 4 == 0
}

/// A request id derived from the input, for Fireblocks' `X-Request-ID`.
fn request_id(id: &str) -> String {
    format!("req-{}", id.len())
}

/// Fireblocks: unknown console users get the spec's `default` error (404).
pub fn fireblocks() -> fireblocks::testing::Double {
    let double = fireblocks::testing::Double::new();
    double.reset_device().respond_with(|call| {
        let input = call.input;
        if is_unknown(&input.id) {
            return Err(ResetDeviceError::Default {
                status: StatusCode::NOT_FOUND,
                body: ErrorSchema {
                    message: Some(format!("no console user `{}`", input.id)),
                    code: Some(1404.0),
                },
                x_request_id: Some(request_id(&input.id)),
            });
        }
        Ok(ResetDeviceSuccess::Ok {
            x_request_id: Some(request_id(&input.id)),
        })
    });
    double
}

/// Flashback: a self reset always succeeds; resetting another user fails
/// with 404 when that user is unknown.
pub fn flashback() -> flashback::testing::Double {
    let double = flashback::testing::Double::new();
    double.reset_mfa().respond_with(|call| {
        let input = call.input;
        let target = input.body.and_then(|body| body.reset_user_id);
        let message = match &target {
            Some(user) if is_unknown(user) => {
                return Err(ResetMfaError::NotFound {
                    body: FlashbackError {
                        success: Some(false),
                        error: Some(format!("no user `{user}`")),
                    },
                });
            }
            Some(user) => format!("MFA reset for {user}"),
            None => "MFA reset successfully".to_string(),
        };
        Ok(ResetMfaSuccess::Ok {
            body: ResetMfaResponse {
                success: Some(true),
                message: Some(message),
            },
        })
    });
    double
}

fn crest_not_found(what: &str, id: &str) -> CrestError {
    CrestError {
        code: 404,
        reason: Some("Not Found".into()),
        message: format!("no {what} `{id}`"),
        detail: None,
    }
}

/// The one device every known user has, named after the user.
fn device_of(user: &str) -> String {
    format!("{user}-device")
}

/// The 404 body when the device is missing: a device exists when its user
/// does and it is that user's one device or any known id.
fn missing_device(user: &str, device: &str) -> Option<CrestError> {
    if let Some(missing) = missing_user(user) {
        return Some(missing);
    }
    (device != device_of(user) && is_unknown(device)).then(|| crest_not_found("device", device))
}

/// The 404 body when the user is missing.
fn missing_user(user: &str) -> Option<CrestError> {
    is_unknown(user).then(|| crest_not_found("user", user))
}

fn webauthn_device(user: &str) -> WebAuthnDevice {
    WebAuthnDevice {
        id: device_of(user),
        rev: Some("1".into()),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        credential_id: Some(format!("cred-{}", user.len())),
        device_name: Some("Security Key".into()),
        uuid: Some(device_of(user)),
        device_management_status: Some(false),
    }
}

fn bound_device(user: &str) -> BoundDevice {
    BoundDevice {
        id: device_of(user),
        rev: Some("1".into()),
        created_date: Some(1_749_572_704_744),
        last_access_date: Some(1_749_658_650_801),
        device_id: Some(format!("hw-{}", user.len())),
        device_name: Some("Phone".into()),
        uuid: Some(device_of(user)),
        device_management_status: Some(false),
    }
}

/// Ping: unknown users and devices get a CREST 404.
pub fn ping() -> ping::testing::Double {
    let double = ping::testing::Double::new();
    double.list_oath_devices().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_user(&input.user) {
            return Err(ListOathDevicesError::NotFound { body });
        }
        let device = listed_device!(OathDevice, device_of(&input.user), "OATH Device");
        Ok(ListOathDevicesSuccess::Ok {
            body: crest_page!(OathDeviceList, vec![device]),
        })
    });
    double.delete_oath_device().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_device(&input.user, &input.device_id) {
            return Err(DeleteOathDeviceError::NotFound { body });
        }
        Ok(DeleteOathDeviceSuccess::Ok {
            body: deleted_device!(DeletedOathDevice, input.device_id, "OATH Device"),
        })
    });
    double.list_push_devices().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_user(&input.user) {
            return Err(ListPushDevicesError::NotFound { body });
        }
        let device = listed_device!(PushDevice, device_of(&input.user), "Push Device");
        Ok(ListPushDevicesSuccess::Ok {
            body: crest_page!(PushDeviceList, vec![device]),
        })
    });
    double.delete_push_device().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_device(&input.user, &input.device_id) {
            return Err(DeletePushDeviceError::NotFound { body });
        }
        Ok(DeletePushDeviceSuccess::Ok {
            body: deleted_device!(DeletedPushDevice, input.device_id, "Push Device"),
        })
    });
    double.rename_web_authn_device().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_device(&input.user, &input.device_id) {
            return Err(RenameWebAuthnDeviceError::NotFound { body });
        }
        let device = webauthn_device(&input.user);
        Ok(RenameWebAuthnDeviceSuccess::Ok {
            body: UpdatedWebAuthnDevice {
                id: input.device_id.clone(),
                rev: Some("2".into()),
                uuid: Some(input.device_id),
                recovery_codes: Some(vec!["iZmEtxvQ00".into()]),
                created_date: device.created_date,
                last_access_date: device.last_access_date,
                credential_id: device.credential_id,
                algorithm: Some("SHA256withECDSA".into()),
                device_name: Some(input.body.device_name),
                sign_count: Some(0),
                key: Some(BTreeMap::from([("kty".to_string(), "EC".into())])),
            },
        })
    });
    double.reset_oath_devices().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_user(&input.user) {
            return Err(ResetOathDevicesError::NotFound { body });
        }
        Ok(ResetOathDevicesSuccess::Ok {
            body: ActionResult { result: true },
        })
    });
    double.reset_push_devices().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_user(&input.user) {
            return Err(ResetPushDevicesError::NotFound { body });
        }
        Ok(ResetPushDevicesSuccess::Ok {
            body: ActionResult { result: true },
        })
    });
    double.list_web_authn_devices().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_user(&input.user) {
            return Err(ListWebAuthnDevicesError::NotFound { body });
        }
        Ok(ListWebAuthnDevicesSuccess::Ok {
            body: crest_page!(WebAuthnDeviceList, vec![webauthn_device(&input.user)]),
        })
    });
    double.delete_web_authn_device().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_device(&input.user, &input.device_id) {
            return Err(DeleteWebAuthnDeviceError::NotFound { body });
        }
        let device = webauthn_device(&input.user);
        Ok(DeleteWebAuthnDeviceSuccess::Ok {
            body: DeletedWebAuthnDevice {
                id: input.device_id.clone(),
                rev: device.rev,
                uuid: Some(input.device_id),
                recovery_codes: Some(vec!["iZmEtxvQ00".into()]),
                created_date: device.created_date,
                last_access_date: device.last_access_date,
                credential_id: device.credential_id,
                algorithm: Some("SHA256withECDSA".into()),
                device_name: device.device_name,
                sign_count: Some(0),
                key: Some(BTreeMap::from([("kty".to_string(), "EC".into())])),
            },
        })
    });
    double.list_bound_devices().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_user(&input.user) {
            return Err(ListBoundDevicesError::NotFound { body });
        }
        Ok(ListBoundDevicesSuccess::Ok {
            body: crest_page!(BoundDeviceList, vec![bound_device(&input.user)]),
        })
    });
    double.delete_bound_device().respond_with(|call| {
        let input = call.input;
        if let Some(body) = missing_device(&input.user, &input.device_id) {
            return Err(DeleteBoundDeviceError::NotFound { body });
        }
        let device = bound_device(&input.user);
        Ok(DeleteBoundDeviceSuccess::Ok {
            body: DeletedBoundDevice {
                id: input.device_id.clone(),
                rev: device.rev,
                uuid: Some(input.device_id),
                recovery_codes: Some(vec!["iZmEtxvQ00".into()]),
                created_date: device.created_date,
                last_access_date: device.last_access_date,
                device_id: device.device_id,
                device_name: device.device_name,
                sign_count: Some(0),
                key: Some(BTreeMap::from([("kty".to_string(), "RSA".into())])),
            },
        })
    });
    double.refresh_push_device_id().respond_with(|call| {
        let input = call.input;
        // The mechanism names the registration when no user is given.
        let owner = input
            .body
            .username
            .as_ref()
            .and_then(Option::as_ref)
            .unwrap_or(&input.body.mechanism_uid);
        if let Some(body) = missing_user(owner) {
            return Err(RefreshPushDeviceIdError::NotFound { body });
        }
        Ok(RefreshPushDeviceIdSuccess::Ok {
            body: RefreshResult::default(),
        })
    });
    double
}

/// The credential schemathesis sends (`--header`) for every declared scheme.
pub const TOKEN: &str = "conformance";

/// The router for the spec named `name` (its file stem in specs/), behind
/// [`authenticated`].
pub fn router(name: &str) -> Option<mfa_runtime::axum::Router> {
    match name {
        "fireblocks" => Some(fireblocks::router(fireblocks())),
        "flashback" => Some(flashback::router(flashback())),
        "ping" => Some(ping::router(ping())),
        _ => None,
    }
    .map(|router| authenticated(name, router))
}

/// `router` (spec `name`'s) behind an auth layer that accepts [`TOKEN`] for
/// each scheme the spec declares, so schemathesis's `ignored_auth` check
/// sees a real 401 without it, and hostile-request tests reach the parsers
/// behind it. Fireblocks' spec declares no scheme (its signed JWT is
/// vendor-specific and tested in tests/e2e/server_auth.rs), so it is served
/// as the spec says.
pub fn authenticated(name: &str, router: mfa_runtime::axum::Router) -> mfa_runtime::axum::Router {
    let accept = |credential: String| async move {
        (credential == TOKEN).then(|| "conformance".to_string())
    };
    match name {
        "flashback" => {
            use mfa_apis::flashback::server::security::BEARER_AUTH;
            let verifier = SchemeVerifier::new().with(BEARER_AUTH, accept);
            router.layer(AuthLayer::new(verifier))
        }
        "ping" => {
            use mfa_apis::ping::server::security::{BEARER_AUTH, SSO_COOKIE, SSO_TOKEN};
            let verifier = SchemeVerifier::new()
                .with(BEARER_AUTH, accept)
                .with_any([SSO_TOKEN, SSO_COOKIE], accept);
            router.layer(AuthLayer::new(verifier))
        }
        _ => router,
    }
}
