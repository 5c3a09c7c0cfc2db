//! Hostile and broken clients against the generated servers, served by
//! `mfa_runtime::server::Server`, over raw TCP so nothing tidies the bytes on
//! the way: oversized and endless bodies, deep JSON, wrong media types,
//! invalid UTF-8 everywhere, huge headers and clients that trickle. Each
//! must get a 4xx (in the vendor's error shape when the answer is the
//! generated router's) or a closed connection, promptly, and the server
//! must keep serving well-behaved clients. Requests carry the credential
//! the auth layer accepts, so they reach the request parsers behind it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mfa_runtime::server::Server;
use mfa_tests::conformance;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Timeouts short enough for tests, long enough for a loaded machine.
const HEAD_TIMEOUT: Duration = Duration::from_millis(500);
const BODY_TIMEOUT: Duration = Duration::from_millis(500);
/// How long any answer (or the connection closing) may take.
const PROMPT: Duration = Duration::from_secs(5);
const BODY_LIMIT: usize = 1024;

/// Serve `router` with short timeouts on a free port; stops with the test.
async fn start(router: mfa_runtime::axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = Server::new(listener, router)
        .header_read_timeout(HEAD_TIMEOUT)
        .body_read_timeout(BODY_TIMEOUT)
        .max_header_bytes(8 * 1024);
    tokio::spawn(server.run());
    addr
}

async fn flashback() -> SocketAddr {
    let router =
        mfa_apis::flashback::server::router_with_body_limit(conformance::flashback(), BODY_LIMIT);
    start(conformance::authenticated("flashback", router)).await
}

async fn ping() -> SocketAddr {
    start(conformance::authenticated(
        "ping",
        mfa_apis::ping::router(conformance::ping()),
    ))
    .await
}

/// What came back on a connection: the status (None when the server
/// closed without answering) and the body as JSON (Null if not JSON).
#[derive(Debug)]
struct Answer {
    status: Option<u16>,
    body: Value,
}

/// Read until the server closes the connection (or [`PROMPT`] passes, which
/// fails the test: a server that holds a hostile connection open is the bug).
async fn answer(stream: &mut TcpStream) -> Answer {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    let deadline = Instant::now() + PROMPT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut chunk)).await {
            Err(_) => panic!(
                "no answer and no close within {PROMPT:?}; got so far: {:?}",
                String::from_utf8_lossy(&bytes)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => bytes.extend_from_slice(&chunk[..n]),
        }
    }
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(bytes);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    Answer { status, body }
}

/// Send `request` whole and read the answer.
async fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("send");
    answer(&mut stream).await
}

