//! Clinical notes: for doctors only, and only on the patients they may read.
//! Reception and admins, who read patients' identities, never get here
//! (see the role table in `clinic_core::role`).

use super::{PatientPath, reach};
use crate::auth::Member;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::routes::keyset;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::api::patients::{ClinicalNoteView, NewClinicalNote};
use clinic_core::api::{Page, PageQuery};
use uuid::Uuid;

type ErrorBody = clinic_core::ErrorBody;

pub(crate) use crate::domain::notes::NoteRow;
use crate::domain::notes::{self, SELECT};

/// A patient's clinical notes, newest first. Audited.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/patients/{patient_id}/notes", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("patient_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = Page<ClinicalNoteView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a clinician (reception, admin, worker)", body = ErrorBody),
        (status = 404, description = "No such patient the member may read", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn list_notes(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<PatientPath>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<Page<ClinicalNoteView>>> {
    let patient_id = path.patient_id;
    member.require(Permission::ClinicalNotesRead)?;
    let limit = page.limit()?;
    let before: Option<(DateTime<Utc>, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let mut tx = member.begin(&state).await?;
    let reach = reach::patients(&mut tx, &member).await?;
    reach::ensure_patient_visible(&mut tx, reach, patient_id).await?;
    let rows: Vec<NoteRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE n.patient_id = $1
              AND ($2::timestamptz IS NULL OR (n.created_at, n.id) < ($2, $3))
         ORDER BY n.created_at DESC, n.id DESC
         LIMIT $4"
    ))
    .bind(patient_id)
    .bind(before.map(|(t, _)| t))
    .bind(before.map(|(_, id)| id))
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    db::audit(
        &mut tx,
        &member,
        "clinical_notes.read",
        "patient",
        Some(patient_id),
    )
    .await?;
    tx.commit().await?;
    keyset::page(rows, limit, |r| (r.created_at, r.id), |r| Ok(r.into())).map(Json)
}

/// Adds a clinical note to a patient's file, signed by the caller.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/patients/{patient_id}/notes", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("patient_id" = Uuid, Path)),
    request_body = NewClinicalNote,
    responses(
        (status = 201, body = ClinicalNoteView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a clinician (reception, admin, worker)", body = ErrorBody),
        (status = 404, description = "No such patient the member may read", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn write_note(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<PatientPath>,
    Json(req): Json<NewClinicalNote>,
) -> ApiResult<(StatusCode, Json<ClinicalNoteView>)> {
    let mut tx = member.begin(&state).await?;
    let note = notes::write(&mut tx, &member, path.patient_id, Uuid::now_v7(), &req).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(note)))
}
