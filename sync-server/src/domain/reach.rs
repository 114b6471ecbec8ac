//! How far a member's reading reaches: the whole clinic, or (for a doctor)
//! only their own agenda and the patients booked with them. Shared by the
//! patient, note and appointment endpoints so the rule is written once.

use crate::auth::Member;
use crate::db::Tx;
use crate::error::{ApiError, ApiResult};
use chrono_tz::Tz;
use clinic_core::Permission;
use clinic_core::clinic::parse_time_zone;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every row of the clinic.
    Clinic,
    /// Rows of the doctor linked to the member; `None` when the member is
    /// linked to no doctor, which reaches nothing.
    Doctor(Option<Uuid>),
}

impl Reach {
    /// Bind as `$n::bool` in `($n OR a.doctor_id = $m)`.
    pub fn whole_clinic(self) -> bool {
        self == Reach::Clinic
    }

    /// Bind as `$m::uuid` in `($n OR a.doctor_id = $m)`; NULL matches nothing.
    pub fn doctor(self) -> Option<Uuid> {
        match self {
            Reach::Clinic => None,
            Reach::Doctor(d) => d,
        }
    }
}

/// The doctor this member signs in as, if any.
pub async fn own_doctor(tx: &mut Tx, member: &Member) -> ApiResult<Option<Uuid>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM doctors WHERE user_id = $1")
            .bind(member.user_id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

async fn reach(tx: &mut Tx, member: &Member, all: Permission, own: Permission) -> ApiResult<Reach> {
    if member.can(all) {
        Ok(Reach::Clinic)
    } else if member.can(own) {
        Ok(Reach::Doctor(own_doctor(tx, member).await?))
    } else {
        Err(ApiError::not_permitted())
    }
}

/// Which patients the member may read.
pub async fn patients(tx: &mut Tx, member: &Member) -> ApiResult<Reach> {
    reach(
        tx,
        member,
        Permission::PatientsReadAll,
        Permission::PatientsReadOwn,
    )
    .await
}

/// Which appointments the member may read.
pub async fn appointments(tx: &mut Tx, member: &Member) -> ApiResult<Reach> {
    reach(
        tx,
        member,
        Permission::AppointmentsReadAll,
        Permission::AppointmentsReadOwn,
    )
    .await
}

/// Fails with 404 unless the patient exists in this clinic and lies within
/// `reach` (see [`patient_within`]).
pub async fn ensure_patient_visible(tx: &mut Tx, reach: Reach, patient_id: Uuid) -> ApiResult<()> {
    let visible: bool = sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM patients p WHERE p.id = $1 AND {})",
        patient_within("p.id", "p.clinic_id", "$2", "$3")
    ))
    .bind(patient_id)
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .fetch_one(&mut **tx)
    .await?;
    if visible {
        Ok(())
    } else {
        Err(ApiError::not_found("patient"))
    }
}

/// SQL that is true when the patient whose id is `patient` (a column of a
/// row of the clinic in `clinic`) lies within the reach bound as `whole`
/// ([`Reach::whole_clinic`]) and `doctor` ([`Reach::doctor`]): a doctor
/// reaches the patients with at least one appointment (of any status) with
/// them.
pub(crate) fn patient_within(patient: &str, clinic: &str, whole: &str, doctor: &str) -> String {
    format!(
        "({whole} OR EXISTS (SELECT 1 FROM appointments x
                             WHERE x.clinic_id = {clinic} AND x.patient_id = {patient}
                               AND x.doctor_id = {doctor}))"
    )
}

/// The clinic's IANA time zone, in which working hours and dates are read.
pub async fn clinic_zone(tx: &mut Tx) -> ApiResult<Tz> {
    let name: String =
        sqlx::query_scalar("SELECT time_zone FROM clinics WHERE id = app_clinic_id()")
            .fetch_one(&mut **tx)
            .await?;
    parse_time_zone(&name).map_err(ApiError::internal)
}
