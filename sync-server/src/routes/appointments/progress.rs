//! An appointment's day: check-in, no-show, complete, cancel. Moves follow
//! `AppointmentStatus::can_become`; one that no longer applies (another desk
//! got there first) answers 409 `stale`.
//!
//! Timing rules, so that a slip of the mouse on the wrong row is caught:
//! - check-in: from the appointment's day (clinic time) on, not days ahead;
//! - no-show and complete: not before the appointment starts.
//!
//! Reception and admins may do all four on any appointment; a doctor may
//! check in, mark no-show and complete their own, and cannot cancel.

use super::{AppointmentPath, ErrorBody, load};
use crate::auth::Member;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::routes::patients::reach::{self, Reach};
use crate::state::AppState;
use axum::extract::State;
use chrono::Utc;
use clinic_core::api::appointments::{AppointmentView, CancelAppointment};
use clinic_core::schedule::AppointmentStatus;
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

fn describe(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::Booked => "booked",
        AppointmentStatus::CheckedIn => "checked in",
        AppointmentStatus::Completed => "completed",
        AppointmentStatus::Cancelled => "cancelled",
        AppointmentStatus::NoShow => "marked as a no-show",
    }
}

/// 409 `stale`: the appointment moved on (on another desk, or earlier).
pub(crate) fn stale(status: AppointmentStatus, action: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Stale,
        format!(
            "this appointment is {} now, so it cannot be {action}; reload it",
            describe(status)
        ),
    )
}

async fn advance(
    state: &AppState,
    member: &Member,
    appointment_id: Uuid,
    next: AppointmentStatus,
    cancel_reason: Option<String>,
) -> ApiResult<AppointmentView> {
    let mut tx = member.begin(state).await?;
    // A doctor acting on someone else's appointment finds nothing: they
    // cannot read it either.
    let reach = if member.can(Permission::AppointmentsWrite) {
        Reach::Clinic
    } else {
        Reach::Doctor(reach::own_doctor(&mut tx, member).await?)
    };
    let current = load(&mut tx, reach, appointment_id, true).await?;
    let status = current.status()?;
    if !status.can_become(next) {
        return Err(stale(status, describe(next)));
    }
    let now = Utc::now();
    match next {
        AppointmentStatus::NoShow | AppointmentStatus::Completed if now < current.starts_at => {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!(
                    "the appointment has not started yet, so it cannot be {}",
                    describe(next)
                ),
            ));
        }
        AppointmentStatus::CheckedIn => {
            let zone = reach::clinic_zone(&mut tx).await?;
            let today = now.with_timezone(&zone).date_naive();
            let day = current.starts_at.with_timezone(&zone).date_naive();
            if today < day {
                return Err(ApiError::new(
                    ErrorCode::Invalid,
                    format!("the appointment is on {day}; patients are checked in on the day"),
                ));
            }
        }
        _ => {}
    }
    sqlx::query("UPDATE appointments SET status = $2, cancel_reason = $3 WHERE id = $1")
        .bind(appointment_id)
        .bind(next.as_str())
        .bind(&cancel_reason)
        .execute(&mut *tx)
        .await?;
    db::audit(
        &mut tx,
        member,
        &format!("appointment.{}", next.as_str()),
        "appointment",
        Some(appointment_id),
    )
    .await?;
    let row = load(&mut tx, Reach::Clinic, appointment_id, false).await?;
    tx.commit().await?;
    row.view()
}

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
    let appointment_id = path.appointment_id;
    member.require(Permission::AppointmentsWrite)?;
    let reason = req.parse()?;
    let view = advance(
        &state,
        &member,
        appointment_id,
        AppointmentStatus::Cancelled,
        Some(reason),
    )
    .await?;
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
    let appointment_id = path.appointment_id;
    progress(state, member, appointment_id, AppointmentStatus::CheckedIn).await
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
    let appointment_id = path.appointment_id;
    progress(state, member, appointment_id, AppointmentStatus::NoShow).await
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
    let appointment_id = path.appointment_id;
    progress(state, member, appointment_id, AppointmentStatus::Completed).await
}

async fn progress(
    state: AppState,
    member: Member,
    appointment_id: Uuid,
    next: AppointmentStatus,
) -> ApiResult<Json<AppointmentView>> {
    member.require_any(&[
        Permission::AppointmentsWrite,
        Permission::AppointmentsProgressOwn,
    ])?;
    Ok(Json(
        advance(&state, &member, appointment_id, next, None).await?,
    ))
}
