//! The agenda: appointments by their ids only (the desk shows names from
//! its own doctors, patients and rooms).

use super::{Priority, SyncedTable, Visibility};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::schedule::{AppointmentStatus, MAX_APPOINTMENT};
use clinic_core::sync::{AppointmentRow, SyncRow, SyncTable};
use sqlx::FromRow;
use uuid::Uuid;

pub(super) const TABLE: SyncedTable = SyncedTable {
    table: SyncTable::Appointments,
    sql_table: "appointments",
    alias: "a",
    joins: "",
    clinic_column: "clinic_id",
    columns: "a.id, a.doctor_id, a.patient_id, a.room_id, a.starts_at, a.ends_at, a.status, \
              a.reason, a.cancel_reason, a.created_by, a.updated_at",
    read: &[
        Permission::AppointmentsReadAll,
        Permission::AppointmentsReadOwn,
    ],
    visibility: Visibility::OwnAgenda {
        doctor: "a.doctor_id",
    },
    patient: Some("a.patient_id"),
    priority: Priority::Agenda {
        starts: "a.starts_at",
        ends: "a.ends_at",
        longest: MAX_APPOINTMENT,
    },
    tombstoned: true,
    decode: |row| Ok(SyncRow::Appointments(Appointment::from_row(row)?.row()?)),
};

#[derive(FromRow)]
struct Appointment {
    id: Uuid,
    doctor_id: Uuid,
    patient_id: Uuid,
    room_id: Option<Uuid>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    status: String,
    reason: Option<String>,
    cancel_reason: Option<String>,
    created_by: Option<Uuid>,
    updated_at: DateTime<Utc>,
}

impl Appointment {
    fn row(self) -> ApiResult<AppointmentRow> {
        Ok(AppointmentRow {
            status: AppointmentStatus::parse(&self.status).map_err(ApiError::internal)?,
            id: self.id,
            doctor_id: self.doctor_id,
            patient_id: self.patient_id,
            room_id: self.room_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            reason: self.reason,
            cancel_reason: self.cancel_reason,
            created_by: self.created_by,
            updated_at: self.updated_at,
        })
    }
}
