//! Every error the server sends is JSON `{code, message}`, also those no
//! handler produces: requests too large to read, malformed HTTP, unknown
//! routes, timeouts.
//!
//! Two places produce such answers besides the handlers:
//! - tower and axum layers (the timeout's 408, a plain-text rejection):
//!   [`json_error_bodies`] gives any error answer without a JSON body one;
//! - hyper's HTTP/1 parser, which answers a request it cannot read by itself,
//!   before any service runs, with an empty body: 400 (malformed request
//!   line or header), 414 (URI over 64 KiB, a limit hyper hard-codes) and
//!   431 (over 100 headers, or a head larger than its read buffer). hyper
//!   has no hook for these (hyperium/hyper#3844), so [`JsonErrorsListener`]
//!   hands it connections whose writes turn exactly those answers into ours.
//!
//! Our own, tighter, limits on the URI and the headers are checked in
//! [`refuse_oversized_heads`], so a client learns which part was too big.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clinic_core::{ErrorBody, ErrorCode};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The longest request target (path and query) we read. Our URLs are far
/// shorter; the agenda's filters with a cursor stay under 1 KiB.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names, values and separators) one request may carry.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Answers a request whose URI or headers exceed our limits with 414 or 431,
/// before any routing or reading of the body.
pub async fn refuse_oversized_heads(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let uri_len = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return error_response(
            StatusCode::URI_TOO_LONG,
            ErrorCode::PayloadTooLarge,
            format!("the request URI is longer than {MAX_URI_BYTES} bytes"),
        );
    }
    if header_bytes(request.headers()) > MAX_HEADER_BYTES {
        return error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the request headers are larger than {MAX_HEADER_BYTES} bytes"),
        );
    }
    next.run(request).await
}

/// The header block's size as sent: `name: value\r\n` per header.
fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum()
}

/// Gives an error answer that has no JSON body one: the status picks the
/// code, and a short plain-text body (axum's rejections) becomes the message.
pub async fn json_error_bodies(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 1024)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    let (code, default_message) = describe(status);
    let body = ErrorBody {
        code,
        message: text.unwrap_or_else(|| default_message.to_owned()),
        field: None,
    };
    let json = serde_json::to_vec(&body).expect("an ErrorBody serializes");
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json))
}

fn error_response(status: StatusCode, code: ErrorCode, message: String) -> Response {
    let body = ErrorBody {
        code,
        message,
        field: None,
    };
    (status, axum::Json(body)).into_response()
}

/// The code and a message for an error status that came without either.
fn describe(status: StatusCode) -> (ErrorCode, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => (
            ErrorCode::Invalid,
            "the request is not valid HTTP: check its request line and headers",
        ),
        StatusCode::UNAUTHORIZED => (ErrorCode::Unauthenticated, "sign in first"),
        StatusCode::FORBIDDEN => (ErrorCode::NotPermitted, "this is not allowed"),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such endpoint"),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::Invalid,
            "this endpoint does not accept that method",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            ErrorCode::Unavailable,
            "the request took too long to be answered; try again shortly",
        ),
        StatusCode::CONFLICT => (ErrorCode::Conflict, "the request conflicts with the data"),
        StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::PayloadTooLarge, "the request body is too large")
        }
        StatusCode::URI_TOO_LONG => (
            ErrorCode::PayloadTooLarge,
            "the request URI is longer than the server reads",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            ErrorCode::PayloadTooLarge,
            "the request headers are larger, or more, than the server reads",
        ),
        StatusCode::TOO_MANY_REQUESTS => (ErrorCode::RateLimited, "too many requests; slow down"),
        StatusCode::SERVICE_UNAVAILABLE => (
            ErrorCode::Unavailable,
            "the server cannot answer right now; try again shortly",
        ),
        s if s.is_client_error() => (ErrorCode::Invalid, "the request was refused"),
        _ => (
            ErrorCode::Internal,
            "something went wrong on the server; it has been logged",
        ),
    }
}

