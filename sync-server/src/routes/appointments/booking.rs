//! Booking and moving appointments over REST; the rules are in
//! [`crate::domain::booking`].

use super::{AppointmentPath, ErrorBody};
use crate::auth::Member;
use crate::domain::booking;
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use clinic_core::api::appointments::{AppointmentView, BookAppointment, RescheduleAppointment};
use uuid::Uuid;

/// Books an appointment. Answers 409 `slot_taken` when the doctor or room
/// already has a live appointment overlapping it, and 422
/// `outside_working_hours` when the doctor does not work then.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/appointments", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    request_body = BookAppointment,
    responses(
        (status = 201, body = AppointmentView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 409, description = "`slot_taken`: the doctor or the room is busy then", body = ErrorBody),
        (status = 422, description = "`invalid` input, or `outside_working_hours`", body = ErrorBody),
    )
)]
pub async fn book(
    State(state): State<AppState>,
    member: Member,
    Json(req): Json<BookAppointment>,
) -> ApiResult<(StatusCode, Json<AppointmentView>)> {
    let mut tx = member.begin(&state).await?;
    let view = booking::book(&mut tx, &member, Uuid::now_v7(), &req).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Moves a booked appointment to another time, and optionally another
/// doctor or room, under the same checks as booking. Only a `booked`
/// appointment moves; otherwise 409 `stale`.
#[utoipa::path(
    patch, path = "/v1/clinics/{clinic_id}/appointments/{appointment_id}", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("appointment_id" = Uuid, Path)),
    request_body = RescheduleAppointment,
    responses(
        (status = 200, body = AppointmentView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`slot_taken`, or `stale` when it is no longer booked", body = ErrorBody),
        (status = 422, description = "`invalid` input, or `outside_working_hours`", body = ErrorBody),
    )
)]
pub async fn reschedule(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<AppointmentPath>,
    Json(req): Json<RescheduleAppointment>,
) -> ApiResult<Json<AppointmentView>> {
    let mut tx = member.begin(&state).await?;
    let view = booking::reschedule(&mut tx, &member, path.appointment_id, &req).await?;
    tx.commit().await?;
    Ok(Json(view))
}
