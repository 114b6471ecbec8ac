//! The conflict inbox: changes the server refused, and how to settle them.

use crate::error::{CommandErrorCode, CommandResult};
use crate::state::AppState;
use crate::wall_clock;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clinic_client::{Conflict, Desk, Resolution};
use clinic_core::sync::Mutation;
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

/// The time a refused booking or move asked for: what "pick another slot"
/// starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestedSlot {
    /// Absent for a move that kept the doctor and whose appointment this
    /// desk no longer sees.
    pub doctor_id: Option<Uuid>,
    pub room_id: Option<Uuid>,
    /// Clinic wall clock, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    pub id: Uuid,
    /// The refused action, e.g. `book_appointment`.
    pub action: String,
    /// The server's reason: `slot_taken`, `stale`, `outside_working_hours`, ...
    pub code: CommandErrorCode,
    pub message: String,
    /// What was tried, in English words, with today's names (for logs and
    /// the CLI; the UI words it from the fields below in its own language).
    pub summary: String,
    /// Who or what the action was about, by today's name: the patient
    /// (patient and appointment actions), the doctor (hours, time off) or
    /// the room. Absent when this desk no longer sees it.
    pub subject_name: Option<String>,
    /// For a refused booking or move (then `pickAnotherSlot` applies).
    pub requested_slot: Option<RequestedSlot>,
    /// For an action on an existing appointment (move, cancel, check in,
    /// ...): that appointment as this desk sees it now.
    pub appointment_slot: Option<RequestedSlot>,
    /// The appointment it concerns, when it concerns one.
    pub appointment_id: Option<Uuid>,
    /// UTC, RFC 3339, by this computer's clock.
    pub queued_at: String,
    pub rejected_at: String,
}

fn slot(
    zone: Tz,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    doctor_id: Option<Uuid>,
    room_id: Option<Uuid>,
) -> RequestedSlot {
    RequestedSlot {
        doctor_id,
        room_id,
        start: wall_clock::format(starts_at, zone),
        end: wall_clock::format(ends_at, zone),
        minutes: u32::try_from((ends_at - starts_at).num_minutes()).unwrap_or(0),
    }
}

