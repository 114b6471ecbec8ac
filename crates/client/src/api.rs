//! The server's HTTP API as the desk uses it: sign-in, who am I, sign-out,
//! and the sync endpoints (push, pull, live pokes). Typed on core's DTOs so
//! a protocol change breaks the build, not a clinic.
//!
//! Errors carry the server's `{code, message}`. The session token never
//! reaches a log: it is a `SecretString` and its header is marked sensitive.

use clinic_core::api::auth::{LoginRequest, Me, SessionGranted};
use clinic_core::sync::{Poke, PriorityStage, PullPage, PullQuery, PushRequest, PushResponse};
use clinic_core::{ErrorBody, ErrorCode};
use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::pin::Pin;
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server could not be reached: no network, refused, timed out, cut off.
    #[error("cannot reach the server ({0})")]
    Offline(String),
    /// The server answered with an error.
    #[error("{}", .body.message)]
    Server { status: u16, body: ErrorBody },
    /// The server answered something this desk does not understand.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
}

impl ApiError {
    /// The server's code (`slot_taken`, `unauthenticated`, ...), or
    /// `offline` / `protocol`.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Offline(_) => "offline",
            ApiError::Server { body, .. } => body.code.as_str(),
            ApiError::Protocol(_) => "protocol",
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Offline(_))
    }

    /// Worth trying again later unchanged: offline, rate limited, or a server failure.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Offline(_) => true,
            ApiError::Server { status, .. } => *status >= 500 || *status == 429,
            ApiError::Protocol(_) => false,
        }
    }

    /// The session is gone (expired, revoked): sign in again.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, ApiError::Server { body, .. } if body.code == ErrorCode::Unauthenticated)
    }
}

impl From<reqwest::Error> for ApiError {
    fn from(e: reqwest::Error) -> Self {
        // Drop the URL: it names the server and path, which is fine, but keep
        // the habit of never printing request details.
        let e = e.without_url();
        if e.is_builder() {
            ApiError::Protocol(e.to_string())
        } else if e.is_decode() {
            ApiError::Protocol(format!("cannot read the answer: {e}"))
        } else {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg = format!("{msg}: {s}");
                source = s.source();
            }
            ApiError::Offline(msg)
        }
    }
}

/// How long requests may take.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// Any request but a pull.
    pub request: Duration,
    /// A pull page (up to 20 000 changes, compressed).
    pub pull: Duration,
    /// The live event stream is torn down and reopened after this long
    /// without a byte (the server sends keep-alives well within it).
    pub events_idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(30),
            pull: Duration::from_secs(120),
            events_idle: Duration::from_secs(90),
        }
    }
}

/// A stream of pokes from the server; ends when the connection does.
pub type PokeStream = Pin<Box<dyn Stream<Item = Result<Poke, ApiError>> + Send>>;

/// The API of one server, optionally with a session token.
#[derive(Clone)]
pub struct ApiClient {
    base: Url,
    http: reqwest::Client,
    events: reqwest::Client,
    token: Option<SecretString>,
    timeouts: Timeouts,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base.as_str())
            .field("signed_in", &self.token.is_some())
            .finish()
    }
}

