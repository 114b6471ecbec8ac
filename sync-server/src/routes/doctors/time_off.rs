//! A doctor's time off: holidays, courses, sick leave. Recorded even over
//! booked appointments (illness does not wait), which are then listed so the
//! desk can move them.

use super::{DoctorPath, ensure_doctor};
use crate::auth::Member;
use crate::domain::schedule;
use crate::error::ApiResult;
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

use crate::domain::schedule::{TIME_OFF_COLUMNS, TimeOffRow};

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
    let mut tx = member.begin(&state).await?;
    let created =
        schedule::add_time_off(&mut tx, &member, path.doctor_id, Uuid::now_v7(), &req).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
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
    let mut tx = member.begin(&state).await?;
    schedule::remove_time_off(&mut tx, &member, path.doctor_id, path.time_off_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
