//! `GET /sync/events`: a Server-Sent Events stream telling a desk that its
//! clinic has something new to pull.

use crate::auth::Member;
use crate::error::{ApiError, ApiResult};
use crate::pokes::Signal;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use clinic_core::sync::Poke;
use clinic_core::{ErrorBody, ErrorCode, Permission};
use futures_util::Stream;
use sqlx::PgPool;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;
use uuid::Uuid;

/// A comment line this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A stream ends after this long; the desk reconnects (as it does after any
/// drop) and is checked again, so a revoked session or membership does not
/// keep receiving pokes for long.
const MAX_STREAM: Duration = Duration::from_secs(30 * 60);

/// Pokes for the clinic: an event `poke` with data `{"version": N}` as
/// soon as the clinic's version moves past what the stream last said, on
/// whichever server instance the write went through. The first event,
/// sent at once, carries the current version (a reconnecting desk learns
/// whether it missed anything). A burst of writes is told as one poke of
/// the latest version. Ends when the server shuts down or after 30
/// minutes; reconnect.
///
/// Permission: any member of the clinic (`clinic_read`); a poke carries
/// nothing but a version number. Send `Accept: text/event-stream`.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/sync/events", tag = "sync", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    responses(
        (status = 200, description = "`text/event-stream` of `poke` events whose data is a Poke", content_type = "text/event-stream", body = Poke),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 406, description = "The request does not accept `text/event-stream`", body = ErrorBody),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
) -> ApiResult<Response> {
    member.require(Permission::ClinicRead)?;
    if !accepts_event_stream(&headers) {
        return Ok((
            StatusCode::NOT_ACCEPTABLE,
            ApiError::new(
                ErrorCode::Invalid,
                "this endpoint is an event stream: send Accept: text/event-stream",
            ),
        )
            .into_response());
    }
    // Subscribe before reading the version, so that a write committed in
    // between is either in what is read or in what is received.
    let signals = state.pokes.subscribe();
    let version = current_version(&state.pool, member.clinic_id).await?;
    let stream = PokeStream {
        clinic_id: member.clinic_id,
        pool: state.pool.clone(),
        signals,
        stopping: state.stopping.clone(),
        deadline: Instant::now() + MAX_STREAM,
        told: version,
        first: true,
    };
    Ok(Sse::new(stream.into_stream())
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

fn accepts_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"))
}

async fn current_version(pool: &PgPool, clinic_id: Uuid) -> ApiResult<i64> {
    let mut tx = crate::db::begin_clinic(pool, clinic_id).await?;
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM clinic_sync_counters WHERE clinic_id = $1")
            .bind(clinic_id)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(version)
}

struct PokeStream {
    clinic_id: Uuid,
    pool: PgPool,
    signals: broadcast::Receiver<Signal>,
    stopping: watch::Receiver<bool>,
    deadline: Instant,
    /// The version last told to the desk.
    told: i64,
    first: bool,
}

impl PokeStream {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> {
        futures_util::stream::unfold(self, |mut s| async move {
            let version = s.next_version().await?;
            Some((Ok(poke(version)), s))
        })
    }

    /// The next version to tell, or `None` when the stream should end.
    async fn next_version(&mut self) -> Option<i64> {
        if std::mem::take(&mut self.first) {
            return Some(self.told);
        }
        loop {
            if *self.stopping.borrow() {
                return None;
            }
            let mut latest = tokio::select! {
                _ = self.stopping.changed() => return None,
                _ = tokio::time::sleep_until(self.deadline) => return None,
                received = self.signals.recv() => match received {
                    Ok(signal) => self.consider(signal).await,
                    Err(RecvError::Lagged(_)) => self.reread().await,
                    Err(RecvError::Closed) => return None,
                },
            };
            // Whatever else arrived meanwhile is told in the same poke.
            loop {
                match self.signals.try_recv() {
                    Ok(signal) => latest = latest.max(self.consider(signal).await),
                    Err(broadcast::error::TryRecvError::Lagged(_)) => {
                        latest = latest.max(self.reread().await)
                    }
                    Err(_) => break,
                }
            }
            if let Some(version) = latest.filter(|v| *v > self.told) {
                self.told = version;
                return Some(version);
            }
        }
    }

    async fn consider(&self, signal: Signal) -> Option<i64> {
        match signal {
            Signal::Moved { clinic_id, version } if clinic_id == self.clinic_id => Some(version),
            Signal::Moved { .. } => None,
            Signal::Resync => self.reread().await,
        }
    }

    /// The clinic's version as stored, when the signals may have missed some.
    async fn reread(&self) -> Option<i64> {
        // A failure is logged where it happens; the next signal tries again.
        current_version(&self.pool, self.clinic_id).await.ok()
    }
}

fn poke(version: i64) -> Event {
    Event::default()
        .event("poke")
        .json_data(Poke { version })
        .unwrap_or_else(|_| Event::default().event("poke"))
}
