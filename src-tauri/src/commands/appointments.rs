//! Appointment actions. Each is checked locally, applied and queued at once
//! (it works offline; the answer shows it `pending` until the server
//! confirms), and returns the appointment as the agenda now shows it.
//!
//! Times are the clinic's wall clock, `YYYY-MM-DDTHH:MM`, or an RFC 3339
//! instant with its offset (see `wall_clock::parse`).

use crate::commands::agenda::Appointment;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::wall_clock;
use clinic_client::{Desk, Queued};
use clinic_core::ErrorCode;
use clinic_core::api::appointments::{BookAppointment, CancelAppointment, RescheduleAppointment};
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BookRequest {
    pub doctor_id: Uuid,
    pub patient_id: Uuid,
    pub room_id: Option<Uuid>,
    /// Clinic wall clock, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub minutes: u32,
    pub reason: Option<String>,
}

/// A move: the appointment's time, doctor and room after it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleRequest {
    pub id: Uuid,
    /// Clinic wall clock, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub minutes: u32,
    pub doctor_id: Uuid,
    /// `null`: no room.
    pub room_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequest {
    pub id: Uuid,
    /// Required: why it is cancelled.
    pub reason: String,
}

/// The appointment an action just queued, as the agenda shows it now.
fn shown(desk: &Desk, queued: Queued) -> CommandResult<Appointment> {
    let zone = wall_clock::clinic_zone(desk)?;
    let entry = desk.appointment(queued.row_id)?.ok_or_else(|| {
        CommandError::new(
            ErrorCode::NotFound,
            "The appointment is not visible on this desk after the change.",
        )
    })?;
    Ok(Appointment::from_entry(&entry, zone))
}

pub fn book(desk: &Desk, request: BookRequest) -> CommandResult<Appointment> {
    let zone = wall_clock::clinic_zone(desk)?;
    let starts_at = wall_clock::parse("start", &request.start, zone)?;
    let ends_at = wall_clock::end_after(starts_at, request.minutes)?;
    let queued = desk.book(BookAppointment {
        doctor_id: request.doctor_id,
        patient_id: request.patient_id,
        room_id: request.room_id,
        starts_at,
        ends_at,
        reason: request.reason.filter(|r| !r.trim().is_empty()),
    })?;
    shown(desk, queued)
}

#[tauri::command]
#[specta::specta]
pub async fn book_appointment(
    state: State<'_, AppState>,
    request: BookRequest,
) -> CommandResult<Appointment> {
    state.on_desk(move |desk, _| book(desk, request)).await
}

#[tauri::command]
#[specta::specta]
pub async fn reschedule_appointment(
    state: State<'_, AppState>,
    request: RescheduleRequest,
) -> CommandResult<Appointment> {
    state
        .on_desk(move |desk, _| {
            let zone = wall_clock::clinic_zone(desk)?;
            let starts_at = wall_clock::parse("start", &request.start, zone)?;
            let ends_at = wall_clock::end_after(starts_at, request.minutes)?;
            let queued = desk.reschedule(
                request.id,
                RescheduleAppointment {
                    starts_at,
                    ends_at,
                    doctor_id: Some(request.doctor_id),
                    room_id: Some(request.room_id),
                },
            )?;
            shown(desk, queued)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_appointment(
    state: State<'_, AppState>,
    request: CancelRequest,
) -> CommandResult<Appointment> {
    state
        .on_desk(move |desk, _| {
            let queued = desk.cancel(
                request.id,
                CancelAppointment {
                    reason: request.reason,
                },
            )?;
            shown(desk, queued)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn check_in(state: State<'_, AppState>, id: Uuid) -> CommandResult<Appointment> {
    state
        .on_desk(move |desk, _| shown(desk, desk.check_in(id)?))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn mark_no_show(state: State<'_, AppState>, id: Uuid) -> CommandResult<Appointment> {
    state
        .on_desk(move |desk, _| shown(desk, desk.no_show(id)?))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn complete_appointment(
    state: State<'_, AppState>,
    id: Uuid,
) -> CommandResult<Appointment> {
    state
        .on_desk(move |desk, _| shown(desk, desk.complete(id)?))
        .await
}
