//! Doctors' time off: leave, courses, illness.

use super::{Priority, SyncedTable, Visibility};
use crate::domain::schedule::{TIME_OFF_COLUMNS, TimeOffRow};
use clinic_core::Permission;
use clinic_core::sync::{SyncRow, SyncTable};
use sqlx::FromRow;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::DoctorTimeOff,
    sql_table: "doctor_time_off",
    alias: "t",
    joins: "",
    clinic_column: "clinic_id",
    columns: TIME_OFF_COLUMNS,
    read: &[Permission::DoctorsRead],
    visibility: Visibility::Clinic,
    patient: None,
    priority: Priority::Settings,
    tombstoned: true,
    decode: |row| Ok(SyncRow::DoctorTimeOff(TimeOffRow::from_row(row)?.into())),
};
