//! `GET /sync/pull`: the rows that changed after the desk's cursor, in
//! version order, filtered to what the member may read.
//!
//! - [`tables`]: one declaration per synced table (where its rows live, who
//!   sees which, what the first sync sends, how a row is encoded);
//! - `rows`: reading any declared table;
//! - `scope`: which tables and rows a member reads;
//! - `paging`: a page of changes after the cursor, with the rows that ride
//!   along with a doctor's appointments;
//! - `priority`: the first sync's priority page and its stages.

mod paging;
mod priority;
mod rows;
mod scope;
pub mod tables;

use crate::auth::Member;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;
use axum::extract::State;
use clinic_core::sync::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, PullPage, PullQuery};
use clinic_core::{ErrorBody, Permission};
use scope::Scope;

/// Changes after `cursor`, oldest first, a page at a time.
///
/// Permission: any member of the clinic (`clinic_read`); what comes down
/// follows the role table as the REST API does. Admins and reception get
/// the clinic, doctors, hours, time off, rooms, patients and appointments
/// (never clinical notes); a doctor gets the clinic, doctors, hours, time
/// off and rooms, their own appointments, the patients with an appointment
/// with them and those patients' clinical notes; a worker gets the clinic
/// only. A changed row the member may not read comes down as a `delete`
/// (so an appointment moved to another doctor leaves the first doctor's
/// desk). With a doctor's appointment comes its patient's row (and notes),
/// so a patient newly booked with them arrives with the booking; those
/// ride along beyond `limit` at the appointment's version.
///
/// `priority=true` (first sync) answers the clinic, doctors, hours, time
/// off, rooms and the agenda from a day back to four weeks ahead with its
/// patients, whatever their versions, with `cursor` 0 and `has_more` true:
/// the full pull from 0 follows. With `stage=today` it answers only the
/// settings and the appointments overlapping the clinic's today (a page
/// small enough to show today's agenda within a second of signing in);
/// `stage=ahead` then answers the rest of that agenda. Answers are
/// gzip-compressed when the desk accepts it.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/sync/pull", tag = "sync", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PullQuery),
    responses(
        (status = 200, body = PullPage),
        (status = 400, description = "Unreadable query string", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, description = "`cursor` below 0, `limit` outside 1 to 20000, or `stage` without `priority`", body = ErrorBody),
    )
)]
#[tracing::instrument(
    name = "sync_pull",
    skip_all,
    fields(
        clinic = %member.clinic_id,
        device = %member.device_id,
        priority = query.priority,
        stage = ?query.stage,
        cursor = tracing::field::Empty,
        limit = tracing::field::Empty,
    )
)]
pub async fn pull(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<PullQuery>,
) -> ApiResult<Json<PullPage>> {
    member.require(Permission::ClinicRead)?;
    let cursor = query.cursor.unwrap_or(0);
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    tracing::Span::current()
        .record("cursor", cursor)
        .record("limit", limit);
    if cursor < 0 {
        return Err(ApiError::invalid("cursor", "is never below 0"));
    }
    if !(1..=MAX_PULL_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PULL_LIMIT}"),
        ));
    }
    if query.stage.is_some() && !query.priority {
        return Err(ApiError::invalid(
            "stage",
            "applies only to a priority pull (priority=true)",
        ));
    }
    let mut tx = db::begin_clinic_snapshot(&state.pool, member.clinic_id).await?;
    let scope = Scope::of(&mut tx, &member).await?;
    let page = if query.priority {
        priority::priority_page(&mut tx, member.clinic_id, &scope, query.stage).await?
    } else {
        paging::page(&mut tx, member.clinic_id, &scope, cursor, limit).await?
    };
    tx.commit().await?;
    tracing::info!(
        changes = page.changes.len(),
        next = page.cursor,
        has_more = page.has_more,
        "pulled"
    );
    Ok(Json(page))
}
