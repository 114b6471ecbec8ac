//! Registering, editing and archiving patients.

use super::reach;
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, NaiveDate, Utc};
use clinic_core::api::patients::{NewPatient, PatientDetails, PatientView, Sex, UpdatePatient};
use clinic_core::contact::Email;
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

pub(crate) const COLUMNS: &str = "p.id, p.full_name, p.date_of_birth, p.sex, p.national_id, p.phone, \
     p.email, p.address, p.email_consent, p.email_consent_at, p.archived_at, p.created_at, \
     p.updated_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PatientRow {
    pub(crate) id: Uuid,
    full_name: String,
    date_of_birth: Option<NaiveDate>,
    sex: Option<String>,
    national_id: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    email_consent: bool,
    email_consent_at: Option<DateTime<Utc>>,
    archived_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl PatientRow {
    fn sex(&self) -> ApiResult<Option<Sex>> {
        self.sex
            .as_deref()
            .map(Sex::parse)
            .transpose()
            .map_err(ApiError::internal)
    }

    fn details(&self) -> ApiResult<PatientDetails> {
        Ok(PatientDetails {
            full_name: self.full_name.clone(),
            date_of_birth: self.date_of_birth,
            sex: self.sex()?,
            national_id: self.national_id.clone(),
            phone: self.phone.clone(),
            email: self
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(ApiError::internal)?,
            address: self.address.clone(),
            email_consent: self.email_consent,
        })
    }

    pub(crate) fn view(self) -> ApiResult<PatientView> {
        Ok(PatientView {
            sex: self.sex()?,
            id: self.id,
            full_name: self.full_name,
            date_of_birth: self.date_of_birth,
            national_id: self.national_id,
            phone: self.phone,
            email: self.email,
            address: self.address,
            email_consent: self.email_consent,
            email_consent_at: self.email_consent_at,
            archived_at: self.archived_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The clinic's local date, against which dates of birth are checked.
async fn clinic_today(tx: &mut Tx) -> ApiResult<NaiveDate> {
    let zone = reach::clinic_zone(tx).await?;
    Ok(Utc::now().with_timezone(&zone).date_naive())
}

pub(crate) async fn load(tx: &mut Tx, patient_id: Uuid, for_update: bool) -> ApiResult<PatientRow> {
    let lock = if for_update { "FOR UPDATE" } else { "" };
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM patients p WHERE p.id = $1 {lock}"
    ))
    .bind(patient_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("patient"))
}

/// Fails while the patient still has appointments ahead: archiving must not
/// leave someone booked whom the desk can no longer find.
async fn ensure_nothing_ahead(tx: &mut Tx, patient_id: Uuid) -> ApiResult<()> {
    let ahead: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointments
         WHERE patient_id = $1 AND status IN ('booked', 'checked_in') AND ends_at > now()",
    )
    .bind(patient_id)
    .fetch_one(&mut **tx)
    .await?;
    if ahead > 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the patient has {ahead} upcoming appointment(s); cancel or complete them before archiving"
            ),
        ));
    }
    Ok(())
}

/// Registers a patient as `id`.
pub async fn register(
    tx: &mut Tx,
    member: &Member,
    id: Uuid,
    req: &NewPatient,
) -> ApiResult<PatientView> {
    member.require(Permission::PatientsWrite)?;
    // `today` only bounds a date of birth; without one, the clinic's zone
    // need not be read (a round trip saved on most registrations).
    let today = if req.date_of_birth.is_some() {
        clinic_today(tx).await?
    } else {
        Utc::now().date_naive()
    };
    let details = req.parse(today)?;
    // The patient and its audit entry in one statement: registering is the
    // commonest write of a busy desk, and each statement is a round trip.
    let row: PatientRow = sqlx::query_as(&format!(
        "WITH registered AS (
             INSERT INTO patients AS p (clinic_id, id, full_name, date_of_birth, sex, national_id,
                                        phone, email, address, email_consent, email_consent_at)
             VALUES (app_clinic_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9,
                     CASE WHEN $9 THEN now() END)
             ON CONFLICT (clinic_id, id) DO NOTHING
             RETURNING {COLUMNS}
         ), audited AS (
             INSERT INTO audit_log (clinic_id, id, actor_id, device_id, action, entity, entity_id)
             SELECT $10, $11, $12, $13, 'patient.registered', 'patient', id FROM registered
         )
         SELECT * FROM registered"
    ))
    .bind(id)
    .bind(&details.full_name)
    .bind(details.date_of_birth)
    .bind(details.sex.map(Sex::as_str))
    .bind(&details.national_id)
    .bind(&details.phone)
    .bind(details.email.as_ref().map(Email::as_str))
    .bind(&details.address)
    .bind(details.email_consent)
    .bind(member.clinic_id)
    .bind(Uuid::now_v7())
    .bind(member.user_id)
    .bind(member.device_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::id_taken("patient"))?;
    row.view()
}

