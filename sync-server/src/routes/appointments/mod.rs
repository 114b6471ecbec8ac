//! Appointments: the agenda, booking and moving ([`booking`]), and the day's
//! progress — check-in, no-show, complete, cancel ([`progress`]).
//!
//! Reception and admins read and change the whole agenda; a doctor reads
//! their own and moves their own appointments through the day, but neither
//! books, moves nor cancels. The database's exclusion constraints are the
//! last word on double booking (doctor and room), so two desks racing for
//! one slot cannot both win.

pub mod booking;
pub mod progress;

use crate::auth::Member;
use crate::db::Tx;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::routes::keyset;
use crate::routes::patients::reach::{self, Reach};
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::api::appointments::{AppointmentFilter, AppointmentView};
use clinic_core::api::{Page, PageQuery};
use clinic_core::schedule::AppointmentStatus;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_appointments, booking::book))
        .routes(routes!(get_appointment, booking::reschedule))
        .routes(routes!(progress::cancel))
        .routes(routes!(progress::check_in))
        .routes(routes!(progress::no_show))
        .routes(routes!(progress::complete))
}

type ErrorBody = clinic_core::ErrorBody;

/// `/v1/clinics/{clinic_id}/appointments/{appointment_id}/...`; the clinic
/// is the `Member` extractor's business.
#[derive(Debug, serde::Deserialize)]
pub struct AppointmentPath {
    pub appointment_id: Uuid,
}

/// An appointment with the names a desk shows beside it. Append `WHERE ...`.
pub(crate) const SELECT: &str =
    "SELECT a.id, a.doctor_id, d.full_name AS doctor_name, a.patient_id,
            p.full_name AS patient_name, a.room_id, r.name AS room_name, a.starts_at, a.ends_at,
            a.status, a.reason, a.cancel_reason, a.created_by, a.created_at, a.updated_at
     FROM appointments a
     JOIN doctors d ON d.clinic_id = a.clinic_id AND d.id = a.doctor_id
     JOIN patients p ON p.clinic_id = a.clinic_id AND p.id = a.patient_id
     LEFT JOIN rooms r ON r.clinic_id = a.clinic_id AND r.id = a.room_id";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AppointmentRow {
    pub id: Uuid,
    pub doctor_id: Uuid,
    pub doctor_name: String,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub room_id: Option<Uuid>,
    pub room_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AppointmentRow {
    pub fn status(&self) -> ApiResult<AppointmentStatus> {
        AppointmentStatus::parse(&self.status).map_err(ApiError::internal)
    }

    pub fn view(self) -> ApiResult<AppointmentView> {
        Ok(AppointmentView {
            status: self.status()?,
            id: self.id,
            doctor_id: self.doctor_id,
            doctor_name: self.doctor_name,
            patient_id: self.patient_id,
            patient_name: self.patient_name,
            room_id: self.room_id,
            room_name: self.room_name,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            reason: self.reason,
            cancel_reason: self.cancel_reason,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// One appointment within `reach`, optionally locked for a change.
pub(crate) async fn load(
    tx: &mut Tx,
    reach: Reach,
    id: Uuid,
    for_update: bool,
) -> ApiResult<AppointmentRow> {
    let lock = if for_update { "FOR UPDATE OF a" } else { "" };
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.id = $1 AND ($2 OR a.doctor_id = $3) {lock}"
    ))
    .bind(id)
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("appointment"))
}

/// The agenda: appointments overlapping `[from, to)`, ordered by start.
/// A doctor sees only their own.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/appointments", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), AppointmentFilter, PageQuery),
    responses(
        (status = 200, body = Page<AppointmentView>),
        (status = 400, description = "Unreadable query string", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn list_appointments(
    State(state): State<AppState>,
    member: Member,
    Query(filter): Query<AppointmentFilter>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<Page<AppointmentView>>> {
    member.require_any(&[
        Permission::AppointmentsReadAll,
        Permission::AppointmentsReadOwn,
    ])?;
    let q = filter.parse()?;
    let limit = page.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let statuses: Option<Vec<&str>> = q
        .statuses
        .as_ref()
        .map(|s| s.iter().map(|s| s.as_str()).collect());
    let mut tx = member.begin(&state).await?;
    let reach = reach::appointments(&mut tx, &member).await?;
    let rows: Vec<AppointmentRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE ($1 OR a.doctor_id = $2)
              AND ($3::timestamptz IS NULL OR a.ends_at > $3)
              AND ($4::timestamptz IS NULL OR a.starts_at < $4)
              AND ($5::uuid IS NULL OR a.doctor_id = $5)
              AND ($6::uuid IS NULL OR a.room_id = $6)
              AND ($7::uuid IS NULL OR a.patient_id = $7)
              AND ($8::text[] IS NULL OR a.status = ANY ($8))
              AND ($9::timestamptz IS NULL OR (a.starts_at, a.id) > ($9, $10))
         ORDER BY a.starts_at, a.id
         LIMIT $11"
    ))
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .bind(q.from)
    .bind(q.to)
    .bind(q.doctor_id)
    .bind(q.room_id)
    .bind(q.patient_id)
    .bind(statuses)
    .bind(after.map(|(t, _)| t))
    .bind(after.map(|(_, id)| id))
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    keyset::page(rows, limit, |r| (r.starts_at, r.id), AppointmentRow::view).map(Json)
}

/// One appointment.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/appointments/{appointment_id}", tag = "appointments", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("appointment_id" = Uuid, Path)),
    responses(
        (status = 200, body = AppointmentView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such appointment the member may read", body = ErrorBody),
    )
)]
async fn get_appointment(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<AppointmentPath>,
) -> ApiResult<Json<AppointmentView>> {
    let appointment_id = path.appointment_id;
    member.require_any(&[
        Permission::AppointmentsReadAll,
        Permission::AppointmentsReadOwn,
    ])?;
    let mut tx = member.begin(&state).await?;
    let reach = reach::appointments(&mut tx, &member).await?;
    let row = load(&mut tx, reach, appointment_id, false).await?;
    tx.commit().await?;
    Ok(Json(row.view()?))
}
