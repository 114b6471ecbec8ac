//! Clinical notes, for the doctors who may read their patients.

use super::{Priority, SyncedTable, Visibility};
use crate::routes::patients::notes::NoteRow;
use clinic_core::Permission;
use clinic_core::sync::{SyncRow, SyncTable};
use sqlx::FromRow;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::ClinicalNotes,
    sql_table: "clinical_notes",
    alias: "n",
    joins: "JOIN users u ON u.id = n.author_id",
    clinic_column: "clinic_id",
    columns: "n.id, n.patient_id, n.author_id, u.full_name AS author_name, n.body, n.created_at",
    read: &[Permission::ClinicalNotesRead],
    visibility: Visibility::OwnPatients,
    patient: Some("n.patient_id"),
    priority: Priority::Later,
    tombstoned: true,
    decode: |row| Ok(SyncRow::ClinicalNotes(NoteRow::from_row(row)?.into())),
};
