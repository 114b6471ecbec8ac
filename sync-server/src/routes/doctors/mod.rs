//! The clinic's doctors: who they are, which staff account signs in as each,
//! and archiving. Their week and time off live in `hours` and `time_off`.

mod hours;
mod time_off;

use super::keyset;
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use clinic_core::api::doctors::{DoctorFilter, DoctorView, NewDoctor, UpdateDoctor};
use clinic_core::api::{Page, PageQuery};
use clinic_core::{ErrorBody, ErrorCode, Permission, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_doctors, create_doctor))
        .routes(routes!(get_doctor, update_doctor, archive_doctor))
        .merge(hours::router())
        .merge(time_off::router())
}

pub(crate) use crate::domain::schedule::ensure_doctor;
use crate::domain::schedule::{Archived, ensure_no_upcoming};

/// `/v1/clinics/{clinic_id}/doctors/{doctor_id}/...`; the clinic is the `Member`'s.
#[derive(Debug, serde::Deserialize)]
struct DoctorPath {
    doctor_id: Uuid,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DoctorRow {
    id: Uuid,
    full_name: String,
    /// The list's sort key, as the database lower-cases it.
    sort_name: String,
    specialties: Vec<String>,
    user_id: Option<Uuid>,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
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
async fn load_doctor(tx: &mut Tx, member: &Member, id: Uuid, lock: bool) -> ApiResult<DoctorRow> {
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

/// `%`, `_` and `\` typed by a person are letters, not wildcards.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Lists the clinic's doctors by name.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/doctors", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PageQuery, DoctorFilter),
    responses(
        (status = 200, body = Page<DoctorView>),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, description = "Bad limit, cursor or filter", body = ErrorBody),
    )
)]
async fn list_doctors(
    State(state): State<AppState>,
    member: Member,
    Query(page): Query<PageQuery>,
    Query(filter): Query<DoctorFilter>,
) -> ApiResult<Json<Page<DoctorView>>> {
    member.require(Permission::DoctorsRead)?;
    let limit = page.limit()?;
    let search = filter.parse()?;
    let after: Option<(String, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let (after_name, after_id) = after.unzip();
    let mut tx = member.begin(&state).await?;
    let rows: Vec<DoctorRow> = sqlx::query_as(&format!(
        "SELECT {DOCTOR_COLUMNS} FROM doctors
         WHERE clinic_id = $1 AND active = $2
           AND ($3::text IS NULL
                OR EXISTS (SELECT 1 FROM unnest(specialties) s WHERE lower(s) = lower($3)))
           AND ($4::text IS NULL OR full_name ILIKE $4 ESCAPE '\\')
           AND ($5::text IS NULL OR (lower(full_name), id) > ($5, $6))
         ORDER BY lower(full_name), id
         LIMIT $7"
    ))
    .bind(member.clinic_id)
    .bind(search.active)
    .bind(search.specialty)
    .bind(search.name_contains.as_deref().map(like_pattern))
    .bind(after_name)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(keyset::page(
        rows,
        limit,
        |r| (r.sort_name.clone(), r.id),
        |r| Ok(DoctorView::from(r)),
    )?))
}

