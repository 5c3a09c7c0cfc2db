//! Fireblocks' request signing, both halves: the JWT a client signs for each
//! call and the checks a server makes on it.
//!
//! Every Fireblocks call carries `X-API-Key: <api key>` and
//! `Authorization: Bearer <JWT>`, the JWT signed RS256 with the API user's
//! RSA private key. Its claims bind the token to one request: `uri` (path and
//! query as sent, base path included, e.g. `/v1/vault/accounts?limit=1`),
//! `nonce` (unique per request, a string or a number), `iat` and `exp`
//! (seconds since the epoch), `sub` (the API key) and `bodyHash` (hex SHA-256
//! of the exact body bytes sent; of the empty string when there is none).
//! See <https://developers.fireblocks.com/reference/signing-a-request-jwt-structure>.
//!
//! What the vendor's own SDKs send differs from that page in two ways a
//! verifier has to accept: every SDK signs `exp = iat + 55` (the page says
//! under `iat + 30`; the live service accepts 55, and Fireblocks' support
//! tells custom clients to use it), and the legacy Python SDK sends `nonce`
//! as a JSON integer. With no body, the current Python and TypeScript SDKs
//! send nothing and hash `""`, the legacy Python and JS SDKs send `{}` and
//! hash `"{}"`: both verify, since the hash is checked against the bytes
//! received.
//!
//! Replay protection (remembering nonces) needs state and lives with the
//! server layer that uses [`verify`].

use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The header that names the API user.
pub const API_KEY_HEADER: &str = "X-API-Key";

/// The longest lifetime (`exp - iat`, seconds) a verifier accepts unless
/// told otherwise: 55, what the live service accepts and what every official
/// SDK signs. The docs page's own rule, `exp` under `iat + 30`, is a maximum
/// of 29; a verifier set to it refuses every official SDK.
pub const DEFAULT_MAX_LIFETIME_SECS: u64 = 55;

/// The lifetime this crate's client gives its tokens: 25 s, under both the
/// documented limit and the accepted one, so a token signed here verifies
/// however strictly the server reads the docs.
pub const DEFAULT_LIFETIME_SECS: u64 = 25;

/// The claims of a Fireblocks request token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// Path and query of the request as sent, base path included.
    pub uri: String,
    /// Unique per request: a server refuses a nonce it has seen.
    pub nonce: Nonce,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Expires at, seconds since the epoch; a verifier limits `exp - iat`
    /// ([`DEFAULT_MAX_LIFETIME_SECS`]).
    pub exp: u64,
    /// The API key.
    pub sub: String,
    /// Hex SHA-256 of the body bytes.
    pub body_hash: String,
}

impl Claims {
    /// Claims for one request, with a fresh random nonce.
    pub fn for_request(api_key: &str, uri: &str, body: &[u8], issued_at: u64) -> Self {
        Claims {
            uri: uri.to_owned(),
            nonce: Nonce::Text(uuid::Uuid::new_v4().to_string()),
            iat: issued_at,
            exp: issued_at + DEFAULT_LIFETIME_SECS,
            sub: api_key.to_owned(),
            body_hash: body_hash(body),
        }
    }
}

/// A token's `nonce`: the docs allow "a unique number or string". The
/// current SDKs send a UUID string, the legacy Python SDK a 63-bit integer.
///
/// A number and the string of its decimal digits are the same nonce to a
/// replay check ([`fmt::Display`] writes both alike): a token cannot be
/// replayed by re-signing its nonce in the other form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Nonce {
    /// A JSON string (a UUID from the current SDKs and this crate).
    Text(String),
    /// A JSON integer (the legacy Python SDK).
    Number(u64),
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nonce::Text(text) => f.write_str(text),
            Nonce::Number(number) => write!(f, "{number}"),
        }
    }
}

