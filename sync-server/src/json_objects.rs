//! Every JSON body the API takes is an object. serde reads a struct from a
//! JSON array too (field by field, in order), so `[]` would pass as an
//! update with every field absent: [`json_bodies_are_objects`] refuses any
//! JSON body that is not an object before a handler reads it.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clinic_core::ErrorCode;
use futures_util::StreamExt;

/// Looks at a JSON body's first byte that is not white space, reading no
/// more of the body than that, and answers 422 unless it opens an object.
/// An empty or unreadable body is left to the extractor, which says why.
pub async fn json_bodies_are_objects(request: Request, next: Next) -> Response {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let mut rest = body.into_data_stream();
    let mut read: Vec<Result<Bytes, axum::Error>> = Vec::new();
    let mut first = None;
    while first.is_none() {
        match rest.next().await {
            Some(Ok(chunk)) => {
                first = chunk.iter().copied().find(|b| !b.is_ascii_whitespace());
                read.push(Ok(chunk));
            }
            Some(Err(e)) => {
                read.push(Err(e));
                break;
            }
            None => break,
        }
    }
    if let Some(byte) = first
        && byte != b'{'
    {
        return ApiError::new(
            ErrorCode::Invalid,
            format!(
                "the body must be a JSON object ({{\"field\": value, …}}), not {}",
                what_opens_with(byte)
            ),
        )
        .into_response();
    }
    let body = Body::from_stream(futures_util::stream::iter(read).chain(rest));
    next.run(Request::from_parts(parts, body)).await
}

fn what_opens_with(byte: u8) -> &'static str {
    match byte {
        b'[' => "an array",
        b'"' => "a string",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        b'-' | b'0'..=b'9' => "a number",
        _ => "valid JSON",
    }
}
