//! Inviting people into the clinic and revoking invitations. The invitation
//! mail is written to the outbox in the same transaction as the invitation,
//! so there is never an invitation without its mail nor a mail without its
//! invitation (nothing sends outbox mail yet: a delivery worker will drain
//! it). Accepting one is `accounts`' (the invitee has no session yet).

use crate::auth::{Member, token};
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Duration, Utc};
use clinic_core::api::auth::{InvitationView, NewInvitation};
use clinic_core::{ErrorCode, Permission};
use serde_json::json;
use uuid::Uuid;

/// The outbox `kind` of the mail that carries an invitation.
pub const INVITATION_MAIL: &str = "staff_invitation";

#[derive(sqlx::FromRow)]
pub(crate) struct InvitationRow {
    pub id: Uuid,
    email: String,
    role: String,
    invited_by: Uuid,
    pub created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl TryFrom<InvitationRow> for InvitationView {
    type Error = ApiError;
    fn try_from(r: InvitationRow) -> Result<Self, ApiError> {
        Ok(InvitationView {
            id: r.id,
            email: r.email,
            role: r.role.parse().map_err(ApiError::internal)?,
            invited_by: r.invited_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
        })
    }
}

/// The outbox row of an invitation's mail is keyed by the invitation.
fn mail_key(invitation_id: Uuid) -> String {
    format!("invitation:{invitation_id}")
}

/// A revoked invitation's mail, if not sent yet, is not sent at all: its link
/// would only lead to "this invitation does not exist". Deleting it also drops
/// the token it carries. Only a pending mail is withdrawn, so one a delivery
/// worker has already taken is left to it.
async fn withdraw_mail(tx: &mut Tx, member: &Member, invitation_id: Uuid) -> ApiResult<()> {
    sqlx::query(
        "DELETE FROM email_outbox WHERE clinic_id = $1 AND idempotency_key = $2 AND status = 'pending'",
    )
    .bind(member.clinic_id)
    .bind(mail_key(invitation_id))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Invites someone as `id` to join the clinic with a role, for `ttl`, and
/// queues the mail with their link. Inviting an address that already has
/// an open invitation replaces it (the old link stops working), which is
/// how a mail is resent.
pub async fn invite(
    tx: &mut Tx,
    member: &Member,
    id: Uuid,
    ttl: Duration,
    req: &NewInvitation,
) -> ApiResult<InvitationView> {
    member.require(Permission::StaffManage)?;
    let invitee = req.parse()?;
    let already_member: bool = sqlx::query_scalar(
        "SELECT EXISTS (
             SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.clinic_id = $1 AND u.email = $2
         )",
    )
    .bind(member.clinic_id)
    .bind(invitee.email.as_str())
    .fetch_one(&mut **tx)
    .await?;
    if already_member {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "{} is already a member of this clinic; change their role instead",
                invitee.email
            ),
        ));
    }

    // Expired invitations still hold the "one open invitation per address"
    // slot until revoked, so they are replaced too.
    let replaced: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE invitations SET revoked_at = now()
         WHERE clinic_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL
         RETURNING id",
    )
    .bind(member.clinic_id)
    .bind(invitee.email.as_str())
    .fetch_all(&mut **tx)
    .await?;
    for old in replaced {
        withdraw_mail(tx, member, old).await?;
        db::audit(tx, member, "invitation.revoked", "invitation", Some(old)).await?;
    }

    let token = token::new_invitation_token(member.clinic_id);
    let expires_at = Utc::now() + ttl;
    let row: InvitationRow = sqlx::query_as(
        "INSERT INTO invitations (clinic_id, id, email, role, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, email, role, invited_by, created_at, expires_at",
    )
    .bind(member.clinic_id)
    .bind(id)
    .bind(invitee.email.as_str())
    .bind(invitee.role.as_str())
    .bind(token::hash(&token))
    .bind(member.user_id)
    .bind(expires_at)
    .fetch_one(&mut **tx)
    .await?;

    let (clinic_name, locale): (String, String) =
        sqlx::query_as("SELECT name, locale FROM clinics WHERE id = $1")
            .bind(member.clinic_id)
            .fetch_one(&mut **tx)
            .await?;
    let inviter_name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
        .bind(member.user_id)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO email_outbox (clinic_id, id, kind, to_email, locale, payload, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(member.clinic_id)
    .bind(Uuid::now_v7())
    .bind(INVITATION_MAIL)
    .bind(invitee.email.as_str())
    .bind(&locale)
    .bind(json!({
        "token": token,
        "clinic_name": clinic_name,
        "role": invitee.role,
        "inviter_name": inviter_name,
        "expires_at": row.expires_at,
    }))
    .bind(mail_key(id))
    .execute(&mut **tx)
    .await?;
    db::audit(tx, member, "invitation.created", "invitation", Some(id)).await?;
    row.try_into()
}

/// Revokes an open invitation: its link stops working, and its mail is not
/// sent if it has not gone out yet.
pub async fn revoke(tx: &mut Tx, member: &Member, invitation_id: Uuid) -> ApiResult<()> {
    member.require(Permission::StaffManage)?;
    let revoked: Option<Uuid> = sqlx::query_scalar(
        "UPDATE invitations SET revoked_at = now()
         WHERE clinic_id = $1 AND id = $2
           AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         RETURNING id",
    )
    .bind(member.clinic_id)
    .bind(invitation_id)
    .fetch_optional(&mut **tx)
    .await?;
    if revoked.is_none() {
        return Err(ApiError::not_found("open invitation"));
    }
    withdraw_mail(tx, member, invitation_id).await?;
    db::audit(
        tx,
        member,
        "invitation.revoked",
        "invitation",
        Some(invitation_id),
    )
    .await?;
    Ok(())
}
