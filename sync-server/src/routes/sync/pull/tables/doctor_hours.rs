//! Doctors' weekly working hours, one row per interval.

use super::{Priority, SyncedTable, Visibility};
use chrono::NaiveTime;
use clinic_core::Permission;
use clinic_core::schedule::WorkingHours;
use clinic_core::sync::{HoursRow, SyncRow, SyncTable};
use sqlx::FromRow;
use uuid::Uuid;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::DoctorHours,
    sql_table: "doctor_hours",
    alias: "h",
    joins: "",
    clinic_column: "clinic_id",
    columns: "h.id, h.doctor_id, h.weekday, h.starts, h.ends",
    read: &[Permission::DoctorsRead],
    visibility: Visibility::Clinic,
    patient: None,
    priority: Priority::Settings,
    tombstoned: true,
    decode: |row| Ok(SyncRow::DoctorHours(Hours::from_row(row)?.into())),
};

#[derive(FromRow)]
struct Hours {
    id: Uuid,
    doctor_id: Uuid,
    weekday: i16,
    starts: NaiveTime,
    ends: NaiveTime,
}

impl From<Hours> for HoursRow {
    fn from(h: Hours) -> Self {
        HoursRow {
            id: h.id,
            doctor_id: h.doctor_id,
            hours: WorkingHours {
                // The table's CHECK keeps weekday within 1..=7.
                weekday: h.weekday as u8,
                starts: h.starts,
                ends: h.ends,
            },
        }
    }
}
