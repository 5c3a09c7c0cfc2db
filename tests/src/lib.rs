//! Test support: serve a generated router on loopback and record every
//! request exactly as it arrived on the wire.
//!
//! The README follows, so its examples compile as doctests.
#![doc = include_str!("../../README.md")]
// The doubles' scripts answer with the operations' error enums, which carry
// whole documented bodies by value, as the server trait's methods do.
#![allow(clippy::result_large_err)]

/// A CREST page holding `devices` (Ping's device lists all share it).
macro_rules! crest_page {
    ($list:ident, $devices:expr) => {{
        let result = $devices;
        $list {
            result_count: result.len() as i64,
            result,
            paged_results_cookie: None,
            total_paged_results_policy: Some(TotalPagedResultsPolicy::None),
            total_paged_results: Some(-1),
            remaining_paged_results: Some(-1),
        }
    }};
}

/// A Ping OATH or push device as listed (the two records share every
/// field), with `id` and display name `name`.
macro_rules! listed_device {
    ($ty:ident, $id:expr, $name:expr) => {{
        let id: String = $id;
        $ty {
            id: id.clone(),
            rev: Some("1".into()),
            created_date: Some(1_749_572_704_744),
            last_access_date: Some(1_749_658_650_801),
            device_name: Some($name.into()),
            uuid: Some(id),
            device_management_status: Some(false),
        }
    }};
}

/// A Ping OATH or push device as deleted: the common fields, nothing else.
macro_rules! deleted_device {
    ($ty:ident, $id:expr, $name:expr) => {{
        let id: String = $id;
        $ty {
            id: id.clone(),
            rev: Some("2".into()),
            uuid: Some(id),
            recovery_codes: Some(vec!["iZmEtxvQ00".into()]),
            created_date: Some(1_749_572_704_744),
            last_access_date: Some(1_749_658_650_801),
            device_name: Some($name.into()),
            additional_properties: ::std::collections::BTreeMap::new(),
        }
    }};
}

pub mod conformance;
pub mod recording;
pub mod stand_in;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Method};
use mfa_runtime::axum::{
    self, Router, body::Body, extract::Request, middleware::Next, response::Response,
};

/// A request as the server saw it, before any parsing.
#[derive(Debug, Clone)]
pub struct WireRequest {
    pub method: Method,
    /// Path and query, as sent (still percent-encoded).
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl WireRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// A server running on 127.0.0.1 until dropped.
pub struct TestServer {
    pub base_url: String,
    pub addr: SocketAddr,
    wire: Arc<Mutex<Vec<WireRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Serve `router`, recording each request's raw form first.
    pub async fn start(router: Router) -> Self {
        let wire: Arc<Mutex<Vec<WireRequest>>> = Arc::default();
        let recorder = Arc::clone(&wire);
        let router = router.layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let recorder = Arc::clone(&recorder);
                async move { record(recorder, request, next).await }
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            mfa_runtime::server::serve(listener, router)
                .await
                .expect("server runs");
        });
        TestServer {
            base_url: format!("http://{addr}"),
            addr,
            wire,
            task,
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<WireRequest> {
        self.wire.lock().expect("not poisoned").clone()
    }

    /// The one request received; fails the test if there was not exactly one.
    pub fn only_request(&self) -> WireRequest {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.into_iter().next().expect("one request")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(wire: Arc<Mutex<Vec<WireRequest>>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    wire.lock().expect("not poisoned").push(WireRequest {
        method: parts.method.clone(),
        uri: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body: bytes.clone(),
    });
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A call's documented outcome: the success, or the documented error.
/// Anything else (transport, undocumented status, undecodable body) fails
/// the test, naming `case`.
pub fn documented<S, E: std::fmt::Debug + mfa_runtime::HasStatus>(
    result: Result<S, mfa_runtime::client::ClientError<E>>,
    case: impl std::fmt::Display,
) -> Result<S, E> {
    match result {
        Ok(success) => Ok(success),
        Err(mfa_runtime::client::ClientError::Api(error)) => Err(error),
        Err(other) => panic!("{case}: expected a documented response, got {other:?}"),
    }
}

/// Send a raw request (for malformed input the typed client cannot make).
pub async fn raw(
    base_url: &str,
    method: Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (http::StatusCode, HeaderMap, serde_json::Value) {
    let client = mfa_runtime::reqwest::Client::new();
    let mut request = client
        .request(method, format!("{base_url}{path_and_query}"))
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, headers, json)
}

/// A router that answers every request with `status`, `headers` and
/// `body`: stands in for a vendor when testing what the client decodes.
pub fn canned(status: u16, headers: &[(&'static str, &'static str)], body: &'static str) -> Router {
    let headers: Vec<(&'static str, &'static str)> = headers.to_vec();
    Router::new().fallback(move || {
        let headers = headers.clone();
        async move {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = http::StatusCode::from_u16(status).expect("valid status");
            for (name, value) in headers {
                response
                    .headers_mut()
                    .insert(name, http::HeaderValue::from_static(value));
            }
            response
        }
    })
}

/// Retries with exact, short waits (no jitter), so tests that count
/// attempts are quick and deterministic.
pub fn quick_retries(max_attempts: u32) -> mfa_runtime::client::RetryPolicy {
    mfa_runtime::client::RetryPolicy {
        max_attempts,
        initial_backoff: std::time::Duration::from_millis(20),
        max_backoff: std::time::Duration::from_millis(20),
        max_elapsed: std::time::Duration::from_secs(10),
        jitter: 0.0,
    }
}

/// Serve `app` on `addr` until the process is stopped, printing
/// `listening on ADDR` once the port is bound (the scripts in .ci/ read it
/// to learn a port chosen by the system): the test servers' `main`.
pub async fn serve_until_stopped(addr: &str, app: Router) -> std::process::ExitCode {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot bind {addr}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(bound) => println!("listening on {bound}"),
        Err(e) => eprintln!("bound, address unknown: {e}"),
    }
    match mfa_runtime::server::serve(listener, app).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
