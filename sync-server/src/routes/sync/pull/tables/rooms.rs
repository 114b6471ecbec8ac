//! Rooms appointments are held in.

use super::{Priority, SyncedTable, Visibility};
use crate::domain::rooms::{ROOM_COLUMNS, RoomRow};
use clinic_core::Permission;
use clinic_core::sync::{SyncRow, SyncTable};
use sqlx::FromRow;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::Rooms,
    sql_table: "rooms",
    alias: "r",
    joins: "",
    clinic_column: "clinic_id",
    columns: ROOM_COLUMNS,
    read: &[Permission::RoomsRead],
    visibility: Visibility::Clinic,
    patient: None,
    priority: Priority::Settings,
    tombstoned: true,
    decode: |row| Ok(SyncRow::Rooms(RoomRow::from_row(row)?.into())),
};
