//! What each mutation does to the local tables.
//!
//! The same code runs in two modes. **Fresh**: a person just acted; every
//! check the desk can make (input, permissions, the rows it refers to,
//! status moves, working hours, overlaps) runs first and a failure is an
//! immediate, readable error: nothing is queued. **Replay**: a rebase puts a
//! queued mutation back on top of newer server rows; only what makes the
//! effect meaningful is checked (the row is there, the status move is still
//! legal), a mutation that no longer applies leaves the rows as the server
//! has them, and the server decides its fate when it is pushed.

use crate::error::{Error, Result};
use crate::store::rows::{self, read_appointment, read_doctor, read_patient, read_room};
use crate::store::state;
use crate::time::local_date;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clinic_core::api::appointments::{BookAppointment, CancelAppointment, RescheduleAppointment};
use clinic_core::api::doctors::{DoctorView, NewTimeOff, TimeOffView, WeekHours};
use clinic_core::api::patients::{NewPatient, PatientDetails, PatientView, UpdatePatient};
use clinic_core::api::rooms::{NewRoom, RoomView, UpdateRoom};
use clinic_core::contact::{Email, optional_text};
use clinic_core::schedule::{
    AppointmentStatus, TimeRange, WorkingHours, fits_working_hours, outside_hours_message,
};
use clinic_core::sync::{AppointmentRow, HoursRow, Mutation, SyncRow, SyncTable};
use clinic_core::{ErrorCode, Invalid, Permission, Role};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

/// Who acts on this desk: the signed-in member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Actor {
    pub user_id: Uuid,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Fresh,
    Replay,
}

pub(crate) struct Effect<'a> {
    pub conn: &'a Connection,
    pub seq: i64,
    pub mode: Mode,
    /// When the person acted (desk clock): stamps the times the desk shows
    /// until the server's copy arrives.
    pub at: DateTime<Utc>,
    pub actor: Actor,
}

/// The checks a booking or a move must pass.
struct Slot {
    doctor_id: Uuid,
    patient_id: Uuid,
    room_id: Option<Uuid>,
    time: TimeRange,
}

fn stale(what: &str) -> Error {
    Error::refused(ErrorCode::Stale, what)
}

fn invalid(field: &'static str, message: impl Into<String>) -> Error {
    Error::from(Invalid::new(field, message))
}

/// Re-applies a queued mutation on top of the current rows. A mutation that
/// no longer applies changes nothing (its partial writes are rolled back).
pub(crate) fn replay(
    conn: &Connection,
    actor: Actor,
    seq: i64,
    at: DateTime<Utc>,
    mutation: &Mutation,
) -> Result<()> {
    conn.execute_batch("SAVEPOINT replay")?;
    let effect = Effect {
        conn,
        seq,
        mode: Mode::Replay,
        at,
        actor,
    };
    match effect.apply(mutation) {
        Ok(()) => conn.execute_batch("RELEASE replay")?,
        Err(Error::Refused(body)) => {
            // No patient data here: the mutation's name, seq and the reason code.
            tracing::debug!(
                seq,
                mutation = mutation.name(),
                code = body.code.as_str(),
                "queued mutation no longer applies locally; the server will decide"
            );
            conn.execute_batch("ROLLBACK TO replay; RELEASE replay")?;
        }
        Err(other) => {
            conn.execute_batch("ROLLBACK TO replay; RELEASE replay")?;
            return Err(other);
        }
    }
    Ok(())
}

