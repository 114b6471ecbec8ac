//! The real `sync-server` binary on a loopback port, stoppable and
//! restartable on the same port (the desk keeps the URL it signed in with).

use super::process::Group;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct SyncServer {
    bin: PathBuf,
    database_url: String,
    pub port: u16,
    logs: PathBuf,
    starts: u32,
    process: Option<Group>,
}

/// The server binary that `cargo test --workspace` builds into the same
/// target folder as the app binary.
fn server_binary() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_clinic-desk")).with_file_name("sync-server");
    assert!(
        bin.is_file(),
        "{} is missing: the end-to-end tests drive the real server binary. \
         Build it first (`cargo build -p sync-server`), or run the whole \
         `cargo test --workspace`, which builds it.",
        bin.display()
    );
    bin
}

impl SyncServer {
    pub fn new(database_url: &str, port: u16, logs: &Path) -> SyncServer {
        SyncServer {
            bin: server_binary(),
            database_url: database_url.to_owned(),
            port,
            logs: logs.to_owned(),
            starts: 0,
            process: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .env("DATABASE_URL", &self.database_url)
            .env("CLINIC_SERVER__BIND", format!("127.0.0.1:{}", self.port))
            .env("CLINIC_LOG__FILTER", "info")
            // Cheap password hashing: sign-ins are not what is under test.
            .env("CLINIC_AUTH__ARGON2_MEMORY_KIB", "1024")
            .env("CLINIC_AUTH__ARGON2_ITERATIONS", "1");
        command
    }

    /// Migrates and creates the demo clinic (see the README's "Demo clinic").
    pub fn seed_demo(&self) {
        let output = self
            .command()
            .arg("seed-demo")
            .output()
            .expect("running sync-server seed-demo");
        assert!(
            output.status.success(),
            "sync-server seed-demo failed: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Generates the benchmark clinic (100,000 patients, 1,000,000
    /// appointments by default); returns its admin's email.
    pub fn generate_clinic(&self) -> String {
        let output = self
            .command()
            .arg("generate-clinic")
            .output()
            .expect("running sync-server generate-clinic");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "sync-server generate-clinic failed: {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        print!("{stdout}");
        // "... admin <email> / <password>"
        stdout
            .split_whitespace()
            .skip_while(|w| *w != "admin")
            .nth(1)
            .unwrap_or_else(|| panic!("no admin email in: {stdout}"))
            .to_owned()
    }

    /// Starts serving and waits until `/readyz` answers 200.
    pub async fn start(&mut self) {
        assert!(self.process.is_none(), "the server is running already");
        self.starts += 1;
        let log = self.logs.join(format!("server-{}.log", self.starts));
        let mut command = self.command();
        command.arg("serve");
        let mut process = Group::spawn("sync-server", command, &log);
        let ready = format!("{}/readyz", self.url());
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = process.exited() {
                panic!(
                    "sync-server exited at start ({status}):\n{}",
                    process.log_tail()
                );
            }
            if let Ok(r) = http.get(&ready).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "sync-server was not ready on {ready} within 30 s:\n{}",
                process.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.process = Some(process);
    }

    /// Stops the server (SIGTERM, then SIGKILL), as a network outage would
    /// look to the desk.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop();
        }
    }
}
