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
}

impl AppInfo {
    pub fn of(package: &tauri::PackageInfo) -> AppInfo {
        AppInfo {
            name: package.name.clone(),
            version: package.version.to_string(),
        }
    }
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: tauri::State<'_, crate::state::AppState>) -> AppInfo {
    state.app_info.clone()
}
