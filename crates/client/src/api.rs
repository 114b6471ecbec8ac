//! The server's HTTP API as the desk uses it: sign-in, who am I, sign-out,
//! the sync endpoints (push, pull, live pokes), and the administration that
//! only the server does (doctors' records, staff, invitations, the clinic's
//! settings), which needs a connection. Typed on core's DTOs so
//! a protocol change breaks the build, not a clinic.
//!
//! Errors carry the server's `{code, message}`. The session token never
//! reaches a log: it is a `SecretString` and its header is marked sensitive.

use clinic_core::api::Page;
use clinic_core::api::auth::{InvitationView, LoginRequest, Me, NewInvitation, SessionGranted};
use clinic_core::api::clinic::{ClinicView, UpdateClinic};
use clinic_core::api::doctors::{DoctorView, NewDoctor, UpdateDoctor};
use clinic_core::api::staff::{StaffMember, UpdateStaff};
use clinic_core::sync::{Poke, PriorityStage, PullPage, PullQuery, PushRequest, PushResponse};
use clinic_core::{ErrorBody, ErrorCode};
use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
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
    /// Too many attempts (429): the server says how long to wait, when it does.
    #[error("{}", .body.message)]
    Throttled {
        body: ErrorBody,
        retry_after: Option<Duration>,
    },
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
            ApiError::Server { body, .. } | ApiError::Throttled { body, .. } => body.code.as_str(),
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
            ApiError::Server { status, .. } => *status >= 500,
            ApiError::Throttled { .. } => true,
            ApiError::Protocol(_) => false,
        }
    }

    /// How long the server asked to wait before trying again (429 with
    /// `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Throttled { retry_after, .. } => *retry_after,
            _ => None,
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
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
        let text = match resp.text().await {
            Ok(t) => t,
            Err(e) => return e.into(),
        };
        let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| ErrorBody {
            code: fallback_code(status),
            message: format!("the server answered {status} without an explanation"),
            field: None,
        });
        if status == StatusCode::TOO_MANY_REQUESTS {
            ApiError::Throttled { body, retry_after }
        } else {
            ApiError::Server {
                status: status.as_u16(),
                body,
            }
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

/// Administration (REST only; each needs a connection).
impl ApiClient {
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, ApiError> {
        let mut r = self
            .request(&self.http, method, path)?
            .timeout(self.timeouts.request);
        if let Some(body) = body {
            r = r.json(body);
        }
        Self::json(Self::send(r).await?).await
    }

    async fn delete(&self, path: &str) -> Result<(), ApiError> {
        let r = self
            .request(&self.http, Method::DELETE, path)?
            .timeout(self.timeouts.request);
        Self::send(r).await.map(|_| ())
    }

    /// Every item of a paged list, following `next_cursor`.
    async fn all_pages<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut params = vec![("limit", clinic_core::api::page::MAX_LIMIT.to_string())];
            if let Some(c) = cursor.take() {
                params.push(("cursor", c));
            }
            let r = self
                .request(&self.http, Method::GET, path)?
                .timeout(self.timeouts.request)
                .query(&params);
            let page: Page<T> = Self::json(Self::send(r).await?).await?;
            items.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(items),
            }
        }
    }

    /// `POST /v1/clinics/{clinic_id}/doctors`.
    pub async fn create_doctor(
        &self,
        clinic_id: Uuid,
        doctor: &NewDoctor,
    ) -> Result<DoctorView, ApiError> {
        let path = format!("v1/clinics/{clinic_id}/doctors");
        self.call(Method::POST, &path, Some(doctor)).await
    }

    /// `PATCH /v1/clinics/{clinic_id}/doctors/{doctor_id}`.
    pub async fn update_doctor(
        &self,
        clinic_id: Uuid,
        doctor_id: Uuid,
        changes: &UpdateDoctor,
    ) -> Result<DoctorView, ApiError> {
        let path = format!("v1/clinics/{clinic_id}/doctors/{doctor_id}");
        self.call(Method::PATCH, &path, Some(changes)).await
    }

    /// `GET /v1/clinics/{clinic_id}/staff`, every page.
    pub async fn staff(&self, clinic_id: Uuid) -> Result<Vec<StaffMember>, ApiError> {
        self.all_pages(&format!("v1/clinics/{clinic_id}/staff"))
            .await
    }

    /// `PATCH /v1/clinics/{clinic_id}/staff/{user_id}`.
    pub async fn change_role(
        &self,
        clinic_id: Uuid,
        user_id: Uuid,
        change: &UpdateStaff,
    ) -> Result<StaffMember, ApiError> {
        let path = format!("v1/clinics/{clinic_id}/staff/{user_id}");
        self.call(Method::PATCH, &path, Some(change)).await
    }

    /// `DELETE /v1/clinics/{clinic_id}/staff/{user_id}`.
    pub async fn remove_member(&self, clinic_id: Uuid, user_id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("v1/clinics/{clinic_id}/staff/{user_id}"))
            .await
    }

    /// `GET /v1/clinics/{clinic_id}/invitations`: the open ones, every page.
    pub async fn invitations(&self, clinic_id: Uuid) -> Result<Vec<InvitationView>, ApiError> {
        self.all_pages(&format!("v1/clinics/{clinic_id}/invitations"))
            .await
    }

    /// `POST /v1/clinics/{clinic_id}/invitations`.
    pub async fn invite(
        &self,
        clinic_id: Uuid,
        invitation: &NewInvitation,
    ) -> Result<InvitationView, ApiError> {
        let path = format!("v1/clinics/{clinic_id}/invitations");
        self.call(Method::POST, &path, Some(invitation)).await
    }

    /// `DELETE /v1/clinics/{clinic_id}/invitations/{invitation_id}`.
    pub async fn revoke_invitation(
        &self,
        clinic_id: Uuid,
        invitation_id: Uuid,
    ) -> Result<(), ApiError> {
        self.delete(&format!(
            "v1/clinics/{clinic_id}/invitations/{invitation_id}"
        ))
        .await
    }

    /// `PATCH /v1/clinics/{clinic_id}`: name, time zone, locale, currency.
    pub async fn update_clinic(
        &self,
        clinic_id: Uuid,
        changes: &UpdateClinic,
    ) -> Result<ClinicView, ApiError> {
        let path = format!("v1/clinics/{clinic_id}");
        self.call(Method::PATCH, &path, Some(changes)).await
    }
}

/// `Retry-After` is either seconds or an HTTP date (RFC 9110 §10.2.3); a
/// date already past means "now".
fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
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
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn tokens_do_not_print() {
        let api = ApiClient::new("https://x.example")
            .expect("client")
            .with_token(SecretString::from("s3cret-token"));
        assert!(!format!("{api:?}").contains("s3cret"));
    }
}
