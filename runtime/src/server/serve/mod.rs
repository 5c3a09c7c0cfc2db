//! Serving a router on a TCP listener with limits on what a client may do
//! to the server: use [`serve`] (or [`Server`] to change the limits) instead
//! of `axum::serve`, which has no header timeout and no header size limit.
//!
//! - The request head (request line and headers) must arrive within
//!   [`Server::header_read_timeout`], or the connection is closed. This also
//!   closes idle keep-alive connections and clients that connect and send
//!   nothing. (HTTP/2, cleartext with prior knowledge only, has no head
//!   timeout once its preface has arrived.)
//! - The head may be at most [`Server::max_header_bytes`] (HTTP/1 answers
//!   431 and closes; HTTP/2 refuses the stream), so headers never grow
//!   memory without bound.
//! - The body must arrive within [`Server::body_read_timeout`]; the generated
//!   routers answer 408 in the vendor's error shape otherwise (their body
//!   size limit, 413, applies however the body is framed).
//!
//! ```no_run
//! # async fn run(router: axum::Router) -> std::io::Result<()> {
//! use std::time::Duration;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! mfa_runtime::server::serve::Server::new(listener, router)
//!     .header_read_timeout(Duration::from_secs(5))
//!     .run()
//!     .await
//! # }
//! ```

mod version_deadline;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use super::extract::{BodyReadTimeout, DEFAULT_BODY_READ_TIMEOUT};
use version_deadline::VersionDeadline;

/// The default time a client has to send the request head.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The default limit on the request head, in bytes.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;

/// hyper's HTTP/1 read buffer cannot be smaller than this.
const MIN_HEADER_BYTES: usize = 8192;

/// Serve `router` on `listener` with the default limits, until the listener
/// fails. Each connection runs on its own task.
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    Server::new(listener, router).run().await
}

/// A router on a listener, with the limits that protect it from hostile or
/// broken clients.
pub struct Server {
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    max_header_bytes: usize,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("max_header_bytes", &self.max_header_bytes)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Serve `router` on `listener`, with the default limits.
    pub fn new(listener: TcpListener, router: Router) -> Self {
        Server {
            listener,
            router,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
        }
    }

    /// How long a client has to send a request's head, from when the
    /// server starts waiting for it (default 10 s).
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long a client has to send a request's body once its head has
    /// arrived (default 30 s).
    #[must_use]
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// The largest request head accepted, in bytes (default 16 KiB; values
    /// under 8 KiB, hyper's minimum for HTTP/1, are raised to it).
    #[must_use]
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes.max(MIN_HEADER_BYTES);
        self
    }

    /// Accept connections and serve them until accepting fails for good
    /// (transient errors such as running out of file descriptors are waited
    /// out, as `axum::serve` does).
    pub async fn run(self) -> std::io::Result<()> {
        let Server {
            mut listener,
            router,
            header_read_timeout,
            body_read_timeout,
            max_header_bytes,
        } = self;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .max_buf_size(max_header_bytes);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size(u32::try_from(max_header_bytes).unwrap_or(u32::MAX));
        let builder = Arc::new(builder);
        let router = router.layer(axum::Extension(BodyReadTimeout(body_read_timeout)));
        loop {
            let (stream, _peer) = Listener::accept(&mut listener).await;
            let builder = Arc::clone(&builder);
            let service = TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                // A connection that fails (a timeout, a malformed request,
                // the client going away) only ends itself.
                let stream = VersionDeadline::new(stream, header_read_timeout);
                let _ = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .await;
            });
        }
    }
}