/// Adds a doctor, optionally linked to the staff member who signs in as them.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/doctors", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)), request_body = NewDoctor,
    responses(
        (status = 201, body = DoctorView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 409, description = "The staff member already signs in as another doctor", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn create_doctor(
    State(state): State<AppState>,
    member: Member,
    Json(req): Json<NewDoctor>,
) -> ApiResult<(StatusCode, Json<DoctorView>)> {
    member.require(Permission::DoctorsManage)?;
    let draft = req.parse()?;
    let mut tx = member.begin(&state).await?;
    if let Some(user_id) = draft.user_id {
        check_doctor_account(&mut tx, &member, user_id, None).await?;
    }
    let id = Uuid::now_v7();
    let row: DoctorRow = sqlx::query_as(&format!(
        "INSERT INTO doctors (clinic_id, id, full_name, specialties, user_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING {DOCTOR_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(id)
    .bind(&draft.full_name)
    .bind(&draft.specialties)
    .bind(draft.user_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_account_conflict)?;
    db::audit(&mut tx, &member, "doctor.created", "doctor", Some(id)).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// One doctor, archived or not.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)),
    responses(
        (status = 200, body = DoctorView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
async fn get_doctor(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
) -> ApiResult<Json<DoctorView>> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsRead)?;
    let mut tx = member.begin(&state).await?;
    let row = load_doctor(&mut tx, &member, doctor_id, false).await?;
    tx.commit().await?;
    Ok(Json(row.into()))
}

/// Changes a doctor. Absent fields stay; `"user_id": null` unlinks the staff
/// account; `"active": false` archives (409 while appointments are upcoming)
/// and `"active": true` brings an archived doctor back.
#[utoipa::path(
    patch, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)), request_body = UpdateDoctor,
    responses(
        (status = 200, body = DoctorView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Account already linked, or upcoming appointments block archiving", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn update_doctor(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
    Json(req): Json<UpdateDoctor>,
) -> ApiResult<Json<DoctorView>> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsManage)?;
    crate::routes::require_changes(&req)?;
    let changes = req.parse()?;
    let mut tx = member.begin(&state).await?;
    let current = load_doctor(&mut tx, &member, doctor_id, true).await?;

    let full_name = changes
        .full_name
        .unwrap_or_else(|| current.full_name.clone());
    let specialties = changes
        .specialties
        .unwrap_or_else(|| current.specialties.clone());
    let user_id = changes.user_id.unwrap_or(current.user_id);
    let active = changes.active.unwrap_or(current.active);
    if let Some(account) = user_id.filter(|u| Some(*u) != current.user_id) {
        check_doctor_account(&mut tx, &member, account, Some(doctor_id)).await?;
    }
    let archiving = current.active && !active;
    if archiving {
        ensure_no_upcoming(&mut tx, &member, Archived::Doctor(doctor_id)).await?;
    }
    let edited = full_name != current.full_name
        || specialties != current.specialties
        || user_id != current.user_id
        || (active && !current.active);
    if !edited && !archiving {
        // Nothing to write: no new sync version, no audit entry.
        tx.commit().await?;
        return Ok(Json(current.into()));
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
    .fetch_one(&mut *tx)
    .await
    .map_err(map_account_conflict)?;
    if edited {
        db::audit(
            &mut tx,
            &member,
            "doctor.updated",
            "doctor",
            Some(doctor_id),
        )
        .await?;
    }
    if archiving {
        db::audit(
            &mut tx,
            &member,
            "doctor.archived",
            "doctor",
            Some(doctor_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Json(row.into()))
}

/// Archives a doctor: kept with their history, no longer listed as active
/// or bookable. Refused while they have upcoming appointments. Archiving an
/// archived doctor changes nothing.
#[utoipa::path(
    delete, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Archived"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The doctor has upcoming appointments", body = ErrorBody),
    )
)]
async fn archive_doctor(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
) -> ApiResult<StatusCode> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsManage)?;
    let mut tx = member.begin(&state).await?;
    let current = load_doctor(&mut tx, &member, doctor_id, true).await?;
    if current.active {
        ensure_no_upcoming(&mut tx, &member, Archived::Doctor(doctor_id)).await?;
        sqlx::query("UPDATE doctors SET active = false WHERE clinic_id = $1 AND id = $2")
            .bind(member.clinic_id)
            .bind(doctor_id)
            .execute(&mut *tx)
            .await?;
        db::audit(
            &mut tx,
            &member,
            "doctor.archived",
            "doctor",
            Some(doctor_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn wildcards_typed_in_a_search_are_literal() {
        assert_eq!(like_pattern("ana"), "%ana%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
