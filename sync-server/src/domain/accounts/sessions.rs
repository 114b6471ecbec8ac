//! Signing in and revoking sessions.

use super::{PasswordCheck, open_session, with_memberships};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use clinic_core::ErrorCode;
use clinic_core::api::auth::{LoginRequest, SessionGranted, parse_device_name};
use clinic_core::contact::Email;
use sqlx::PgPool;
use std::net::IpAddr;
use uuid::Uuid;

/// Signs in from `address`. Failed attempts are counted per account and
/// per client address (attempts sent at once included); past the limit
/// the answer is 429 with `Retry-After`, whether or not the password would
/// have been right.
pub async fn login(
    state: &AppState,
    address: IpAddr,
    req: LoginRequest,
) -> ApiResult<SessionGranted> {
    let email = Email::parse(&req.email)?;
    let device_name = parse_device_name(&req.device_name)?;
    let check = PasswordCheck::begin(state, email.as_str(), address).await?;

    let account: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&state.pool)
            .await?;
    let (user_id, hash) = match account {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let ok = state.passwords.verify(req.password, hash).await;
    // A failure keeps the check's place: it is the failure's record.
    let Some(user_id) = user_id.filter(|_| ok) else {
        return Err(ApiError::new(
            ErrorCode::BadCredentials,
            "email or password is wrong",
        ));
    };

    let mut tx = state.pool.begin().await?;
    check.passed(&mut tx).await?;
    let granted = open_session(state, &mut tx, user_id, req.device_id, &device_name).await?;
    tx.commit().await?;
    with_memberships(&state.pool, granted).await
}

/// Revokes one session of `user_id`, or all of them; returns how many.
pub async fn revoke(pool: &PgPool, user_id: Uuid, session_id: Option<Uuid>) -> ApiResult<u64> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = now()
         WHERE user_id = $1 AND ($2::uuid IS NULL OR id = $2) AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(session_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
