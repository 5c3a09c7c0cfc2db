//! [`StoredResponse`]: an answer as a store keeps it, replayed byte for byte.

use axum::body::Body;
use axum::response::Response;
use base64::Engine;
use http::{HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};

/// A response as stored: replayed exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values in order (values base64 in storage).
    #[serde(with = "b64_headers")]
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    #[serde(with = "b64")]
    pub body: Vec<u8>,
}

impl StoredResponse {
    pub(super) fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(&value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }

    /// What the answer costs to keep: body, headers and a fixed overhead
    /// for the record around them (what the byte budgets count).
    pub fn size(&self) -> usize {
        RECORD_OVERHEAD
            + self.body.len()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + 16)
                .sum::<usize>()
    }
}

/// What a record costs beyond its answer: its key, caller, fingerprint and
/// token, and the map entries that index it.
pub const RECORD_OVERHEAD: usize = 512;

mod b64 {
    use super::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

mod b64_headers {
    use super::Engine;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    type Headers = Vec<(String, Vec<u8>)>;

    pub fn serialize<S: Serializer>(headers: &Headers, s: S) -> Result<S::Ok, S::Error> {
        let encoded: Vec<(&str, String)> = headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str(),
                    base64::engine::general_purpose::STANDARD.encode(v),
                )
            })
            .collect();
        encoded.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Headers, D::Error> {
        let encoded = Vec::<(String, String)>::deserialize(d)?;
        encoded
            .into_iter()
            .map(|(n, v)| {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(|v| (n, v))
                    .map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_responses_round_trip_through_json_exactly() {
        let stored = StoredResponse {
            status: 201,
            headers: vec![
                ("x-a".into(), b"1".to_vec()),
                ("x-a".into(), vec![0xff, b'z']),
            ],
            body: vec![0, 1, 2, 255],
        };
        let json = serde_json::to_string(&stored).unwrap();
        assert_eq!(
            serde_json::from_str::<StoredResponse>(&json).unwrap(),
            stored
        );
        let response = stored.into_response();
        assert_eq!(response.status(), StatusCode::CREATED);
        let values: Vec<_> = response.headers().get_all("x-a").iter().collect();
        assert_eq!(values, [&b"1"[..], &[0xff, b'z'][..]]);
    }
}