/// The TCP listener the server accepts on, handing hyper connections that
/// answer its own parse errors in JSON (see the module's notes).
pub struct JsonErrorsListener(pub TcpListener);

impl axum::serve::Listener for JsonErrorsListener {
    type Io = JsonParseErrors<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (JsonParseErrors::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A connection whose writes pass through unchanged, except hyper's own
/// answer to a request it could not parse. hyper writes that answer alone,
/// as a bare head (`content-length: 0`, `connection: close`, 4xx) and then
/// closes; no answer of ours looks like that, since every error we send has
/// a JSON body. That head is replaced by the same status with our body.
pub struct JsonParseErrors<IO> {
    io: IO,
    /// Our replacement answer, and how much of it has been written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<IO> JsonParseErrors<IO> {
    pub fn new(io: IO) -> Self {
        JsonParseErrors { io, pending: None }
    }
}

impl<IO: AsyncWrite + Unpin> JsonParseErrors<IO> {
    /// Writes what is left of a replacement answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` in place of the peer's stream if it is hyper's own answer.
    fn replaced(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<Poll<io::Result<usize>>> {
        let answer = json_parse_error(buf)?;
        self.pending = Some((answer, 0));
        // Report the head as written: the rest goes out on the next write,
        // flush or shutdown, which hyper always calls after this answer.
        Some(match self.poll_pending(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(buf.len())),
        })
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for JsonParseErrors<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(done) = this.replaced(cx, buf) {
            return done;
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next())
            && let Some(done) = this.replaced(cx, only)
        {
            return done;
        }
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

/// Our answer in place of `head`, if `head` is hyper's answer to a request
/// it could not parse: a whole HTTP/1 response head with a 4xx status,
/// `content-length: 0` and `connection: close`, and nothing after it.
fn json_parse_error(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?.strip_suffix("\r\n\r\n")?;
    if text.contains("\r\n\r\n") {
        return None;
    }
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let mut words = status_line.splitn(3, ' ');
    let version = words.next()?;
    let status = StatusCode::from_bytes(words.next()?.as_bytes()).ok()?;
    if !version.starts_with("HTTP/1.") || !status.is_client_error() {
        return None;
    }
    let headers: Vec<&str> = lines.collect();
    let has = |wanted: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(wanted));
    if !has("content-length: 0") || !has("connection: close") {
        return None;
    }
    let (code, message) = describe(status);
    let body = serde_json::to_vec(&ErrorBody {
        code,
        message: message.to_owned(),
        field: None,
    })
    .expect("an ErrorBody serializes");
    let mut answer = format!("{status_line}\r\n");
    for h in headers
        .iter()
        .filter(|h| !h.eq_ignore_ascii_case("content-length: 0"))
    {
        answer.push_str(h);
        answer.push_str("\r\n");
    }
    answer.push_str(&format!(
        "content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    ));
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_parse_error_heads_get_a_json_body() {
        let head = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: Mon, 07 Dec 2026 21:14:01 GMT\r\n\r\n";
        let answer = String::from_utf8(json_parse_error(head).expect("replaced")).expect("utf-8");
        let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(head.contains("content-type: application/json"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(!head.contains("content-length: 0"));
        let body: ErrorBody = serde_json::from_str(body).expect("error body");
        assert_eq!(body.code, ErrorCode::PayloadTooLarge);
    }

    #[test]
    fn other_writes_pass_through() {
        for write in [
            // An answer of ours: it has a body.
            &b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"[..],
            // A success, even bare.
            b"HTTP/1.1 204 No Content\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            // A bare error the connection does not close after.
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n",
            // Part of a body.
            b"data: {\"version\":3}\n\n",
        ] {
            assert_eq!(json_parse_error(write), None, "{:?}", String::from_utf8_lossy(write));
        }
    }
}
