//! What the app holds while it runs: the sessions of its data directory, the
//! open desk of the signed-in clinic and its running sync engine.
//!
//! Commands reach the store only through [`AppState::on_desk`]: it takes a
//! clone of the open desk (cheap: an `Arc`), lets go of the lock, and runs
//! the command's reads and writes on the blocking pool, so screens never
//! queue behind one another and SQLite never blocks an async worker; only
//! opening and closing a desk hold the lock.

use crate::clinics::KnownClinics;
use crate::commands::app::AppInfo;
use crate::error::{CommandError, CommandResult};
use crate::events::Publisher;
use crate::notifications::Notifier;
use crate::settings::SettingsFile;
use clinic_client::{
    Desk, EngineConfig, EngineHandle, Profile, Sessions, SyncEngine, SyncState, SyncStatus,
};
use clinic_core::ErrorCode;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use tauri::async_runtime::JoinHandle;
use tokio::sync::watch;
use uuid::Uuid;

/// Runs `f` on the blocking pool and waits for it. SQLite (and the files
/// beside it) blocks: on an async worker it would hold up the IPC and the
/// sync engine, which share those few threads. The one place the app hands
/// store work to the pool.
pub async fn blocking<T, F>(f: F) -> CommandResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> CommandResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|error| {
            CommandError::new(
                ErrorCode::Internal,
                format!("a local store call stopped: {error}"),
            )
        })?
}

/// What a desk holds as it opens, read with the opening.
struct AtOpen {
    pending: u64,
    /// The conflict inbox's ids (`None`: it could not be read).
    conflicts: Option<HashSet<Uuid>>,
}

impl AtOpen {
    fn read(desk: &Desk) -> AtOpen {
        AtOpen {
            pending: desk.pending_count().unwrap_or(0),
            conflicts: desk
                .conflicts()
                .ok()
                .map(|inbox| inbox.iter().map(|c| c.id).collect()),
        }
    }
}

/// The desk of the signed-in member and what runs for it.
pub struct OpenDesk {
    pub profile: Profile,
    pub desk: Desk,
    /// Absent when the session token cannot be read (sign in again); the
    /// desk still works locally.
    engine: Option<EngineHandle>,
    /// The status while there is no engine: signed out, counts as at open.
    idle_status: watch::Sender<SyncStatus>,
    /// Forward status and changes to the UI, and plan notifications.
    tasks: Vec<JoinHandle<()>>,
}

impl OpenDesk {
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        match &self.engine {
            Some(engine) => engine.status(),
            None => self.idle_status.subscribe(),
        }
    }

    pub fn sync_now(&self) -> bool {
        match &self.engine {
            Some(engine) => {
                engine.sync_now();
                true
            }
            None => false,
        }
    }

    async fn close(self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(engine) = self.engine {
            engine.shutdown().await;
        }
    }
}

pub struct AppState {
    pub app_info: AppInfo,
    /// Shared with the blocking pool, where desks are opened.
    pub sessions: Arc<Sessions>,
    pub settings: SettingsFile,
    pub clinics: KnownClinics,
    /// Set once the app is built (events need its handle); until then
    /// nothing is published.
    publisher: OnceLock<Publisher>,
    notifier: Notifier,
    engine_config: EngineConfig,
    open: tokio::sync::Mutex<Option<OpenDesk>>,
    /// Set when the token went to the fallback file; handed to the UI once.
    token_warning: Mutex<Option<String>>,
}

impl AppState {
    pub fn new(
        app_info: AppInfo,
        sessions: Sessions,
        notifier: Notifier,
        engine_config: EngineConfig,
    ) -> AppState {
        let data_dir = sessions.data_dir().to_path_buf();
        AppState {
            app_info,
            sessions: Arc::new(sessions),
            settings: SettingsFile::new(&data_dir),
            clinics: KnownClinics::new(&data_dir),
            publisher: OnceLock::new(),
            notifier,
            engine_config,
            open: tokio::sync::Mutex::new(None),
            token_warning: Mutex::new(None),
        }
    }

