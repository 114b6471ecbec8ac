//! Inviting people into the clinic, listing and revoking the invitations
//! (what each write does is in `domain::invitations`). Accepting lives in
//! `accounts` (the invitee has no session yet).

use super::keyset;
use crate::auth::Member;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use clinic_core::Permission;
use clinic_core::api::auth::{InvitationView, NewInvitation};
use clinic_core::api::{Page, PageQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invite, list_invitations))
        .routes(routes!(revoke_invitation))
}

type ErrorBody = clinic_core::ErrorBody;

use crate::domain::invitations::{self, InvitationRow};

/// Invites someone to join the clinic with a role, and queues the mail with
/// their link. Inviting an address that already has an open invitation
/// replaces it (the old link stops working), which is how a mail is resent.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/invitations", tag = "staff", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    request_body = NewInvitation,
    responses(
        (status = 201, body = InvitationView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already a member of this clinic", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn invite(
    State(state): State<AppState>,
    member: Member,
    Json(req): Json<NewInvitation>,
) -> ApiResult<(StatusCode, Json<InvitationView>)> {
    let ttl = Duration::days(state.settings.auth.invitation_ttl_days);
    let mut tx = member.begin(&state).await?;
    let invitation = invitations::invite(&mut tx, &member, Uuid::now_v7(), ttl, &req).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// Invitations still waiting to be accepted (not accepted, revoked or
/// expired), newest first.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/invitations", tag = "staff", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = Page<InvitationView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn list_invitations(
    State(state): State<AppState>,
    member: Member,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<Page<InvitationView>>> {
    member.require(Permission::StaffManage)?;
    let limit = page.limit()?;
    let before: Option<(DateTime<Utc>, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let (before_at, before_id) = before.unzip();
    let mut tx = member.begin(&state).await?;
    let rows: Vec<InvitationRow> = sqlx::query_as(
        "SELECT id, email, role, invited_by, created_at, expires_at FROM invitations
         WHERE clinic_id = $1
           AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
           AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
         ORDER BY created_at DESC, id DESC
         LIMIT $4",
    )
    .bind(member.clinic_id)
    .bind(before_at)
    .bind(before_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(keyset::page(
        rows,
        limit,
        |r| (r.created_at, r.id),
        InvitationView::try_from,
    )?))
}

/// Revokes an open invitation: its link stops working, and its mail is not
/// sent if it has not gone out yet.
#[utoipa::path(
    delete, path = "/v1/clinics/{clinic_id}/invitations/{invitation_id}", tag = "staff", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("invitation_id" = Uuid, Path)),
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such open invitation (accepted, revoked or expired)", body = ErrorBody),
    )
)]
async fn revoke_invitation(
    State(state): State<AppState>,
    member: Member,
    Path(ids): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let (_, invitation_id) = ids;
    let mut tx = member.begin(&state).await?;
    invitations::revoke(&mut tx, &member, invitation_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
