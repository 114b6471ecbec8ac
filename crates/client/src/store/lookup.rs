//! One row by its id, and the facts the slot rule needs (a doctor's week,
//! time off and overlapping appointments), read from the local tables.
//! The mutations check against them and the screens' queries name things
//! with them.

use super::rows::{
    self, get_ts, read_appointment, read_doctor, read_hours, read_patient, read_room, read_time_off,
};
use crate::error::{Error, Result};
use crate::time::to_text;
use chrono_tz::Tz;
use clinic_core::api::doctors::DoctorView;
use clinic_core::api::patients::PatientView;
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::{AppointmentStatus, TimeRange, WorkingHours};
use clinic_core::sync::AppointmentRow;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

/// The clinic's time zone; `None` before the first sync has brought it.
pub(crate) fn clinic_zone(conn: &Connection) -> Result<Option<Tz>> {
    let zone: Option<String> = conn
        .query_row("SELECT time_zone FROM clinic LIMIT 1", [], |r| r.get(0))
        .optional()?;
    zone.map(|z| {
        z.parse::<Tz>()
            .map_err(|_| Error::Corrupt(format!("the clinic's time zone {z:?} is unknown")))
    })
    .transpose()
}

pub(crate) fn appointment(conn: &Connection, id: Uuid) -> Result<Option<AppointmentRow>> {
    by_id(conn, "appointments", id, read_appointment)
}

pub(crate) fn patient(conn: &Connection, id: Uuid) -> Result<Option<PatientView>> {
    by_id(conn, "patients", id, read_patient)
}

pub(crate) fn doctor(conn: &Connection, id: Uuid) -> Result<Option<DoctorView>> {
    by_id(conn, "doctors", id, read_doctor)
}

pub(crate) fn room(conn: &Connection, id: Uuid) -> Result<Option<RoomView>> {
    by_id(conn, "rooms", id, read_room)
}

fn by_id<T>(
    conn: &Connection,
    table: &str,
    id: Uuid,
    read: fn(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<Option<T>> {
    Ok(conn
        .query_row(
            &format!("SELECT * FROM {table} WHERE id = ?1"),
            [id.to_string()],
            read,
        )
        .optional()?)
}

/// A doctor's weekly hours, by day and start.
pub(crate) fn doctor_week(conn: &Connection, doctor_id: Uuid) -> Result<Vec<WorkingHours>> {
    Ok(conn
        .prepare("SELECT * FROM doctor_hours WHERE doctor_id = ?1 ORDER BY weekday, starts")?
        .query_map([doctor_id.to_string()], read_hours)?
        .map(|r| r.map(|h| h.hours))
        .collect::<rusqlite::Result<_>>()?)
}

/// A doctor's time off overlapping `around`, by start.
pub(crate) fn time_off_around(
    conn: &Connection,
    doctor_id: Uuid,
    around: TimeRange,
) -> Result<Vec<TimeRange>> {
    Ok(conn
        .prepare(
            "SELECT * FROM doctor_time_off
             WHERE doctor_id = ?1 AND starts_at < ?3 AND ends_at > ?2 ORDER BY starts_at",
        )?
        .query_map(
            params![
                doctor_id.to_string(),
                to_text(around.starts_at),
                to_text(around.ends_at)
            ],
            read_time_off,
        )?
        .map(|r| {
            r.map(|t| TimeRange {
                starts_at: t.starts_at,
                ends_at: t.ends_at,
            })
        })
        .collect::<rusqlite::Result<_>>()?)
}

/// Whose appointments a clash is looked for among.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Holder {
    Doctor(Uuid),
    Room(Uuid),
}

/// A live appointment in the way of a booking.
pub(crate) struct Clash {
    pub time: TimeRange,
    pub patient_name: Option<String>,
}

impl Clash {
    /// As the slot rule takes it.
    pub(crate) fn fact(&self) -> clinic_core::slot::Clash<'_> {
        clinic_core::slot::Clash {
            time: self.time,
            patient_name: self.patient_name.as_deref(),
        }
    }
}

/// The first live appointment of the doctor (or room) overlapping `time`,
/// other than `except` (the appointment being moved).
pub(crate) fn first_clash(
    conn: &Connection,
    holder: Holder,
    time: TimeRange,
    except: Option<Uuid>,
) -> Result<Option<Clash>> {
    let (column, id) = match holder {
        Holder::Doctor(id) => ("doctor_id", id),
        Holder::Room(id) => ("room_id", id),
    };
    let sql = format!(
        "SELECT a.starts_at, a.ends_at, p.full_name FROM appointments a
         LEFT JOIN patients p ON p.id = a.patient_id
         WHERE a.{column} = ?1 AND a.status IN ({}) AND a.starts_at < ?3 AND a.ends_at > ?2
           AND a.id IS NOT ?4
         ORDER BY a.starts_at LIMIT 1",
        live_statuses_sql()
    );
    Ok(conn
        .query_row(
            &sql,
            params![
                id.to_string(),
                to_text(time.starts_at),
                to_text(time.ends_at),
                except.map(|e| e.to_string())
            ],
            |r| {
                Ok(Clash {
                    time: TimeRange {
                        starts_at: get_ts(r, "starts_at")?,
                        ends_at: get_ts(r, "ends_at")?,
                    },
                    patient_name: r.get("full_name")?,
                })
            },
        )
        .optional()?)
}

/// The statuses that hold a slot, as core defines them, for SQL.
fn live_statuses_sql() -> String {
    AppointmentStatus::ALL
        .into_iter()
        .filter(|s| s.is_live())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a row of `table` has this id.
pub(crate) fn exists(
    conn: &Connection,
    table: clinic_core::sync::SyncTable,
    id: Uuid,
) -> Result<bool> {
    Ok(conn.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)",
            rows::table_name(table)
        ),
        [id.to_string()],
        |r| r.get(0),
    )?)
}