    /// Where status and change events go from now on (set once).
    pub fn attach(&self, publisher: Publisher) {
        if self.publisher.set(publisher).is_err() {
            tracing::warn!("events already have a destination; keeping it");
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.sessions.data_dir().to_path_buf()
    }

    pub fn set_token_warning(&self, warning: Option<String>) {
        *self
            .token_warning
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = warning;
    }

    /// The warning, once: later calls get `None`.
    pub fn take_token_warning(&self) -> Option<String> {
        self.token_warning
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    /// The open desk and its profile, or `not_signed_in`. Private: commands
    /// reach the store through [`AppState::on_desk`].
    async fn desk(&self) -> CommandResult<(Desk, Profile)> {
        self.open
            .lock()
            .await
            .as_ref()
            .map(|open| (open.desk.clone(), open.profile.clone()))
            .ok_or_else(CommandError::not_signed_in)
    }

    /// Who is signed in at the open desk, or `not_signed_in`.
    pub async fn profile(&self) -> CommandResult<Profile> {
        self.with_open(|open| open.profile.clone()).await
    }

    /// Runs `f` with the open desk and its profile on the blocking pool (see
    /// [`blocking`]); `not_signed_in` when no desk is open. Every command
    /// that reads or writes the store goes through here.
    pub async fn on_desk<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Desk, &Profile) -> CommandResult<T> + Send + 'static,
    {
        let (desk, profile) = self.desk().await?;
        blocking(move || f(&desk, &profile)).await
    }

    pub async fn with_open<T>(&self, f: impl FnOnce(&OpenDesk) -> T) -> CommandResult<T> {
        self.open
            .lock()
            .await
            .as_ref()
            .map(f)
            .ok_or_else(CommandError::not_signed_in)
    }

    /// Opens the saved profile's desk, if someone is signed in, and starts
    /// syncing. Needs no network: the engine retries until it gets through.
    pub async fn open_saved(&self) -> CommandResult<()> {
        match self.sessions.current()? {
            Some(profile) => self.open_profile(profile).await,
            None => Ok(()),
        }
    }

    /// Closes whatever is open and opens `profile`'s desk.
    pub async fn open_profile(&self, profile: Profile) -> CommandResult<()> {
        let mut open = self.open.lock().await;
        if let Some(previous) = open.take() {
            previous.close().await;
        }
        // Opening migrates the store and binds it to the device: writes.
        let sessions = self.sessions.clone();
        let opening = profile.clone();
        let (desk, at_open) = blocking(move || {
            let desk = sessions.open_desk(&opening)?;
            let at_open = AtOpen::read(&desk);
            Ok((desk, at_open))
        })
        .await?;
        let engine = match self.sessions.api(&profile) {
            Ok(api) => Some(SyncEngine::new(desk.clone(), api, self.engine_config.clone()).spawn()),
            Err(error) => {
                tracing::warn!(code = error.code(), "not syncing: {error}");
                None
            }
        };
        *open = Some(self.start(profile, desk, at_open, engine));
        Ok(())
    }

    /// Opens an already opened desk without a server; what the tests use.
    #[cfg(test)]
    pub async fn open_offline(&self, profile: Profile, desk: Desk) {
        let mut open = self.open.lock().await;
        if let Some(previous) = open.take() {
            previous.close().await;
        }
        let reading = desk.clone();
        let at_open = blocking(move || Ok(AtOpen::read(&reading)))
            .await
            .expect("the desk is read");
        *open = Some(self.start(profile, desk, at_open, None));
    }

    fn start(
        &self,
        profile: Profile,
        desk: Desk,
        at_open: AtOpen,
        engine: Option<EngineHandle>,
    ) -> OpenDesk {
        let idle = SyncStatus {
            state: clinic_client::SyncState::SignedOut,
            last_sync_at: None,
            pending: at_open.pending,
            conflicts: at_open.conflicts.as_ref().map_or(0, |c| c.len() as u64),
            last_error: None,
            live: false,
        };
        let (idle_status, _) = watch::channel(idle);
        let mut open = OpenDesk {
            profile,
            desk,
            engine,
            idle_status,
            tasks: Vec::new(),
        };
        if let Some(publisher) = self.publisher.get() {
            open.tasks = crate::events::forward(&open, publisher);
        }
        open.tasks.extend(
            self.notifier
                .watch(&open, self.settings.clone(), at_open.conflicts),
        );
        open
    }

    /// Waits until the open desk holds the clinic's settings (a first sync's
    /// first page), the sync stops trying for now, or `within` passes.
    pub async fn first_sync(&self, within: std::time::Duration) {
        let Ok((desk, status)) = self
            .with_open(|open| (open.desk.clone(), open.status()))
            .await
        else {
            return;
        };
        let mut status = status;
        let mut revision = desk.subscribe();
        let waited = tokio::time::timeout(within, async {
            loop {
                let reading = desk.clone();
                let synced = blocking(move || Ok(reading.clinic()?.is_some()));
                if synced.await.unwrap_or(false) {
                    return;
                }
                let state = status.borrow_and_update().state;
                if !matches!(state, SyncState::Starting | SyncState::Syncing) {
                    return;
                }
                tokio::select! {
                    changed = revision.changed() => if changed.is_err() { return },
                    changed = status.changed() => if changed.is_err() { return },
                }
            }
        })
        .await;
        if waited.is_err() {
            tracing::info!("first sync still running after {within:?}; the UI follows deskChanged");
        }
    }

    /// Refreshes the account's list of clinics from the server, when it
    /// answers (a clinic may have been added since the sign-in).
    pub async fn refresh_clinics(&self) {
        let Ok(profile) = self.profile().await else {
            return;
        };
        let answer = match self.sessions.api(&profile) {
            Ok(api) => api.me().await.map_err(clinic_client::Error::from),
            Err(error) => Err(error),
        };
        match answer {
            Ok(me) => {
                if let Err(error) = self.clinics.set(&me.memberships) {
                    tracing::warn!("cannot keep the list of clinics: {error}");
                }
            }
            Err(error) => tracing::debug!(code = error.code(), "clinic list not refreshed"),
        }
    }

    /// Closes the open desk (stops syncing); returns its profile.
    pub async fn close(&self) -> Option<Profile> {
        let open = self.open.lock().await.take()?;
        let profile = open.profile.clone();
        open.close().await;
        Some(profile)
    }
}
