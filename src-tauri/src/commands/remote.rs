//! What only the server does (doctors' records, staff, invitations, clinic
//! settings): these commands need a connection and say so plainly.

use crate::error::{CommandError, CommandResult, DeskErrorCode};
use crate::state::AppState;
use clinic_client::{ApiClient, ApiError};
use uuid::Uuid;

/// An API client of the signed-in session, and the open clinic.
pub async fn client(state: &AppState) -> CommandResult<(ApiClient, Uuid)> {
    let profile = state.profile().await?;
    Ok((state.sessions.api(&profile)?, profile.clinic_id))
}

/// The server's answer as a command error; offline gets a message saying
/// that this, unlike the agenda, needs the server.
pub fn failed(error: ApiError) -> CommandError {
    if error.is_offline() {
        CommandError::new(
            DeskErrorCode::Offline,
            "This change needs a connection to the server, which cannot be reached now. \
             Try again when the desk is online.",
        )
    } else {
        error.into()
    }
}

/// Asks for a sync so a change made on the server reaches the local store.
pub async fn pull_soon(state: &AppState) {
    let _ = state.with_open(|open| open.sync_now()).await;
}
