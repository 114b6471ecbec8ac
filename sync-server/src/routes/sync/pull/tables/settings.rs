//! The clinic's settings: its own row, its doctors with their weekly hours
//! and time off, and its rooms. They share one policy: whoever may read a
//! table sees all of it, and a first sync's first stage brings it whole,
//! before any agenda row that names them.

use super::{Priority, SyncedTable, Visibility};
use crate::domain::rooms::{ROOM_COLUMNS, RoomRow};
use crate::domain::schedule::{TIME_OFF_COLUMNS, TimeOffRow};
use crate::routes::clinics::ClinicRow;
use crate::routes::doctors::{DOCTOR_COLUMNS, DoctorRow};
use chrono::NaiveTime;
use clinic_core::Permission;
use clinic_core::schedule::WorkingHours;
use clinic_core::sync::{HoursRow, SyncRow, SyncTable};
use sqlx::FromRow;
use uuid::Uuid;

/// The clinic's name, time zone, locale and currency. Never deleted while
/// the clinic exists, so no tombstones.
pub(super) const CLINIC: SyncedTable = SyncedTable {
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

pub(super) const DOCTORS: SyncedTable = SyncedTable {
    table: SyncTable::Doctors,
    sql_table: "doctors",
    columns: DOCTOR_COLUMNS,
    decode: |row| Ok(SyncRow::Doctors(DoctorRow::from_row(row)?.into())),
    ..CLINIC_WIDE
};

/// One row per weekly working interval.
pub(super) const DOCTOR_HOURS: SyncedTable = SyncedTable {
    table: SyncTable::DoctorHours,
    sql_table: "doctor_hours",
    columns: "id, doctor_id, weekday, starts, ends",
    decode: |row| Ok(SyncRow::DoctorHours(Hours::from_row(row)?.into())),
    ..CLINIC_WIDE
};

pub(super) const DOCTOR_TIME_OFF: SyncedTable = SyncedTable {
    table: SyncTable::DoctorTimeOff,
    sql_table: "doctor_time_off",
    columns: TIME_OFF_COLUMNS,
    decode: |row| Ok(SyncRow::DoctorTimeOff(TimeOffRow::from_row(row)?.into())),
    ..CLINIC_WIDE
};

pub(super) const ROOMS: SyncedTable = SyncedTable {
    table: SyncTable::Rooms,
    sql_table: "rooms",
    columns: ROOM_COLUMNS,
    read: &[Permission::RoomsRead],
    decode: |row| Ok(SyncRow::Rooms(RoomRow::from_row(row)?.into())),
    ..CLINIC_WIDE
};

/// What the tables of the clinic's staffing share (each names its own
/// table, columns and decoder; `read` is the doctors' unless it says
/// otherwise). The columns go unqualified: these tables join nothing.
const CLINIC_WIDE: SyncedTable = SyncedTable {
    alias: "t",
    joins: "",
    clinic_column: "clinic_id",
    read: &[Permission::DoctorsRead],
    tombstoned: true,
    ..CLINIC
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
