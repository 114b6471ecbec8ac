//! Typed configuration: built-in defaults, then an optional TOML file
//! (`CLINIC_CONFIG`), then `CLINIC_`-prefixed environment variables with `__`
//! between levels (e.g. `CLINIC_SERVER__BIND`), then `DATABASE_URL`.
//! Secrets are `SecretString`s: they never appear in Debug output or logs.

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgConnectOptions;
use std::net::SocketAddr;
use std::str::FromStr;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerSettings {
    /// Where to listen; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered with a timeout.
    pub request_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// Owner connection, used to run migrations. `DATABASE_URL`.
    pub url: SecretString,
    /// Connection for serving requests, as a role subject to row-level
    /// security. When absent: `url` with the user replaced by `app_role`.
    pub app_url: Option<SecretString>,
    pub app_role: String,
    /// Password of `app_role` when `app_url` is not given.
    pub app_password: Option<SecretString>,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthSettings {
    pub session_ttl_days: i64,
    pub invitation_ttl_days: i64,
    /// Failed password checks (sign-in, password change, joining with an
    /// existing account) allowed per account, and per client address (IPv6:
    /// per /64), within the window.
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
    pub failure_window_secs: i64,
    /// Sign-ups (new clinics) allowed per client address within their window.
    pub max_signups_per_address: i64,
    pub signup_window_secs: i64,
    /// Argon2id memory cost in KiB (OWASP: at least 19456).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogSettings {
    /// `text` for people, `json` for log collectors.
    pub format: String,
    /// A tracing filter such as `info,sync_server=debug`; `RUST_LOG` wins.
    pub filter: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout_secs: 30,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_ttl_days: 30,
            invitation_ttl_days: 7,
            max_failures_per_account: 5,
            max_failures_per_address: 30,
            failure_window_secs: 15 * 60,
            max_signups_per_address: 10,
            signup_window_secs: 60 * 60,
            argon2_memory_kib: 19456,
            argon2_iterations: 2,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: "text".into(),
            filter: "info".into(),
        }
    }
}

/// The defaults of everything that has one (secrets have none).
#[derive(Serialize)]
struct Defaults {
    server: ServerSettings,
    database: DatabaseDefaults,
    auth: AuthSettings,
    log: LogSettings,
}

#[derive(Serialize)]
struct DatabaseDefaults {
    app_role: &'static str,
    max_connections: u32,
}

impl Settings {
    pub fn load() -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Defaults {
            server: ServerSettings::default(),
            database: DatabaseDefaults {
                app_role: "clinic_app",
                max_connections: 10,
            },
            auth: AuthSettings::default(),
            log: LogSettings::default(),
        }));
        if let Ok(path) = std::env::var("CLINIC_CONFIG") {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(Env::prefixed("CLINIC_").split("__"))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            )
            .extract()
            .context("reading configuration (is DATABASE_URL set?)")
    }
}

impl DatabaseSettings {
    pub fn owner_options(&self) -> anyhow::Result<PgConnectOptions> {
        PgConnectOptions::from_str(self.url.expose_secret())
            .context("DATABASE_URL is not a valid PostgreSQL URL")
    }

    pub fn app_options(&self) -> anyhow::Result<PgConnectOptions> {
        if let Some(url) = &self.app_url {
            return PgConnectOptions::from_str(url.expose_secret())
                .context("database.app_url is not a valid PostgreSQL URL");
        }
        let mut options = self.owner_options()?.username(&self.app_role);
        options = match &self.app_password {
            Some(p) => options.password(p.expose_secret()),
            None => options.password(""),
        };
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let db = DatabaseSettings {
            url: SecretString::from("postgres://owner:hunter2@db/clinic"),
            app_url: None,
            app_role: "clinic_app".into(),
            app_password: Some(SecretString::from("s3cret-app")),
            max_connections: 1,
        };
        let shown = format!("{db:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cret-app"),
            "{shown}"
        );
        let app = db.app_options().expect("options");
        assert_eq!(app.get_username(), "clinic_app");
        assert_eq!(app.get_database(), Some("clinic"));
    }
}
