//! Transactions under the tenant context. Every query on clinic-owned rows runs
//! inside one of these; row-level security keeps it to that clinic.

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

pub type Tx = Transaction<'static, Postgres>;

/// Begins a transaction that sees only `clinic_id`'s rows. The setting is
/// transaction-local, so a pooled connection never carries it further.
pub async fn begin_clinic(pool: &PgPool, clinic_id: Uuid) -> Result<Tx, sqlx::Error> {
    pool.begin_with(clinic_begin("BEGIN", clinic_id, "")).await
}

/// As [`begin_clinic`], with a savepoint `mutation` already taken: a sync
/// mutation that is rejected rolls back to it and still records its outcome
/// in the same transaction.
pub async fn begin_clinic_mutation(pool: &PgPool, clinic_id: Uuid) -> Result<Tx, sqlx::Error> {
    pool.begin_with(clinic_begin("BEGIN", clinic_id, "; SAVEPOINT mutation"))
        .await
}

/// As [`begin_clinic`], reading one snapshot throughout and writing nothing:
/// the several queries of a sync pull see the same committed state.
pub async fn begin_clinic_snapshot(pool: &PgPool, clinic_id: Uuid) -> Result<Tx, sqlx::Error> {
    pool.begin_with(clinic_begin(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        clinic_id,
        "",
    ))
    .await
}

/// `begin; set the clinic; then` as one simple query: one round trip where
/// a `BEGIN` and a bound `set_config` would take two. The id is a `Uuid`,
/// whose text is hex digits and dashes only, so inlining it is safe.
fn clinic_begin(begin: &str, clinic_id: Uuid, then: &str) -> String {
    format!("{begin}; SELECT set_config('app.clinic_id', '{clinic_id}', true){then}")
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
    let device_id = Some(actor.device_id);
    audit_as(
        tx,
        actor.clinic_id,
        actor.user_id,
        device_id,
        action,
        entity,
        entity_id,
    )
    .await
}

/// An audit entry by `actor_id` before they are a member with a session
/// (signing up, accepting an invitation): there is no device to name.
pub async fn audit_as(
    tx: &mut Tx,
    clinic_id: Uuid,
    actor_id: Uuid,
    device_id: Option<Uuid>,
    action: &str,
    entity: &str,
    entity_id: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (clinic_id, id, actor_id, device_id, action, entity, entity_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(clinic_id)
    .bind(Uuid::now_v7())
    .bind(actor_id)
    .bind(device_id)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
