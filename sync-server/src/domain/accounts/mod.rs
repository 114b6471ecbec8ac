//! What a person does with their account, not inside one clinic: signing
//! up, signing in and out, changing their password, accepting an invitation.
//! (Clinic-scoped staff management is `staff`.)
//!
//! Every check of a password and every sign-up is throttled (see
//! `auth::throttle`). Revoking a session or a membership needs nothing
//! here to end the event streams opened with it: triggers announce it
//! (migration `…004200_access_revoked_notify`).

mod invitations;
mod password;
mod sessions;
mod signup;

pub use invitations::accept_invitation;
pub use password::change_password;
pub use sessions::{login, revoke};
pub use signup::signup;

use crate::auth::throttle::{self, Limit, Reservation, Throttled};
use crate::auth::token;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use chrono::{Duration, Utc};
use clinic_core::ErrorCode;
use clinic_core::api::auth::{MembershipView, SessionGranted, UserView};
use clinic_core::contact::Email;
use sqlx::{PgConnection, PgPool};
use std::net::IpAddr;
use uuid::Uuid;

async fn insert_user(
    tx: &mut Tx,
    id: Uuid,
    email: &Email,
    full_name: &str,
    password_hash: &str,
) -> ApiResult<()> {
    sqlx::query("INSERT INTO users (id, email, full_name, password_hash) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(email.as_str())
        .bind(full_name)
        .bind(password_hash)
        .execute(&mut **tx)
        .await
        .map_err(|e| match ApiError::from(e) {
            err if err.code == ErrorCode::Conflict => account_exists(),
            err => err,
        })?;
    Ok(())
}

/// The answer to a sign-up with the email of an existing account. It has
/// to say so (the person is asked to sign in instead) and says no more.
/// Hiding even that would take sign-up by e-mailed link: a change of the
/// API for every client, and a mail worker that does not exist yet.
fn account_exists() -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "an account with this email already exists; sign in instead",
    )
}

/// Creates (or reuses) the device and a new session on it. The memberships
/// are filled in by [`with_memberships`] once the transaction is committed.
async fn open_session(
    state: &AppState,
    tx: &mut Tx,
    user_id: Uuid,
    device_id: Option<Uuid>,
    device_name: &str,
) -> ApiResult<SessionGranted> {
    // A device id is reused only if it is this user's; otherwise a new one is made.
    let existing: Option<Uuid> = match device_id {
        Some(id) => sqlx::query_scalar(
            "UPDATE devices SET name = $3, last_seen_at = now() WHERE id = $1 AND user_id = $2 RETURNING id",
        )
        .bind(id)
        .bind(user_id)
        .bind(device_name)
        .fetch_optional(&mut **tx)
        .await?,
        None => None,
    };
    let device_id = match existing {
        Some(id) => id,
        None => {
            let id = Uuid::now_v7();
            sqlx::query("INSERT INTO devices (id, user_id, name) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(user_id)
                .bind(device_name)
                .execute(&mut **tx)
                .await?;
            id
        }
    };
    let token = token::new_session_token();
    let session_id = Uuid::now_v7();
    let expires_at = Utc::now() + Duration::days(state.settings.auth.session_ttl_days);
    sqlx::query(
        "INSERT INTO sessions (id, user_id, device_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(device_id)
    .bind(token::hash(&token))
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    let user = load_user(&mut **tx, user_id).await?;
    Ok(SessionGranted {
        token,
        session_id,
        device_id,
        expires_at,
        user,
        memberships: Vec::new(),
    })
}

async fn with_memberships(pool: &PgPool, mut granted: SessionGranted) -> ApiResult<SessionGranted> {
    granted.memberships = memberships(pool, granted.user.id).await?;
    Ok(granted)
}

pub(crate) async fn load_user<'e>(
    exec: impl sqlx::PgExecutor<'e>,
    user_id: Uuid,
) -> ApiResult<UserView> {
    let (id, email, full_name): (Uuid, String, String) =
        sqlx::query_as("SELECT id, email, full_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(exec)
            .await?;
    Ok(UserView {
        id,
        email,
        full_name,
    })
}

/// The clinics a user belongs to, read under that user's own context.
pub async fn memberships(pool: &PgPool, user_id: Uuid) -> ApiResult<Vec<MembershipView>> {
    let mut tx = db::begin_user(pool, user_id).await?;
    let rows: Vec<(Uuid, String, String, bool)> = sqlx::query_as(
        "SELECT m.clinic_id, c.name, m.role, m.is_owner
         FROM memberships m JOIN clinics c ON c.id = m.clinic_id
         WHERE m.user_id = $1 ORDER BY c.name, m.clinic_id",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|(clinic_id, clinic_name, role, is_owner)| {
            Ok(MembershipView {
                clinic_id,
                clinic_name,
                role: role.parse().map_err(ApiError::internal)?,
                is_owner,
            })
        })
        .collect()
}

/// One check of a password, throttled per account and per client address:
/// it takes its place before the password is checked, so however many are
/// sent at once, at most the limit are checked (see `auth::throttle`).
/// Dropped after a wrong password, its place stays as the failure's record.
struct PasswordCheck {
    account: Limit,
    reservation: Reservation,
}

impl PasswordCheck {
    /// Takes a place for checking `email`'s password from `address`, or
    /// refuses (429 with `Retry-After`) whether or not it would be right.
    async fn begin(state: &AppState, email: &str, address: IpAddr) -> ApiResult<PasswordCheck> {
        let auth = &state.settings.auth;
        let account = Limit::new(
            &format!("password/account/{email}"),
            auth.max_failures_per_account,
            auth.failure_window_secs,
        );
        let from = Limit::new(
            &format!("password/address/{}", throttle::address(address)),
            auth.max_failures_per_address,
            auth.failure_window_secs,
        );
        let reservation = throttle::reserve(&state.pool, &[account.clone(), from])
            .await
            .map_err(|e| refused(e, "too many failed password attempts"))?;
        Ok(PasswordCheck {
            account,
            reservation,
        })
    }

    /// The password was right: neither this check nor the account's
    /// failures before it count any more.
    async fn passed(self, conn: &mut PgConnection) -> ApiResult<()> {
        self.reservation.forgive(conn, &self.account).await?;
        Ok(())
    }
}

/// 429 with `Retry-After` when a limit refused, saying `too_many`.
fn refused(e: Throttled, too_many: &str) -> ApiError {
    match e {
        Throttled::Limited { retry_after } => {
            let minutes = retry_after.div_ceil(60);
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            let mut err = ApiError::new(
                ErrorCode::RateLimited,
                format!("{too_many}; try again in {minutes} {unit}"),
            );
            err.retry_after = Some(retry_after);
            err
        }
        Throttled::Database(e) => e.into(),
    }
}
