//! The person's preferences on this computer.

use crate::error::CommandResult;
use crate::settings::Settings;
use crate::state::AppState;
use tauri::State;

/// Works signed out too (the sign-in screen follows language and theme).
#[tauri::command]
#[specta::specta]
pub fn settings(state: State<'_, AppState>) -> Settings {
    state.settings.get()
}

/// Checks and saves; returns what is saved.
#[tauri::command]
#[specta::specta]
pub fn update_settings(state: State<'_, AppState>, settings: Settings) -> CommandResult<Settings> {
    state.settings.set(settings)
}
