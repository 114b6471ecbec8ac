//! Test harness: every test gets its own database (copied from a migrated
//! template) and its own server on a free port, driven over real HTTP.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod fixtures;
pub mod openapi;
pub mod patients;
pub mod people;
pub mod schedule;
pub mod sync;

use clinic_core::Role;
use clinic_core::api::auth::SessionGranted;
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use sync_server::auth::password::PasswordHasher;
use sync_server::config::{AuthSettings, DatabaseSettings, LogSettings, ServerSettings, Settings};
use sync_server::migrate::MIGRATOR;
use sync_server::startup::Application;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

/// The server's owner connection (a superuser here, so it sees every clinic's
/// rows: use it to check what was or was not written).
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn options_for(db: &str) -> PgConnectOptions {
    PgConnectOptions::from_str(&admin_url())
        .expect("DATABASE_URL")
        .database(db)
}

/// Name of a database with every migration applied, made once per migration
/// set and copied for each test (much faster than migrating each time).
async fn template() -> String {
    let fingerprint: u64 = MIGRATOR.iter().fold(0xcbf29ce484222325, |h, m| {
        m.checksum
            .iter()
            .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
    });
    let name = format!("clinic_tpl_{fingerprint:016x}");
    let mut admin =
        PgConnection::connect_with(&PgConnectOptions::from_str(&admin_url()).expect("url"))
            .await
            .expect("connect to DATABASE_URL");
    admin
        .execute("SELECT pg_advisory_lock(7242001)")
        .await
        .expect("lock");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await
            .expect("query");
    if !exists {
        build_template(&mut admin, &name).await;
    }
    admin
        .execute("SELECT pg_advisory_unlock(7242001)")
        .await
        .expect("unlock");
    name
}

/// Migrates a new database and only then gives it `name`, so a run killed
/// halfway leaves `…_building` behind (dropped by the next build), never a
/// half-migrated template.
pub async fn build_template(admin: &mut PgConnection, name: &str) {
    let building = format!("{name}_building");
    admin
        .execute(format!("DROP DATABASE IF EXISTS {building}").as_str())
        .await
        .expect("drop");
    admin
        .execute(format!("CREATE DATABASE {building}").as_str())
        .await
        .expect("create");
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options_for(&building))
        .await
        .expect("pool");
    MIGRATOR.run(&pool).await.expect("migrate template");
    pool.close().await;
    wait_for_no_sessions(admin, &building).await;
    admin
        .execute(format!("ALTER DATABASE {building} RENAME TO {name}").as_str())
        .await
        .expect("rename");
}

/// Waits until no session is connected to `db`. A closed pool's
/// connections say goodbye, but their server processes end a moment later:
/// renaming or copying the database before then fails with "is being
/// accessed by other users" (a release build gets there first every time).
async fn wait_for_no_sessions(admin: &mut PgConnection, db: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let sessions: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
                .bind(db)
                .fetch_one(&mut *admin)
                .await
                .expect("query pg_stat_activity");
        if sessions == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{sessions} session(s) still on {db} after 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    /// Superuser pool on this test's database.
    pub db: PgPool,
    pub db_name: String,
    /// What the server was built with (pointing at this test's database).
    pub settings: Settings,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub fn test_auth_settings() -> AuthSettings {
    AuthSettings {
        // Cheap hashing: tests sign in hundreds of times.
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        // Every test signs its clinics up from one address; the limit has
        // tests of its own.
        max_signups_per_address: 1_000,
        ..AuthSettings::default()
    }
}

/// `TEST_LOG=<filter>` (such as `debug` or `sync_server=debug`) prints the
/// servers' logs with each test's output; unset, tests stay quiet. Once per
/// test binary: a process has one global subscriber.
fn init_test_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .init();
        }
    });
}

pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    init_test_log();
    let template = template().await;
    let db_name = format!("clinic_test_{}", Uuid::new_v4().simple());
    let mut admin =
        PgConnection::connect_with(&PgConnectOptions::from_str(&admin_url()).expect("url"))
            .await
            .expect("connect");
    // Copying a template fails while anyone else is connected to it; retry briefly.
    let mut tries = 0;
    loop {
        match admin
            .execute(format!("CREATE DATABASE {db_name} TEMPLATE {template}").as_str())
            .await
        {
            Ok(_) => break,
            Err(e) if tries < 50 => {
                tries += 1;
                let _ = e;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("creating the test database: {e}"),
        }
    }
    admin.close().await.ok();

    let owner_url = options_for(&db_name);
    let mut settings = Settings {
        server: ServerSettings {
            bind: "127.0.0.1:0".parse().expect("addr"),
            ..ServerSettings::default()
        },
        database: DatabaseSettings {
            url: SecretString::from(url_of(&db_name)),
            app_url: None,
            app_role: "clinic_app".into(),
            app_password: None,
            max_connections: 10,
        },
        auth: test_auth_settings(),
        log: LogSettings {
            format: "text".into(),
            filter: "warn".into(),
        },
    };
    tweak(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("build app");
    let addr = app.local_addr();
    tokio::spawn(app.run_until(std::future::pending()));
    let db = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(owner_url)
        .await
        .expect("owner pool");
    TestApp {
        addr,
        http: reqwest::Client::new(),
        db,
        db_name,
        settings,
    }
}

fn url_of(db: &str) -> String {
    let base = admin_url();
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL has a database name");
    let query = base
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{prefix}/{db}{query}")
}

/// An answer: status and JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// The `code` of an error body.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.body
        );
        self.body
    }

    /// Asserts an error with this status and code, with a human message.
    pub fn expect_error(self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.body
        );
        assert_eq!(self.code(), code, "{}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "error without a message: {}",
            self.body
        );
        self.body
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("non-JSON answer ({status}): {text}"))
        };
        Answer {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up a clinic (Europe/Madrid, en, EUR) and returns its owner's session.
    pub async fn signup(&self, clinic_name: &str, email: &str) -> Clinic {
        let body = self
            .call(
                Method::POST,
                "/v1/signup",
                None,
                Some(json!({
                    "clinic": {"name": clinic_name, "time_zone": "Europe/Madrid", "locale": "en", "currency": "EUR"},
                    "owner": {"full_name": format!("Owner of {clinic_name}"), "email": email, "password": PASSWORD},
                    "device_name": "Test desk",
                })),
            )
            .await
            .expect(201);
        let granted: SessionGranted = serde_json::from_value(body).expect("SessionGranted");
        Clinic {
            id: granted.memberships[0].clinic_id,
            admin: Staff {
                user_id: granted.user.id,
                token: granted.token,
                role: Role::Admin,
            },
        }
    }

    /// Adds a staff member with `role` to `clinic` (straight into the
    /// database, as if an invitation had been accepted) and signs them in.
    pub async fn add_staff(&self, clinic: &Clinic, role: Role, email: &str) -> Staff {
        let hasher = Arc::new(PasswordHasher::new(&test_auth_settings()).expect("hasher"));
        let hash = hasher.hash(PASSWORD.to_owned()).await.expect("hash");
        let user_id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, email, full_name, password_hash) VALUES ($1, $2, $3, $4)",
        )
        .bind(user_id)
        .bind(email)
        .bind(format!("{role} {email}"))
        .bind(hash)
        .execute(&self.db)
        .await
        .expect("insert user");
        sqlx::query("INSERT INTO memberships (clinic_id, user_id, role) VALUES ($1, $2, $3)")
            .bind(clinic.id)
            .bind(user_id)
            .bind(role.as_str())
            .execute(&self.db)
            .await
            .expect("insert membership");
        let token = self.login(email).await;
        Staff {
            user_id,
            token,
            role,
        }
    }

    pub async fn login(&self, email: &str) -> String {
        let body = self
            .call(
                Method::POST,
                "/v1/sessions",
                None,
                Some(json!({"email": email, "password": PASSWORD, "device_name": "Test desk"})),
            )
            .await
            .expect(200);
        body["token"].as_str().expect("token").to_owned()
    }

    /// Rows in `table`, across all clinics.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .expect("count")
    }
}

pub struct Clinic {
    pub id: Uuid,
    pub admin: Staff,
}

impl Clinic {
    /// `/v1/clinics/{id}` followed by `rest`.
    pub fn path(&self, rest: &str) -> String {
        format!("/v1/clinics/{}{rest}", self.id)
    }
}

pub struct Staff {
    pub user_id: Uuid,
    pub token: String,
    pub role: Role,
}
