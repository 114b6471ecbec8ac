//! The bearer session behind a request.

use super::token;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

/// A valid, unexpired, unrevoked session.
#[derive(Debug, Clone, Copy)]
pub struct AuthSession {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub device_id: Uuid,
}

impl FromRequestParts<AppState> for AuthSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(ApiError::unauthenticated)?;
        let bearer = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthenticated)?;
        // Touching last_used_at at most once a minute keeps reads from writing.
        let row: Option<(Uuid, Uuid, Uuid)> = sqlx::query_as(
            "WITH live AS (
                 SELECT id, user_id, device_id, last_used_at FROM sessions
                 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
             ), touched AS (
                 UPDATE sessions s SET last_used_at = now()
                 FROM live WHERE s.id = live.id AND live.last_used_at < now() - interval '1 minute'
             )
             SELECT id, user_id, device_id FROM live",
        )
        .bind(token::hash(bearer))
        .fetch_optional(&state.pool)
        .await?;
        let (session_id, user_id, device_id) = row.ok_or_else(ApiError::unauthenticated)?;
        Ok(AuthSession {
            session_id,
            user_id,
            device_id,
        })
    }
}
