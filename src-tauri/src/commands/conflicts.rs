//! The conflict inbox: changes the server refused, and how to settle them.

use crate::error::CommandResult;
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
    pub code: String,
    pub message: String,
    /// What was tried, in words, with today's names.
    pub summary: String,
    /// For a refused booking or move (then `pickAnotherSlot` applies).
    pub requested_slot: Option<RequestedSlot>,
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
    let (requested_slot, appointment_id) = match &c.mutation {
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
        ),
        Mutation::RescheduleAppointment {
            appointment_id,
            change,
        } => {
            // A move that kept its doctor or room names the appointment's current one.
            let current = desk.appointment(*appointment_id)?;
            let doctor_id = change.doctor_id.or(current.as_ref().map(|a| a.doctor_id));
            let room_id = match change.room_id {
                Some(room) => room,
                None => current.and_then(|a| a.room_id),
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
            )
        }
        Mutation::CancelAppointment { appointment_id, .. }
        | Mutation::CheckIn { appointment_id }
        | Mutation::MarkNoShow { appointment_id }
        | Mutation::CompleteAppointment { appointment_id } => (None, Some(*appointment_id)),
        _ => (None, None),
    };
    Ok(ConflictView {
        id: c.id,
        action: c.name.clone(),
        code: c.code.clone(),
        message: c.message.clone(),
        summary: c.summary.clone(),
        requested_slot,
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
                ends_at: wall_clock::end_after(starts_at, minutes, "minutes")?,
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
    let (desk, _) = state.desk().await?;
    list(&desk)
}

/// Settles a conflict; returns the inbox after it. A retry or a new slot
/// that fails the local checks leaves the conflict where it was.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    request: ResolveConflictRequest,
) -> CommandResult<Vec<ConflictView>> {
    let (desk, _) = state.desk().await?;
    resolve(&desk, request)
}
