//! One declaration per synced table: where its rows live, who may read
//! which of them, when a first sync sends them, and how a row becomes a
//! [`SyncRow`]. The pull reads every table the same way from these
//! (`super::rows`): syncing another table takes a module here and its arm
//! in [`declared`] (docs/SYNC.md, "Synced tables", lists the rest).

mod appointments;
mod clinical_notes;
mod patients;
mod settings;

use crate::error::ApiResult;
use chrono::TimeDelta;
use clinic_core::Permission;
use clinic_core::sync::{SyncRow, SyncTable};
use sqlx::postgres::PgRow;

/// A synced table, as the pull reads it.
pub struct SyncedTable {
    pub table: SyncTable,
    /// The table in the database, as `sync_tombstones.table_name` names it.
    pub sql_table: &'static str,
    /// What the table goes by in `columns` and the other SQL fragments.
    pub alias: &'static str,
    /// Tables joined for what a row shows of others (a note's author's name).
    pub joins: &'static str,
    /// The column holding the clinic's id (`id` for the clinic's own row).
    pub clinic_column: &'static str,
    /// What `decode` reads.
    pub columns: &'static str,
    /// A member with any of these reads the table (the REST API's checks).
    pub read: &'static [Permission],
    pub visibility: Visibility,
    /// The column naming the patient a row belongs to, if any: a doctor's
    /// rows of a patient ride along with the appointments of that patient
    /// (see `super::paging`).
    pub patient: Option<&'static str>,
    pub priority: Priority,
    /// Deleting a row leaves a tombstone (its `<table>_tombstone` trigger).
    pub tombstoned: bool,
    pub decode: fn(&PgRow) -> ApiResult<SyncRow>,
}

/// Which rows of a readable table a member sees; a changed row they do not
/// see comes down as a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// All of them.
    Clinic,
    /// The whole agenda with `AppointmentsReadAll`, else the rows whose
    /// `doctor` column is the member's own doctor.
    OwnAgenda { doctor: &'static str },
    /// Every patient's with `PatientsReadAll`, else the rows of the
    /// patients with an appointment with the member's own doctor (the
    /// table's `patient` column).
    OwnPatients,
}

/// What of a table the first sync's priority page holds (whatever the
/// rows' versions); the full pull from 0 brings all of it anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Every row, in the first stage (`today`): the settings the agenda
    /// needs to show anything.
    Settings,
    /// The rows whose `[starts, ends)` overlaps the stage's window, none of
    /// which lasts longer than `longest` (which lets the scan use an index
    /// on `starts`), in the order they start.
    Agenda {
        starts: &'static str,
        ends: &'static str,
        longest: TimeDelta,
    },
    /// The rows of the patients of the agenda's rows, before those.
    AgendaPatients,
    /// Nothing: the full pull brings it.
    Later,
}

/// The declaration of `table`.
pub fn declared(table: SyncTable) -> &'static SyncedTable {
    match table {
        SyncTable::Clinic => &settings::CLINIC,
        SyncTable::Doctors => &settings::DOCTORS,
        SyncTable::DoctorHours => &settings::DOCTOR_HOURS,
        SyncTable::DoctorTimeOff => &settings::DOCTOR_TIME_OFF,
        SyncTable::Rooms => &settings::ROOMS,
        SyncTable::Patients => &patients::TABLE,
        SyncTable::ClinicalNotes => &clinical_notes::TABLE,
        SyncTable::Appointments => &appointments::TABLE,
    }
}

/// Every synced table's declaration, in [`SyncTable::ALL`]'s order.
pub fn all() -> impl Iterator<Item = &'static SyncedTable> {
    SyncTable::ALL.iter().map(|t| declared(*t))
}

/// The synced table whose tombstones name it `sql_table`.
pub(super) fn tombstoned_as(sql_table: &str) -> Option<&'static SyncedTable> {
    all().find(|t| t.tombstoned && t.sql_table == sql_table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_synced_table_is_declared_once_under_its_own_name() {
        let mut sql_tables = std::collections::HashSet::new();
        for &table in SyncTable::ALL {
            let declaration = declared(table);
            assert_eq!(declaration.table, table);
            assert!(sql_tables.insert(declaration.sql_table));
            // The database's name is the wire's, but for the clinic's own
            // row, which is never deleted.
            if table == SyncTable::Clinic {
                assert_eq!(declaration.sql_table, "clinics");
                assert!(!declaration.tombstoned);
            } else {
                assert_eq!(declaration.sql_table, table.name());
                assert!(declaration.tombstoned);
                assert_eq!(
                    tombstoned_as(declaration.sql_table).map(|d| d.table),
                    Some(table)
                );
            }
            assert!(!declaration.read.is_empty(), "{table:?} is read by no one");
            if declaration.visibility == Visibility::OwnPatients
                || matches!(
                    declaration.priority,
                    Priority::Agenda { .. } | Priority::AgendaPatients
                )
            {
                assert!(declaration.patient.is_some(), "{table:?} names no patient");
            }
        }
        assert!(tombstoned_as("clinics").is_none());
        assert!(tombstoned_as("report_orders").is_none());
    }
}
