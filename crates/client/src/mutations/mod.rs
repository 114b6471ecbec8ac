//! What each mutation does to the local tables, one file per concept as
//! on the server (`sync-server/src/domain/`): [`booking`] (book, move),
//! [`appointments`] (the day: check in, no-show, complete, cancel),
//! [`patients`], [`schedule`] (a doctor's hours and time off), [`rooms`].
//!
//! The same code runs in two modes. **Fresh**: a person just acted; every
//! check the desk can make (input, permissions, the rows it refers to,
//! status moves, working hours, overlaps) runs first and a failure is an
//! immediate, readable error: nothing is queued. **Replay**: a rebase puts a
//! queued mutation back on top of newer server rows; only what makes the
//! effect meaningful is checked (the row is there, the status move is still
//! legal), a mutation that no longer applies leaves the rows as the server
//! has them, and the server decides its fate when it is pushed.

mod appointments;
mod booking;
mod patients;
mod rooms;
mod schedule;

use crate::error::{Error, Result};
use crate::store::{lookup, rows, state};
use crate::time::local_date;
use chrono::{DateTime, NaiveDate, Utc};
use clinic_core::schedule::{AppointmentStatus, StaleStatus};
use clinic_core::sync::{Mutation, SyncRow, SyncTable};
use clinic_core::{ErrorCode, Invalid, Permission, Role};
use rusqlite::{Connection, OptionalExtension};
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

fn stale(refused: StaleStatus) -> Error {
    Error::refused(ErrorCode::Stale, refused.to_string())
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

    fn require(&self, permission: Permission) -> Result<()> {
        if self.fresh() && !self.actor.role.can(permission) {
            return Err(Error::refused(
                ErrorCode::NotPermitted,
                format!("a member with the role {} may not do this", self.actor.role),
            ));
        }
        Ok(())
    }

    /// For a mutation creating the row `id` of `table`: whether that row is
    /// already here. A fresh action is refused (`what` names the row); a
    /// replay answers `true` and writes nothing, as the server's copy (our
    /// creation, applied) wins.
    fn already_created(&self, table: SyncTable, id: Uuid, what: &str) -> Result<bool> {
        if !lookup::exists(self.conn, table, id)? {
            return Ok(false);
        }
        if self.fresh() {
            return Err(Error::refused(
                ErrorCode::Conflict,
                format!("{what} with this id already exists"),
            ));
        }
        Ok(true)
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

    /// Today on the clinic's wall clock; UTC's before the first sync has
    /// brought the clinic's zone.
    fn today(&self) -> Result<NaiveDate> {
        Ok(match lookup::clinic_zone(self.conn)? {
            Some(zone) => local_date(self.at, zone),
            None => self.at.date_naive(),
        })
    }
}
