//! Rooms: list, create, rename, archive. Queued like any action; work offline.

use crate::commands::agenda::Room;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use clinic_client::Desk;
use clinic_core::ErrorCode;
use clinic_core::api::rooms::{NewRoom, UpdateRoom};
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

/// Absent fields stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRoomRequest {
    pub id: Uuid,
    pub name: Option<String>,
    /// `false` archives (refused while appointments are upcoming there).
    pub active: Option<bool>,
}

fn room_by_id(desk: &Desk, id: Uuid) -> CommandResult<Room> {
    desk.rooms(true)?
        .iter()
        .find(|r| r.id == id)
        .map(Room::from)
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "No such room on this desk."))
}

#[tauri::command]
#[specta::specta]
pub async fn rooms(state: State<'_, AppState>, include_inactive: bool) -> CommandResult<Vec<Room>> {
    state
        .on_desk(move |desk, _| {
            Ok(desk
                .rooms(include_inactive)?
                .iter()
                .map(Room::from)
                .collect())
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn create_room(state: State<'_, AppState>, name: String) -> CommandResult<Room> {
    state
        .on_desk(move |desk, _| {
            let queued = desk.create_room(NewRoom { name })?;
            room_by_id(desk, queued.row_id)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn update_room(
    state: State<'_, AppState>,
    request: UpdateRoomRequest,
) -> CommandResult<Room> {
    state
        .on_desk(move |desk, _| {
            desk.update_room(
                request.id,
                UpdateRoom {
                    name: request.name,
                    active: request.active,
                },
            )?;
            room_by_id(desk, request.id)
        })
        .await
}