fn view(desk: &Desk, zone: Tz, c: &Conflict) -> CommandResult<ConflictView> {
    let patient_name = |id: Uuid| -> CommandResult<Option<String>> {
        Ok(desk.patient(id)?.map(|r| r.patient.full_name))
    };
    let doctor_name = |id: Uuid| -> CommandResult<Option<String>> {
        Ok(desk
            .doctors(true)?
            .into_iter()
            .find(|d| d.id == id)
            .map(|d| d.full_name))
    };
    // The appointment an action names, as this desk has it now.
    let current = match &c.mutation {
        Mutation::RescheduleAppointment { appointment_id, .. }
        | Mutation::CancelAppointment { appointment_id, .. }
        | Mutation::CheckIn { appointment_id }
        | Mutation::MarkNoShow { appointment_id }
        | Mutation::CompleteAppointment { appointment_id } => desk.appointment(*appointment_id)?,
        _ => None,
    };
    let appointment_slot = current
        .as_ref()
        .map(|a| slot(zone, a.starts_at, a.ends_at, Some(a.doctor_id), a.room_id));
    let (requested_slot, appointment_id, subject_name) = match &c.mutation {
        Mutation::BookAppointment {
            appointment_id,
            booking,
        } => (
            Some(slot(
                zone,
                booking.starts_at,
                booking.ends_at,
                Some(booking.doctor_id),
                booking.room_id,
            )),
            Some(*appointment_id),
            patient_name(booking.patient_id)?,
        ),
        Mutation::RescheduleAppointment {
            appointment_id,
            change,
        } => {
            // A move that kept its doctor or room names the appointment's current one.
            let doctor_id = change.doctor_id.or(current.as_ref().map(|a| a.doctor_id));
            let room_id = match change.room_id {
                Some(room) => room,
                None => current.as_ref().and_then(|a| a.room_id),
            };
            (
                Some(slot(
                    zone,
                    change.starts_at,
                    change.ends_at,
                    doctor_id,
                    room_id,
                )),
                Some(*appointment_id),
                current.as_ref().and_then(|a| a.patient_name.clone()),
            )
        }
        Mutation::CancelAppointment { appointment_id, .. }
        | Mutation::CheckIn { appointment_id }
        | Mutation::MarkNoShow { appointment_id }
        | Mutation::CompleteAppointment { appointment_id } => (
            None,
            Some(*appointment_id),
            current.as_ref().and_then(|a| a.patient_name.clone()),
        ),
        Mutation::RegisterPatient { patient, .. } => {
            (None, None, Some(patient.full_name.trim().to_owned()))
        }
        Mutation::UpdatePatient { patient_id, .. } | Mutation::ArchivePatient { patient_id } => {
            (None, None, patient_name(*patient_id)?)
        }
        Mutation::SetWorkingHours { doctor_id, .. }
        | Mutation::AddTimeOff { doctor_id, .. }
        | Mutation::RemoveTimeOff { doctor_id, .. } => (None, None, doctor_name(*doctor_id)?),
        Mutation::CreateRoom { room, .. } => (None, None, Some(room.name.trim().to_owned())),
        Mutation::UpdateRoom { room_id, .. } => (
            None,
            None,
            desk.rooms(true)?
                .into_iter()
                .find(|r| r.id == *room_id)
                .map(|r| r.name),
        ),
    };
    Ok(ConflictView {
        id: c.id,
        action: c.name.clone(),
        code: CommandErrorCode::from_client(&c.code),
        message: c.message.clone(),
        summary: c.summary.clone(),
        subject_name,
        requested_slot,
        appointment_slot,
        appointment_id,
        queued_at: c.queued_at.to_rfc3339(),
        rejected_at: c.rejected_at.to_rfc3339(),
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ConflictResolution {
    /// Drop the refused change.
    Discard,
    /// Queue it again as it was (e.g. the slot has freed up).
    Retry,
    /// Book or move again at another time, optionally with another doctor
    /// or room (absent: as in the refused change).
    #[serde(rename_all = "camelCase")]
    PickAnotherSlot {
        /// Clinic wall clock, `YYYY-MM-DDTHH:MM`.
        start: String,
        minutes: u32,
        doctor_id: Option<Uuid>,
        room_id: Option<Uuid>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResolveConflictRequest {
    pub id: Uuid,
    pub resolution: ConflictResolution,
}

pub fn list(desk: &Desk) -> CommandResult<Vec<ConflictView>> {
    let conflicts = desk.conflicts()?;
    if conflicts.is_empty() {
        return Ok(Vec::new());
    }
    let zone = wall_clock::clinic_zone(desk)?;
    conflicts.iter().map(|c| view(desk, zone, c)).collect()
}

pub fn resolve(desk: &Desk, request: ResolveConflictRequest) -> CommandResult<Vec<ConflictView>> {
    let resolution = match request.resolution {
        ConflictResolution::Discard => Resolution::Discard,
        ConflictResolution::Retry => Resolution::Retry,
        ConflictResolution::PickAnotherSlot {
            start,
            minutes,
            doctor_id,
            room_id,
        } => {
            let zone = wall_clock::clinic_zone(desk)?;
            let starts_at = wall_clock::parse("start", &start, zone)?;
            Resolution::PickAnotherSlot {
                starts_at,
                ends_at: wall_clock::end_after(starts_at, minutes)?,
                doctor_id,
                room_id: room_id.map(Some),
            }
        }
    };
    desk.resolve_conflict(request.id, resolution)?;
    list(desk)
}

/// The conflict inbox, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn conflicts(state: State<'_, AppState>) -> CommandResult<Vec<ConflictView>> {
    state.on_desk(|desk, _| list(desk)).await
}

/// Settles a conflict; returns the inbox after it. A retry or a new slot
/// that fails the local checks leaves the conflict where it was.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    request: ResolveConflictRequest,
) -> CommandResult<Vec<ConflictView>> {
    state.on_desk(move |desk, _| resolve(desk, request)).await
}
