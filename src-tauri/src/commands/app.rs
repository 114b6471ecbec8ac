//! Facts about the running app itself.

use serde::{Deserialize, Serialize};

/// What the UI shows in its header and about box.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Product name from tauri.conf.json.
    pub name: String,
    /// Version of this build (the `clinic-desk` crate version).
    pub version: String,
    /// The server the sign-in form starts with: `CLINIC_DESK_SERVER`, set by
    /// whoever installs or launches the desk (scripts/run-app.sh sets its
    /// local server), so staff need not type it.
    pub suggested_server: Option<String>,
}

impl AppInfo {
    pub fn of(package: &tauri::PackageInfo, suggested_server: Option<String>) -> AppInfo {
        AppInfo {
            name: package.name.clone(),
            version: package.version.to_string(),
            suggested_server: suggested_server.filter(|server| !server.trim().is_empty()),
        }
    }
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: tauri::State<'_, crate::state::AppState>) -> AppInfo {
    state.app_info.clone()
}
