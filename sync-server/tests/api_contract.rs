//! The API's contract as clients and generated clients see it: every error
//! is JSON `{code, message}`, request bodies carry only known fields, and the
//! OpenAPI document is complete and valid.

mod common;

use common::openapi::{Operation, operations, resolved};
use common::spawn_app;
use serde_json::{Value, json};
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

/// Every `$ref` in `value`, with where it was found.
fn refs(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "$ref" {
                    found.push((at.to_owned(), v.as_str().unwrap_or_default().to_owned()));
                } else {
                    refs(v, &format!("{at}/{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// `template` in `clinic`, with a new id for every other parameter: a
/// well-formed URL naming rows that do not exist.
fn concrete(template: &str, clinic: &common::Clinic) -> String {
    template
        .replace("{clinic_id}", &clinic.id.to_string())
        .split('/')
        .map(|part| {
            if part.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The schema of an operation's JSON request body, resolved.
fn body_schema<'a>(doc: &'a Value, operation: &'a Operation) -> Option<&'a Value> {
    operation.body_schema().map(|schema| resolved(doc, schema))
}

#[tokio::test]
async fn the_openapi_document_is_valid_complete_and_strict() {
    let app = spawn_app().await;
    let text = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("fetch")
        .text()
        .await
        .expect("text");
    oas3::from_json(&text).unwrap_or_else(|e| panic!("not a valid OpenAPI 3.1 document: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("JSON");

    let mut found = Vec::new();
    refs(&doc, "#", &mut found);
    assert!(!found.is_empty());
    for (at, target) in &found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: external $ref {target}"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{at}: $ref {target} resolves to nothing"
        );
    }

    for operation in operations(&doc) {
        let (name, op) = (operation.name(), &operation.op);
        let responses = op["responses"].as_object().expect("responses");
        // Every operation documents its client errors, with the error body.
        let client_errors: Vec<&String> = responses.keys().filter(|s| s.starts_with('4')).collect();
        assert!(client_errors.iter().any(|s| *s == "400"), "{name}: no 400");
        for status in client_errors {
            let schema = &responses[status]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(
                schema, "#/components/schemas/ErrorBody",
                "{name}: {status} without the error body"
            );
        }
        // Every request body refuses what it does not know, as the server does.
        if let Some(schema) = body_schema(&doc, &operation) {
            assert_eq!(
                schema["additionalProperties"], false,
                "{name}: body schema allows unknown fields: {schema}"
            );
        }
    }
}

#[tokio::test]
async fn request_bodies_must_be_objects_of_known_fields() {
    let app = spawn_app().await;
    let clinic = app
        .signup("Contract Clinic", "owner@contract.example")
        .await;
    let doc = app.openapi().await;
    let mut bodies = 0;
    for operation in operations(&doc) {
        if body_schema(&doc, &operation).is_none() {
            continue;
        }
        bodies += 1;
        let path = concrete(&operation.template, &clinic);
        let method = operation.method;
        let token = Some(clinic.admin.token.as_str());
        for not_an_object in [json!([]), json!("text"), json!(7), json!(true)] {
            let body = app
                .call(method.clone(), &path, token, Some(not_an_object.clone()))
                .await
                .expect_error(422, "invalid");
            assert!(
                body["message"]
                    .as_str()
                    .expect("message")
                    .contains("JSON object"),
                "{method} {path} {not_an_object}: {body}"
            );
        }
        let unknown = json!({"surely_not_a_field": {"a": 1}});
        let body = app
            .call(method.clone(), &path, token, Some(unknown))
            .await
            .expect_error(422, "invalid");
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .contains("unknown field"),
            "{method} {path}: {body}"
        );
    }
    assert!(bodies > 15, "only {bodies} operations with a body");
}

#[tokio::test]
async fn a_partial_update_must_name_a_change() {
    let app = spawn_app().await;
    let clinic = app
        .signup("Contract Clinic", "owner@contract.example")
        .await;
    let doc = app.openapi().await;
    let mut patches = 0;
    for operation in operations(&doc) {
        let Some(schema) = body_schema(&doc, &operation) else {
            continue;
        };
        if operation.method != reqwest::Method::PATCH
            || schema["required"].as_array().is_some_and(|r| !r.is_empty())
        {
            continue;
        }
        patches += 1;
        let path = concrete(&operation.template, &clinic);
        assert_eq!(schema["minProperties"], 1, "PATCH {path}: {schema}");
        let body = app
            .call(
                reqwest::Method::PATCH,
                &path,
                Some(&clinic.admin.token),
                Some(json!({})),
            )
            .await
            .expect_error(422, "invalid");
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .starts_with("nothing to change"),
            "PATCH {path}: {body}"
        );
    }
    assert!(patches >= 4, "only {patches} partial updates");
}

/// JSON does not tell `2` from `2.0`, and JSON Schema's `integer` takes
/// both, so the API does too: in a REST body, in a push's envelope and
/// inside a pushed mutation. A number with a real fraction is still refused.
#[tokio::test]
async fn whole_numbers_written_with_a_fraction_are_read_as_integers() {
    let app = spawn_app().await;
    let clinic = app
        .signup("Contract Clinic", "owner@contract.example")
        .await;
    let doctor = common::schedule::create_doctor(&app, &clinic, "Dr Ruiz").await;
    let hours = |weekday: Value| json!({"hours": [{"weekday": weekday, "starts": "09:00", "ends": "13:00"}]});
    let week = app
        .put(
            &clinic.path(&format!("/doctors/{doctor}/hours")),
            &clinic.admin.token,
            hours(json!(2.0)),
        )
        .await
        .expect(200);
    assert_eq!(week["hours"][0]["weekday"], 2, "{week}");
    app.put(
        &clinic.path(&format!("/doctors/{doctor}/hours")),
        &clinic.admin.token,
        hours(json!(2.5)),
    )
    .await
    .expect_error(422, "invalid");

    let mutation = |weekday: Value| json!({"type": "set_working_hours", "doctor_id": doctor, "week": hours(weekday)});
    let pushed = app
        .post(
            &clinic.path("/sync/push"),
            &clinic.admin.token,
            json!({"mutations": [
                {"seq": 1.0, "id": uuid::Uuid::now_v7(), "mutation": mutation(json!(3))},
                {"seq": 2, "id": uuid::Uuid::now_v7(), "mutation": mutation(json!(4e0))},
                {"seq": 3, "id": uuid::Uuid::now_v7(), "mutation": mutation(json!(4.5))},
            ]}),
        )
        .await
        .expect(200);
    let outcomes: Vec<&Value> = pushed["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| &r["outcome"])
        .collect();
    assert_eq!(outcomes[0]["status"], "applied", "{pushed}");
    assert_eq!(outcomes[1]["status"], "applied", "{pushed}");
    assert_eq!(outcomes[2]["status"], "rejected", "{pushed}");
    assert_eq!(pushed["results"][0]["seq"], 1, "{pushed}");
}
