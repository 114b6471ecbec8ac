//! A doctor's time off: holidays, courses, sick leave. Recorded even over
//! booked appointments (illness does not wait), which are then listed so the
//! desk can move them.

use super::{DoctorPath, ensure_doctor, upcoming_statuses};
use crate::auth::Member;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::routes::keyset;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use clinic_core::api::doctors::{NewTimeOff, TimeOffCreated, TimeOffFilter, TimeOffView};
use clinic_core::api::{Page, PageQuery};
use clinic_core::{ErrorBody, Permission};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_time_off, create_time_off))
        .routes(routes!(delete_time_off))
}

#[derive(Debug, serde::Deserialize)]
struct TimeOffPath {
    doctor_id: Uuid,
    time_off_id: Uuid,
}

#[derive(Debug, sqlx::FromRow)]
struct TimeOffRow {
    id: Uuid,
    doctor_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

const TIME_OFF_COLUMNS: &str = "id, doctor_id, starts_at, ends_at, reason, created_at";

impl From<TimeOffRow> for TimeOffView {
    fn from(r: TimeOffRow) -> Self {
        TimeOffView {
            id: r.id,
            doctor_id: r.doctor_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            reason: r.reason,
            created_at: r.created_at,
        }
    }
}

/// The doctor's time off overlapping `[from, to)` (either end may be left
/// open), earliest first.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}/time-off", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path), PageQuery, TimeOffFilter),
    responses(
        (status = 200, body = Page<TimeOffView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "Bad limit, cursor, from or to", body = ErrorBody),
    )
)]
async fn list_time_off(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
    Query(page): Query<PageQuery>,
    Query(filter): Query<TimeOffFilter>,
) -> ApiResult<Json<Page<TimeOffView>>> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsRead)?;
    let limit = page.limit()?;
    let window = filter.parse()?;
    let after: Option<(DateTime<Utc>, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let (after_start, after_id) = after.unzip();
    let mut tx = member.begin(&state).await?;
    ensure_doctor(&mut tx, &member, doctor_id).await?;
    let rows: Vec<TimeOffRow> = sqlx::query_as(&format!(
        "SELECT {TIME_OFF_COLUMNS} FROM doctor_time_off
         WHERE clinic_id = $1 AND doctor_id = $2
           AND ($3::timestamptz IS NULL OR ends_at > $3)
           AND ($4::timestamptz IS NULL OR starts_at < $4)
           AND ($5::timestamptz IS NULL OR (starts_at, id) > ($5, $6))
         ORDER BY starts_at, id
         LIMIT $7"
    ))
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(window.from)
    .bind(window.to)
    .bind(after_start)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(keyset::page(
        rows,
        limit,
        |r| (r.starts_at, r.id),
        |r| Ok(TimeOffView::from(r)),
    )?))
}

/// Records time off. Appointments inside it are kept, and the booked or
/// checked-in ones are returned in `affected_appointments` to be moved.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}/time-off", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)), request_body = NewTimeOff,
    responses(
        (status = 201, body = TimeOffCreated),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn create_time_off(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
    Json(req): Json<NewTimeOff>,
) -> ApiResult<(StatusCode, Json<TimeOffCreated>)> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsManage)?;
    let draft = req.parse()?;
    let mut tx = member.begin(&state).await?;
    ensure_doctor(&mut tx, &member, doctor_id).await?;
    let id = Uuid::now_v7();
    let row: TimeOffRow = sqlx::query_as(&format!(
        "INSERT INTO doctor_time_off (clinic_id, id, doctor_id, starts_at, ends_at, reason)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TIME_OFF_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(id)
    .bind(doctor_id)
    .bind(draft.range.starts_at)
    .bind(draft.range.ends_at)
    .bind(&draft.reason)
    .fetch_one(&mut *tx)
    .await?;
    let affected_appointments: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM appointments
         WHERE clinic_id = $1 AND doctor_id = $2 AND status = ANY($3)
           AND during && tstzrange($4, $5, '[)')
         ORDER BY starts_at, id",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(upcoming_statuses())
    .bind(draft.range.starts_at)
    .bind(draft.range.ends_at)
    .fetch_all(&mut *tx)
    .await?;
    db::audit(&mut tx, &member, "time_off.created", "time_off", Some(id)).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(TimeOffCreated {
            time_off: row.into(),
            affected_appointments,
        }),
    ))
}

/// Removes an entry of time off (e.g. a holiday that was called off).
#[utoipa::path(
    delete, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}/time-off/{time_off_id}", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path), ("time_off_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
async fn delete_time_off(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<TimeOffPath>,
) -> ApiResult<StatusCode> {
    let doctor_id = path.doctor_id;
    let time_off_id = path.time_off_id;
    member.require(Permission::DoctorsManage)?;
    let mut tx = member.begin(&state).await?;
    let deleted: Option<Uuid> = sqlx::query_scalar(
        "DELETE FROM doctor_time_off WHERE clinic_id = $1 AND doctor_id = $2 AND id = $3
         RETURNING id",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(time_off_id)
    .fetch_optional(&mut *tx)
    .await?;
    if deleted.is_none() {
        return Err(ApiError::not_found("time off"));
    }
    db::audit(
        &mut tx,
        &member,
        "time_off.deleted",
        "time_off",
        Some(time_off_id),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
