//! Transactions under the tenant context. Every query on clinic-owned rows runs
//! inside one of these; row-level security keeps it to that clinic.

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

pub type Tx = Transaction<'static, Postgres>;

/// Begins a transaction that sees only `clinic_id`'s rows. The setting is
/// transaction-local, so a pooled connection never carries it further.
pub async fn begin_clinic(pool: &PgPool, clinic_id: Uuid) -> Result<Tx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT set_config('app.clinic_id', $1, true)")
        .bind(clinic_id.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Begins a transaction that sees a user's own memberships and their clinics
/// (for "which clinics am I in"), and no clinic's data.
pub async fn begin_user(pool: &PgPool, user_id: Uuid) -> Result<Tx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT set_config('app.user_id', $1, true)")
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Appends to the clinic's audit log in the caller's transaction.
pub async fn audit(
    tx: &mut Tx,
    actor: &crate::auth::Member,
    action: &str,
    entity: &str,
    entity_id: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (clinic_id, id, actor_id, device_id, action, entity, entity_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(actor.clinic_id)
    .bind(Uuid::now_v7())
    .bind(actor.user_id)
    .bind(actor.device_id)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
