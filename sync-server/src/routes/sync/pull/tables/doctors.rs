//! Doctors: who takes appointments, with their specialties.

use super::{Priority, SyncedTable, Visibility};
use crate::routes::doctors::{DOCTOR_COLUMNS, DoctorRow};
use clinic_core::Permission;
use clinic_core::sync::{SyncRow, SyncTable};
use sqlx::FromRow;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::Doctors,
    sql_table: "doctors",
    alias: "d",
    joins: "",
    clinic_column: "clinic_id",
    columns: DOCTOR_COLUMNS,
    read: &[Permission::DoctorsRead],
    visibility: Visibility::Clinic,
    patient: None,
    priority: Priority::Settings,
    tombstoned: true,
    decode: |row| Ok(SyncRow::Doctors(DoctorRow::from_row(row)?.into())),
};
