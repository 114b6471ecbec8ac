//! One test's whole world, on loopback with ephemeral ports: its own Xvfb
//! display, D-Bus session (unlocked gnome-keyring, fake notification server),
//! PostgreSQL database seeded with the demo clinic, the real `sync-server`
//! binary, and the real app under tauri-driver with its own data folder.
//! [`scenario`] tears all of it down, passing or failing, and on failure
//! saves a screenshot, the page source and every log.

pub mod app;
pub mod database;
pub mod display;
pub mod link;
pub mod memory;
pub mod other_desk;
pub mod process;
pub mod server;
pub mod session_bus;

use app::{App, AppEnv};
use database::Database;
use display::Display;
use futures_util::FutureExt;
use link::Link;
use server::SyncServer;
use session_bus::SessionBus;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// One scenario at a time: each has a window, a server and WebKit processes,
/// and the machine has two cores. A tokio mutex, as the turn is held across
/// awaits (each test has its own runtime) and a failed scenario must hand it
/// on like a passing one (no poisoning).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `<target>/e2e-artifacts`: beside the `debug/` folder holding the app binary.
pub fn artifacts_root() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_clinic-desk"));
    bin.parent()
        .and_then(Path::parent)
        .expect("target folder")
        .join("e2e-artifacts")
}

pub struct Desktop {
    name: String,
    dir: TempDir,
    logs: PathBuf,
    pub server: Option<SyncServer>,
    /// What the app signs in through (see [`Link`]).
    pub link: Option<Link>,
    database: Option<Database>,
    app: Option<App>,
    launches: u32,
    /// This scenario's copy of the app binary.
    binary: PathBuf,
    /// The generated clinic's admin ([`Backend::GeneratedClinic`]).
    pub generated_admin: Option<String>,
    // Declared last: dropped after the app that uses them.
    pub bus: SessionBus,
    display: Display,
}

/// Whether a scenario needs the server side.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The app alone: no database, no server.
    None,
    /// A fresh database with the demo clinic, served by the real server.
    DemoClinic,
    /// A fresh database with the generated 100k-patient / 1M-appointment
    /// clinic (`sync-server generate-clinic`, about 75 s), for benchmarks.
    GeneratedClinic,
}

