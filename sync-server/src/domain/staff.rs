//! Changing a member's role and removing them from the clinic.
//!
//! Two rules hold whatever the order of concurrent requests: the clinic keeps
//! at least one admin, and only the owner may demote or remove themselves.

use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use clinic_core::api::staff::StaffMember;
use clinic_core::{ErrorCode, Permission, Role};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    pub user_id: Uuid,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub is_owner: bool,
    pub joined_at: DateTime<Utc>,
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

pub(crate) const STAFF_COLUMNS: &str =
    "m.user_id, u.full_name, u.email, m.role, m.is_owner, m.created_at AS joined_at";

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

/// Gives `user_id` the role `role`. Demoting the last admin, or the owner
/// by someone else, is refused.
pub async fn change_role(
    tx: &mut Tx,
    member: &Member,
    user_id: Uuid,
    role: Role,
) -> ApiResult<StaffMember> {
    member.require(Permission::StaffManage)?;
    let target = lock_for_change(tx, member, user_id).await?;
    if target.current.role == role {
        return Ok(target.current);
    }
    if role != Role::Admin {
        target.spare_the_owner("demoted")?;
        target.keep_an_admin("demote")?;
    }
    sqlx::query(
        "UPDATE memberships SET role = $3, updated_at = now() WHERE clinic_id = $1 AND user_id = $2",
    )
    .bind(member.clinic_id)
    .bind(user_id)
    .bind(role.as_str())
        .execute(&mut **tx)
        .await?;
    db::audit(tx, member, "staff.role_changed", "staff", Some(user_id)).await?;
    Ok(StaffMember {
        role,
        ..target.current
    })
}

/// Removes `user_id` from the clinic. Their account, their other clinics
/// and their sessions stay. Removing the last admin, or the owner by
/// someone else, is refused.
pub async fn remove(tx: &mut Tx, member: &Member, user_id: Uuid) -> ApiResult<()> {
    member.require(Permission::StaffManage)?;
    let target = lock_for_change(tx, member, user_id).await?;
    target.spare_the_owner("removed")?;
    target.keep_an_admin("remove")?;
    sqlx::query("DELETE FROM memberships WHERE clinic_id = $1 AND user_id = $2")
        .bind(member.clinic_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    db::audit(tx, member, "staff.removed", "staff", Some(user_id)).await?;
    Ok(())
}