/// Hex SHA-256 of `body` (of the empty string for a request without one).
pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Seconds since the epoch, as `iat` and `exp` count them.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What went wrong with a key or a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    /// The PEM is not an RSA key of the kind expected.
    InvalidKey(String),
    /// Signing failed.
    Signing(String),
    /// Not a JWT, not RS256, or claims missing or of the wrong type.
    Malformed(String),
    /// The signature does not match the API user's public key.
    BadSignature,
    /// `sub` is not the API key the request names.
    WrongApiKey,
    /// `uri` is not the request's path and query.
    UriMismatch {
        /// The `uri` claim.
        claimed: String,
        /// The path and query received.
        actual: String,
    },
    /// `bodyHash` is not the hash of the body received.
    BodyHashMismatch,
    /// `exp` has passed.
    Expired,
    /// `iat` is in the future beyond the allowed clock skew.
    IssuedInTheFuture,
    /// `exp - iat` is over the verifier's maximum lifetime, or negative.
    LifetimeTooLong {
        /// `exp - iat`.
        lifetime_secs: i64,
        /// The longest lifetime accepted.
        max_secs: u64,
    },
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwtError::InvalidKey(why) => write!(f, "invalid RSA key: {why}"),
            JwtError::Signing(why) => write!(f, "could not sign the request: {why}"),
            JwtError::Malformed(why) => write!(f, "malformed JWT: {why}"),
            JwtError::BadSignature => f.write_str("the JWT signature does not verify"),
            JwtError::WrongApiKey => f.write_str("the JWT `sub` is not the API key sent"),
            JwtError::UriMismatch { claimed, actual } => write!(
                f,
                "the JWT was signed for `{claimed}`, the request is for `{actual}`"
            ),
            JwtError::BodyHashMismatch => {
                f.write_str("the JWT `bodyHash` does not match the request body")
            }
            JwtError::Expired => f.write_str("the JWT has expired"),
            JwtError::IssuedInTheFuture => f.write_str("the JWT `iat` is in the future"),
            JwtError::LifetimeTooLong {
                lifetime_secs,
                max_secs,
            } => write!(
                f,
                "the JWT lives {lifetime_secs} s (`exp - iat`); at most {max_secs} s is accepted"
            ),
        }
    }
}

impl std::error::Error for JwtError {}

/// An API user's private key, for signing. `Debug` never shows it.
#[derive(Clone)]
pub struct SigningKey {
    api_key: String,
    key: EncodingKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("api_key", &self.api_key)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl SigningKey {
    /// The API key and its RSA private key in PEM (PKCS#1 or PKCS#8), as the
    /// Fireblocks console hands them out.
    pub fn from_pem(api_key: impl Into<String>, private_key_pem: &[u8]) -> Result<Self, JwtError> {
        let key = EncodingKey::from_rsa_pem(private_key_pem)
            .map_err(|e| JwtError::InvalidKey(e.to_string()))?;
        Ok(SigningKey {
            api_key: api_key.into(),
            key,
        })
    }

    /// The API key this key signs for (the JWT's `sub`).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The token for one request: `uri` is its path and query as sent.
    pub fn sign_request(&self, uri: &str, body: &[u8], issued_at: u64) -> Result<String, JwtError> {
        self.sign(&Claims::for_request(&self.api_key, uri, body, issued_at))
    }

    /// Sign arbitrary claims (tests use this to forge bad tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, JwtError> {
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &self.key)
            .map_err(|e| JwtError::Signing(e.to_string()))
    }
}

/// An API user's public key, for verifying.
#[derive(Clone)]
pub struct VerifyingKey {
    key: DecodingKey,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyingKey(RSA)")
    }
}

impl VerifyingKey {
    /// An RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`).
    pub fn from_pem(public_key_pem: &[u8]) -> Result<Self, JwtError> {
        let key = DecodingKey::from_rsa_pem(public_key_pem)
            .map_err(|e| JwtError::InvalidKey(e.to_string()))?;
        Ok(VerifyingKey { key })
    }
}

/// The request a token must match.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The `X-API-Key` the request carries.
    pub api_key: &'a str,
    /// Path and query as received.
    pub uri: &'a str,
    /// The body bytes received.
    pub body: &'a [u8],
    /// The verifier's clock, seconds since the epoch.
    pub now: u64,
    /// How far ahead of `now` an `iat` may be (clocks drift).
    pub leeway_secs: u64,
    /// The longest `exp - iat` accepted ([`DEFAULT_MAX_LIFETIME_SECS`]).
    pub max_lifetime_secs: u64,
}

