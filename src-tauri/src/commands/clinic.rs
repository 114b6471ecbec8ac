//! The clinic's own settings: read locally, changed on the server.

use crate::commands::remote;
use crate::error::{CommandError, CommandResult, DeskErrorCode};
use crate::state::AppState;
use clinic_core::api::clinic::{ClinicView, UpdateClinic};
use serde::{Deserialize, Serialize};
use tauri::State;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClinicSettings {
    pub name: String,
    /// IANA zone, e.g. `Europe/Madrid`.
    pub time_zone: String,
    /// e.g. `es`, `en`.
    pub locale: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
}

impl From<&ClinicView> for ClinicSettings {
    fn from(c: &ClinicView) -> Self {
        ClinicSettings {
            name: c.name.clone(),
            time_zone: c.time_zone.clone(),
            locale: c.locale.clone(),
            currency: c.currency.clone(),
        }
    }
}

/// Absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateClinicRequest {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub locale: Option<String>,
}

/// The clinic's settings as this desk last synced them; offline.
#[tauri::command]
#[specta::specta]
pub async fn clinic_settings(state: State<'_, AppState>) -> CommandResult<ClinicSettings> {
    let clinic = state.on_desk(|desk, _| Ok(desk.clinic()?)).await?;
    let clinic = clinic.ok_or_else(|| {
        CommandError::new(
            DeskErrorCode::NotSynced,
            "This desk has not received the clinic's settings yet; connect and sync once.",
        )
    })?;
    Ok(ClinicSettings::from(&clinic))
}

/// Changes the clinic's settings. Needs the server (admins only).
#[tauri::command]
#[specta::specta]
pub async fn update_clinic_settings(
    state: State<'_, AppState>,
    request: UpdateClinicRequest,
) -> CommandResult<ClinicSettings> {
    let changes = UpdateClinic {
        name: request.name,
        time_zone: request.time_zone,
        locale: request.locale,
        currency: None,
    };
    // Checked here first, so a bad zone is refused offline with its field.
    if let Some(current) = state.on_desk(|desk, _| Ok(desk.clinic()?)).await? {
        changes.apply_to(&current)?;
    }
    let (api, clinic_id) = remote::client(&state).await?;
    let saved = api
        .update_clinic(clinic_id, &changes)
        .await
        .map_err(remote::failed)?;
    remote::pull_soon(&state).await;
    Ok(ClinicSettings::from(&saved))
}
