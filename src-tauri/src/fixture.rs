//! A small clinic in Madrid as the server would send it, a desk that has
//! pulled it, and the app on the mock runtime with that desk open.

use crate::notifications::plan::Notice;
use crate::notifications::sink::Sink;
use crate::state::AppState;
use chrono::NaiveTime;
use clinic_client::test_support::MemoryKeyring;
use clinic_client::test_support::fixture::{clinic, doctor, patient, pulled_desk, room};
pub use clinic_client::test_support::fixture::{madrid, now};
use clinic_client::{Clock, Desk, DeskIdentity, Sessions, TokenLocation, TokenVault};
use clinic_core::Role;
use clinic_core::api::clinic::ClinicView;
use clinic_core::api::doctors::DoctorView;
use clinic_core::api::patients::PatientView;
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::WorkingHours;
use clinic_core::sync::{HoursRow, SyncRow};
use std::sync::{Arc, Mutex};
use tauri::test::{MockRuntime, mock_builder};
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};
use uuid::Uuid;

/// The test desks' clock: `now()`, read only off the async runtime's
/// workers. Every store write reads it (an action is stamped as it is
/// queued), so a command that writes SQLite on an async worker, blocking
/// the threads the IPC and the sync engine share, fails every test that
/// calls it.
fn clock_off_the_async_workers() -> Clock {
    Clock::from_fn(|| {
        if let Some(worker) = tokio::runtime::worker_index() {
            panic!(
                "the desk's store was used on async worker {worker}; \
                 commands reach it through AppState::on_desk"
            );
        }
        now()
    })
}

pub struct Clinic {
    pub clinic: ClinicView,
    pub garcia: DoctorView,
    pub garcia_user: Uuid,
    pub reception_user: Uuid,
    pub room: RoomView,
    pub lucia: PatientView,
}

impl Clinic {
    pub fn new() -> Clinic {
        let garcia_user = Uuid::now_v7();
        let mut garcia = doctor("Dra. Elena García", Some(garcia_user));
        garcia.specialties = vec!["Cardiology".into()];
        Clinic {
            clinic: clinic(),
            garcia,
            garcia_user,
            reception_user: Uuid::now_v7(),
            room: room("Sala 1"),
            lucia: patient("Lucía Pérez Núñez", Some("+34 600 100 200"), None),
        }
    }

    fn rows(&self) -> Vec<SyncRow> {
        let mut rows = vec![
            SyncRow::Clinic(self.clinic.clone()),
            SyncRow::Doctors(self.garcia.clone()),
            SyncRow::Rooms(self.room.clone()),
            SyncRow::Patients(self.lucia.clone()),
        ];
        // Weekdays 09:00–14:00; no weekend hours.
        rows.extend((1..=5).map(|weekday| {
            SyncRow::DoctorHours(HoursRow {
                id: Uuid::now_v7(),
                doctor_id: self.garcia.id,
                hours: WorkingHours {
                    weekday,
                    starts: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
                    ends: NaiveTime::from_hms_opt(14, 0, 0).expect("time"),
                },
            })
        }));
        rows
    }

    pub fn identity(&self, role: Role) -> DeskIdentity {
        DeskIdentity {
            clinic_id: self.clinic.id,
            user_id: match role {
                Role::Doctor => self.garcia_user,
                _ => self.reception_user,
            },
            role,
        }
    }

    /// An in-memory desk that has pulled the clinic, its clock at `now()`.
    pub fn desk(&self, role: Role) -> Desk {
        pulled_desk(
            self.rows(),
            self.identity(role),
            clock_off_the_async_workers(),
        )
    }

    pub fn profile(&self, role: Role, server: &str) -> clinic_client::Profile {
        let identity = self.identity(role);
        clinic_client::Profile {
            server: server.into(),
            email: "someone@clinica-sol.example".into(),
            user_id: identity.user_id,
            user_name: "Someone".into(),
            device_id: Uuid::now_v7(),
            device_name: "test desk".into(),
            session_id: Uuid::now_v7(),
            expires_at: now() + chrono::Duration::days(30),
            clinic_id: self.clinic.id,
            clinic_name: self.clinic.name.clone(),
            role,
            token_location: TokenLocation::Keyring,
        }
    }
}

/// Keeps what would have been shown on the desktop.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<Notice>>);

impl Sink for Recorder {
    fn show(&self, notice: &Notice) -> Result<(), String> {
        self.0.lock().expect("lock").push(notice.clone());
        Ok(())
    }
}

/// The app on the mock runtime with the real generated context (config,
/// capabilities), a temporary data directory and its main window.
pub struct TestApp {
    pub app: App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub notices: Arc<Recorder>,
    pub signals: Arc<Mutex<Vec<crate::events::Signal>>>,
    /// Removed with the app.
    pub data_dir: tempfile::TempDir,
}

impl TestApp {
    pub fn new() -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let vault = TokenVault::with_store(Box::new(MemoryKeyring::default()), data_dir.path());
        let notices = Arc::new(Recorder::default());
        let context = crate::context();
        let state = AppState::new(
            crate::AppInfo::of(context.package_info(), Some("http://127.0.0.1:8080".into())),
            Sessions::with_vault(data_dir.path(), vault),
            crate::Notifier::new(notices.clone()),
            clinic_client::EngineConfig::default(),
        );
        let app = crate::builder(mock_builder(), state)
            .build(context)
            .expect("app builds");
        let signals: Arc<Mutex<Vec<crate::events::Signal>>> = Arc::default();
        let recorded = signals.clone();
        app.state::<AppState>().attach(Arc::new(move |signal| {
            recorded.lock().expect("lock").push(signal);
        }));
        let config = app
            .config()
            .app
            .windows
            .iter()
            .find(|window| window.label == "main")
            .expect("main window in tauri.conf.json")
            .clone();
        let window = WebviewWindowBuilder::from_config(&app, &config)
            .and_then(WebviewWindowBuilder::build)
            .expect("main window opens");
        TestApp {
            app,
            window,
            notices,
            signals,
            data_dir,
        }
    }

    pub fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }

    /// Opens `desk` as the signed-in member's, without a server.
    pub fn open(&self, profile: clinic_client::Profile, desk: Desk) {
        tauri::async_runtime::block_on(self.state().open_offline(profile, desk));
    }
}
