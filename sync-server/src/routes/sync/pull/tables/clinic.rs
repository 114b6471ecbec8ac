//! The clinic's own row: its name, time zone, locale and currency.

use super::{Priority, SyncedTable, Visibility};
use crate::routes::clinics::ClinicRow;
use clinic_core::Permission;
use clinic_core::sync::{SyncRow, SyncTable};
use sqlx::FromRow;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::Clinic,
    sql_table: "clinics",
    alias: "c",
    joins: "",
    clinic_column: "id",
    columns: "c.id, c.name, c.time_zone, c.locale, c.currency, c.created_at",
    read: &[Permission::ClinicRead],
    visibility: Visibility::Clinic,
    patient: None,
    priority: Priority::Settings,
    tombstoned: false,
    decode: |row| Ok(SyncRow::Clinic(ClinicRow::from_row(row)?.into())),
};
