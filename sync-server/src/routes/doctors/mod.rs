//! The clinic's doctors: who they are, which staff account signs in as each,
//! and archiving. Their week and time off live in `hours` and `time_off`.

mod hours;
mod time_off;

use super::keyset;
use crate::auth::Member;
use crate::domain::doctors::{self, load_doctor};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use clinic_core::api::doctors::{DoctorFilter, DoctorView, NewDoctor, UpdateDoctor};
use clinic_core::api::{Page, PageQuery};
use clinic_core::{ErrorBody, Permission};
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

pub(crate) use crate::domain::doctors::{DOCTOR_COLUMNS, DoctorRow};
pub(crate) use crate::domain::schedule::ensure_doctor;

/// `/v1/clinics/{clinic_id}/doctors/{doctor_id}/...`; the clinic is the `Member`'s.
#[derive(Debug, serde::Deserialize)]
struct DoctorPath {
    doctor_id: Uuid,
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
    let mut tx = member.begin(&state).await?;
    let doctor = doctors::create(&mut tx, &member, Uuid::now_v7(), &req).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(doctor)))
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
    crate::routes::require_changes(&req)?;
    let mut tx = member.begin(&state).await?;
    let doctor = doctors::update(&mut tx, &member, path.doctor_id, &req).await?;
    tx.commit().await?;
    Ok(Json(doctor))
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
    let mut tx = member.begin(&state).await?;
    doctors::archive(&mut tx, &member, path.doctor_id).await?;
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
