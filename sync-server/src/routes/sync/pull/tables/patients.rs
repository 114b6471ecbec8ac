//! Patients: identity and contact details (never clinical notes).

use super::{Priority, SyncedTable, Visibility};
use crate::domain::patients::{COLUMNS, PatientRow};
use clinic_core::Permission;
use clinic_core::sync::{SyncRow, SyncTable};
use sqlx::FromRow;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::Patients,
    sql_table: "patients",
    alias: "p",
    joins: "",
    clinic_column: "clinic_id",
    columns: COLUMNS,
    read: &[Permission::PatientsReadAll, Permission::PatientsReadOwn],
    visibility: Visibility::OwnPatients,
    patient: Some("p.id"),
    priority: Priority::AgendaPatients,
    tombstoned: true,
    decode: |row| Ok(SyncRow::Patients(PatientRow::from_row(row)?.view()?)),
};
