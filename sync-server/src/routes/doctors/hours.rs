//! A doctor's weekly working hours: wall-clock intervals in the clinic's time
//! zone, read and replaced as a whole week.

use super::{DoctorPath, ensure_doctor};
use crate::auth::Member;
use crate::domain::schedule::{self, read_week};
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use clinic_core::api::doctors::WeekHours;
use clinic_core::{ErrorBody, Permission};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_hours, set_hours))
}

/// The doctor's week, by weekday (1 = Monday) and start; times are `HH:MM`.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}/hours", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)),
    responses(
        (status = 200, body = WeekHours),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
async fn get_hours(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
) -> ApiResult<Json<WeekHours>> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsRead)?;
    let mut tx = member.begin(&state).await?;
    ensure_doctor(&mut tx, &member, doctor_id).await?;
    let week = read_week(&mut tx, &member, doctor_id).await?;
    tx.commit().await?;
    Ok(Json(week))
}

/// Replaces the doctor's whole week at once (an empty list clears it).
/// Intervals that stay the same keep their identity, so desks only sync what
/// changed. Appointments already booked are not touched.
#[utoipa::path(
    put, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}/hours", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)), request_body = WeekHours,
    responses(
        (status = 200, description = "The week as now stored", body = WeekHours),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "Bad weekday or time, an interval ending before it starts, or two overlapping", body = ErrorBody),
    )
)]
async fn set_hours(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
    Json(req): Json<WeekHours>,
) -> ApiResult<Json<WeekHours>> {
    let mut tx = member.begin(&state).await?;
    let stored = schedule::set_week(&mut tx, &member, path.doctor_id, &req).await?;
    tx.commit().await?;
    Ok(Json(stored))
}
