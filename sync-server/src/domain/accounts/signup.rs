//! Signing a clinic up: the clinic, its owner and a first session.

use super::{account_exists, insert_user, open_session, refused, with_memberships};
use crate::auth::throttle::{self, Limit, Throttled};
use crate::db;
use crate::domain::clinics;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use chrono::Utc;
use clinic_core::api::auth::{SessionGranted, SignupRequest, parse_device_name};
use serde_json::json;
use std::net::IpAddr;
use uuid::Uuid;

/// Signs up a clinic from `address`: creates the clinic, its owner (an
/// admin) and a first session. Sign-ups are limited per client address,
/// answered or not. When the email already has an account, its owner is
/// told by mail (at most once a day) that someone tried.
pub async fn signup(
    state: &AppState,
    address: IpAddr,
    req: SignupRequest,
) -> ApiResult<SessionGranted> {
    let clinic = req.clinic.parse()?;
    let owner = req.owner.parse()?;
    let device_name = parse_device_name(&req.device_name)?;
    // Taken before anything is looked up: a 409 tells whether an email has
    // an account, and each new account costs a password hash.
    let auth = &state.settings.auth;
    let per_address = Limit::new(
        &format!("signup/address/{}", throttle::address(address)),
        auth.max_signups_per_address,
        auth.signup_window_secs,
    );
    throttle::reserve(&state.pool, &[per_address])
        .await
        .map_err(|e| refused(e, "too many sign-ups from this address"))?;
    let existing: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(owner.email.as_str())
        .fetch_optional(&state.pool)
        .await?;
    if let Some(user_id) = existing {
        tell_owner_of_signup(state, user_id).await?;
        return Err(account_exists());
    }
    let password_hash = state
        .passwords
        .hash(owner.password)
        .await
        .map_err(ApiError::internal)?;

    let user_id = Uuid::now_v7();
    let clinic_id = Uuid::now_v7();
    let mut tx = db::begin_clinic(&state.pool, clinic_id).await?;
    insert_user(
        &mut tx,
        user_id,
        &owner.email,
        &owner.full_name,
        &password_hash,
    )
    .await?;
    clinics::open(&mut tx, clinic_id, user_id, &clinic).await?;
    db::audit_as(
        &mut tx,
        clinic_id,
        user_id,
        None,
        "clinic.signed_up",
        "clinic",
        Some(clinic_id),
    )
    .await?;
    let granted = open_session(state, &mut tx, user_id, None, &device_name).await?;
    tx.commit().await?;
    tracing::info!(%clinic_id, "clinic signed up");
    with_memberships(&state.pool, granted).await
}

/// The outbox `kind` of the mail telling an account's owner that someone
/// tried to sign up with its email.
const SIGNUP_ATTEMPT_MAIL: &str = "signup_attempt";

/// An owner is told of such attempts at most once in this long: often
/// enough to learn of it, never a flood someone else can send them.
const SIGNUP_NOTICE_WINDOW_SECS: i64 = 24 * 60 * 60;

/// Queues the notice of a sign-up attempt to `user_id`'s owner, unless one
/// was queued within the window. The outbox is clinic-owned: the notice
/// goes out under the clinic the person owns (else the one they joined
/// first), in its language. An account in no clinic is not told.
async fn tell_owner_of_signup(state: &AppState, user_id: Uuid) -> ApiResult<()> {
    let mut tx = db::begin_user(&state.pool, user_id).await?;
    let home: Option<(Uuid, String)> = sqlx::query_as(
        "SELECT m.clinic_id, c.locale FROM memberships m JOIN clinics c ON c.id = m.clinic_id
         WHERE m.user_id = $1 ORDER BY m.is_owner DESC, m.created_at, m.clinic_id LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some((clinic_id, locale)) = home else {
        return Ok(());
    };
    let mut tx = db::begin_clinic(&state.pool, clinic_id).await?;
    let once = Limit::new(
        &format!("signup_notice/user/{user_id}"),
        1,
        SIGNUP_NOTICE_WINDOW_SECS,
    );
    match throttle::take(&mut tx, &[once]).await {
        Ok(_) => {}
        Err(Throttled::Limited { .. }) => return Ok(()),
        Err(Throttled::Database(e)) => return Err(e.into()),
    }
    let (email, full_name): (String, String) =
        sqlx::query_as("SELECT email, full_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO email_outbox (clinic_id, id, kind, to_email, locale, payload, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(clinic_id)
    .bind(id)
    .bind(SIGNUP_ATTEMPT_MAIL)
    .bind(&email)
    .bind(&locale)
    .bind(json!({"full_name": full_name, "attempted_at": Utc::now()}))
    .bind(format!("{SIGNUP_ATTEMPT_MAIL}:{id}"))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
