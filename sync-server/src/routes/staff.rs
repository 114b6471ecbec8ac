//! The clinic's members: listing them, changing their role, removing them.
//!
//! Two rules hold whatever the order of concurrent requests: the clinic keeps
//! at least one admin, and only the owner may demote or remove themselves.

use super::keyset;
use crate::auth::Member;
use crate::domain::staff::{self, STAFF_COLUMNS, StaffRow};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use clinic_core::api::staff::{StaffFilter, StaffMember, UpdateStaff};
use clinic_core::api::{Page, PageQuery};
use clinic_core::{Permission, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_staff))
        .routes(routes!(change_role, remove_member))
}

type ErrorBody = clinic_core::ErrorBody;

/// The clinic's members, alphabetically by name.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/staff", tag = "staff", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PageQuery, StaffFilter),
    responses(
        (status = 200, body = Page<StaffMember>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn list_staff(
    State(state): State<AppState>,
    member: Member,
    Query(page): Query<PageQuery>,
    Query(filter): Query<StaffFilter>,
) -> ApiResult<Json<Page<StaffMember>>> {
    member.require(Permission::StaffManage)?;
    let limit = page.limit()?;
    let role = filter.parse()?;
    let after: Option<(String, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let (after_name, after_id) = after.unzip();
    let mut tx = member.begin(&state).await?;
    let rows: Vec<StaffRow> = sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS}
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE ($1::text IS NULL OR m.role = $1)
           AND ($2::text IS NULL OR (lower(u.full_name), u.id) > (lower($2), $3))
         ORDER BY lower(u.full_name), u.id
         LIMIT $4"
    ))
    .bind(role.map(Role::as_str))
    .bind(after_name)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(keyset::page(
        rows,
        limit,
        |r| (r.full_name.clone(), r.user_id),
        StaffMember::try_from,
    )?))
}

/// Changes a member's role. Demoting the last admin is refused.
#[utoipa::path(
    patch, path = "/v1/clinics/{clinic_id}/staff/{user_id}", tag = "staff", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    request_body = UpdateStaff,
    responses(
        (status = 200, body = StaffMember),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not allowed, or the target is the owner", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Would leave the clinic without an admin", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn change_role(
    State(state): State<AppState>,
    member: Member,
    Path(ids): Path<(Uuid, Uuid)>,
    Json(req): Json<UpdateStaff>,
) -> ApiResult<Json<StaffMember>> {
    let (_, user_id) = ids;
    let mut tx = member.begin(&state).await?;
    let changed = staff::change_role(&mut tx, &member, user_id, req.role).await?;
    tx.commit().await?;
    Ok(Json(changed))
}

/// Removes a member from the clinic. Their account, their other clinics and
/// their sessions stay; this clinic answers 404 to them from now on.
#[utoipa::path(
    delete, path = "/v1/clinics/{clinic_id}/staff/{user_id}", tag = "staff", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not allowed, or the target is the owner", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Would leave the clinic without an admin", body = ErrorBody),
    )
)]
async fn remove_member(
    State(state): State<AppState>,
    member: Member,
    Path(ids): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let (_, user_id) = ids;
    let mut tx = member.begin(&state).await?;
    staff::remove(&mut tx, &member, user_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