/// A request with `Connection: close`, so the server ends the exchange.
fn request(method: &str, target: &[u8], headers: &[&[u8]], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(
        b" HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer conformance\r\nConnection: close\r\n",
    );
    for header in headers {
        out.extend_from_slice(header);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// Flashback's error shape: `{"success": false, "error": "..."}`.
fn assert_flashback_error(answer: &Answer, status: u16) {
    assert_eq!(answer.status, Some(status), "{answer:?}");
    assert_eq!(answer.body["success"], Value::Bool(false), "{answer:?}");
    assert!(answer.body["error"].is_string(), "{answer:?}");
}

/// Ping's (CREST) error shape: `{"code": N, "reason": "...", "message": "..."}`.
fn assert_ping_error(answer: &Answer, status: u16) {
    assert_eq!(answer.status, Some(status), "{answer:?}");
    assert_eq!(answer.body["code"], Value::from(status), "{answer:?}");
    assert!(answer.body["message"].is_string(), "{answer:?}");
}

const PING_RESET: &[u8] = b"/realms/root/users/carol/devices/2fa/oath?_action=reset";
const PING_VERSION: &[u8] = b"Accept-API-Version: resource=1.0";
const JSON: &[u8] = b"Content-Type: application/json";

/// The control: the same servers serve a well-behaved client.
#[tokio::test]
async fn well_behaved_requests_are_served() {
    assert!(!conformance::is_unknown("carol"), "a known user");
    let answer = exchange(
        flashback().await,
        &request("POST", b"/mfa/reset", &[JSON], b"{}"),
    )
    .await;
    assert_eq!(answer.status, Some(200), "{answer:?}");
    assert_eq!(answer.body["success"], Value::Bool(true));

    let answer = exchange(
        ping().await,
        &request("POST", PING_RESET, &[PING_VERSION, JSON], b"{}"),
    )
    .await;
    assert_eq!(answer.status, Some(200), "{answer:?}");
    assert_eq!(answer.body["result"], Value::Bool(true));
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_the_vendor_shape() {
    let body = format!("{{\"resetUserId\":\"{}\"}}", "a".repeat(BODY_LIMIT));
    let answer = exchange(
        flashback().await,
        &request("POST", b"/mfa/reset", &[JSON], body.as_bytes()),
    )
    .await;
    assert_flashback_error(&answer, 413);
}

/// A chunked body has no length to check up front: the server must stop
/// reading at the limit, answer 413 and close, not buffer the stream.
#[tokio::test]
async fn an_endless_chunked_body_is_cut_off_at_the_limit() {
    let mut stream = TcpStream::connect(flashback().await)
        .await
        .expect("connect");
    stream
        .write_all(
            b"POST /mfa/reset HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer conformance\r\nContent-Type: application/json\r\n\
              Transfer-Encoding: chunked\r\n\r\n",
        )
        .await
        .expect("head");
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024));
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        let mut sent = 0usize;
        // 256 MiB if nothing stops it; the server closing ends it early.
        for _ in 0..4096 {
            if writer.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let mut bytes = Vec::new();
    tokio::time::timeout(PROMPT, reader.read_to_end(&mut bytes))
        .await
        .expect("the server answers and closes promptly")
        .ok();
    let sent = tokio::time::timeout(PROMPT, sender)
        .await
        .expect("sending stops once the server closes")
        .expect("sender task");
    assert_flashback_error(&parse(&bytes), 413);
    assert!(
        sent < 64 * 1024 * 1024,
        "the server kept reading: {sent} bytes accepted for a {BODY_LIMIT}-byte limit"
    );
}

#[tokio::test]
async fn deeply_nested_json_is_a_clean_400() {
    // Under the limit, but far deeper than any parser should recurse.
    let depth = BODY_LIMIT / 2 - 20;
    let body = format!(
        "{{\"resetUserId\":{}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let answer = exchange(
        flashback().await,
        &request("POST", b"/mfa/reset", &[JSON], body.as_bytes()),
    )
    .await;
    assert_flashback_error(&answer, 400);

    // Ping's reset body is a free-form object: deep nesting in a value the
    // generated code keeps as `serde_json::Value`, with the default 2 MiB limit.
    let depth = 500_000;
    let body = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    let answer = exchange(
        ping().await,
        &request("POST", PING_RESET, &[PING_VERSION, JSON], body.as_bytes()),
    )
    .await;
    assert_ping_error(&answer, 400);
}

#[tokio::test]
async fn a_wrong_or_missing_content_type_is_415_in_the_vendor_shape() {
    let addr = flashback().await;
    let wrong = exchange(
        addr,
        &request("POST", b"/mfa/reset", &[b"Content-Type: text/plain"], b"{}"),
    )
    .await;
    assert_flashback_error(&wrong, 415);
    let missing = exchange(addr, &request("POST", b"/mfa/reset", &[], b"{}")).await;
    assert_flashback_error(&missing, 415);
    let garbage = exchange(
        addr,
        &request("POST", b"/mfa/reset", &[b"Content-Type: \xff\xfe"], b"{}"),
    )
    .await;
    assert_flashback_error(&garbage, 415);
}

#[tokio::test]
async fn invalid_utf8_in_the_body_is_400() {
    let answer = exchange(
        flashback().await,
        &request(
            "POST",
            b"/mfa/reset",
            &[JSON],
            b"{\"resetUserId\":\"\xff\xfe\"}",
        ),
    )
    .await;
    assert_flashback_error(&answer, 400);
}

#[tokio::test]
async fn invalid_utf8_in_the_path_is_4xx() {
    let addr = ping().await;
    // Percent-encoded: it reaches the router, which must refuse it in Ping's shape.
    let encoded = exchange(
        addr,
        &request(
            "POST",
            b"/realms/root/users/%FF%FE/devices/2fa/oath?_action=reset",
            &[PING_VERSION, JSON],
            b"{}",
        ),
    )
    .await;
    // A segment that is not UTF-8 can equal no value, so no operation matches.
    assert_ping_error(&encoded, 404);
    // Raw bytes: HTTP forbids them in a request target, so the HTTP layer
    // refuses the request before any router sees it.
    let raw = exchange(
        addr,
        &request(
            "POST",
            b"/realms/root/users/\xff\xfe/devices/2fa/oath?_action=reset",
            &[PING_VERSION, JSON],
            b"{}",
        ),
    )
    .await;
    assert!(
        raw.status.is_none_or(|s| (400..500).contains(&s)),
        "{raw:?}"
    );
}

#[tokio::test]
async fn invalid_utf8_in_the_query_is_400() {
    let answer = exchange(
        ping().await,
        &request(
            "POST",
            b"/realms/root/users/carol/devices/2fa/oath?_action=%FF%FE",
            &[PING_VERSION, JSON],
            b"{}",
        ),
    )
    .await;
    assert_ping_error(&answer, 400);
}

#[tokio::test]
async fn invalid_utf8_in_a_header_parameter_is_400() {
    let answer = exchange(
        ping().await,
        &request(
            "POST",
            PING_RESET,
            &[b"Accept-API-Version: resource=\xff\xfe", JSON],
            b"{}",
        ),
    )
    .await;
    assert_ping_error(&answer, 400);
}

/// Headers past the limit: 431 or a closed connection, never buffered.
#[tokio::test]
async fn huge_headers_are_refused() {
    let addr = flashback().await;
    let big = format!("X-Big: {}", "a".repeat(64 * 1024));
    let answer = exchange(
        addr,
        &request("POST", b"/mfa/reset", &[big.as_bytes(), JSON], b"{}"),
    )
    .await;
    assert!(matches!(answer.status, None | Some(431)), "{answer:?}");

    let many: Vec<String> = (0..200).map(|i| format!("X-H{i}: v")).collect();
    let mut headers: Vec<&[u8]> = many.iter().map(String::as_bytes).collect();
    headers.push(JSON);
    let answer = exchange(addr, &request("POST", b"/mfa/reset", &headers, b"{}")).await;
    assert!(matches!(answer.status, None | Some(431)), "{answer:?}");
}

/// A client that connects and sends nothing is disconnected.
#[tokio::test]
async fn an_idle_connection_is_closed() {
    let mut stream = TcpStream::connect(flashback().await)
        .await
        .expect("connect");
    let started = Instant::now();
    let answer = answer(&mut stream).await;
    assert!(answer.status.is_none_or(|s| s == 408), "{answer:?}");
    assert!(started.elapsed() >= HEAD_TIMEOUT / 2, "closed too early");
}

/// Slowloris: a head trickled a byte at a time never completes, however
/// steadily the bytes come; the timeout covers the whole head. Trickled
/// whole, this head would take 10 s.
#[tokio::test]
async fn a_trickled_head_is_cut_off() {
    let mut stream = TcpStream::connect(flashback().await)
        .await
        .expect("connect");
    let head = format!(
        "POST /mfa/reset HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer conformance\r\nX-Slow: {}\r\n",
        "a".repeat(150)
    );
    let started = Instant::now();
    for byte in head.as_bytes() {
        if stream.write_all(&[*byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            started.elapsed() < PROMPT,
            "the server still accepts the head after {PROMPT:?}"
        );
    }
    let answer = answer(&mut stream).await;
    assert!(answer.status.is_none_or(|s| s == 408), "{answer:?}");
    assert!(
        started.elapsed() < PROMPT,
        "cut off after {:?}",
        started.elapsed()
    );
}

/// A body that stops arriving is answered 408 in the vendor's shape.
#[tokio::test]
async fn a_stalled_body_is_408_in_the_vendor_shape() {
    let mut stream = TcpStream::connect(flashback().await)
        .await
        .expect("connect");
    stream
        .write_all(
            b"POST /mfa/reset HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer conformance\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"resetUserId\":",
        )
        .await
        .expect("send");
    let started = Instant::now();
    let answer = answer(&mut stream).await;
    assert_flashback_error(&answer, 408);
    assert!(started.elapsed() >= BODY_TIMEOUT / 2, "answered too early");
}

/// A body trickled a byte at a time is cut off too: the timeout covers the
/// whole body, not the gap between bytes.
#[tokio::test]
async fn a_trickled_body_is_408_in_the_vendor_shape() {
    let stream = TcpStream::connect(ping().await).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer conformance\r\nAccept-API-Version: resource=1.0\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        String::from_utf8_lossy(PING_RESET)
    );
    writer.write_all(head.as_bytes()).await.expect("head");
    let started = Instant::now();
    let trickle = tokio::spawn(async move {
        for _ in 0..1000 {
            if writer.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let mut bytes = Vec::new();
    tokio::time::timeout(PROMPT, reader.read_to_end(&mut bytes))
        .await
        .expect("the server answers and closes promptly")
        .ok();
    trickle.abort();
    assert_ping_error(&parse(&bytes), 408);
    assert!(started.elapsed() < PROMPT, "{:?}", started.elapsed());
}

/// After all of that, the server still answers.
#[tokio::test]
async fn hostile_clients_do_not_stop_the_server() {
    let addr = flashback().await;
    let mut idle = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(b"POST /mfa/reset HTTP/1.1\r\n").await.ok();
        idle.push(stream);
    }
    let answer = exchange(addr, &request("POST", b"/mfa/reset", &[JSON], b"{}")).await;
    assert_eq!(answer.status, Some(200), "{answer:?}");
}

/// A keep-alive connection left idle after a request is closed too, not
/// held open waiting for a next request that never comes.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let mut stream = TcpStream::connect(flashback().await)
        .await
        .expect("connect");
    stream
        .write_all(
            b"POST /mfa/reset HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer conformance\r\nContent-Type: application/json\r\n\
              Content-Length: 2\r\n\r\n{}",
        )
        .await
        .expect("send");
    // The whole exchange, response then close, within PROMPT: the response
    // alone does not end it, since the connection is kept alive.
    let answer = answer(&mut stream).await;
    assert_eq!(answer.status, Some(200), "{answer:?}");
}

/// A path value the generated client never sends (`.` or `..`, or one
/// holding a `/` that arrived as `%2F`) is refused with 400 in the vendor
/// shape, naming the parameter, before the implementation sees it: an
/// implementation that builds a file path or an upstream URL from it
/// would otherwise address something else (issue 13, finding 7).
#[tokio::test]
async fn path_values_that_would_address_another_resource_are_refused() {
    let list = |realm: &str, user: &str| {
        format!("/realms/{realm}/users/{user}/devices/2fa/oath?_queryFilter=true").into_bytes()
    };
    let addr = ping().await;
    for (realm, user, parameter) in [
        ("root", "..", "user"),
        ("root", ".", "user"),
        ("root", "%2E%2E", "user"),
        ("root", "%2e", "user"),
        ("root", "..%2Fadmin", "user"),
        ("root", "carol%2F..%2F..", "user"),
        ("..", "carol", "realm"),
        ("root/realms/%2E%2E", "carol", "realm"),
        ("a%2Fb", "carol", "realm"),
    ] {
        let answer = exchange(addr, &request("GET", &list(realm, user), &[], b"")).await;
        assert_ping_error(&answer, 400);
        let message = answer.body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("path parameter `{parameter}`")),
            "{realm} {user}: {message}"
        );
    }
    // Dots that are not a whole segment are an ordinary value.
    for user in ["...", "carol.smith", ".carol"] {
        let answer = exchange(addr, &request("GET", &list("root", user), &[], b"")).await;
        assert!(
            matches!(answer.status, Some(200 | 404)),
            "{user}: {answer:?}"
        );
    }
}
