//! Registering, updating and archiving patients, as
//! `sync-server/src/domain/patients.rs`.

use super::Effect;
use crate::error::{Error, Result};
use crate::store::lookup;
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::api::patients::{NewPatient, PatientDetails, PatientView, UpdatePatient};
use clinic_core::contact::Email;
use clinic_core::sync::{SyncRow, SyncTable};
use uuid::Uuid;

impl Effect<'_> {
    fn patient(&self, id: Uuid) -> Result<PatientView> {
        lookup::patient(self.conn, id)?.ok_or_else(|| Error::not_found("patient"))
    }

    pub(super) fn register_patient(&self, id: Uuid, patient: &NewPatient) -> Result<()> {
        self.require(Permission::PatientsWrite)?;
        if self.already_created(SyncTable::Patients, id, "a patient")? {
            return Ok(());
        }
        let details = patient.parse(self.today()?)?;
        let consent_at = details.email_consent.then_some(self.at);
        self.write(SyncRow::Patients(patient_view(
            id, &details, consent_at, None, self.at, self.at,
        )))
    }

    pub(super) fn update_patient(&self, id: Uuid, changes: &UpdatePatient) -> Result<()> {
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

    pub(super) fn archive_patient(&self, id: Uuid) -> Result<()> {
        self.require(Permission::PatientsWrite)?;
        let mut current = self.patient(id)?;
        if current.archived_at.is_none() {
            current.archived_at = Some(self.at);
            current.updated_at = self.at;
        }
        self.write(SyncRow::Patients(current))
    }
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
