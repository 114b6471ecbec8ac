//! Appointments as the desk shows them, and their day: check-in, no-show,
//! complete, cancel. Booking and moving live in [`super::booking`].
//!
//! Moves follow `AppointmentStatus::can_become`; one that no longer applies
//! (another desk got there first) fails with 409 `stale`. Timing rules, so
//! that a slip of the mouse on the wrong row is caught:
//! - check-in: from the appointment's day (clinic time) on, not days ahead;
//! - no-show and complete: not before the appointment starts.
//!
//! Reception and admins may do all four on any appointment; a doctor may
//! check in, mark no-show and complete their own, and cannot cancel.

use super::reach::{self, Reach};
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use clinic_core::api::appointments::{AppointmentView, CancelAppointment};
use clinic_core::schedule::{AppointmentStatus, StaleStatus, StatusChange};
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

/// An appointment with the names a desk shows beside it. Append `WHERE ...`.
pub(crate) const SELECT: &str =
    "SELECT a.id, a.doctor_id, d.full_name AS doctor_name, a.patient_id,
            p.full_name AS patient_name, a.room_id, r.name AS room_name, a.starts_at, a.ends_at,
            a.status, a.reason, a.cancel_reason, a.created_by, a.created_at, a.updated_at
     FROM appointments a
     JOIN doctors d ON d.clinic_id = a.clinic_id AND d.id = a.doctor_id
     JOIN patients p ON p.clinic_id = a.clinic_id AND p.id = a.patient_id
     LEFT JOIN rooms r ON r.clinic_id = a.clinic_id AND r.id = a.room_id";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AppointmentRow {
    pub id: Uuid,
    pub doctor_id: Uuid,
    pub doctor_name: String,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub room_id: Option<Uuid>,
    pub room_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AppointmentRow {
    pub fn status(&self) -> ApiResult<AppointmentStatus> {
        AppointmentStatus::parse(&self.status).map_err(ApiError::internal)
    }

    pub fn view(self) -> ApiResult<AppointmentView> {
        Ok(AppointmentView {
            status: self.status()?,
            id: self.id,
            doctor_id: self.doctor_id,
            doctor_name: self.doctor_name,
            patient_id: self.patient_id,
            patient_name: self.patient_name,
            room_id: self.room_id,
            room_name: self.room_name,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            reason: self.reason,
            cancel_reason: self.cancel_reason,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// One appointment within `reach`, optionally locked for a change.
pub(crate) async fn load(
    tx: &mut Tx,
    reach: Reach,
    id: Uuid,
    for_update: bool,
) -> ApiResult<AppointmentRow> {
    let lock = if for_update { "FOR UPDATE OF a" } else { "" };
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.id = $1 AND ($2 OR a.doctor_id = $3) {lock}"
    ))
    .bind(id)
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("appointment"))
}

/// 409 `stale`: the appointment moved on (on another desk, or earlier).
pub(crate) fn stale(refused: StaleStatus) -> ApiError {
    ApiError::new(ErrorCode::Stale, refused.to_string())
}

/// Cancels an appointment with a reason; its slot is free again at once.
pub async fn cancel(
    tx: &mut Tx,
    member: &Member,
    appointment_id: Uuid,
    req: &CancelAppointment,
) -> ApiResult<AppointmentView> {
    member.require(Permission::AppointmentsWrite)?;
    let reason = req.parse()?;
    advance(
        tx,
        member,
        appointment_id,
        AppointmentStatus::Cancelled,
        Some(reason),
    )
    .await
}

/// Checks the patient in (also a late patient first marked as a no-show).
pub async fn check_in(
    tx: &mut Tx,
    member: &Member,
    appointment_id: Uuid,
) -> ApiResult<AppointmentView> {
    progress(tx, member, appointment_id, AppointmentStatus::CheckedIn).await
}

/// Marks that the patient did not come; frees the slot.
pub async fn no_show(
    tx: &mut Tx,
    member: &Member,
    appointment_id: Uuid,
) -> ApiResult<AppointmentView> {
    progress(tx, member, appointment_id, AppointmentStatus::NoShow).await
}

/// Marks the appointment as done.
pub async fn complete(
    tx: &mut Tx,
    member: &Member,
    appointment_id: Uuid,
) -> ApiResult<AppointmentView> {
    progress(tx, member, appointment_id, AppointmentStatus::Completed).await
}

async fn progress(
    tx: &mut Tx,
    member: &Member,
    appointment_id: Uuid,
    next: AppointmentStatus,
) -> ApiResult<AppointmentView> {
    member.require_any(&[
        Permission::AppointmentsWrite,
        Permission::AppointmentsProgressOwn,
    ])?;
    advance(tx, member, appointment_id, next, None).await
}

async fn advance(
    tx: &mut Tx,
    member: &Member,
    appointment_id: Uuid,
    next: AppointmentStatus,
    cancel_reason: Option<String>,
) -> ApiResult<AppointmentView> {
    // A doctor acting on someone else's appointment finds nothing: they
    // cannot read it either.
    let reach = if member.can(Permission::AppointmentsWrite) {
        Reach::Clinic
    } else {
        Reach::Doctor(reach::own_doctor(tx, member).await?)
    };
    let current = load(tx, reach, appointment_id, true).await?;
    current
        .status()?
        .allows(StatusChange::Become(next))
        .map_err(stale)?;
    let now = Utc::now();
    match next {
        AppointmentStatus::NoShow | AppointmentStatus::Completed if now < current.starts_at => {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!(
                    "the appointment has not started yet, so it cannot be {}",
                    next.words()
                ),
            ));
        }
        AppointmentStatus::CheckedIn => {
            let zone = reach::clinic_zone(tx).await?;
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
    let (status, cancel_reason, updated_at): (String, Option<String>, DateTime<Utc>) =
        sqlx::query_as(
            "UPDATE appointments SET status = $2, cancel_reason = $3 WHERE id = $1
             RETURNING status, cancel_reason, updated_at",
        )
        .bind(appointment_id)
        .bind(next.as_str())
        .bind(&cancel_reason)
        .fetch_one(&mut **tx)
        .await?;
    db::audit(
        tx,
        member,
        &format!("appointment.{}", next.as_str()),
        "appointment",
        Some(appointment_id),
    )
    .await?;
    // The row as now stored; its names were read (and locked) above.
    AppointmentRow {
        status,
        cancel_reason,
        updated_at,
        ..current
    }
    .view()
}
