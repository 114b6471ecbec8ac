//! An appointment's day over REST: check-in, no-show, complete, cancel. The
//! rules (status moves, timing, who may) are in [`crate::domain::appointments`].

use super::{AppointmentPath, ErrorBody};
use crate::auth::Member;
use crate::domain::appointments;
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use clinic_core::api::appointments::{AppointmentView, CancelAppointment};

/// Cancels an appointment with a reason; its slot is free again at once.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/appointments/{appointment_id}/cancel", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("appointment_id" = Uuid, Path)),
    request_body = CancelAppointment,
    responses(
        (status = 200, body = AppointmentView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`stale`: already completed, cancelled or a no-show", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<AppointmentPath>,
    Json(req): Json<CancelAppointment>,
) -> ApiResult<Json<AppointmentView>> {
    let mut tx = member.begin(&state).await?;
    let view = appointments::cancel(&mut tx, &member, path.appointment_id, &req).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Checks the patient in (also a late patient first marked as a no-show).
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/appointments/{appointment_id}/check-in", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("appointment_id" = Uuid, Path)),
    responses(
        (status = 200, body = AppointmentView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`stale`, or `slot_taken` when a no-show's freed slot was given away", body = ErrorBody),
        (status = 422, description = "Before the appointment's day", body = ErrorBody),
    )
)]
pub async fn check_in(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<AppointmentPath>,
) -> ApiResult<Json<AppointmentView>> {
    let mut tx = member.begin(&state).await?;
    let view = appointments::check_in(&mut tx, &member, path.appointment_id).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Marks that the patient did not come; frees the slot.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/appointments/{appointment_id}/no-show", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("appointment_id" = Uuid, Path)),
    responses(
        (status = 200, body = AppointmentView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`stale`", body = ErrorBody),
        (status = 422, description = "Before the appointment starts", body = ErrorBody),
    )
)]
pub async fn no_show(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<AppointmentPath>,
) -> ApiResult<Json<AppointmentView>> {
    let mut tx = member.begin(&state).await?;
    let view = appointments::no_show(&mut tx, &member, path.appointment_id).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Marks the appointment as done.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/appointments/{appointment_id}/complete", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("appointment_id" = Uuid, Path)),
    responses(
        (status = 200, body = AppointmentView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`stale`", body = ErrorBody),
        (status = 422, description = "Before the appointment starts", body = ErrorBody),
    )
)]
pub async fn complete(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<AppointmentPath>,
) -> ApiResult<Json<AppointmentView>> {
    let mut tx = member.begin(&state).await?;
    let view = appointments::complete(&mut tx, &member, path.appointment_id).await?;
    tx.commit().await?;
    Ok(Json(view))
}
