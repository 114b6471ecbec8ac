//! Changing one's password.

use super::PasswordCheck;
use crate::auth::AuthSession;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use clinic_core::api::auth::ChangePassword;
use clinic_core::password::check_new_password;
use std::net::IpAddr;

/// Changes the password of `session`'s user, checked from `address`, and
/// signs out their other devices. A wrong current password counts as a
/// failed sign-in of the account.
pub async fn change_password(
    state: &AppState,
    address: IpAddr,
    session: &AuthSession,
    req: ChangePassword,
) -> ApiResult<()> {
    check_new_password(&req.new_password)
        .map_err(|e| ApiError::invalid("new_password", e.message))?;
    let (email, stored): (String, String) =
        sqlx::query_as("SELECT email, password_hash FROM users WHERE id = $1")
            .bind(session.user_id)
            .fetch_one(&state.pool)
            .await?;
    let check = PasswordCheck::begin(state, &email, address).await?;
    if !state
        .passwords
        .verify(req.current_password, Some(stored))
        .await
    {
        return Err(ApiError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = state
        .passwords
        .hash(req.new_password)
        .await
        .map_err(ApiError::internal)?;
    let mut tx = state.pool.begin().await?;
    check.passed(&mut tx).await?;
    sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1")
        .bind(session.user_id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL")
        .bind(session.user_id)
        .bind(session.session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
