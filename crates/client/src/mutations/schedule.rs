//! A doctor's weekly hours and time off (the admin desk), as
//! `sync-server/src/domain/schedule.rs`.

use super::{Effect, invalid};
use crate::error::{Error, Result};
use crate::store::lookup;
use clinic_core::Permission;
use clinic_core::api::doctors::{DoctorView, NewTimeOff, TimeOffView, WeekHours};
use clinic_core::sync::{HoursRow, SyncRow, SyncTable};
use rusqlite::OptionalExtension;
use uuid::Uuid;

impl Effect<'_> {
    fn doctor(&self, id: Uuid) -> Result<DoctorView> {
        lookup::doctor(self.conn, id)?
            .ok_or_else(|| invalid("doctor_id", "no such doctor on this desk"))
    }

    pub(super) fn set_hours(&self, doctor_id: Uuid, week: &WeekHours) -> Result<()> {
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

    pub(super) fn add_time_off(
        &self,
        doctor_id: Uuid,
        id: Uuid,
        time_off: &NewTimeOff,
    ) -> Result<()> {
        self.require(Permission::DoctorsManage)?;
        if self.already_created(SyncTable::DoctorTimeOff, id, "time off")? {
            return Ok(());
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

    pub(super) fn remove_time_off(&self, doctor_id: Uuid, id: Uuid) -> Result<()> {
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
}
