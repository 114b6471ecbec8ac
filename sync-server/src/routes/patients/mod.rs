//! Patients: find, register, read, edit and archive them, and read their
//! appointment history. Identity only: clinical notes live in [`notes`].
//!
//! Reception and admins reach every patient; a doctor reaches the patients
//! who have at least one appointment with them. Every read of a patient is
//! audited, as is every change.

pub mod history;
pub mod notes;
pub mod search;

use crate::auth::Member;
use crate::db;
use crate::domain::patients;
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use clinic_core::Permission;
use clinic_core::api::patients::{NewPatient, PatientView, UpdatePatient};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search::list_patients, register_patient))
        .routes(routes!(get_patient, update_patient, archive_patient))
        .routes(routes!(history::patient_appointments))
        .routes(routes!(notes::list_notes, notes::write_note))
}

type ErrorBody = clinic_core::ErrorBody;

/// `/v1/clinics/{clinic_id}/patients/{patient_id}/...`; the clinic is the
/// `Member` extractor's business.
#[derive(Debug, serde::Deserialize)]
pub struct PatientPath {
    pub patient_id: Uuid,
}

pub(crate) use crate::domain::patients::{COLUMNS, PatientRow};
pub(crate) use crate::domain::reach;

/// Registers a patient.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/patients", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    request_body = NewPatient,
    responses(
        (status = 201, body = PatientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn register_patient(
    State(state): State<AppState>,
    member: Member,
    Json(req): Json<NewPatient>,
) -> ApiResult<(StatusCode, Json<PatientView>)> {
    let mut tx = member.begin(&state).await?;
    let view = patients::register(&mut tx, &member, Uuid::now_v7(), &req).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One patient's identity and contact details (nothing clinical). Audited.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/patients/{patient_id}", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("patient_id" = Uuid, Path)),
    responses(
        (status = 200, body = PatientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such patient the member may read", body = ErrorBody),
    )
)]
async fn get_patient(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<PatientPath>,
) -> ApiResult<Json<PatientView>> {
    let patient_id = path.patient_id;
    member.require_any(&[Permission::PatientsReadAll, Permission::PatientsReadOwn])?;
    let mut tx = member.begin(&state).await?;
    let reach = reach::patients(&mut tx, &member).await?;
    reach::ensure_patient_visible(&mut tx, reach, patient_id).await?;
    let row = patients::load(&mut tx, patient_id, false).await?;
    db::audit(
        &mut tx,
        &member,
        "patient.read",
        "patient",
        Some(patient_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(row.view()?))
}

/// Edits a patient: absent fields stay, `null` clears. `email_consent: false`
/// withdraws consent; `archived` archives or restores.
#[utoipa::path(
    patch, path = "/v1/clinics/{clinic_id}/patients/{patient_id}", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("patient_id" = Uuid, Path)),
    request_body = UpdatePatient,
    responses(
        (status = 200, body = PatientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Archiving a patient with upcoming appointments", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn update_patient(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<PatientPath>,
    Json(req): Json<UpdatePatient>,
) -> ApiResult<Json<PatientView>> {
    crate::routes::require_changes(&req)?;
    let mut tx = member.begin(&state).await?;
    let view = patients::update(&mut tx, &member, path.patient_id, &req).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Archives a patient: their history stays, they can no longer be booked.
/// Refused while they have upcoming appointments. Archiving an archived
/// patient changes nothing.
#[utoipa::path(
    delete, path = "/v1/clinics/{clinic_id}/patients/{patient_id}", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("patient_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Archived"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The patient has upcoming appointments", body = ErrorBody),
    )
)]
async fn archive_patient(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<PatientPath>,
) -> ApiResult<StatusCode> {
    let mut tx = member.begin(&state).await?;
    patients::archive(&mut tx, &member, path.patient_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
