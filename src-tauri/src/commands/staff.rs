//! Staff and invitations. Server only: each command needs a connection.

use crate::commands::remote;
use crate::error::CommandResult;
use crate::state::AppState;
use clinic_core::Role;
use clinic_core::api::auth::{InvitationView, NewInvitation};
use clinic_core::api::staff::{StaffMember as StaffView, UpdateStaff};
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StaffMember {
    pub user_id: Uuid,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    /// Created the clinic; only they may demote or remove themselves.
    pub is_owner: bool,
    /// UTC, RFC 3339.
    pub joined_at: String,
}

impl From<&StaffView> for StaffMember {
    fn from(m: &StaffView) -> Self {
        StaffMember {
            user_id: m.user_id,
            full_name: m.full_name.clone(),
            email: m.email.clone(),
            role: m.role,
            is_owner: m.is_owner,
            joined_at: m.joined_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub expires_at: String,
}

impl From<&InvitationView> for Invitation {
    fn from(i: &InvitationView) -> Self {
        Invitation {
            id: i.id,
            email: i.email.clone(),
            role: i.role,
            created_at: i.created_at.to_rfc3339(),
            expires_at: i.expires_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRoleRequest {
    pub user_id: Uuid,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InviteRequest {
    pub email: String,
    pub role: Role,
}

/// The clinic's members, by name.
#[tauri::command]
#[specta::specta]
pub async fn staff(state: State<'_, AppState>) -> CommandResult<Vec<StaffMember>> {
    let (api, clinic_id) = remote::client(&state).await?;
    let members = api.staff(clinic_id).await.map_err(remote::failed)?;
    Ok(members.iter().map(StaffMember::from).collect())
}

#[tauri::command]
#[specta::specta]
pub async fn change_role(
    state: State<'_, AppState>,
    request: ChangeRoleRequest,
) -> CommandResult<StaffMember> {
    let (api, clinic_id) = remote::client(&state).await?;
    let changed = api
        .change_role(
            clinic_id,
            request.user_id,
            &UpdateStaff { role: request.role },
        )
        .await
        .map_err(remote::failed)?;
    Ok(StaffMember::from(&changed))
}

/// Removes a member from this clinic (their account and other clinics stay).
#[tauri::command]
#[specta::specta]
pub async fn remove_staff(state: State<'_, AppState>, user_id: Uuid) -> CommandResult<()> {
    let (api, clinic_id) = remote::client(&state).await?;
    api.remove_member(clinic_id, user_id)
        .await
        .map_err(remote::failed)
}

/// Invitations not yet accepted, revoked or expired; newest first.
#[tauri::command]
#[specta::specta]
pub async fn invitations(state: State<'_, AppState>) -> CommandResult<Vec<Invitation>> {
    let (api, clinic_id) = remote::client(&state).await?;
    let open = api.invitations(clinic_id).await.map_err(remote::failed)?;
    Ok(open.iter().map(Invitation::from).collect())
}

/// Invites someone by email (inviting the same address again resends).
#[tauri::command]
#[specta::specta]
pub async fn invite(
    state: State<'_, AppState>,
    request: InviteRequest,
) -> CommandResult<Invitation> {
    let invitation = NewInvitation {
        email: request.email,
        role: request.role,
    };
    // Checked here too, so a typo is refused offline with the field named.
    invitation.parse()?;
    let (api, clinic_id) = remote::client(&state).await?;
    let sent = api
        .invite(clinic_id, &invitation)
        .await
        .map_err(remote::failed)?;
    Ok(Invitation::from(&sent))
}

#[tauri::command]
#[specta::specta]
pub async fn revoke_invitation(state: State<'_, AppState>, id: Uuid) -> CommandResult<()> {
    let (api, clinic_id) = remote::client(&state).await?;
    api.revoke_invitation(clinic_id, id)
        .await
        .map_err(remote::failed)
}
