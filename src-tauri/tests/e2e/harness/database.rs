//! A fresh PostgreSQL database per test, named `clinic_test_<uuid>` like the
//! server tests' (so `scripts/test.sh` sweeps any a killed run leaves).

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::str::FromStr;
use uuid::Uuid;

pub struct Database {
    pub name: String,
    /// Owner connection to this database, for the server's `DATABASE_URL`.
    pub url: String,
}

/// The cluster's admin connection: `DATABASE_URL`, or the local server.
fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

async fn admin() -> PgConnection {
    let url = admin_url();
    PgConnection::connect_with(&PgConnectOptions::from_str(&url).expect("DATABASE_URL"))
        .await
        .unwrap_or_else(|e| panic!("connecting to PostgreSQL ({url}, set DATABASE_URL): {e}"))
}

impl Database {
    /// An empty database; the server binary migrates it (`seed-demo`/`serve`).
    pub async fn create() -> Database {
        let name = format!("clinic_test_{}", Uuid::new_v4().simple());
        admin()
            .await
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        let (base, query) = match admin_url().split_once('?') {
            Some((base, query)) => (base.to_owned(), format!("?{query}")),
            None => (admin_url(), String::new()),
        };
        let prefix = base.rsplit_once('/').map_or(base.as_str(), |(p, _)| p);
        let url = format!("{prefix}/{name}{query}");
        Database { name, url }
    }

    /// Drops the database, disconnecting whoever still uses it.
    pub async fn drop_now(self) {
        let result = admin()
            .await
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await;
        if let Err(e) = result {
            eprintln!("e2e: could not drop {}: {e}", self.name);
        }
    }
}
