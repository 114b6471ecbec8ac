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
use crate::domain::reach;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::routes::keyset;
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::api::appointments::{AppointmentFilter, AppointmentView};
use clinic_core::api::{Page, PageQuery};
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

pub(crate) use crate::domain::appointments::{AppointmentRow, SELECT, load};

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
