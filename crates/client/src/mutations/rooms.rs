//! Creating, renaming and closing rooms (the admin desk), as
//! `sync-server/src/domain/rooms.rs`.

use super::Effect;
use crate::error::{Error, Result};
use crate::store::lookup;
use clinic_core::api::rooms::{NewRoom, RoomView, UpdateRoom};
use clinic_core::sync::{SyncRow, SyncTable};
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

impl Effect<'_> {
    /// A fresh action may not give a room the name of another (any case);
    /// a replay leaves that to the server's unique index.
    fn check_room_name(&self, name: &str, except: Option<Uuid>) -> Result<()> {
        if !self.fresh() {
            return Ok(());
        }
        let others: Vec<(String, String)> = self
            .conn
            .prepare("SELECT id, name FROM rooms")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let except = except.map(|e| e.to_string());
        let taken = others.iter().any(|(id, other)| {
            Some(id) != except.as_ref() && other.to_lowercase() == name.to_lowercase()
        });
        if taken {
            return Err(Error::refused(
                ErrorCode::Conflict,
                format!("a room named {name:?} already exists"),
            ));
        }
        Ok(())
    }

    pub(super) fn create_room(&self, id: Uuid, room: &NewRoom) -> Result<()> {
        self.require(Permission::RoomsManage)?;
        if self.already_created(SyncTable::Rooms, id, "a room")? {
            return Ok(());
        }
        let name = room.parse()?;
        self.check_room_name(&name, None)?;
        self.write(SyncRow::Rooms(RoomView {
            id,
            name,
            active: true,
            created_at: self.at,
            updated_at: self.at,
        }))
    }

    pub(super) fn update_room(&self, id: Uuid, changes: &UpdateRoom) -> Result<()> {
        self.require(Permission::RoomsManage)?;
        let current = lookup::room(self.conn, id)?.ok_or_else(|| Error::not_found("room"))?;
        let changes = changes.parse()?;
        if let Some(name) = &changes.name {
            self.check_room_name(name, Some(id))?;
        }
        self.write(SyncRow::Rooms(RoomView {
            name: changes.name.unwrap_or(current.name.clone()),
            active: changes.active.unwrap_or(current.active),
            updated_at: self.at,
            ..current
        }))
    }
}