impl Effect<'_> {
    fn fresh(&self) -> bool {
        self.mode == Mode::Fresh
    }

    pub(crate) fn apply(&self, m: &Mutation) -> Result<()> {
        match m {
            Mutation::RegisterPatient {
                patient_id,
                patient,
            } => self.register_patient(*patient_id, patient),
            Mutation::UpdatePatient {
                patient_id,
                changes,
            } => self.update_patient(*patient_id, changes),
            Mutation::ArchivePatient { patient_id } => self.archive_patient(*patient_id),
            Mutation::BookAppointment {
                appointment_id,
                booking,
            } => self.book(*appointment_id, booking),
            Mutation::RescheduleAppointment {
                appointment_id,
                change,
            } => self.reschedule(*appointment_id, change),
            Mutation::CancelAppointment {
                appointment_id,
                cancel,
            } => self.cancel(*appointment_id, cancel),
            Mutation::CheckIn { appointment_id } => {
                self.progress(*appointment_id, AppointmentStatus::CheckedIn)
            }
            Mutation::MarkNoShow { appointment_id } => {
                self.progress(*appointment_id, AppointmentStatus::NoShow)
            }
            Mutation::CompleteAppointment { appointment_id } => {
                self.progress(*appointment_id, AppointmentStatus::Completed)
            }
            Mutation::SetWorkingHours { doctor_id, week } => self.set_hours(*doctor_id, week),
            Mutation::AddTimeOff {
                doctor_id,
                time_off_id,
                time_off,
            } => self.add_time_off(*doctor_id, *time_off_id, time_off),
            Mutation::RemoveTimeOff {
                doctor_id,
                time_off_id,
            } => self.remove_time_off(*doctor_id, *time_off_id),
            Mutation::CreateRoom { room_id, room } => self.create_room(*room_id, room),
            Mutation::UpdateRoom { room_id, changes } => self.update_room(*room_id, changes),
        }
    }

    // ---- helpers ----------------------------------------------------------

    fn require(&self, permission: Permission) -> Result<()> {
        if self.fresh() && !self.actor.role.can(permission) {
            return Err(Error::refused(
                ErrorCode::NotPermitted,
                format!("a member with the role {} may not do this", self.actor.role),
            ));
        }
        Ok(())
    }

    /// Writes `row` as this mutation's effect, keeping the row's server version.
    fn write(&self, row: SyncRow) -> Result<()> {
        state::touch(self.conn, self.seq, row.table(), row.id())?;
        let version: i64 = self
            .conn
            .query_row(
                &format!(
                    "SELECT version FROM {} WHERE id = ?1",
                    rows::table_name(row.table())
                ),
                [row.id().to_string()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        rows::upsert(self.conn, &row, version)?;
        Ok(())
    }

    fn remove(&self, table: SyncTable, id: Uuid) -> Result<()> {
        state::touch(self.conn, self.seq, table, id)?;
        rows::delete(self.conn, table, id)?;
        Ok(())
    }

    fn exists(&self, table: SyncTable, id: Uuid) -> Result<bool> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)",
                rows::table_name(table)
            ),
            [id.to_string()],
            |r| r.get(0),
        )?)
    }

    /// The clinic's time zone; UTC before the first sync has brought it.
    fn zone(&self) -> Result<Option<Tz>> {
        clinic_zone(self.conn)
    }

    fn today(&self) -> Result<NaiveDate> {
        Ok(match self.zone()? {
            Some(zone) => local_date(self.at, zone),
            None => self.at.date_naive(),
        })
    }

    fn appointment(&self, id: Uuid) -> Result<AppointmentRow> {
        load_appointment(self.conn, id)?.ok_or_else(|| Error::not_found("appointment"))
    }

    fn patient(&self, id: Uuid) -> Result<PatientView> {
        load_patient(self.conn, id)?.ok_or_else(|| Error::not_found("patient"))
    }

    // ---- patients ---------------------------------------------------------

    fn register_patient(&self, id: Uuid, patient: &NewPatient) -> Result<()> {
        self.require(Permission::PatientsWrite)?;
        if self.exists(SyncTable::Patients, id)? {
            return if self.fresh() {
                Err(Error::refused(
                    ErrorCode::Conflict,
                    "a patient with this id already exists",
                ))
            } else {
                // The server's copy (our registration, applied) wins.
                Ok(())
            };
        }
        let details = patient.parse(self.today()?)?;
        let consent_at = details.email_consent.then_some(self.at);
        self.write(SyncRow::Patients(patient_view(
            id, &details, consent_at, None, self.at, self.at,
        )))
    }

    fn update_patient(&self, id: Uuid, changes: &UpdatePatient) -> Result<()> {
        self.require(Permission::PatientsWrite)?;
        let current = self.patient(id)?;
        let today = self.today()?;
        let next = changes.apply_to(&details_of(&current)?, today)?;
        let archived_at = match changes.archived {
            None => current.archived_at,
            Some(true) => current.archived_at.or(Some(self.at)),
            Some(false) => None,
        };
        let consent_at = match (current.email_consent, next.email_consent) {
            (_, false) => None,
            (true, true) => current.email_consent_at.or(Some(self.at)),
            (false, true) => Some(self.at),
        };
        self.write(SyncRow::Patients(patient_view(
            id,
            &next,
            consent_at,
            archived_at,
            current.created_at,
            self.at,
        )))
    }

    fn archive_patient(&self, id: Uuid) -> Result<()> {
        self.require(Permission::PatientsWrite)?;
        let mut current = self.patient(id)?;
        if current.archived_at.is_none() {
            current.archived_at = Some(self.at);
            current.updated_at = self.at;
        }
        self.write(SyncRow::Patients(current))
    }

    // ---- appointments -----------------------------------------------------

    fn book(&self, id: Uuid, req: &BookAppointment) -> Result<()> {
        self.require(Permission::AppointmentsWrite)?;
        if self.exists(SyncTable::Appointments, id)? {
            return if self.fresh() {
                Err(Error::refused(
                    ErrorCode::Conflict,
                    "an appointment with this id already exists",
                ))
            } else {
                Ok(())
            };
        }
        let (time, reason) = if self.fresh() {
            let booking = req.parse(self.at)?;
            let slot = Slot {
                doctor_id: booking.doctor_id,
                patient_id: booking.patient_id,
                room_id: booking.room_id,
                time: booking.time,
            };
            self.check_slot(&slot, None)?;
            (booking.time, booking.reason)
        } else {
            // Time passes while a booking waits offline; only its shape is rechecked.
            (
                TimeRange::appointment(req.starts_at, req.ends_at)?,
                optional_text("reason", req.reason.as_deref(), 500)?,
            )
        };
        self.write(SyncRow::Appointments(AppointmentRow {
            id,
            doctor_id: req.doctor_id,
            patient_id: req.patient_id,
            room_id: req.room_id,
            starts_at: time.starts_at,
            ends_at: time.ends_at,
            status: AppointmentStatus::Booked,
            reason,
            cancel_reason: None,
            created_by: Some(self.actor.user_id),
            updated_at: self.at,
        }))
    }

    fn reschedule(&self, id: Uuid, req: &RescheduleAppointment) -> Result<()> {
        self.require(Permission::AppointmentsWrite)?;
        let current = self.appointment(id)?;
        if !current.status.can_reschedule() {
            return Err(stale(&format!(
                "this appointment is {}; only booked appointments can be moved",
                status_words(current.status)
            )));
        }
        let slot = Slot {
            doctor_id: req.doctor_id.unwrap_or(current.doctor_id),
            patient_id: current.patient_id,
            room_id: req.room_id.unwrap_or(current.room_id),
            time: if self.fresh() {
                req.parse(self.at)?.time
            } else {
                TimeRange::appointment(req.starts_at, req.ends_at)?
            },
        };
        if self.fresh() {
            self.check_slot(&slot, Some(id))?;
        }
        self.write(SyncRow::Appointments(AppointmentRow {
            doctor_id: slot.doctor_id,
            room_id: slot.room_id,
            starts_at: slot.time.starts_at,
            ends_at: slot.time.ends_at,
            updated_at: self.at,
            ..current
        }))
    }

    fn cancel(&self, id: Uuid, req: &CancelAppointment) -> Result<()> {
        self.require(Permission::AppointmentsWrite)?;
        let current = self.appointment(id)?;
        if !current.status.can_become(AppointmentStatus::Cancelled) {
            return Err(stale(&format!(
                "this appointment is {}; it can no longer be cancelled",
                status_words(current.status)
            )));
        }
        let reason = req.parse()?;
        self.write(SyncRow::Appointments(AppointmentRow {
            status: AppointmentStatus::Cancelled,
            cancel_reason: Some(reason),
            updated_at: self.at,
            ..current
        }))
    }

    fn progress(&self, id: Uuid, next: AppointmentStatus) -> Result<()> {
        let current = self.appointment(id)?;
        if self.fresh() && !self.actor.role.can(Permission::AppointmentsWrite) {
            let own = self.actor.role.can(Permission::AppointmentsProgressOwn)
                && load_doctor(self.conn, current.doctor_id)?
                    .is_some_and(|d| d.user_id == Some(self.actor.user_id));
            if !own {
                return Err(Error::refused(
                    ErrorCode::NotPermitted,
                    "only the desk, or the appointment's own doctor, can do this",
                ));
            }
        }
        if !current.status.can_become(next) {
            return Err(stale(&format!(
                "this appointment is {}; it cannot become {}",
                status_words(current.status),
                status_words(next)
            )));
        }
        self.write(SyncRow::Appointments(AppointmentRow {
            status: next,
            updated_at: self.at,
            ..current
        }))
    }

    /// Everything about a booking or a move except what only the server can
    /// know (rows this desk has not received yet).
    fn check_slot(&self, slot: &Slot, moving: Option<Uuid>) -> Result<()> {
        let doctor = match load_doctor(self.conn, slot.doctor_id)? {
            None => return Err(invalid("doctor_id", "no such doctor on this desk")),
            Some(d) if !d.active => {
                return Err(invalid("doctor_id", "this doctor is no longer active"));
            }
            Some(d) => d,
        };
        match load_patient(self.conn, slot.patient_id)? {
            None => return Err(invalid("patient_id", "no such patient on this desk")),
            Some(p) if p.archived_at.is_some() => {
                return Err(invalid(
                    "patient_id",
                    "this patient is archived; restore them before booking",
                ));
            }
            Some(_) => {}
        }
        let room = match slot.room_id {
            None => None,
            Some(room_id) => match load_room(self.conn, room_id)? {
                None => return Err(invalid("room_id", "no such room on this desk")),
                Some(r) if !r.active => {
                    return Err(invalid("room_id", "this room is not in use"));
                }
                Some(r) => Some(r),
            },
        };
        let zone = self.zone()?.ok_or_else(|| {
            Error::NotSynced(
                "the clinic's settings have not arrived yet; sync once before booking".into(),
            )
        })?;
        let week = doctor_week(self.conn, doctor.id)?;
        let time_off = doctor_time_off(self.conn, doctor.id, slot.time)?;
        if !fits_working_hours(slot.time, zone, &week, &time_off) {
            return Err(Error::refused(
                ErrorCode::OutsideWorkingHours,
                outside_hours_message(slot.time, zone, &week, &time_off, &doctor.full_name),
            ));
        }
        let span = |c: &Clash| {
            format!(
                "{}–{}",
                c.starts_at.with_timezone(&zone).format("%H:%M"),
                c.ends_at.with_timezone(&zone).format("%H:%M")
            )
        };
        if let Some(clash) = overlapping(self.conn, "doctor_id", doctor.id, slot.time, moving)? {
            return Err(Error::refused(
                ErrorCode::SlotTaken,
                format!(
                    "{} is already booked {} ({})",
                    doctor.full_name,
                    span(&clash),
                    clash.patient_name.as_deref().unwrap_or("another patient"),
                ),
            ));
        }
        if let Some(room) = room
            && let Some(clash) = overlapping(self.conn, "room_id", room.id, slot.time, moving)?
        {
            return Err(Error::refused(
                ErrorCode::SlotTaken,
                format!("{} is taken {}", room.name, span(&clash)),
            ));
        }
        Ok(())
    }

    // ---- doctors' hours and time off, rooms (admin desk) --------------------

    fn doctor(&self, id: Uuid) -> Result<DoctorView> {
        load_doctor(self.conn, id)?
            .ok_or_else(|| invalid("doctor_id", "no such doctor on this desk"))
    }

    fn set_hours(&self, doctor_id: Uuid, week: &WeekHours) -> Result<()> {
        self.require(Permission::DoctorsManage)?;
        self.doctor(doctor_id)?;
        let hours = week.parse()?;
        let old: Vec<String> = self
            .conn
            .prepare("SELECT id FROM doctor_hours WHERE doctor_id = ?1")?
            .query_map([doctor_id.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in old {
            let id = Uuid::parse_str(&id).map_err(|e| Error::Corrupt(e.to_string()))?;
            self.remove(SyncTable::DoctorHours, id)?;
        }
        for h in hours {
            // The server numbers the rows itself; these stand in until its copy arrives.
            self.write(SyncRow::DoctorHours(HoursRow {
                id: Uuid::now_v7(),
                doctor_id,
                hours: h,
            }))?;
        }
        Ok(())
    }

    fn add_time_off(&self, doctor_id: Uuid, id: Uuid, time_off: &NewTimeOff) -> Result<()> {
        self.require(Permission::DoctorsManage)?;
        if self.exists(SyncTable::DoctorTimeOff, id)? {
            return if self.fresh() {
                Err(Error::refused(
                    ErrorCode::Conflict,
                    "time off with this id already exists",
                ))
            } else {
                Ok(())
            };
        }
        self.doctor(doctor_id)?;
        let draft = time_off.parse()?;
        self.write(SyncRow::DoctorTimeOff(TimeOffView {
            id,
            doctor_id,
            starts_at: draft.range.starts_at,
            ends_at: draft.range.ends_at,
            reason: draft.reason,
            created_at: self.at,
        }))
    }

    fn remove_time_off(&self, doctor_id: Uuid, id: Uuid) -> Result<()> {
        self.require(Permission::DoctorsManage)?;
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT doctor_id FROM doctor_time_off WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if found != Some(doctor_id.to_string()) {
            return Err(Error::not_found("time off of this doctor"));
        }
        self.remove(SyncTable::DoctorTimeOff, id)
    }

    fn room_name_taken(&self, name: &str, except: Option<Uuid>) -> Result<bool> {
        let others: Vec<(String, String)> = self
            .conn
            .prepare("SELECT id, name FROM rooms")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let except = except.map(|e| e.to_string());
        Ok(others.iter().any(|(id, other)| {
            Some(id) != except.as_ref() && other.to_lowercase() == name.to_lowercase()
        }))
    }

    fn create_room(&self, id: Uuid, room: &NewRoom) -> Result<()> {
        self.require(Permission::RoomsManage)?;
        if self.exists(SyncTable::Rooms, id)? {
            return if self.fresh() {
                Err(Error::refused(
                    ErrorCode::Conflict,
                    "a room with this id already exists",
                ))
            } else {
                Ok(())
            };
        }
        let name = room.parse()?;
        if self.fresh() && self.room_name_taken(&name, None)? {
            return Err(Error::refused(
                ErrorCode::Conflict,
                format!("a room named {name:?} already exists"),
            ));
        }
        self.write(SyncRow::Rooms(RoomView {
            id,
            name,
            active: true,
            created_at: self.at,
            updated_at: self.at,
        }))
    }

    fn update_room(&self, id: Uuid, changes: &UpdateRoom) -> Result<()> {
        self.require(Permission::RoomsManage)?;
        let current = load_room(self.conn, id)?.ok_or_else(|| Error::not_found("room"))?;
        let changes = changes.parse()?;
        if let Some(name) = &changes.name
            && self.fresh()
            && self.room_name_taken(name, Some(id))?
        {
            return Err(Error::refused(
                ErrorCode::Conflict,
                format!("a room named {name:?} already exists"),
            ));
        }
        self.write(SyncRow::Rooms(RoomView {
            name: changes.name.unwrap_or(current.name.clone()),
            active: changes.active.unwrap_or(current.active),
            updated_at: self.at,
            ..current
        }))
    }
}

// ---- reads shared with the queries -------------------------------------------

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

pub(crate) fn load_appointment(conn: &Connection, id: Uuid) -> Result<Option<AppointmentRow>> {
    Ok(conn
        .query_row(
            "SELECT * FROM appointments WHERE id = ?1",
            [id.to_string()],
            read_appointment,
        )
        .optional()?)
}

pub(crate) fn load_patient(conn: &Connection, id: Uuid) -> Result<Option<PatientView>> {
    Ok(conn
        .query_row(
            "SELECT * FROM patients WHERE id = ?1",
            [id.to_string()],
            read_patient,
        )
        .optional()?)
}

pub(crate) fn load_doctor(conn: &Connection, id: Uuid) -> Result<Option<DoctorView>> {
    Ok(conn
        .query_row(
            "SELECT * FROM doctors WHERE id = ?1",
            [id.to_string()],
            read_doctor,
        )
        .optional()?)
}

pub(crate) fn load_room(conn: &Connection, id: Uuid) -> Result<Option<RoomView>> {
    Ok(conn
        .query_row(
            "SELECT * FROM rooms WHERE id = ?1",
            [id.to_string()],
            read_room,
        )
        .optional()?)
}

pub(crate) fn doctor_week(conn: &Connection, doctor_id: Uuid) -> Result<Vec<WorkingHours>> {
    Ok(conn
        .prepare("SELECT * FROM doctor_hours WHERE doctor_id = ?1 ORDER BY weekday, starts")?
        .query_map([doctor_id.to_string()], rows::read_hours)?
        .map(|r| r.map(|h| h.hours))
        .collect::<rusqlite::Result<_>>()?)
}

fn doctor_time_off(
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
                crate::time::to_text(around.starts_at),
                crate::time::to_text(around.ends_at)
            ],
            rows::read_time_off,
        )?
        .map(|r| {
            r.map(|t| TimeRange {
                starts_at: t.starts_at,
                ends_at: t.ends_at,
            })
        })
        .collect::<rusqlite::Result<_>>()?)
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

