//! Reading a response whole, within the client's size limit.

use http::header::HeaderMap;

use super::error::{ClientError, RawResponse};
use crate::chunks::Chunks;

/// Read the whole response, up to the size limit.
pub(super) async fn read<E>(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<RawResponse, ClientError<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let too_large = |headers: HeaderMap| ClientError::TooLarge {
        status,
        headers,
        limit,
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large(headers));
    }
    // Read chunk by chunk, so a body without (or lying about) its length
    // stops at the limit rather than after it.
    let mut body = Chunks::default();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > limit => {
                return Err(too_large(headers));
            }
            Ok(Some(chunk)) => body.push(chunk),
            Ok(None) => break,
            Err(source) => {
                let response = RawResponse {
                    status,
                    headers,
                    body: body.into_bytes(),
                };
                return Err(ClientError::Incomplete {
                    response: Box::new(response),
                    source,
                });
            }
        }
    }
    Ok(RawResponse {
        status,
        headers,
        body: body.into_bytes(),
    })
}
