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
use chrono::{DateTime, Utc};
use clinic_core::sync::Poke;
use clinic_core::{ErrorBody, ErrorCode, Permission, Role};
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

/// A stream ends after this long at most; the desk reconnects (as it does
/// after any drop) and is checked again. A revoked session or membership
/// ends its streams at once (see `pokes`); this bounds what a missed notice
/// could cost.
const MAX_STREAM: Duration = Duration::from_secs(30 * 60);

/// Pokes for the clinic: an event `poke` with data `{"version": N}` as
/// soon as the clinic's version moves past what the stream last said, on
/// whichever server instance the write went through. The first event,
/// sent at once, carries the current version (a reconnecting desk learns
/// whether it missed anything). A burst of writes is told as one poke of
/// the latest version. Ends at once when the session is revoked (signed
/// out, revoked from another device, signed out by a password change) or
/// expires, or when the member is removed from the clinic or given another
/// role; and when the server shuts down, or after 30 minutes: reconnect.
///
/// Permission: any member of the clinic (`clinic_read`); a poke carries
/// nothing but a version number. Send `Accept: text/event-stream`.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/sync/events", tag = "sync", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("Accept" = inline(crate::routes::AcceptEventStream), Header)),
    responses(
        (status = 200, description = "`text/event-stream` of `poke` events whose data is a Poke", content_type = "text/event-stream", body = crate::routes::PokeEvent),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 406, description = "The request does not accept `text/event-stream`", body = ErrorBody),
    )
)]
#[tracing::instrument(
    name = "sync_events",
    skip_all,
    fields(clinic = %member.clinic_id, device = %member.device_id)
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
    // Subscribe before reading, so that a write or a revocation committed
    // since the request was authenticated is either in what is read or in
    // what is received.
    let signals = state.pokes.subscribe();
    let holder = Holder {
        clinic_id: member.clinic_id,
        session_id: member.session_id,
        user_id: member.user_id,
    };
    let standing = Standing::read(&state.pool, holder).await?;
    let until = standing
        .session_until
        .ok_or_else(ApiError::unauthenticated)?;
    let role = standing.role.ok_or_else(|| ApiError::not_found("clinic"))?;
    Member { role, ..member }.require(Permission::ClinicRead)?;
    let left = (until - Utc::now()).to_std().unwrap_or_default();
    let stream = PokeStream {
        holder,
        role,
        pool: state.pool.clone(),
        signals,
        stopping: state.stopping.clone(),
        deadline: Instant::now() + MAX_STREAM.min(left),
        told: standing.version,
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

/// Whose stream it is.
#[derive(Debug, Clone, Copy)]
struct Holder {
    clinic_id: Uuid,
    session_id: Uuid,
    user_id: Uuid,
}

/// What a stream rests on, read in one go: the clinic's version, until
/// when the session holds (`None`: revoked or expired) and the member's
/// role (`None`: no longer a member).
struct Standing {
    version: i64,
    session_until: Option<DateTime<Utc>>,
    role: Option<Role>,
}

impl Standing {
    async fn read(pool: &PgPool, holder: Holder) -> ApiResult<Standing> {
        let mut tx = crate::db::begin_clinic(pool, holder.clinic_id).await?;
        let (version, session_until, role): (i64, Option<DateTime<Utc>>, Option<String>) =
            sqlx::query_as(
                "SELECT c.version,
                        (SELECT s.expires_at FROM sessions s
                         WHERE s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()),
                        (SELECT m.role FROM memberships m
                         WHERE m.clinic_id = $1 AND m.user_id = $3)
                 FROM clinic_sync_counters c WHERE c.clinic_id = $1",
            )
            .bind(holder.clinic_id)
            .bind(holder.session_id)
            .bind(holder.user_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Standing {
            version,
            session_until,
            role: role
                .map(|r| r.parse::<Role>())
                .transpose()
                .map_err(ApiError::internal)?,
        })
    }
}

/// The stream must end: its session or membership no longer stands.
struct Ended;

struct PokeStream {
    /// Whose stream it is, and with which role: revoking the session or
    /// removing the membership ends it, and so does changing the role.
    holder: Holder,
    role: Role,
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
                    Ok(signal) => self.consider(signal).await.ok()?,
                    Err(RecvError::Lagged(_)) => self.reread().await.ok()?,
                    Err(RecvError::Closed) => return None,
                },
            };
            // Whatever else arrived meanwhile is told in the same poke.
            loop {
                match self.signals.try_recv() {
                    Ok(signal) => latest = latest.max(self.consider(signal).await.ok()?),
                    Err(broadcast::error::TryRecvError::Lagged(_)) => {
                        latest = latest.max(self.reread().await.ok()?)
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

    /// What `signal` means for this stream: a version to tell, or nothing.
    async fn consider(&self, signal: Signal) -> Result<Option<i64>, Ended> {
        match signal {
            Signal::Moved { clinic_id, version } if clinic_id == self.holder.clinic_id => {
                Ok(Some(version))
            }
            Signal::SessionRevoked { session_id } if session_id == self.holder.session_id => {
                Err(Ended)
            }
            Signal::MembershipChanged { clinic_id, user_id }
                if clinic_id == self.holder.clinic_id && user_id == self.holder.user_id =>
            {
                Err(Ended)
            }
            Signal::Moved { .. }
            | Signal::SessionRevoked { .. }
            | Signal::MembershipChanged { .. } => Ok(None),
            Signal::Resync => self.reread().await,
        }
    }

    /// The clinic's version as stored, when the signals may have missed
    /// some; missed revocations among them, so the session and membership
    /// are checked too.
    async fn reread(&self) -> Result<Option<i64>, Ended> {
        match Standing::read(&self.pool, self.holder).await {
            Ok(s) if s.session_until.is_none() || s.role != Some(self.role) => Err(Ended),
            Ok(s) => Ok(Some(s.version)),
            // A failure is logged where it happens; the next signal tries again.
            Err(_) => Ok(None),
        }
    }
}

fn poke(version: i64) -> Event {
    Event::default()
        .event("poke")
        .json_data(Poke { version })
        .unwrap_or_else(|_| Event::default().event("poke"))
}