/// A live appointment in the way of a booking.
struct Clash {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    patient_name: Option<String>,
}

/// A live appointment of this doctor (or room) overlapping `time`, other than `except`.
fn overlapping(
    conn: &Connection,
    column: &str,
    id: Uuid,
    time: TimeRange,
    except: Option<Uuid>,
) -> Result<Option<Clash>> {
    debug_assert!(column == "doctor_id" || column == "room_id");
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
                crate::time::to_text(time.starts_at),
                crate::time::to_text(time.ends_at),
                except.map(|e| e.to_string())
            ],
            |r| {
                Ok(Clash {
                    starts_at: rows::get_ts(r, "starts_at")?,
                    ends_at: rows::get_ts(r, "ends_at")?,
                    patient_name: r.get("full_name")?,
                })
            },
        )
        .optional()?)
}

/// A patient's stored details as core's checked type, to apply an update to.
fn details_of(p: &PatientView) -> Result<PatientDetails> {
    Ok(PatientDetails {
        full_name: p.full_name.clone(),
        date_of_birth: p.date_of_birth,
        sex: p.sex,
        national_id: p.national_id.clone(),
        phone: p.phone.clone(),
        email: p.email.as_deref().map(Email::parse).transpose()?,
        address: p.address.clone(),
        email_consent: p.email_consent,
    })
}

fn patient_view(
    id: Uuid,
    d: &PatientDetails,
    email_consent_at: Option<DateTime<Utc>>,
    archived_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> PatientView {
    PatientView {
        id,
        full_name: d.full_name.clone(),
        date_of_birth: d.date_of_birth,
        sex: d.sex,
        national_id: d.national_id.clone(),
        phone: d.phone.clone(),
        email: d.email.as_ref().map(|e| e.as_str().to_owned()),
        address: d.address.clone(),
        email_consent: d.email_consent,
        email_consent_at,
        archived_at,
        created_at,
        updated_at,
    }
}

pub(crate) fn status_words(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Booked => "booked",
        AppointmentStatus::CheckedIn => "checked in",
        AppointmentStatus::Completed => "completed",
        AppointmentStatus::Cancelled => "cancelled",
        AppointmentStatus::NoShow => "marked as no-show",
    }
}
