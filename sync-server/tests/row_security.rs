//! Tenancy at the database level: whatever the API does, the application role
//! sees one clinic's rows when that clinic is set, and none when none is.

mod common;

use common::fixtures::fill_clinic;
use common::spawn_app;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// Every table with a clinic_id column, plus `clinics` itself: found from the
/// catalogue, so a new table cannot slip past these tests.
async fn clinic_owned_tables(app: &common::TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'clinic_id'
         ORDER BY table_name",
    )
    .fetch_all(&app.db)
    .await
    .expect("catalogue")
}

#[tokio::test]
async fn every_clinic_owned_table_is_keyed_by_clinic_and_forces_row_security() {
    let app = spawn_app().await;
    let tables = clinic_owned_tables(&app).await;
    assert!(tables.len() >= 15, "{tables:?}");
    for table in tables.iter().map(String::as_str).chain(["clinics"]) {
        let (enabled, forced): (bool, bool) = sqlx::query_as(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class
             WHERE oid = format('public.%I', $1::text)::regclass",
        )
        .bind(table)
        .fetch_one(&app.db)
        .await
        .expect("pg_class");
        assert!(
            enabled && forced,
            "{table}: row security enabled={enabled} forced={forced}"
        );
        if table == "clinics" {
            continue;
        }
        let first_key_column: String = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = format('public.%I', $1::text)::regclass AND i.indisprimary",
        )
        .bind(table)
        .fetch_one(&app.db)
        .await
        .expect("primary key");
        assert_eq!(
            first_key_column, "clinic_id",
            "{table}'s primary key must lead with clinic_id"
        );
    }
}

#[tokio::test]
async fn the_application_role_cannot_bypass_row_security() {
    let app = spawn_app().await;
    let mut conn = app_connection(&app).await;
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut conn)
            .await
            .expect("role");
    assert!(!superuser && !bypass);
    // Nor can it turn row security off for itself: Postgres refuses the query.
    sqlx::raw_sql("SET row_security = off")
        .execute(&mut conn)
        .await
        .expect("set");
    let err = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM patients")
        .fetch_one(&mut conn)
        .await
        .expect_err("row security cannot be switched off");
    assert!(err.to_string().contains("row-level security"), "{err}");
}

async fn app_connection(app: &common::TestApp) -> PgConnection {
    let options = app
        .db
        .connect_options()
        .as_ref()
        .clone()
        .username("clinic_app")
        .password("");
    PgConnection::connect_with(&options)
        .await
        .expect("connect as clinic_app")
}

#[tokio::test]
async fn each_clinic_sees_only_its_rows_and_no_context_sees_none() {
    let app = spawn_app().await;
    let a = fill_clinic(&app, "Alpha").await.id;
    let b = fill_clinic(&app, "Beta").await.id;
    let tables = clinic_owned_tables(&app).await;
    let mut conn = app_connection(&app).await;

    for table in &tables {
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE clinic_id = $1"
        ))
        .bind(b)
        .fetch_one(&app.db)
        .await
        .expect("owner count");
        assert!(total > 0, "the fixture left {table} empty for clinic B");

        // No context: nothing at all.
        let none: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await
            .expect("count");
        assert_eq!(none, 0, "{table} leaks rows without a clinic context");

        // B's context: all of B's rows and only them.
        let mut tx = conn.begin().await.expect("begin");
        sqlx::query("SELECT set_config('app.clinic_id', $1, true)")
            .bind(b.to_string())
            .execute(&mut *tx)
            .await
            .expect("context");
        let (seen, foreign): (i64, i64) = sqlx::query_as(&format!(
            "SELECT count(*), count(*) FILTER (WHERE clinic_id <> $1) FROM {table}"
        ))
        .bind(b)
        .fetch_one(&mut *tx)
        .await
        .expect("count");
        assert_eq!(
            (seen, foreign),
            (total, 0),
            "{table} under clinic B's context"
        );

        // Writing into A's rows from B's context changes nothing...
        let touched = sqlx::query(&format!("DELETE FROM {table} WHERE clinic_id = $1"))
            .bind(a)
            .execute(&mut *tx)
            .await
            .map(|r| r.rows_affected())
            .unwrap_or(0);
        assert_eq!(touched, 0, "{table}: B's context deleted A's rows");
        tx.rollback().await.expect("rollback");
    }

    // ...and inserting a row for A from B's context is refused outright.
    let mut tx = conn.begin().await.expect("begin");
    sqlx::query("SELECT set_config('app.clinic_id', $1, true)")
        .bind(b.to_string())
        .execute(&mut *tx)
        .await
        .expect("context");
    let err = sqlx::query("INSERT INTO rooms (clinic_id, id, name) VALUES ($1, $2, 'Sneaky')")
        .bind(a)
        .bind(Uuid::now_v7())
        .execute(&mut *tx)
        .await
        .expect_err("cross-clinic insert");
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.expect("rollback");

    // The clinics table itself: B sees B.
    let mut tx = conn.begin().await.expect("begin");
    sqlx::query("SELECT set_config('app.clinic_id', $1, true)")
        .bind(b.to_string())
        .execute(&mut *tx)
        .await
        .expect("context");
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM clinics")
        .fetch_all(&mut *tx)
        .await
        .expect("clinics");
    assert_eq!(ids, vec![b]);
    tx.rollback().await.expect("rollback");
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM clinics")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!(none, 0);
}

#[tokio::test]
async fn the_clinic_context_ends_with_its_transaction() {
    let app = spawn_app().await;
    let b = fill_clinic(&app, "Gamma").await.id;
    let mut conn = app_connection(&app).await;
    let mut tx = conn.begin().await.expect("begin");
    sqlx::query("SELECT set_config('app.clinic_id', $1, true)")
        .bind(b.to_string())
        .execute(&mut *tx)
        .await
        .expect("context");
    tx.commit().await.expect("commit");
    // The same pooled connection, next transaction: no context, no rows.
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM patients")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!(n, 0);
}