/// Check `token` against the request it came with: signature, `sub`, `uri`,
/// `bodyHash` (of `expected.body`, the bytes received, whatever convention
/// the client followed for an empty body), expiry and lifetime. The nonce is returned in the claims for
/// the caller to check against the ones it has seen.
pub fn verify(token: &str, key: &VerifyingKey, expected: Expected<'_>) -> Result<Claims, JwtError> {
    let mut validation = Validation::new(Algorithm::RS256);
    // Time is checked below, against the caller's clock, with our own rules.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => JwtError::BadSignature,
            _ => JwtError::Malformed(e.to_string()),
        })?
        .claims;
    if claims.sub != expected.api_key {
        return Err(JwtError::WrongApiKey);
    }
    if claims.uri != expected.uri {
        return Err(JwtError::UriMismatch {
            claimed: claims.uri,
            actual: expected.uri.to_owned(),
        });
    }
    if !claims
        .body_hash
        .eq_ignore_ascii_case(&body_hash(expected.body))
    {
        return Err(JwtError::BodyHashMismatch);
    }
    if claims.exp < claims.iat || claims.exp - claims.iat > expected.max_lifetime_secs {
        return Err(JwtError::LifetimeTooLong {
            lifetime_secs: (claims.exp as i128 - claims.iat as i128)
                .clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            max_secs: expected.max_lifetime_secs,
        });
    }
    if claims.iat > expected.now.saturating_add(expected.leeway_secs) {
        return Err(JwtError::IssuedInTheFuture);
    }
    if claims.exp <= expected.now {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A 2048-bit key made for these tests only (`openssl genpkey`).
    const PRIVATE: &[u8] = include_bytes!("../tests/keys/fireblocks-test-private.pem");
    const PUBLIC: &[u8] = include_bytes!("../tests/keys/fireblocks-test-public.pem");
    const OTHER_PRIVATE: &[u8] = include_bytes!("../tests/keys/other-test-private.pem");

    fn expected<'a>(uri: &'a str, body: &'a [u8], now: u64) -> Expected<'a> {
        Expected {
            api_key: "api-key-1",
            uri,
            body,
            now,
            leeway_secs: 5,
            max_lifetime_secs: DEFAULT_MAX_LIFETIME_SECS,
        }
    }

    #[test]
    fn body_hash_is_hex_sha256() {
        assert_eq!(
            body_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // The example Fireblocks-style APIs publish alongside their docs.
        assert_eq!(
            body_hash(br#"{"asset":"BTC","amount":0.0675,"type":"Withdraw","ts":1715933321398}"#),
            "6fd6a31980c78e97a5b1a12138b979934fb825f035c1ea2d3a8037a595bcedfb"
        );
    }

    #[test]
    fn a_signed_request_verifies_and_carries_its_claims() {
        let signer = SigningKey::from_pem("api-key-1", PRIVATE).unwrap();
        let key = VerifyingKey::from_pem(PUBLIC).unwrap();
        let token = signer
            .sign_request("/v1/management/users/u1/reset_device", b"{}", 1_000)
            .unwrap();
        let claims = verify(
            &token,
            &key,
            expected("/v1/management/users/u1/reset_device", b"{}", 1_010),
        )
        .unwrap();
        assert_eq!(claims.sub, "api-key-1");
        assert_eq!(claims.iat, 1_000);
        assert!(claims.exp > claims.iat && claims.exp < claims.iat + 30);
        assert_eq!(claims.body_hash, body_hash(b"{}"));
        assert!(
            matches!(&claims.nonce, Nonce::Text(uuid) if uuid.len() == 36),
            "a UUID: {}",
            claims.nonce
        );
    }

    #[test]
    fn the_payload_uses_the_documented_claim_names() {
        let claims = Claims::for_request("k", "/v1/x", b"", 7);
        let json = serde_json::to_value(&claims).unwrap();
        let mut names: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        names.sort();
        assert_eq!(names, ["bodyHash", "exp", "iat", "nonce", "sub", "uri"]);
    }

    #[test]
    fn nonces_differ_between_requests() {
        let a = Claims::for_request("k", "/v1/x", b"", 7);
        let b = Claims::for_request("k", "/v1/x", b"", 7);
        assert_ne!(a.nonce, b.nonce);
    }

    #[test]
    fn each_tampering_is_refused_for_what_it_is() {
        let signer = SigningKey::from_pem("api-key-1", PRIVATE).unwrap();
        let key = VerifyingKey::from_pem(PUBLIC).unwrap();
        let token = signer.sign_request("/v1/a?b=1", b"body", 1_000).unwrap();
        let check = |uri, body: &[u8], now| verify(&token, &key, expected(uri, body, now));

        assert_eq!(
            check("/v1/a?b=1", b"bodx", 1_001),
            Err(JwtError::BodyHashMismatch)
        );
        assert!(matches!(
            check("/v1/a?b=2", b"body", 1_001),
            Err(JwtError::UriMismatch { .. })
        ));
        assert_eq!(check("/v1/a?b=1", b"body", 1_025), Err(JwtError::Expired));
        assert_eq!(
            check("/v1/a?b=1", b"body", 990),
            Err(JwtError::IssuedInTheFuture)
        );
        let mut wrong_key = expected("/v1/a?b=1", b"body", 1_001);
        wrong_key.api_key = "api-key-2";
        assert_eq!(verify(&token, &key, wrong_key), Err(JwtError::WrongApiKey));

        let impostor = SigningKey::from_pem("api-key-1", OTHER_PRIVATE).unwrap();
        let forged = impostor.sign_request("/v1/a?b=1", b"body", 1_000).unwrap();
        assert_eq!(
            verify(&forged, &key, expected("/v1/a?b=1", b"body", 1_001)),
            Err(JwtError::BadSignature)
        );
        assert!(matches!(
            verify("not.a.jwt", &key, expected("/v1/a?b=1", b"body", 1_001)),
            Err(JwtError::Malformed(_))
        ));
    }

    /// What every official SDK signs: `exp = iat + 55`. Accepted by
    /// default, and only up to the limit set; expiry and tokens from the
    /// future are still refused.
    #[test]
    fn tokens_living_as_long_as_the_sdks_sign_them_verify_and_no_longer() {
        let signer = SigningKey::from_pem("api-key-1", PRIVATE).unwrap();
        let key = VerifyingKey::from_pem(PUBLIC).unwrap();
        let token_living = |secs: u64| {
            let mut claims = Claims::for_request("api-key-1", "/v1/a", b"", 1_000);
            claims.exp = 1_000 + secs;
            signer.sign(&claims).unwrap()
        };
        let sdk_token = token_living(55);
        let check = |token: &str, now, max| {
            let mut rules = expected("/v1/a", b"", now);
            rules.max_lifetime_secs = max;
            verify(token, &key, rules)
        };
        assert!(check(&sdk_token, 1_001, DEFAULT_MAX_LIFETIME_SECS).is_ok());
        // Usable until its last second, like any token.
        assert!(check(&sdk_token, 1_054, DEFAULT_MAX_LIFETIME_SECS).is_ok());
        assert_eq!(
            check(&sdk_token, 1_055, DEFAULT_MAX_LIFETIME_SECS),
            Err(JwtError::Expired)
        );
        assert_eq!(
            check(&sdk_token, 990, DEFAULT_MAX_LIFETIME_SECS),
            Err(JwtError::IssuedInTheFuture)
        );
        assert_eq!(
            check(&token_living(56), 1_001, DEFAULT_MAX_LIFETIME_SECS),
            Err(JwtError::LifetimeTooLong {
                lifetime_secs: 56,
                max_secs: 55
            })
        );
        // The docs page's rule (`exp` under `iat + 30`) is a maximum of 29.
        assert!(check(&token_living(29), 1_001, 29).is_ok());
        assert!(matches!(
            check(&token_living(30), 1_001, 29),
            Err(JwtError::LifetimeTooLong { .. })
        ));
        assert!(matches!(
            check(&sdk_token, 1_001, 29),
            Err(JwtError::LifetimeTooLong { .. })
        ));
        // `exp` before `iat` is no lifetime at all.
        let mut backwards = Claims::for_request("api-key-1", "/v1/a", b"", 1_000);
        backwards.exp = 999;
        let backwards = signer.sign(&backwards).unwrap();
        assert_eq!(
            check(&backwards, 998, DEFAULT_MAX_LIFETIME_SECS),
            Err(JwtError::LifetimeTooLong {
                lifetime_secs: -1,
                max_secs: 55
            })
        );
    }

    /// The legacy Python SDK's nonce is a JSON integer; the payload carries
    /// it as one and the claims keep it as a number.
    #[test]
    fn integer_nonces_verify() {
        let signer = SigningKey::from_pem("api-key-1", PRIVATE).unwrap();
        let key = VerifyingKey::from_pem(PUBLIC).unwrap();
        let mut claims = Claims::for_request("api-key-1", "/v1/a", b"", 1_000);
        claims.nonce = Nonce::Number(4_611_686_018_427_387_903);
        let payload = serde_json::to_value(&claims).unwrap();
        assert_eq!(
            payload["nonce"],
            serde_json::json!(4_611_686_018_427_387_903u64)
        );
        let token = signer.sign(&claims).unwrap();
        let verified = verify(&token, &key, expected("/v1/a", b"", 1_001)).unwrap();
        assert_eq!(verified.nonce, Nonce::Number(4_611_686_018_427_387_903));
        assert_eq!(verified.nonce.to_string(), "4611686018427387903");
        assert_eq!(
            Nonce::Text("4611686018427387903".into()).to_string(),
            verified.nonce.to_string(),
            "one nonce to a replay check, whichever form it was sent in"
        );
    }

    /// Neither a fraction nor an object is a nonce.
    #[test]
    fn nonces_of_other_json_types_are_malformed() {
        for nonce in [
            serde_json::json!(1.5),
            serde_json::json!({"n": 1}),
            serde_json::json!(-1),
        ] {
            let payload = serde_json::json!({
                "uri": "/v1/a", "nonce": nonce, "iat": 1_000, "exp": 1_020,
                "sub": "api-key-1", "bodyHash": body_hash(b""),
            });
            let token = jsonwebtoken::encode(
                &Header::new(Algorithm::RS256),
                &payload,
                &EncodingKey::from_rsa_pem(PRIVATE).unwrap(),
            )
            .unwrap();
            let key = VerifyingKey::from_pem(PUBLIC).unwrap();
            assert!(
                matches!(
                    verify(&token, &key, expected("/v1/a", b"", 1_001)),
                    Err(JwtError::Malformed(_))
                ),
                "{nonce}"
            );
        }
    }

    /// Both empty-body conventions of the SDKs verify against the bytes
    /// that arrive, and neither against the other's.
    #[test]
    fn both_empty_body_conventions_verify_against_the_bytes_received() {
        let signer = SigningKey::from_pem("api-key-1", PRIVATE).unwrap();
        let key = VerifyingKey::from_pem(PUBLIC).unwrap();
        let no_body = signer.sign_request("/v1/a", b"", 1_000).unwrap();
        let empty_object = signer.sign_request("/v1/a", b"{}", 1_000).unwrap();
        assert!(verify(&no_body, &key, expected("/v1/a", b"", 1_001)).is_ok());
        assert!(verify(&empty_object, &key, expected("/v1/a", b"{}", 1_001)).is_ok());
        assert_eq!(
            verify(&no_body, &key, expected("/v1/a", b"{}", 1_001)),
            Err(JwtError::BodyHashMismatch)
        );
        assert_eq!(
            verify(&empty_object, &key, expected("/v1/a", b"", 1_001)),
            Err(JwtError::BodyHashMismatch)
        );
    }

    #[test]
    fn keys_are_checked_and_never_printed() {
        assert!(matches!(
            SigningKey::from_pem("k", b"not a pem"),
            Err(JwtError::InvalidKey(_))
        ));
        let signer = SigningKey::from_pem("api-key-1", PRIVATE).unwrap();
        let shown = format!("{signer:?}");
        assert!(
            shown.contains("api-key-1") && shown.contains("redacted"),
            "{shown}"
        );
    }
}