impl Desktop {
    /// The display and the D-Bus session; [`Desktop::serve`] adds the rest.
    fn start(name: &str) -> Desktop {
        let dir = tempfile::Builder::new()
            .prefix(&format!("clinic-e2e-{name}-"))
            .tempdir()
            .expect("temp dir");
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).expect("logs dir");
        let display = Display::start(&logs);
        let bus = SessionBus::start(dir.path(), &logs);
        let binary = app::pin_app_binary(dir.path());
        Desktop {
            name: name.to_owned(),
            dir,
            logs,
            server: None,
            link: None,
            database: None,
            app: None,
            launches: 0,
            binary,
            generated_admin: None,
            bus,
            display,
        }
    }

    /// Database, data and server for `backend`. Runs inside the scenario's
    /// failure handling, so a failed seed still drops its database.
    async fn serve(&mut self, backend: Backend) {
        if backend == Backend::None {
            return;
        }
        let database = Database::create().await;
        let mut server = SyncServer::new(&database.url, app::free_port(), &self.logs);
        self.database = Some(database);
        if backend == Backend::DemoClinic {
            server.seed_demo();
        } else {
            self.generated_admin = Some(server.generate_clinic());
        }
        server.start().await;
        self.link = Some(Link::open(server.port).await);
        self.server = Some(server);
    }

    /// Opens the app (a cold start: new process, same data folder as before).
    pub async fn launch(&mut self) -> &App {
        assert!(self.app.is_none(), "the app is open already");
        self.launches += 1;
        let env = AppEnv {
            display: self.display.name.clone(),
            bus_address: self.bus.address.clone(),
            xdg_runtime_dir: self.bus.xdg_runtime_dir.clone(),
            xdg_data_home: self.bus.xdg_data_home.clone(),
            data_dir: self.dir.path().join("desk"),
            binary: self.binary.clone(),
        };
        let app = App::launch(&env, &self.logs, self.launches).await;
        // build.rs embeds a placeholder page when ui/dist was not built.
        let source = app.source().await.unwrap_or_default();
        assert!(
            !source.contains("The UI is not built"),
            "the app binary embeds the placeholder page: build the UI \
             (`npm run build` in ui/) before the app (scripts/test.sh does)"
        );
        self.app = Some(app);
        self.app()
    }

    /// Closes the app; its data folder and keyring stay for the next launch.
    pub async fn close(&mut self) {
        if let Some(app) = self.app.take() {
            app.quit().await;
        }
    }

    pub fn app(&self) -> &App {
        self.app
            .as_ref()
            .expect("the app is open (call launch first)")
    }

    pub fn server(&mut self) -> &mut SyncServer {
        self.server.as_mut().expect("this scenario has a server")
    }

    /// Memory of the open app and its WebKit processes.
    pub fn app_memory(&self) -> Vec<memory::ProcessMemory> {
        memory::app_tree(self.app().driver_pid(), "clinic-desk")
    }

    pub fn link(&self) -> &Link {
        self.link.as_ref().expect("this scenario has a server")
    }

    /// Saves the app's current screen (without passing result messages, which
    /// would hide part of it) as `<name>.png` among the artifacts,
    /// and in `docs/screenshots/` when `CLINIC_E2E_SCREENSHOTS=docs` (how the
    /// README's pictures are refreshed; a normal run leaves the tree alone).
    pub async fn screenshot(&self, name: &str) {
        self.app().dismiss_toasts().await;
        let png = self
            .app()
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let mut targets = vec![artifacts_root().join("screens")];
        if std::env::var("CLINIC_E2E_SCREENSHOTS").as_deref() == Ok("docs") {
            targets.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"));
        }
        for dir in targets {
            std::fs::create_dir_all(&dir).expect("screenshot dir");
            std::fs::write(dir.join(format!("{name}.png")), &png).expect("write screenshot");
        }
    }

    /// Screenshot, page source and logs into `<target>/e2e-artifacts/<name>/`.
    async fn save_failure_artifacts(&self) -> PathBuf {
        let out = artifacts_root().join(&self.name);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).expect("artifacts dir");
        if let Some(app) = &self.app {
            match app.screenshot().await {
                Ok(png) => std::fs::write(out.join("screen.png"), png).expect("write"),
                Err(e) => eprintln!("e2e: no failure screenshot: {e}"),
            }
            match app.source().await {
                Ok(html) => std::fs::write(out.join("page.html"), html).expect("write"),
                Err(e) => eprintln!("e2e: no page source: {e}"),
            }
        }
        if let Ok(entries) = std::fs::read_dir(&self.logs) {
            for entry in entries.flatten() {
                let _ = std::fs::copy(entry.path(), out.join(entry.file_name()));
            }
        }
        out
    }

    async fn tear_down(mut self) {
        self.close().await;
        if let Some(server) = self.server.as_mut() {
            server.stop();
        }
        if let Some(database) = self.database.take() {
            database.drop_now().await;
        }
        // The rest (bus, keyring, display, temp folder) goes on drop.
    }
}

/// Runs `body` against a fresh [`Desktop`], one scenario at a time; tears
/// everything down afterwards, and on failure first saves the artifacts and
/// says where they are.
pub async fn scenario(name: &str, backend: Backend, body: impl AsyncFnOnce(&mut Desktop)) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut desktop = Desktop::start(name);
    // A bound on the whole scenario, so that nothing can hang a test run.
    let limit = match backend {
        Backend::GeneratedClinic => Duration::from_secs(60 * 60),
        _ => Duration::from_secs(5 * 60),
    };
    let outcome = AssertUnwindSafe(async {
        let run = async {
            desktop.serve(backend).await;
            body(&mut desktop).await;
        };
        if tokio::time::timeout(limit, run).await.is_err() {
            panic!("scenario {name} did not finish within {limit:?}");
        }
    })
    .catch_unwind()
    .await;
    if outcome.is_err() {
        let out = desktop.save_failure_artifacts().await;
        eprintln!(
            "e2e: scenario {name} failed; screenshot, page and logs in {}",
            out.display()
        );
    }
    desktop.tear_down().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
