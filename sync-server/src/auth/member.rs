//! A signed-in user acting inside one clinic, with their role there.

use super::AuthSession;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use clinic_core::{Permission, Role};
use uuid::Uuid;

/// Extracted on every `/v1/clinics/{clinic_id}/...` route. A user who is not
/// a member of that clinic gets 404, which says nothing about whether it exists.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub clinic_id: Uuid,
    pub user_id: Uuid,
    pub device_id: Uuid,
    pub session_id: Uuid,
    pub role: Role,
}

impl Member {
    /// Fails with `not_permitted` unless the role holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(ApiError::not_permitted())
        }
    }

    /// Fails unless the role holds at least one of `permissions`.
    pub fn require_any(&self, permissions: &[Permission]) -> Result<(), ApiError> {
        if permissions.iter().any(|p| self.role.can(*p)) {
            Ok(())
        } else {
            Err(ApiError::not_permitted())
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }

    /// A transaction scoped to this member's clinic.
    pub async fn begin(&self, state: &AppState) -> Result<db::Tx, ApiError> {
        Ok(db::begin_clinic(&state.pool, self.clinic_id).await?)
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let session = AuthSession::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found("clinic"))?;
        let clinic_id = params
            .iter()
            .find(|(name, _)| *name == "clinic_id")
            .and_then(|(_, value)| Uuid::parse_str(value).ok())
            .ok_or_else(|| ApiError::invalid("clinic_id", "is not a valid id"))?;
        let mut tx = db::begin_clinic(&state.pool, clinic_id).await?;
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1")
                .bind(session.user_id)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        let role = role
            .ok_or_else(|| ApiError::not_found("clinic"))?
            .parse::<Role>()
            .map_err(ApiError::internal)?;
        Ok(Member {
            clinic_id,
            user_id: session.user_id,
            device_id: session.device_id,
            session_id: session.session_id,
            role,
        })
    }
}
