//! The generated client against a server that misbehaves at the HTTP level:
//! every call ends, within its timeout, in a typed error that keeps what was
//! received, and never panics.

use std::time::{Duration, Instant};

use mfa_apis::flashback::Client;
use mfa_apis::flashback::operations::ResetMfaSuccess;
use mfa_runtime::client::ClientError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the raw server does once it has read a request.
#[derive(Clone)]
enum Behaviour {
    /// Write these bytes, then close the connection.
    Answer(Vec<u8>),
    /// Write these bytes, then keep the connection open without a word more.
    AnswerAndHang(Vec<u8>),
    /// Say nothing at all, keeping the connection open.
    Silence,
    /// Close the connection without answering.
    Hangup,
}

/// A one-behaviour HTTP server on 127.0.0.1; returns its base URL.
async fn misbehaving(behaviour: Behaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let behaviour = behaviour.clone();
            tokio::spawn(async move {
                // Read the request head (bodies here are small and sent at once).
                let mut request = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                match behaviour {
                    Behaviour::Answer(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        let _ = socket.shutdown().await;
                    }
                    Behaviour::AnswerAndHang(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Behaviour::Silence => tokio::time::sleep(Duration::from_secs(30)).await,
                    Behaviour::Hangup => drop(socket),
                }
            });
        }
    });
    format!("http://{addr}")
}

/// An HTTP/1.1 response with these head lines and body, as raw bytes.
fn response(status_line: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("HTTP/1.1 {status_line}\r\n").into_bytes();
    for header in headers {
        bytes.extend_from_slice(format!("{header}\r\n").as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(body);
    bytes
}

/// A client that gives up after `timeout`.
fn client(base_url: &str, timeout: Duration) -> Client {
    let http = mfa_runtime::reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("client builds");
    Client::with_http_client(base_url, http).with_bearer_auth("tok")
}

type Outcome = Result<ResetMfaSuccess, ClientError<mfa_apis::flashback::operations::ResetMfaError>>;

/// Call `resetMfa` against `behaviour`; the call must end well within `limit`.
async fn call(behaviour: Behaviour, timeout: Duration, limit: Duration) -> Outcome {
    let base = misbehaving(behaviour).await;
    let started = Instant::now();
    let outcome = tokio::time::timeout(limit, client(&base, timeout).reset_mfa())
        .await
        .expect("the call ends on its own, within its timeout");
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
    outcome
}

const QUICK: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_truncated_body_keeps_what_arrived() {
    let head = response(
        "200 OK",
        &["Content-Type: application/json", "Content-Length: 100"],
        b"{\"success\": tr",
    );
    match call(Behaviour::Answer(head), QUICK, QUICK).await {
        Err(ClientError::Incomplete { response, source }) => {
            assert_eq!(response.status, 200);
            assert_eq!(response.body, "{\"success\": tr");
            assert!(source.is_body() || source.is_decode(), "{source:?}");
        }
        other => panic!("expected Incomplete, got {other:?}"),
    }
}

#[tokio::test]
async fn a_connection_dropped_after_the_head_keeps_the_status_and_headers() {
    let head = response(
        "200 OK",
        &[
            "Content-Type: application/json",
            "Content-Length: 50",
            "X-Trace: t1",
        ],
        b"",
    );
    match call(Behaviour::Answer(head), QUICK, QUICK).await {
        Err(ClientError::Incomplete { response, .. }) => {
            assert_eq!(response.status, 200);
            assert_eq!(response.headers["x-trace"], "t1");
            assert!(response.body.is_empty());
        }
        other => panic!("expected Incomplete, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let outcome = call(Behaviour::Silence, Duration::from_millis(300), QUICK).await;
    match outcome {
        Err(ClientError::Transport(error)) => assert!(error.is_timeout(), "{error:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_body_that_never_finishes_times_out_keeping_what_arrived() {
    let head = response(
        "200 OK",
        &["Content-Type: application/json", "Content-Length: 1000"],
        b"{\"succ",
    );
    match call(
        Behaviour::AnswerAndHang(head),
        Duration::from_millis(300),
        QUICK,
    )
    .await
    {
        Err(ClientError::Incomplete { response, source }) => {
            assert_eq!(response.body, "{\"succ");
            assert!(source.is_timeout(), "{source:?}");
        }
        other => panic!("expected Incomplete after a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_hangup_without_an_answer_is_a_transport_error() {
    assert!(matches!(
        call(Behaviour::Hangup, QUICK, QUICK).await,
        Err(ClientError::Transport(_))
    ));
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_transport_error() {
    let outcome = call(
        Behaviour::Answer(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()),
        QUICK,
        QUICK,
    )
    .await;
    assert!(
        matches!(outcome, Err(ClientError::Transport(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let head = response(
        "200 OK",
        &[
            "Content-Type: application/json",
            "Content-Length: 999999999",
        ],
        b"{",
    );
    let base = misbehaving(Behaviour::AnswerAndHang(head)).await;
    let started = Instant::now();
    let outcome = client(&base, QUICK)
        .with_max_response_bytes(1024)
        .reset_mfa()
        .await;
    match outcome {
        Err(ClientError::TooLarge { status, limit, .. }) => {
            assert_eq!((status.as_u16(), limit), (200, 1024));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "refused at once, took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_undeclared_body_stops_at_the_limit() {
    // Chunked, with no length: the client must stop counting at its limit.
    let mut body = Vec::new();
    for _ in 0..64 {
        body.extend_from_slice(b"400\r\n");
        body.extend_from_slice(&[b'x'; 1024]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let bytes = response(
        "200 OK",
        &[
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        ],
        &body,
    );
    let base = misbehaving(Behaviour::Answer(bytes)).await;
    let outcome = client(&base, QUICK)
        .with_max_response_bytes(8 * 1024)
        .reset_mfa()
        .await;
    let error = outcome.expect_err("64 KiB is over an 8 KiB limit");
    assert!(
        matches!(error, ClientError::TooLarge { limit: 8192, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("larger than the 8192 bytes"),
        "{error}"
    );
}

#[tokio::test]
async fn wrong_content_and_undocumented_statuses_keep_the_raw_response() {
    let html = response(
        "200 OK",
        &["Content-Type: text/html", "Content-Length: 13"],
        b"<html>hi</ht>",
    );
    match call(Behaviour::Answer(html), QUICK, QUICK).await {
        Err(ClientError::Decode { response, .. }) => assert_eq!(response.body, "<html>hi</ht>"),
        other => panic!("expected Decode, got {other:?}"),
    }
    let teapot = response("418 I'm a teapot", &["Content-Length: 5"], b"short");
    match call(Behaviour::Answer(teapot), QUICK, QUICK).await {
        Err(ClientError::UnexpectedStatus(response)) => {
            assert_eq!(
                (response.status.as_u16(), &response.body[..]),
                (418, &b"short"[..])
            );
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
    let wrong_shape = response("404 Not Found", &["Content-Length: 9"], b"[1, 2, 3]");
    match call(Behaviour::Answer(wrong_shape), QUICK, QUICK).await {
        Err(ClientError::Decode { response, message }) => {
            assert_eq!(response.status.as_u16(), 404);
            assert!(message.contains("invalid JSON body"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}
