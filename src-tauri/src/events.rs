//! What the backend tells the UI without being asked: the sync status and
//! "the desk's data changed, read again". Typed events, so the bindings
//! carry their payloads too.

use crate::commands::sync::SyncStatusView;
use crate::state::OpenDesk;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tauri::async_runtime::JoinHandle;

/// The sync status changed (state, last sync, pending, conflicts, error).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct SyncStatusChanged(pub SyncStatusView);

/// The open desk's local data changed (an action here, a pulled page, a
/// push answer): screens re-read what they show.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct DeskChanged {
    /// Grows with every change of this desk (wraps); only its change matters.
    pub revision: u32,
}

/// Something to tell the UI.
#[derive(Debug, Clone)]
pub enum Signal {
    SyncStatus(SyncStatusView),
    DeskChanged(DeskChanged),
}

/// Delivers signals: Tauri events in the app, a recorder in tests.
pub type Publisher = Arc<dyn Fn(Signal) + Send + Sync>;

/// Follows the desk's sync status and revision and publishes each change.
pub fn forward(open: &OpenDesk, publisher: &Publisher) -> Vec<JoinHandle<()>> {
    let mut status = open.status();
    let status_publisher = publisher.clone();
    let status_task = tauri::async_runtime::spawn(async move {
        loop {
            let view = SyncStatusView::from(&*status.borrow_and_update());
            status_publisher(Signal::SyncStatus(view));
            if status.changed().await.is_err() {
                break;
            }
        }
    });
    let mut revision = open.desk.subscribe();
    let change_publisher = publisher.clone();
    let change_task = tauri::async_runtime::spawn(async move {
        while revision.changed().await.is_ok() {
            // Truncation is fine: the UI only compares for change.
            let value = *revision.borrow_and_update() as u32;
            change_publisher(Signal::DeskChanged(DeskChanged { revision: value }));
        }
    });
    vec![status_task, change_task]
}
