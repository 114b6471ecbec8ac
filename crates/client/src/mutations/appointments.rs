//! An appointment's day, as `sync-server/src/domain/appointments.rs`:
//! check in, no-show, complete, cancel. Moves follow the status rule of
//! `clinic_core::schedule`; one it no longer allows is `stale`.

use super::{Effect, stale};
use crate::error::{Error, Result};
use crate::store::lookup;
use clinic_core::api::appointments::CancelAppointment;
use clinic_core::schedule::{AppointmentStatus, StatusChange};
use clinic_core::sync::{AppointmentRow, SyncRow};
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

impl Effect<'_> {
    pub(super) fn appointment(&self, id: Uuid) -> Result<AppointmentRow> {
        lookup::appointment(self.conn, id)?.ok_or_else(|| Error::not_found("appointment"))
    }

    pub(super) fn cancel(&self, id: Uuid, req: &CancelAppointment) -> Result<()> {
        self.require(Permission::AppointmentsWrite)?;
        let current = self.appointment(id)?;
        current
            .status
            .allows(StatusChange::Become(AppointmentStatus::Cancelled))
            .map_err(stale)?;
        let reason = req.parse()?;
        self.write(SyncRow::Appointments(AppointmentRow {
            status: AppointmentStatus::Cancelled,
            cancel_reason: Some(reason),
            updated_at: self.at,
            ..current
        }))
    }

    pub(super) fn progress(&self, id: Uuid, next: AppointmentStatus) -> Result<()> {
        let current = self.appointment(id)?;
        if self.fresh() && !self.actor.role.can(Permission::AppointmentsWrite) {
            let own = self.actor.role.can(Permission::AppointmentsProgressOwn)
                && lookup::doctor(self.conn, current.doctor_id)?
                    .is_some_and(|d| d.user_id == Some(self.actor.user_id));
            if !own {
                return Err(Error::refused(
                    ErrorCode::NotPermitted,
                    "only the desk, or the appointment's own doctor, can do this",
                ));
            }
        }
        current
            .status
            .allows(StatusChange::Become(next))
            .map_err(stale)?;
        self.write(SyncRow::Appointments(AppointmentRow {
            status: next,
            updated_at: self.at,
            ..current
        }))
    }
}