/// Edits a patient: absent fields stay, `null` clears. `email_consent: false`
/// withdraws consent; `archived` archives or restores.
pub async fn update(
    tx: &mut Tx,
    member: &Member,
    patient_id: Uuid,
    req: &UpdatePatient,
) -> ApiResult<PatientView> {
    member.require(Permission::PatientsWrite)?;
    let current = load(tx, patient_id, true).await?;
    let before = current.details()?;
    let after = req.apply_to(&before, clinic_today(tx).await?)?;
    let was_archived = current.archived_at.is_some();
    let archive = req.archived.filter(|&a| a != was_archived);
    if archive == Some(true) {
        ensure_nothing_ahead(tx, patient_id).await?;
    }
    if after == before && archive.is_none() {
        // Nothing changes: no new version for every desk to pull.
        return current.view();
    }
    // SET expressions read the row as it was, so consent keeps its original
    // time while it stands and is stamped afresh when given again.
    let row: PatientRow = sqlx::query_as(&format!(
        "UPDATE patients AS p SET full_name = $2, date_of_birth = $3, sex = $4, national_id = $5,
                phone = $6, email = $7, address = $8, email_consent = $9,
                email_consent_at = CASE WHEN NOT $9 THEN NULL
                                        WHEN p.email_consent THEN p.email_consent_at
                                        ELSE now() END,
                archived_at = CASE WHEN $10::bool IS NULL THEN p.archived_at
                                   WHEN $10 THEN now() END
         WHERE p.id = $1
         RETURNING {COLUMNS}"
    ))
    .bind(patient_id)
    .bind(&after.full_name)
    .bind(after.date_of_birth)
    .bind(after.sex.map(Sex::as_str))
    .bind(&after.national_id)
    .bind(&after.phone)
    .bind(after.email.as_ref().map(Email::as_str))
    .bind(&after.address)
    .bind(after.email_consent)
    .bind(archive)
    .fetch_one(&mut **tx)
    .await?;
    if after != before {
        db::audit(tx, member, "patient.updated", "patient", Some(patient_id)).await?;
    }
    match archive {
        Some(true) => {
            db::audit(tx, member, "patient.archived", "patient", Some(patient_id)).await?
        }
        Some(false) => {
            db::audit(tx, member, "patient.restored", "patient", Some(patient_id)).await?
        }
        None => {}
    }
    row.view()
}

/// Archives a patient: their history stays, they can no longer be booked.
/// Refused while they have upcoming appointments. Archiving an archived
/// patient changes nothing.
pub async fn archive(tx: &mut Tx, member: &Member, patient_id: Uuid) -> ApiResult<()> {
    member.require(Permission::PatientsWrite)?;
    let current = load(tx, patient_id, true).await?;
    if current.archived_at.is_none() {
        ensure_nothing_ahead(tx, patient_id).await?;
        sqlx::query("UPDATE patients SET archived_at = now() WHERE id = $1")
            .bind(patient_id)
            .execute(&mut **tx)
            .await?;
        db::audit(tx, member, "patient.archived", "patient", Some(patient_id)).await?;
    }
    Ok(())
}
