//! The clinic itself: reading and changing its settings, and opening another
//! clinic from an existing account.

use crate::auth::{AuthSession, Member};
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use clinic_core::api::auth::{ClinicSettings, NewClinic};
use clinic_core::api::clinic::{ClinicView, UpdateClinic};
use clinic_core::{Permission, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_clinic))
        .routes(routes!(get_clinic, update_clinic))
}

type ErrorBody = clinic_core::ErrorBody;

#[derive(sqlx::FromRow)]
pub(crate) struct ClinicRow {
    id: Uuid,
    name: String,
    time_zone: String,
    locale: String,
    currency: String,
    created_at: DateTime<Utc>,
}

impl From<ClinicRow> for ClinicView {
    fn from(r: ClinicRow) -> Self {
        ClinicView {
            id: r.id,
            name: r.name,
            time_zone: r.time_zone,
            locale: r.locale,
            currency: r.currency,
            created_at: r.created_at,
        }
    }
}

/// The clinic of the transaction's context; `lock` holds it until commit.
async fn load(tx: &mut Tx, clinic_id: Uuid, lock: bool) -> ApiResult<ClinicView> {
    let sql = if lock {
        "SELECT id, name, time_zone, locale, currency, created_at FROM clinics WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT id, name, time_zone, locale, currency, created_at FROM clinics WHERE id = $1"
    };
    let row: Option<ClinicRow> = sqlx::query_as(sql)
        .bind(clinic_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(ClinicView::from)
        .ok_or_else(|| ApiError::not_found("clinic"))
}

/// Opens another clinic; the caller becomes its owner and first admin.
#[utoipa::path(
    post, path = "/v1/clinics", tag = "clinics", security(("bearer" = [])),
    request_body = NewClinic,
    responses(
        (status = 201, body = ClinicView),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn create_clinic(
    State(state): State<AppState>,
    session: AuthSession,
    Json(req): Json<NewClinic>,
) -> ApiResult<(StatusCode, Json<ClinicView>)> {
    let settings = req.parse()?;
    let clinic_id = Uuid::now_v7();
    // The new clinic's own context, as at sign-up: its rows are written under
    // the same row security as every later request.
    let mut tx = db::begin_clinic(&state.pool, clinic_id).await?;
    let view: ClinicView = sqlx::query_as::<_, ClinicRow>(
        "INSERT INTO clinics (id, name, time_zone, locale, currency) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, name, time_zone, locale, currency, created_at",
    )
    .bind(clinic_id)
    .bind(&settings.name)
    .bind(settings.time_zone.name())
    .bind(settings.locale.as_str())
    .bind(settings.currency.code())
    .fetch_one(&mut *tx)
    .await?
    .into();
    sqlx::query(
        "INSERT INTO memberships (clinic_id, user_id, role, is_owner) VALUES ($1, $2, 'admin', true)",
    )
    .bind(clinic_id)
    .bind(session.user_id)
    .execute(&mut *tx)
    .await?;
    let owner = Member {
        clinic_id,
        user_id: session.user_id,
        device_id: session.device_id,
        session_id: session.session_id,
        role: Role::Admin,
    };
    db::audit(&mut tx, &owner, "clinic.created", "clinic", Some(clinic_id)).await?;
    tx.commit().await?;
    tracing::info!(%clinic_id, "clinic created");
    Ok((StatusCode::CREATED, Json(view)))
}

/// The clinic's name, time zone, locale and currency.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}", tag = "clinics", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    responses(
        (status = 200, body = ClinicView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
    )
)]
async fn get_clinic(State(state): State<AppState>, member: Member) -> ApiResult<Json<ClinicView>> {
    member.require(Permission::ClinicRead)?;
    let mut tx = member.begin(&state).await?;
    let view = load(&mut tx, member.clinic_id, false).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Changes the clinic's settings; fields left out stay as they are.
#[utoipa::path(
    patch, path = "/v1/clinics/{clinic_id}", tag = "clinics", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    request_body = UpdateClinic,
    responses(
        (status = 200, body = ClinicView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn update_clinic(
    State(state): State<AppState>,
    member: Member,
    Json(req): Json<UpdateClinic>,
) -> ApiResult<Json<ClinicView>> {
    member.require(Permission::ClinicManage)?;
    super::require_changes(&req)?;
    let mut tx = member.begin(&state).await?;
    let current = load(&mut tx, member.clinic_id, true).await?;
    let settings: ClinicSettings = req.apply_to(&current)?;
    if settings.matches(&current) {
        // Nothing to change: no new sync version, no audit entry.
        tx.commit().await?;
        return Ok(Json(current));
    }
    let view: ClinicView = sqlx::query_as::<_, ClinicRow>(
        "UPDATE clinics SET name = $2, time_zone = $3, locale = $4, currency = $5 WHERE id = $1
         RETURNING id, name, time_zone, locale, currency, created_at",
    )
    .bind(member.clinic_id)
    .bind(&settings.name)
    .bind(settings.time_zone.name())
    .bind(settings.locale.as_str())
    .bind(settings.currency.code())
    .fetch_one(&mut *tx)
    .await?
    .into();
    db::audit(
        &mut tx,
        &member,
        "clinic.updated",
        "clinic",
        Some(member.clinic_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(view))
}
