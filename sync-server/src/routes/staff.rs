//! The clinic's members: listing them, changing their role, removing them.
//!
//! Two rules hold whatever the order of concurrent requests: the clinic keeps
//! at least one admin, and only the owner may demote or remove themselves.

use super::keyset;
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use clinic_core::api::staff::{StaffFilter, StaffMember, UpdateStaff};
use clinic_core::api::{Page, PageQuery};
use clinic_core::{ErrorCode, Permission, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_staff))
        .routes(routes!(change_role, remove_member))
}

type ErrorBody = clinic_core::ErrorBody;

#[derive(sqlx::FromRow)]
struct StaffRow {
    user_id: Uuid,
    full_name: String,
    email: String,
    role: String,
    is_owner: bool,
    joined_at: DateTime<Utc>,
}

impl TryFrom<StaffRow> for StaffMember {
    type Error = ApiError;
    fn try_from(r: StaffRow) -> Result<Self, ApiError> {
        Ok(StaffMember {
            user_id: r.user_id,
            full_name: r.full_name,
            email: r.email,
            role: r.role.parse().map_err(ApiError::internal)?,
            is_owner: r.is_owner,
            joined_at: r.joined_at,
        })
    }
}

const STAFF_COLUMNS: &str =
    "m.user_id, u.full_name, u.email, m.role, m.is_owner, m.created_at AS joined_at";

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

/// Locks the clinic's admins, then the target's membership, for the rest of
/// the transaction. Admins are locked first, and always in the same order, so
/// two concurrent demotions serialise instead of each seeing the other as the
/// admin who stays (and without deadlocking); a waiting transaction re-reads
/// the rows once the first commits, so it counts only admins still standing.
async fn lock_for_change(tx: &mut Tx, member: &Member, user_id: Uuid) -> ApiResult<Target> {
    let admins: Vec<Uuid> = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE clinic_id = $1 AND role = 'admin'
         ORDER BY user_id FOR UPDATE",
    )
    .bind(member.clinic_id)
    .fetch_all(&mut **tx)
    .await?;
    let row: Option<StaffRow> = sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS}
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.clinic_id = $1 AND m.user_id = $2
         FOR UPDATE OF m"
    ))
    .bind(member.clinic_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let current = StaffMember::try_from(row.ok_or_else(|| ApiError::not_found("staff member"))?)?;
    Ok(Target {
        other_admins: admins.iter().filter(|id| **id != user_id).count(),
        by_themselves: user_id == member.user_id,
        current,
    })
}

struct Target {
    current: StaffMember,
    /// Admins of the clinic besides the target, counted under lock.
    other_admins: usize,
    /// The member acts on their own membership.
    by_themselves: bool,
}

impl Target {
    /// Refuses to take the owner's admin role or membership away unless they
    /// do it themselves. (Making an owner who stepped down admin again is
    /// not taking anything away.)
    fn spare_the_owner(&self, what: &str) -> ApiResult<()> {
        if self.current.is_owner && !self.by_themselves {
            return Err(ApiError::new(
                ErrorCode::NotPermitted,
                format!("the clinic's owner can only be {what} by themselves"),
            ));
        }
        Ok(())
    }

    /// Refuses a change that would leave the clinic without an admin.
    fn keep_an_admin(&self, what: &str) -> ApiResult<()> {
        if self.current.role == Role::Admin && self.other_admins == 0 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("cannot {what} the clinic's last admin; make someone else an admin first"),
            ));
        }
        Ok(())
    }
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
    member.require(Permission::StaffManage)?;
    let (_, user_id) = ids;
    let mut tx = member.begin(&state).await?;
    let target = lock_for_change(&mut tx, &member, user_id).await?;
    if target.current.role == req.role {
        tx.commit().await?;
        return Ok(Json(target.current));
    }
    if req.role != Role::Admin {
        target.spare_the_owner("demoted")?;
        target.keep_an_admin("demote")?;
    }
    sqlx::query(
        "UPDATE memberships SET role = $3, updated_at = now() WHERE clinic_id = $1 AND user_id = $2",
    )
    .bind(member.clinic_id)
    .bind(user_id)
    .bind(req.role.as_str())
        .execute(&mut *tx)
        .await?;
    db::audit(
        &mut tx,
        &member,
        "staff.role_changed",
        "staff",
        Some(user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(StaffMember {
        role: req.role,
        ..target.current
    }))
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
    member.require(Permission::StaffManage)?;
    let (_, user_id) = ids;
    let mut tx = member.begin(&state).await?;
    let target = lock_for_change(&mut tx, &member, user_id).await?;
    target.spare_the_owner("removed")?;
    target.keep_an_admin("remove")?;
    sqlx::query("DELETE FROM memberships WHERE clinic_id = $1 AND user_id = $2")
        .bind(member.clinic_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    db::audit(&mut tx, &member, "staff.removed", "staff", Some(user_id)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