/// Checks and normalises a server address: `http(s)://host[:port][/prefix]`,
/// without a trailing slash.
pub fn parse_server_url(raw: &str) -> Result<Url, ApiError> {
    let mut url = Url::parse(raw.trim()).map_err(|e| {
        ApiError::Protocol(format!(
            "{raw:?} is not a server address like https://clinic.example ({e})"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::Protocol(format!(
            "{raw:?} is not an http(s) server address"
        )));
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

impl ApiClient {
    pub fn new(server: &str) -> Result<ApiClient, ApiError> {
        Self::with_timeouts(server, Timeouts::default())
    }

    pub fn with_timeouts(server: &str, timeouts: Timeouts) -> Result<ApiClient, ApiError> {
        let mut base = parse_server_url(server)?;
        // Joining relative paths needs the trailing slash.
        let path = format!("{}/", base.path().trim_end_matches('/'));
        base.set_path(&path);
        let agent = concat!("clinic-desk/", env!("CARGO_PKG_VERSION"));
        let http = reqwest::Client::builder()
            .user_agent(agent)
            .connect_timeout(timeouts.connect)
            .gzip(true)
            .build()?;
        let events = reqwest::Client::builder()
            .user_agent(agent)
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.events_idle)
            .build()?;
        Ok(ApiClient {
            base,
            http,
            events,
            token: None,
            timeouts,
        })
    }

    pub fn with_token(mut self, token: SecretString) -> ApiClient {
        self.token = Some(token);
        self
    }

    /// The server address, without a trailing slash.
    pub fn server(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    fn url(&self, path: &str) -> Result<Url, ApiError> {
        self.base
            .join(path)
            .map_err(|e| ApiError::Protocol(format!("bad path {path}: {e}")))
    }

    fn request(
        &self,
        client: &reqwest::Client,
        method: Method,
        path: &str,
    ) -> Result<RequestBuilder, ApiError> {
        let mut req = client.request(method, self.url(path)?);
        if let Some(token) = &self.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| ApiError::Protocol("the session token is not header-safe".into()))?;
            value.set_sensitive(true);
            req = req.header(AUTHORIZATION, value);
        }
        Ok(req)
    }

    async fn send(req: RequestBuilder) -> Result<Response, ApiError> {
        let resp = req.send().await?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        Err(Self::error_of(resp).await)
    }

    async fn error_of(resp: Response) -> ApiError {
        let status = resp.status();
        let text = match resp.text().await {
            Ok(t) => t,
            Err(e) => return e.into(),
        };
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => ApiError::Server {
                status: status.as_u16(),
                body,
            },
            Err(_) => ApiError::Server {
                status: status.as_u16(),
                body: ErrorBody {
                    code: fallback_code(status),
                    message: format!("the server answered {status} without an explanation"),
                    field: None,
                },
            },
        }
    }

    async fn json<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
        let bytes = resp.bytes().await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::Protocol(format!("cannot read the answer: {e}")))
    }

    /// `POST /v1/sessions`: signs in; the answer holds the token, shown once.
    pub async fn login(&self, req: &LoginRequest) -> Result<SessionGranted, ApiError> {
        let r = self
            .request(&self.http, Method::POST, "v1/sessions")?
            .timeout(self.timeouts.request)
            .json(req);
        Self::json(Self::send(r).await?).await
    }

    /// `GET /v1/me`: who the token belongs to and their clinics.
    pub async fn me(&self) -> Result<Me, ApiError> {
        let r = self
            .request(&self.http, Method::GET, "v1/me")?
            .timeout(self.timeouts.request);
        Self::json(Self::send(r).await?).await
    }

    /// `DELETE /v1/sessions/current`: revokes this desk's session.
    pub async fn logout(&self) -> Result<(), ApiError> {
        let r = self
            .request(&self.http, Method::DELETE, "v1/sessions/current")?
            .timeout(self.timeouts.request);
        Self::send(r).await.map(|_| ())
    }

    /// `POST /v1/clinics/{clinic_id}/sync/push`.
    pub async fn push(&self, clinic_id: Uuid, req: &PushRequest) -> Result<PushResponse, ApiError> {
        let r = self
            .request(
                &self.http,
                Method::POST,
                &format!("v1/clinics/{clinic_id}/sync/push"),
            )?
            .timeout(self.timeouts.request)
            .json(req);
        let resp: PushResponse = Self::json(Self::send(r).await?).await?;
        Ok(resp)
    }

    /// `GET /v1/clinics/{clinic_id}/sync/pull?cursor&limit&priority&stage`, gzip.
    pub async fn pull(&self, clinic_id: Uuid, query: &PullQuery) -> Result<PullPage, ApiError> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(cursor) = query.cursor {
            params.push(("cursor", cursor.to_string()));
        }
        if let Some(limit) = query.limit {
            params.push(("limit", limit.to_string()));
        }
        if query.priority {
            params.push(("priority", "true".into()));
        }
        if let Some(stage) = query.stage {
            let stage = match stage {
                PriorityStage::Today => "today",
                PriorityStage::Ahead => "ahead",
            };
            params.push(("stage", stage.into()));
        }
        let r = self
            .request(
                &self.http,
                Method::GET,
                &format!("v1/clinics/{clinic_id}/sync/pull"),
            )?
            .timeout(self.timeouts.pull)
            .query(&params);
        Self::json(Self::send(r).await?).await
    }

    /// `GET /v1/clinics/{clinic_id}/sync/events`: Server-Sent Events; yields
    /// each `poke`. Other events and keep-alive comments are skipped.
    pub async fn events(&self, clinic_id: Uuid) -> Result<PokeStream, ApiError> {
        let r = self
            .request(
                &self.events,
                Method::GET,
                &format!("v1/clinics/{clinic_id}/sync/events"),
            )?
            .header(ACCEPT, "text/event-stream");
        let resp = Self::send(r).await?;
        let stream = resp
            .bytes_stream()
            .eventsource()
            .filter_map(|event| async move {
                match event {
                    Ok(e) if e.event == "poke" || e.event == "message" => {
                        Some(serde_json::from_str::<Poke>(&e.data).map_err(|err| {
                            ApiError::Protocol(format!("a poke that is not one: {err}"))
                        }))
                    }
                    Ok(_) => None,
                    Err(e) => Some(Err(ApiError::Offline(format!("event stream broke: {e}")))),
                }
            });
        Ok(Box::pin(stream))
    }
}

fn fallback_code(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::NotPermitted,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        422 | 400 => ErrorCode::Invalid,
        429 => ErrorCode::RateLimited,
        502..=504 => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_normalised() {
        let url = |s: &str| parse_server_url(s).map(|u| u.to_string());
        assert_eq!(
            url("https://clinic.example/").expect("ok"),
            "https://clinic.example/"
        );
        assert_eq!(
            url(" http://127.0.0.1:8080 ").expect("ok"),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            url("https://x.example/api/?a=b").expect("ok"),
            "https://x.example/api"
        );
        assert!(url("ftp://x.example").is_err());
        assert!(url("clinic.example").is_err());
        let api = ApiClient::new("https://x.example/api").expect("client");
        assert_eq!(
            api.url("v1/me").expect("url").as_str(),
            "https://x.example/api/v1/me"
        );
        assert_eq!(api.server(), "https://x.example/api");
    }

    #[test]
    fn tokens_do_not_print() {
        let api = ApiClient::new("https://x.example")
            .expect("client")
            .with_token(SecretString::from("s3cret-token"));
        assert!(!format!("{api:?}").contains("s3cret"));
    }
}
