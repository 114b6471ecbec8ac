use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::pokes::Pokes;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::watch;

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Connections as the application role, always subject to row-level security.
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub passwords: Arc<PasswordHasher>,
    /// Clinic version moves, from this instance's one LISTEN connection.
    pub pokes: Pokes,
    /// Turns true when the server begins shutting down: long-lived
    /// responses (event streams) end so the shutdown does not wait on them.
    pub stopping: watch::Receiver<bool>,
}
