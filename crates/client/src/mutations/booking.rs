//! Booking and moving appointments, as `sync-server/src/domain/booking.rs`.
//! A fresh action gathers the slot rule's facts from the local tables and
//! asks `clinic_core::slot`; a replay only rechecks the time's shape.

use super::{Effect, stale};
use crate::error::{Error, Result};
use crate::store::lookup::{self, Holder};
use clinic_core::Permission;
use clinic_core::api::appointments::{BookAppointment, RescheduleAppointment};
use clinic_core::schedule::{AppointmentStatus, StatusChange, TimeRange};
use clinic_core::slot::{Parties, Party, SlotFacts, SlotProblem, Vantage, check_slot};
use clinic_core::sync::{AppointmentRow, SyncRow, SyncTable};
use uuid::Uuid;

/// Who, with whom, where and when: what a booking or a move must fit.
struct Slot {
    doctor_id: Uuid,
    patient_id: Uuid,
    room_id: Option<Uuid>,
    time: TimeRange,
}

/// The slot rule's refusal as the desk answers it.
fn refused(problem: SlotProblem) -> Error {
    match problem.field() {
        Some(field) => super::invalid(field, problem.to_string()),
        None => Error::refused(problem.code(), problem.to_string()),
    }
}

impl Effect<'_> {
    pub(super) fn book(&self, id: Uuid, req: &BookAppointment) -> Result<()> {
        self.require(Permission::AppointmentsWrite)?;
        if self.already_created(SyncTable::Appointments, id, "an appointment")? {
            return Ok(());
        }
        let booking = if self.fresh() {
            let booking = req.parse(self.at)?;
            let slot = Slot {
                doctor_id: booking.doctor_id,
                patient_id: booking.patient_id,
                room_id: booking.room_id,
                time: booking.time,
            };
            self.check_slot(&slot, None)?;
            booking
        } else {
            req.parse_queued()?
        };
        self.write(SyncRow::Appointments(AppointmentRow {
            id,
            doctor_id: booking.doctor_id,
            patient_id: booking.patient_id,
            room_id: booking.room_id,
            starts_at: booking.time.starts_at,
            ends_at: booking.time.ends_at,
            status: AppointmentStatus::Booked,
            reason: booking.reason,
            cancel_reason: None,
            created_by: Some(self.actor.user_id),
            updated_at: self.at,
        }))
    }

    pub(super) fn reschedule(&self, id: Uuid, req: &RescheduleAppointment) -> Result<()> {
        self.require(Permission::AppointmentsWrite)?;
        let current = self.appointment(id)?;
        current.status.allows(StatusChange::Move).map_err(stale)?;
        let slot = Slot {
            doctor_id: req.doctor_id.unwrap_or(current.doctor_id),
            patient_id: current.patient_id,
            room_id: req.room_id.unwrap_or(current.room_id),
            time: if self.fresh() {
                req.parse(self.at)?.time
            } else {
                req.parse_queued()?.time
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

    /// The slot rule over what this desk knows; only rows it has not
    /// received yet are left to the server.
    fn check_slot(&self, slot: &Slot, moving: Option<Uuid>) -> Result<()> {
        let conn = self.conn;
        let doctor = lookup::doctor(conn, slot.doctor_id)?;
        let patient = lookup::patient(conn, slot.patient_id)?;
        let room = match slot.room_id {
            Some(id) => Some(lookup::room(conn, id)?),
            None => None,
        };
        let parties = Parties {
            vantage: Vantage::Desk,
            doctor: doctor.as_ref().map_or(Party::Unknown, |d| Party::Known {
                name: &d.full_name,
                usable: d.active,
            }),
            patient: patient.as_ref().map_or(Party::Unknown, |p| Party::Known {
                name: &p.full_name,
                usable: p.archived_at.is_none(),
            }),
            room: room.as_ref().map(|room| {
                room.as_ref().map_or(Party::Unknown, |r| Party::Known {
                    name: &r.name,
                    usable: r.active,
                })
            }),
        };
        let Some(zone) = lookup::clinic_zone(conn)? else {
            // What the booking names is still judged first, as the rule would.
            parties.check().map_err(refused)?;
            return Err(Error::NotSynced(
                "the clinic's settings have not arrived yet; sync once before booking".into(),
            ));
        };
        let week = lookup::doctor_week(conn, slot.doctor_id)?;
        let time_off = lookup::time_off_around(conn, slot.doctor_id, slot.time)?;
        let doctor_clash =
            lookup::first_clash(conn, Holder::Doctor(slot.doctor_id), slot.time, moving)?;
        let room_clash = match slot.room_id {
            Some(room_id) => lookup::first_clash(conn, Holder::Room(room_id), slot.time, moving)?,
            None => None,
        };
        check_slot(&SlotFacts {
            time: slot.time,
            parties,
            zone,
            week: &week,
            time_off: &time_off,
            doctor_clash: doctor_clash.as_ref().map(lookup::Clash::fact),
            room_clash: room_clash.as_ref().map(lookup::Clash::fact),
        })
        .map_err(refused)?;
        Ok(())
    }
}
