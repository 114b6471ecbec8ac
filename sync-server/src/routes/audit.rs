//! Reading the clinic's audit log. Entries are written by every area through
//! `db::audit`, in the transaction of the change (or read) they record.

use super::keyset;
use crate::auth::Member;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::api::audit::{AuditEntry, AuditFilter};
use clinic_core::api::{Page, PageQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

type ErrorBody = clinic_core::ErrorBody;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    device_id: Option<Uuid>,
    action: String,
    entity: String,
    entity_id: Option<Uuid>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            device_id: r.device_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
        }
    }
}

/// The audit log, newest first, optionally narrowed to one kind of record,
/// one record, or one person's actions.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/audit", tag = "audit", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PageQuery, AuditFilter),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn list_audit(
    State(state): State<AppState>,
    member: Member,
    Query(page): Query<PageQuery>,
    Query(filter): Query<AuditFilter>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    member.require(Permission::AuditRead)?;
    let limit = page.limit()?;
    let criteria = filter.parse()?;
    let before: Option<(DateTime<Utc>, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let (before_at, before_id) = before.unzip();
    let mut tx = member.begin(&state).await?;
    // users carry no clinic, so the join shows the actor's name even after
    // they have left the clinic.
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT a.id, a.at, a.actor_id, u.full_name AS actor_name, a.device_id,
                a.action, a.entity, a.entity_id
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.clinic_id = $1
           AND ($2::text IS NULL OR a.entity = $2)
           AND ($3::uuid IS NULL OR a.entity_id = $3)
           AND ($4::uuid IS NULL OR a.actor_id = $4)
           AND ($5::timestamptz IS NULL OR (a.at, a.id) < ($5, $6))
         ORDER BY a.at DESC, a.id DESC
         LIMIT $7",
    )
    .bind(member.clinic_id)
    .bind(criteria.entity)
    .bind(criteria.entity_id)
    .bind(criteria.actor_id)
    .bind(before_at)
    .bind(before_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    keyset::page(rows, limit, |r| (r.at, r.id), |r| Ok(AuditEntry::from(r))).map(Json)
}
