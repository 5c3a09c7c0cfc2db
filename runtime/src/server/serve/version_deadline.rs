//! A deadline on the bytes hyper-util reads to tell HTTP/1 from HTTP/2.
//!
//! hyper-util's `auto` builder reads the start of a connection (up to the
//! 24-byte HTTP/2 preface) before either protocol's own timeouts are armed,
//! and waits for it without limit: a client that connects and sends nothing
//! (or a few bytes of the preface) would hold a task forever. This wrapper
//! fails reads with `TimedOut` once the deadline passes, until the bytes
//! read so far tell the protocol (they stop matching the preface, or the
//! whole preface arrived); from then on HTTP/1's header read timeout, or
//! HTTP/2's own handling, takes over.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

pub(super) struct VersionDeadline<I> {
    inner: I,
    /// `None` once the protocol is known.
    deadline: Option<Pin<Box<Sleep>>>,
    /// How many bytes read so far matched the preface.
    matched: usize,
}

impl<I> VersionDeadline<I> {
    pub(super) fn new(inner: I, timeout: Duration) -> Self {
        VersionDeadline {
            inner,
            deadline: Some(Box::pin(tokio::time::sleep(timeout))),
            matched: 0,
        }
    }

    /// Note the bytes just read; disarm once they decide the protocol.
    fn saw(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.matched == H2_PREFACE.len() || H2_PREFACE[self.matched] != byte {
                self.deadline = None;
                return;
            }
            self.matched += 1;
        }
        if self.matched == H2_PREFACE.len() {
            self.deadline = None;
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for VersionDeadline<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if this.deadline.is_some() {
                    this.saw(&buf.filled()[before..]);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let expired = this
                    .deadline
                    .as_mut()
                    .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready());
                if expired {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no request within the timeout",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for VersionDeadline<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn silence_times_out() {
        let (client, server) = tokio::io::duplex(64);
        let mut io = VersionDeadline::new(server, Duration::from_millis(50));
        let err = io.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        drop(client);
    }

    #[tokio::test]
    async fn part_of_the_preface_then_silence_times_out() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut io = VersionDeadline::new(server, Duration::from_millis(50));
        client.write_all(b"PRI * ").await.unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(io.read(&mut buf).await.unwrap(), 6);
        let err = io.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn once_the_protocol_is_known_reads_wait_as_long_as_needed() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut io = VersionDeadline::new(server, Duration::from_millis(50));
        client.write_all(b"GET").await.unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(io.read(&mut buf).await.unwrap(), 3);
        tokio::time::sleep(Duration::from_millis(100)).await;
        client.write_all(b" /").await.unwrap();
        assert_eq!(io.read(&mut buf).await.unwrap(), 2);

        let (mut client, server) = tokio::io::duplex(64);
        let mut io = VersionDeadline::new(server, Duration::from_millis(50));
        client.write_all(H2_PREFACE).await.unwrap();
        let mut preface = [0u8; 24];
        io.read_exact(&mut preface).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        client.write_all(b"x").await.unwrap();
        assert_eq!(io.read(&mut buf).await.unwrap(), 1);
    }
}
