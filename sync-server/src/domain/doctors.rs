//! Adding, changing and archiving doctors, and which staff account signs in
//! as each. Their week and time off are `schedule`'s.

use super::schedule::{Bookable, audit_change, ensure_no_upcoming};
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use clinic_core::api::doctors::{DoctorView, NewDoctor, UpdateDoctor};
use clinic_core::{ErrorCode, Permission, Role};
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DoctorRow {
    pub id: Uuid,
    pub full_name: String,
    /// The list's sort key, as the database lower-cases it.
    pub sort_name: String,
    pub specialties: Vec<String>,
    pub user_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const DOCTOR_COLUMNS: &str = "id, full_name, lower(full_name) AS sort_name, specialties, user_id, \
                              active, created_at, updated_at";

impl From<DoctorRow> for DoctorView {
    fn from(r: DoctorRow) -> Self {
        DoctorView {
            id: r.id,
            full_name: r.full_name,
            specialties: r.specialties,
            user_id: r.user_id,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The doctor `id` of this clinic, locked against concurrent changes
/// (and against bookings, which take a key-share lock on it) when `lock`.
pub(crate) async fn load_doctor(
    tx: &mut Tx,
    member: &Member,
    id: Uuid,
    lock: bool,
) -> ApiResult<DoctorRow> {
    let sql = format!(
        "SELECT {DOCTOR_COLUMNS} FROM doctors WHERE clinic_id = $1 AND id = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as(&sql)
        .bind(member.clinic_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ApiError::not_found("doctor"))
}

/// `user_id` may sign in as a doctor only if they are a member of this
/// clinic with the doctor role and not already some other doctor.
async fn check_doctor_account(
    tx: &mut Tx,
    member: &Member,
    user_id: Uuid,
    doctor_id: Option<Uuid>,
) -> ApiResult<()> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE clinic_id = $1 AND user_id = $2")
            .bind(member.clinic_id)
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    if role.as_deref() != Some(Role::Doctor.as_str()) {
        return Err(ApiError::invalid(
            "user_id",
            "is not a member of this clinic with the doctor role",
        ));
    }
    let taken: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM doctors WHERE clinic_id = $1 AND user_id = $2 AND id IS DISTINCT FROM $3",
    )
    .bind(member.clinic_id)
    .bind(user_id)
    .bind(doctor_id)
    .fetch_optional(&mut **tx)
    .await?;
    if taken.is_some() {
        return Err(account_taken());
    }
    Ok(())
}

fn account_taken() -> ApiError {
    ApiError {
        field: Some("user_id".into()),
        ..ApiError::new(
            ErrorCode::Conflict,
            "this staff member already signs in as another doctor",
        )
    }
}

/// The unique index on (clinic, user) settles a race the check above lost.
fn map_account_conflict(e: sqlx::Error) -> ApiError {
    match ApiError::from(e) {
        err if err.code == ErrorCode::Conflict => account_taken(),
        err => err,
    }
}

/// Adds a doctor as `id`, optionally linked to the staff member who signs
/// in as them.
pub async fn create(
    tx: &mut Tx,
    member: &Member,
    id: Uuid,
    req: &NewDoctor,
) -> ApiResult<DoctorView> {
    member.require(Permission::DoctorsManage)?;
    let draft = req.parse()?;
    if let Some(user_id) = draft.user_id {
        check_doctor_account(tx, member, user_id, None).await?;
    }
    let row: DoctorRow = sqlx::query_as(&format!(
        "INSERT INTO doctors (clinic_id, id, full_name, specialties, user_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING {DOCTOR_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(id)
    .bind(&draft.full_name)
    .bind(&draft.specialties)
    .bind(draft.user_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_account_conflict)?;
    db::audit(tx, member, "doctor.created", "doctor", Some(id)).await?;
    Ok(row.into())
}

/// Changes a doctor. Absent fields stay; a `user_id` of `null` unlinks the
/// staff account; `active: false` archives (refused while appointments are
/// upcoming) and `active: true` brings an archived doctor back.
pub async fn update(
    tx: &mut Tx,
    member: &Member,
    doctor_id: Uuid,
    req: &UpdateDoctor,
) -> ApiResult<DoctorView> {
    member.require(Permission::DoctorsManage)?;
    let changes = req.parse()?;
    let current = load_doctor(tx, member, doctor_id, true).await?;

    let full_name = changes
        .full_name
        .unwrap_or_else(|| current.full_name.clone());
    let specialties = changes
        .specialties
        .unwrap_or_else(|| current.specialties.clone());
    let user_id = changes.user_id.unwrap_or(current.user_id);
    let active = changes.active.unwrap_or(current.active);
    if let Some(account) = user_id.filter(|u| Some(*u) != current.user_id) {
        check_doctor_account(tx, member, account, Some(doctor_id)).await?;
    }
    let archiving = current.active && !active;
    if archiving {
        ensure_no_upcoming(tx, member, Bookable::Doctor(doctor_id)).await?;
    }
    let edited = full_name != current.full_name
        || specialties != current.specialties
        || user_id != current.user_id
        || (active && !current.active);
    if !edited && !archiving {
        // Nothing to write: no new sync version, no audit entry.
        return Ok(current.into());
    }

    let row: DoctorRow = sqlx::query_as(&format!(
        "UPDATE doctors SET full_name = $3, specialties = $4, user_id = $5, active = $6
         WHERE clinic_id = $1 AND id = $2 RETURNING {DOCTOR_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(&full_name)
    .bind(&specialties)
    .bind(user_id)
    .bind(active)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_account_conflict)?;
    audit_change(tx, member, Bookable::Doctor(doctor_id), edited, archiving).await?;
    Ok(row.into())
}

/// Archives a doctor: kept with their history, no longer listed as active
/// or bookable. Refused while they have upcoming appointments; archiving an
/// archived doctor changes nothing.
///
/// It is the update that sets `active: false`, so the two cannot differ.
pub async fn archive(tx: &mut Tx, member: &Member, doctor_id: Uuid) -> ApiResult<()> {
    let archive = UpdateDoctor {
        active: Some(false),
        ..UpdateDoctor::default()
    };
    update(tx, member, doctor_id, &archive).await?;
    Ok(())
}
