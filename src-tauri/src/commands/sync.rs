//! The sync status and the "Sync now" button.

use crate::error::{CommandError, CommandResult, DeskErrorCode};
use crate::state::AppState;
use clinic_client::{SyncState, SyncStatus};
use serde::{Deserialize, Serialize};
use tauri::State;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SyncStateView {
    /// Not tried yet since the app opened.
    Starting,
    Syncing,
    /// The last sync went through.
    Online,
    /// The server cannot be reached; retrying. Everything works locally.
    Offline,
    /// The server refused the session: sign in again. Local work goes on.
    SignedOut,
    /// The server answers with an error it may not recover from by itself.
    Failing,
}

impl From<SyncState> for SyncStateView {
    fn from(state: SyncState) -> Self {
        match state {
            SyncState::Starting => SyncStateView::Starting,
            SyncState::Syncing => SyncStateView::Syncing,
            SyncState::Online => SyncStateView::Online,
            SyncState::Offline => SyncStateView::Offline,
            SyncState::SignedOut => SyncStateView::SignedOut,
            SyncState::Failing => SyncStateView::Failing,
        }
    }
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    pub state: SyncStateView,
    /// UTC instant (RFC 3339) of the last complete sync, by this computer's clock.
    pub last_sync_at: Option<String>,
    /// Changes made here that the server has not confirmed yet.
    pub pending: u32,
    /// Rejected changes waiting in the conflict inbox.
    pub conflicts: u32,
    pub last_error: Option<CommandError>,
    /// Live updates from the server are connected.
    pub live: bool,
}

fn small(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<&SyncStatus> for SyncStatusView {
    fn from(status: &SyncStatus) -> Self {
        SyncStatusView {
            state: status.state.into(),
            last_sync_at: status.last_sync_at.map(|t| t.to_rfc3339()),
            pending: small(status.pending),
            conflicts: small(status.conflicts),
            last_error: status.last_error.clone().map(CommandError::from),
            live: status.live,
        }
    }
}

/// The current sync status (also pushed as the `syncStatusChanged` event).
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatusView> {
    state
        .with_open(|open| SyncStatusView::from(&*open.status().borrow()))
        .await
}

/// Starts a sync now (returns at once; watch `syncStatusChanged`).
/// `not_signed_in` when the session token is missing: sign in again.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<()> {
    if state.with_open(|open| open.sync_now()).await? {
        Ok(())
    } else {
        Err(CommandError::new(
            DeskErrorCode::NotSignedIn,
            "This desk cannot sync until you sign in again.",
        ))
    }
}
