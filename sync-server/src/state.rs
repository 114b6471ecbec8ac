use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use sqlx::PgPool;
use std::sync::Arc;

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Connections as the application role, always subject to row-level security.
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub passwords: Arc<PasswordHasher>,
}
