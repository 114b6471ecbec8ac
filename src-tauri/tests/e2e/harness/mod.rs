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
use std::sync::{Mutex, PoisonError};
use tempfile::TempDir;

/// One scenario at a time: each has a window, a server and WebKit processes,
/// and the machine has two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

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
    async fn start(name: &str, backend: Backend) -> Desktop {
        let dir = tempfile::Builder::new()
            .prefix(&format!("clinic-e2e-{name}-"))
            .tempdir()
            .expect("temp dir");
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).expect("logs dir");
        let display = Display::start(&logs);
        let bus = SessionBus::start(dir.path(), &logs);
        let mut desktop = Desktop {
            name: name.to_owned(),
            dir,
            logs,
            server: None,
            link: None,
            database: None,
            app: None,
            launches: 0,
            generated_admin: None,
            bus,
            display,
        };
        if backend != Backend::None {
            let database = Database::create().await;
            let mut server = SyncServer::new(&database.url, app::free_port(), &desktop.logs);
            desktop.database = Some(database);
            if backend == Backend::DemoClinic {
                server.seed_demo();
            } else {
                desktop.generated_admin = Some(server.generate_clinic());
            }
            server.start().await;
            desktop.link = Some(Link::open(server.port).await);
            desktop.server = Some(server);
        }
        desktop
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
        };
        self.app = Some(App::launch(&env, &self.logs, self.launches).await);
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
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let mut desktop = Desktop::start(name, backend).await;
    let outcome = AssertUnwindSafe(body(&mut desktop)).catch_unwind().await;
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
