//! Sign-up, sign-in, sessions, the caller's profile and password, and
//! accepting an invitation. Everything here concerns a person, not one
//! clinic; clinic-scoped staff management lives in `staff`.
//!
//! Every check of a password and every sign-up is throttled (see
//! `auth::throttle`). Revoking a session or a membership needs nothing
//! here to end the event streams opened with it: triggers announce it
//! (migration `…004200_access_revoked_notify`).

use crate::auth::throttle::{self, Limit, Reservation, Throttled};
use crate::auth::{AuthSession, token};
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use clinic_core::ErrorCode;
use clinic_core::api::auth::{
    AcceptInvitation, ChangePassword, LoginRequest, Me, MembershipView, SessionGranted,
    SessionView, SignupRequest, UserView, parse_device_name,
};
use clinic_core::contact::{Email, required_text};
use clinic_core::password::check_new_password;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use std::net::{IpAddr, SocketAddr};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login, list_sessions, revoke_all_sessions))
        .routes(routes!(logout))
        .routes(routes!(revoke_session))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(accept_invitation))
}

type ErrorBody = clinic_core::ErrorBody;

/// Signs up a clinic: creates the clinic, its owner (an admin) and a first
/// session. Sign-ups are limited per client address (10 an hour by
/// default), answered or not. When the email already has an account, its
/// owner is told by mail (at most once a day) that someone tried.
#[utoipa::path(
    post, path = "/v1/signup", tag = "accounts", request_body = SignupRequest,
    responses(
        (status = 201, body = SessionGranted),
        (status = 409, description = "An account with this email exists: sign in and create the clinic from there", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address", body = ErrorBody),
    )
)]
async fn signup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(req): Json<SignupRequest>,
) -> ApiResult<(StatusCode, Json<SessionGranted>)> {
    let clinic = req.clinic.parse()?;
    let owner = req.owner.parse()?;
    let device_name = parse_device_name(&req.device_name)?;
    // Taken before anything is looked up: a 409 tells whether an email has
    // an account, and each new account costs a password hash.
    let auth = &state.settings.auth;
    let per_address = Limit::new(
        &format!("signup/address/{}", throttle::address(peer.ip())),
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
        tell_owner_of_signup(&state, user_id).await?;
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
    sqlx::query(
        "INSERT INTO clinics (id, name, time_zone, locale, currency) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(clinic_id)
    .bind(&clinic.name)
    .bind(clinic.time_zone.name())
    .bind(clinic.locale.as_str())
    .bind(clinic.currency.code())
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO memberships (clinic_id, user_id, role, is_owner) VALUES ($1, $2, 'admin', true)")
        .bind(clinic_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        clinic_id,
        user_id,
        "clinic.signed_up",
        "clinic",
        clinic_id,
    )
    .await?;
    let granted = open_session(&state, &mut tx, user_id, None, &device_name).await?;
    tx.commit().await?;
    tracing::info!(%clinic_id, "clinic signed up");
    Ok((
        StatusCode::CREATED,
        Json(with_memberships(&state.pool, granted).await?),
    ))
}

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

/// An audit entry written before a `Member` exists (sign-up, invitation acceptance).
async fn record(
    tx: &mut Tx,
    clinic_id: Uuid,
    user_id: Uuid,
    action: &str,
    entity: &str,
    entity_id: Uuid,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (clinic_id, id, actor_id, action, entity, entity_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(clinic_id)
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
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

async fn load_user<'e>(exec: impl sqlx::PgExecutor<'e>, user_id: Uuid) -> ApiResult<UserView> {
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
    let email = Email::parse(&req.email)?;
    let device_name = parse_device_name(&req.device_name)?;
    let check = PasswordCheck::begin(&state, email.as_str(), peer.ip()).await?;

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
    let granted = open_session(&state, &mut tx, user_id, req.device_id, &device_name).await?;
    tx.commit().await?;
    Ok(Json(with_memberships(&state.pool, granted).await?))
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

/// Signs out: revokes the session making the request.
#[utoipa::path(
    delete, path = "/v1/sessions/current", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody))
)]
async fn logout(State(state): State<AppState>, session: AuthSession) -> ApiResult<StatusCode> {
    revoke(&state.pool, session.user_id, Some(session.session_id)).await?;
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
    if revoke(&state.pool, session.user_id, Some(session_id)).await? == 0 {
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
    revoke(&state.pool, session.user_id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes one session of `user_id`, or all of them; returns how many.
async fn revoke(pool: &PgPool, user_id: Uuid, session_id: Option<Uuid>) -> ApiResult<u64> {
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

/// Changes the caller's password and signs out their other devices. A
/// wrong current password counts as a failed sign-in of the account.
#[utoipa::path(
    put, path = "/v1/me/password", tag = "accounts", security(("bearer" = [])), request_body = ChangePassword,
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many failed password attempts", body = ErrorBody),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: AuthSession,
    Json(req): Json<ChangePassword>,
) -> ApiResult<StatusCode> {
    check_new_password(&req.new_password)
        .map_err(|e| ApiError::invalid("new_password", e.message))?;
    let (email, stored): (String, String) =
        sqlx::query_as("SELECT email, password_hash FROM users WHERE id = $1")
            .bind(session.user_id)
            .fetch_one(&state.pool)
            .await?;
    let check = PasswordCheck::begin(&state, &email, peer.ip()).await?;
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
    Ok(StatusCode::NO_CONTENT)
}

/// Accepts an invitation: joins the clinic with the invited role and signs in.
/// A new person chooses a name and password; someone who already has an
/// account proves it with that account's password.
#[utoipa::path(
    post, path = "/v1/invitations/accept", tag = "accounts", request_body = AcceptInvitation,
    responses(
        (status = 200, body = SessionGranted),
        (status = 401, description = "Wrong password for the existing account", body = ErrorBody),
        (status = 404, description = "No such open invitation (used, revoked or expired)", body = ErrorBody),
        (status = 409, description = "Already a member of this clinic", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn accept_invitation(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(req): Json<AcceptInvitation>,
) -> ApiResult<Json<SessionGranted>> {
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
            let check = PasswordCheck::begin(&state, email.as_str(), peer.ip()).await?;
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
    record(
        &mut tx,
        clinic_id,
        user_id,
        "invitation.accepted",
        "invitation",
        invitation_id,
    )
    .await?;
    if let Some(check) = check {
        check.passed(&mut tx).await?;
    }
    let granted = open_session(&state, &mut tx, user_id, None, &device_name).await?;
    tx.commit().await?;
    Ok(Json(with_memberships(&state.pool, granted).await?))
}

/// An invitation that can still be accepted (SQL condition).
const OPEN_INVITATION: &str = "accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()";

/// Who accepts an invitation: an account that proved its password, or a
/// new person with the name and password hash they chose.
enum Joiner {
    Existing(Uuid, PasswordCheck),
    New { full_name: String, hash: String },
}
