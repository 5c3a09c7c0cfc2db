//! Gathering a body from its chunks: most bodies arrive in one, which is
//! kept as it came instead of being copied into a buffer.

use bytes::{Bytes, BytesMut};

#[derive(Debug, Default)]
pub(crate) enum Chunks {
    #[default]
    Empty,
    One(Bytes),
    Many(BytesMut),
}

impl Chunks {
    pub(crate) fn len(&self) -> usize {
        match self {
            Chunks::Empty => 0,
            Chunks::One(bytes) => bytes.len(),
            Chunks::Many(bytes) => bytes.len(),
        }
    }

    pub(crate) fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        *self = match std::mem::take(self) {
            Chunks::Empty => Chunks::One(chunk),
            Chunks::One(first) => {
                let mut all = BytesMut::with_capacity(first.len() + chunk.len());
                all.extend_from_slice(&first);
                all.extend_from_slice(&chunk);
                Chunks::Many(all)
            }
            Chunks::Many(mut all) => {
                all.extend_from_slice(&chunk);
                Chunks::Many(all)
            }
        }
    }

    pub(crate) fn into_bytes(self) -> Bytes {
        match self {
            Chunks::Empty => Bytes::new(),
            Chunks::One(bytes) => bytes,
            Chunks::Many(bytes) => bytes.freeze(),
        }
    }
}

/// The whole of `body`, or `None` if it fails or grows past `limit` bytes
/// (found as soon as the chunk that crosses it arrives, not after).
#[cfg(feature = "server")]
pub(crate) async fn collect(mut body: axum::body::Body, limit: usize) -> Option<Bytes> {
    use axum::body::HttpBody;
    let mut chunks = Chunks::default();
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else {
            return Some(chunks.into_bytes());
        };
        // Trailers are not part of the body.
        let Ok(data) = frame.ok()?.into_data() else {
            continue;
        };
        if chunks.len() + data.len() > limit {
            return None;
        }
        chunks.push(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_gather_in_order_and_one_chunk_is_not_copied() {
        let body = Chunks::default();
        assert_eq!((body.len(), body.into_bytes()), (0, Bytes::new()));
        let first = Bytes::from_static(b"one");
        let mut body = Chunks::default();
        body.push(first.clone());
        body.push(Bytes::new());
        assert_eq!(body.len(), 3);
        // The very same bytes, not a copy.
        match &body {
            Chunks::One(kept) => assert_eq!(kept.as_ptr(), first.as_ptr()),
            other => panic!("expected one chunk, got {other:?}"),
        }
        body.push(Bytes::from_static(b", two"));
        body.push(Bytes::from_static(b", three"));
        assert_eq!(body.len(), 15);
        assert_eq!(body.into_bytes(), "one, two, three");
    }

    #[cfg(feature = "server")]
    #[tokio::test]
    async fn collect_reads_every_chunk_up_to_the_limit() {
        use axum::body::Body;
        use futures_util::stream;
        let chunked = || {
            let parts: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"ab")),
                Ok(Bytes::from_static(b"")),
                Ok(Bytes::from_static(b"cd")),
            ];
            Body::from_stream(stream::iter(parts))
        };
        assert_eq!(collect(chunked(), 4).await.as_deref(), Some(&b"abcd"[..]));
        assert_eq!(collect(chunked(), 3).await, None);
        assert_eq!(collect(Body::empty(), 0).await, Some(Bytes::new()));
        assert_eq!(
            collect(Body::from("abc"), 3).await.as_deref(),
            Some(&b"abc"[..])
        );
        let failing = Body::from_stream(stream::iter(vec![
            Ok(Bytes::from_static(b"ab")),
            Err(std::io::Error::other("cut off")),
        ]));
        assert_eq!(collect(failing, 100).await, None);
    }
}
