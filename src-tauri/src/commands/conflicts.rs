//! The conflict inbox: changes the server refused, and how to settle them.

use crate::error::CommandResult;
use crate::state::AppState;
use crate::wall_clock;
use clinic_client::{Conflict, Desk, Resolution};
use clinic_core::sync::Mutation;
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

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
    /// Whether `pickAnotherSlot` applies (a refused booking or move).
    pub can_pick_another_slot: bool,
    /// The appointment it concerns, when it concerns one.
    pub appointment_id: Option<Uuid>,
    /// UTC, RFC 3339, by this computer's clock.
    pub queued_at: String,
    pub rejected_at: String,
}

impl From<&Conflict> for ConflictView {
    fn from(c: &Conflict) -> Self {
        let (can_pick_another_slot, appointment_id) = match &c.mutation {
            Mutation::BookAppointment { appointment_id, .. }
            | Mutation::RescheduleAppointment { appointment_id, .. } => {
                (true, Some(*appointment_id))
            }
            Mutation::CancelAppointment { appointment_id, .. }
            | Mutation::CheckIn { appointment_id }
            | Mutation::MarkNoShow { appointment_id }
            | Mutation::CompleteAppointment { appointment_id } => (false, Some(*appointment_id)),
            _ => (false, None),
        };
        ConflictView {
            id: c.id,
            action: c.name.clone(),
            code: c.code.clone(),
            message: c.message.clone(),
            summary: c.summary.clone(),
            can_pick_another_slot,
            appointment_id,
            queued_at: c.queued_at.to_rfc3339(),
            rejected_at: c.rejected_at.to_rfc3339(),
        }
    }
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
    Ok(desk.conflicts()?.iter().map(ConflictView::from).collect())
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
