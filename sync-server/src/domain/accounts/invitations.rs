//! Accepting an invitation: joining the clinic with the invited role.

use super::{PasswordCheck, insert_user, open_session, with_memberships};
use crate::auth::token;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use clinic_core::ErrorCode;
use clinic_core::api::auth::{AcceptInvitation, SessionGranted, parse_device_name};
use clinic_core::contact::{Email, required_text};
use clinic_core::password::check_new_password;
use std::net::IpAddr;
use uuid::Uuid;

/// Accepts an invitation from `address` and signs in. A new person chooses
/// a name and password; someone who already has an account proves it with
/// that account's password.
pub async fn accept_invitation(
    state: &AppState,
    address: IpAddr,
    req: AcceptInvitation,
) -> ApiResult<SessionGranted> {
    let device_name = parse_device_name(&req.device_name)?;
    let gone = || {
        ApiError::new(
            ErrorCode::NotFound,
            "this invitation does not exist, was already used, or has expired",
        )
    };
    let clinic_id = token::invitation_clinic(req.token.trim()).ok_or_else(gone)?;
    let token_hash = token::hash(req.token.trim());

    // Whom the invitation is for, read without a lock: checking or hashing
    // the password takes a while, and holds no connection or row meanwhile.
    let mut tx = db::begin_clinic(&state.pool, clinic_id).await?;
    let email: Option<String> = sqlx::query_scalar(&format!(
        "SELECT email FROM invitations WHERE token_hash = $1 AND {OPEN_INVITATION}"
    ))
    .bind(&token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let email = Email::parse(&email.ok_or_else(gone)?)?;

    let existing: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&state.pool)
            .await?;
    let joiner = match existing {
        Some((id, hash)) => {
            let check = PasswordCheck::begin(state, email.as_str(), address).await?;
            if !state.passwords.verify(req.password, Some(hash)).await {
                return Err(ApiError::new(
                    ErrorCode::BadCredentials,
                    "an account with this email exists; enter its password to join",
                ));
            }
            Joiner::Existing(id, check)
        }
        None => {
            let full_name =
                required_text("full_name", req.full_name.as_deref().unwrap_or(""), 200)?;
            check_new_password(&req.password)?;
            let hash = state
                .passwords
                .hash(req.password)
                .await
                .map_err(ApiError::internal)?;
            Joiner::New { full_name, hash }
        }
    };

    let mut tx = db::begin_clinic(&state.pool, clinic_id).await?;
    let invitation: Option<(Uuid, String)> = sqlx::query_as(&format!(
        "SELECT id, role FROM invitations WHERE token_hash = $1 AND {OPEN_INVITATION} FOR UPDATE"
    ))
    .bind(&token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let (invitation_id, role) = invitation.ok_or_else(gone)?;
    let (user_id, check) = match joiner {
        Joiner::Existing(id, check) => (id, Some(check)),
        Joiner::New { full_name, hash } => {
            let id = Uuid::now_v7();
            insert_user(&mut tx, id, &email, &full_name, &hash).await?;
            (id, None)
        }
    };
    sqlx::query("INSERT INTO memberships (clinic_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(clinic_id)
        .bind(user_id)
        .bind(&role)
        .execute(&mut *tx)
        .await
        .map_err(|e| match ApiError::from(e) {
            err if err.code == ErrorCode::Conflict => ApiError::new(
                ErrorCode::Conflict,
                "you are already a member of this clinic",
            ),
            err => err,
        })?;
    sqlx::query("UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1")
        .bind(invitation_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    db::audit_as(
        &mut tx,
        clinic_id,
        user_id,
        None,
        "invitation.accepted",
        "invitation",
        Some(invitation_id),
    )
    .await?;
    if let Some(check) = check {
        check.passed(&mut tx).await?;
    }
    let granted = open_session(state, &mut tx, user_id, None, &device_name).await?;
    tx.commit().await?;
    with_memberships(&state.pool, granted).await
}

/// An invitation that can still be accepted (SQL condition).
const OPEN_INVITATION: &str = "accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()";

/// Who accepts an invitation: an account that proved its password, or a
/// new person with the name and password hash they chose.
enum Joiner {
    Existing(Uuid, PasswordCheck),
    New { full_name: String, hash: String },
}
