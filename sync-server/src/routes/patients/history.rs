//! A patient's appointment history.

use super::{ErrorBody, PatientPath, reach};
use crate::auth::Member;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::routes::appointments::{self, AppointmentRow};
use crate::routes::keyset;
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::api::appointments::AppointmentView;
use clinic_core::api::{Page, PageQuery};
use reach::Reach;
use uuid::Uuid;

/// A patient's appointments, newest first. A doctor sees only their own
/// appointments, and only of patients booked with them. Audited.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/patients/{patient_id}/appointments", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("patient_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = Page<AppointmentView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn patient_appointments(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<PatientPath>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<Page<AppointmentView>>> {
    let patient_id = path.patient_id;
    member.require_any(&[Permission::PatientsReadAll, Permission::PatientsReadOwn])?;
    member.require_any(&[
        Permission::AppointmentsReadAll,
        Permission::AppointmentsReadOwn,
    ])?;
    let limit = page.limit()?;
    let before: Option<(DateTime<Utc>, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let mut tx = member.begin(&state).await?;
    let patients = reach::patients(&mut tx, &member).await?;
    reach::ensure_patient_visible(&mut tx, patients, patient_id).await?;
    let agenda: Reach = reach::appointments(&mut tx, &member).await?;
    let rows: Vec<AppointmentRow> = sqlx::query_as(&format!(
        "{} WHERE a.patient_id = $1 AND ($2 OR a.doctor_id = $3)
              AND ($4::timestamptz IS NULL OR (a.starts_at, a.id) < ($4, $5))
         ORDER BY a.starts_at DESC, a.id DESC
         LIMIT $6",
        appointments::SELECT
    ))
    .bind(patient_id)
    .bind(agenda.whole_clinic())
    .bind(agenda.doctor())
    .bind(before.map(|(t, _)| t))
    .bind(before.map(|(_, id)| id))
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    db::audit(
        &mut tx,
        &member,
        "patient.history_read",
        "patient",
        Some(patient_id),
    )
    .await?;
    tx.commit().await?;
    keyset::page(rows, limit, |r| (r.starts_at, r.id), AppointmentRow::view).map(Json)
}
