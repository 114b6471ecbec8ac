//! Signing in and out, the caller's sessions, and who the caller is.

use super::ErrorBody;
use crate::auth::AuthSession;
use crate::domain::accounts::{self, load_user, memberships};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use clinic_core::api::auth::{LoginRequest, Me, SessionGranted, SessionView};
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login, list_sessions, revoke_all_sessions))
        .routes(routes!(logout))
        .routes(routes!(revoke_session))
        .routes(routes!(me))
}

/// Signs in. Failed attempts are counted per account and per client address
/// (attempts sent at once included); past the limit the answer is 429 with
/// `Retry-After`, whether or not the password would have been right.
#[utoipa::path(
    post, path = "/v1/sessions", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 200, body = SessionGranted),
        (status = 401, description = "Email or password wrong", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Json<SessionGranted>> {
    Ok(Json(accounts::login(&state, peer.ip(), req).await?))
}

/// Signs out: revokes the session making the request.
#[utoipa::path(
    delete, path = "/v1/sessions/current", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody))
)]
async fn logout(State(state): State<AppState>, session: AuthSession) -> ApiResult<StatusCode> {
    accounts::revoke(&state.pool, session.user_id, Some(session.session_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's sessions that are still valid, one per signed-in device.
#[utoipa::path(
    get, path = "/v1/sessions", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody))
)]
async fn list_sessions(
    State(state): State<AppState>,
    session: AuthSession,
) -> ApiResult<Json<Vec<SessionView>>> {
    let rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT s.id, s.device_id, d.name AS device_name, s.created_at, s.last_used_at, s.expires_at
         FROM sessions s JOIN devices d ON d.id = s.device_id
         WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
         ORDER BY s.created_at DESC",
    )
    .bind(session.user_id)
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| SessionView {
                current: r.id == session.session_id,
                id: r.id,
                device_id: r.device_id,
                device_name: r.device_name,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                expires_at: r.expires_at,
            })
            .collect(),
    ))
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    device_id: Uuid,
    device_name: String,
    created_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// Revokes one of the caller's sessions (e.g. a lost laptop).
#[utoipa::path(
    delete, path = "/v1/sessions/{session_id}", tag = "accounts", security(("bearer" = [])),
    params(("session_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn revoke_session(
    State(state): State<AppState>,
    session: AuthSession,
    Path(session_id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    if accounts::revoke(&state.pool, session.user_id, Some(session_id)).await? == 0 {
        return Err(ApiError::not_found("session"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Signs out everywhere: revokes all the caller's sessions, this one included.
#[utoipa::path(
    delete, path = "/v1/sessions", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody))
)]
async fn revoke_all_sessions(
    State(state): State<AppState>,
    session: AuthSession,
) -> ApiResult<StatusCode> {
    accounts::revoke(&state.pool, session.user_id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the caller is and the clinics they can open.
#[utoipa::path(
    get, path = "/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody))
)]
async fn me(State(state): State<AppState>, session: AuthSession) -> ApiResult<Json<Me>> {
    let user = load_user(&state.pool, session.user_id).await?;
    let memberships = memberships(&state.pool, session.user_id).await?;
    Ok(Json(Me { user, memberships }))
}
