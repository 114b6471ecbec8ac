//! Schema migrations, embedded at build time from `/migrations`.

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Applies pending migrations as the owner role. Safe to run concurrently:
/// sqlx takes an advisory lock.
pub async fn run(owner: PgConnectOptions) -> anyhow::Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(owner)
        .await
        .context("connecting to the database as its owner (DATABASE_URL)")?;
    MIGRATOR.run(&pool).await.context("applying migrations")?;
    pool.close().await;
    Ok(())
}
