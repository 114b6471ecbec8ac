//! Facts about the running app itself.

use serde::Serialize;

/// What the UI shows in its header and about box.
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    /// Product name from tauri.conf.json.
    pub name: String,
    /// Version of this build (the `clinic-desk` crate version).
    pub version: String,
}

#[tauri::command]
pub fn app_info<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
    }
}
