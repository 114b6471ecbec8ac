//! The API's contract as clients and generated clients see it: every error
//! is JSON `{code, message}`, request bodies carry only known fields, and the
//! OpenAPI document is complete and valid.

mod common;

use common::spawn_app;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// An answer read off a raw connection.
#[derive(Debug)]
struct RawAnswer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl RawAnswer {
    /// Asserts `status` with a JSON error body of `code` and a message.
    fn expect_json_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.head);
        let head = self.head.to_ascii_lowercase();
        assert!(
            head.contains("content-type: application/json"),
            "{status} without a JSON content type: {}",
            self.head
        );
        let body: Value = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{status} without a JSON body ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        });
        assert_eq!(body["code"], code, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
}

/// Sends `request` as it is over a new connection and reads the answer.
/// reqwest refuses to build some of these requests, so they go over TCP.
async fn raw(addr: SocketAddr, request: Vec<u8>) -> RawAnswer {
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        // The server may answer and close before it has read everything.
        let _ = stream.write_all(&request);
        let mut got = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
                Err(e) => panic!("reading the answer: {e} (got {got:?})"),
            }
            if complete(&got) {
                break;
            }
        }
        let text = String::from_utf8_lossy(&got).into_owned();
        let (head, _) = text.split_once("\r\n\r\n").expect("an HTTP answer");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        RawAnswer {
            status,
            head: head.to_owned(),
            body: got[head.len() + 4..].to_vec(),
        }
    })
    .await
    .expect("raw request")
}

/// Whether `got` holds a whole answer with a `content-length` body.
fn complete(got: &[u8]) -> bool {
    let text = String::from_utf8_lossy(got);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .and_then(|n| n.trim().parse::<usize>().ok())
        })
        .is_some_and(|len| body.len() >= len)
}

fn get_with(target: &str, headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n")
        .into_bytes()
}

#[tokio::test]
async fn requests_too_large_or_malformed_to_read_are_answered_in_json() {
    let app = spawn_app().await;
    let long = |n: usize| format!("/healthz?pad={}", "a".repeat(n));

    // A URI over our limit, and one over hyper's own (64 KiB), which hyper
    // answers before any of our code runs.
    for target in [long(20 * 1024), long(100 * 1024)] {
        raw(app.addr, get_with(&target, ""))
            .await
            .expect_json_error(414, "payload_too_large");
    }
    // Headers over our byte limit; more headers than hyper reads.
    let big_header = format!("X-Padding: {}\r\n", "a".repeat(100 * 1024));
    let many_headers: String = (0..200).map(|i| format!("X-H{i}: a\r\n")).collect();
    for headers in [big_header, many_headers] {
        raw(app.addr, get_with("/healthz", &headers))
            .await
            .expect_json_error(431, "payload_too_large");
    }
    // Not HTTP at all, and a header line without a colon.
    for request in [
        b"GARBAGE\r\n\r\n".to_vec(),
        get_with("/healthz", "not a header\r\n"),
    ] {
        raw(app.addr, request)
            .await
            .expect_json_error(400, "invalid");
    }
    // Within the limits, the same requests are served.
    let fine = raw(
        app.addr,
        get_with(
            &long(4 * 1024),
            &format!("X-Padding: {}\r\n", "a".repeat(8 * 1024)),
        ),
    )
    .await;
    assert_eq!(fine.status, 200, "{}", fine.head);
}

#[tokio::test]
async fn errors_from_layers_before_any_handler_are_json() {
    let app = common::spawn_app_with(|s| s.server.request_timeout_secs = 1).await;
    raw(app.addr, get_with("/v1/nope", ""))
        .await
        .expect_json_error(404, "not_found");
    raw(
        app.addr,
        b"PATCH /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".to_vec(),
    )
    .await
    .expect_json_error(405, "invalid");
    // A body that never finishes arriving: the request times out.
    let stalled = b"POST /v1/signup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{".to_vec();
    raw(app.addr, stalled)
        .await
        .expect_json_error(408, "unavailable");
}
