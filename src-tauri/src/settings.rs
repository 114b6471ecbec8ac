//! The person's preferences on this computer (language, theme,
//! notifications), kept in `settings.json` in the data directory. Not synced:
//! they belong to the machine, not to the clinic.

use crate::error::{CommandError, CommandResult, DeskErrorCode};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    /// Follow the system's language (Spanish if it is Spanish, else English).
    #[default]
    System,
    En,
    Es,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct NotificationSettings {
    /// A doctor's next appointment, `lead_minutes` before it starts.
    pub next_appointment: bool,
    /// 1 to 120.
    pub lead_minutes: u32,
    /// A conflict that appears after a sync.
    pub conflicts: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            next_appointment: true,
            lead_minutes: 10,
            conflicts: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub language: Language,
    pub theme: Theme,
    pub notifications: NotificationSettings,
}

pub const MAX_LEAD_MINUTES: u32 = 120;

impl Settings {
    /// Refuses values the app cannot honour, naming the field.
    pub fn check(&self) -> CommandResult<()> {
        let lead = self.notifications.lead_minutes;
        if !(1..=MAX_LEAD_MINUTES).contains(&lead) {
            return Err(CommandError::invalid(
                "notifications.leadMinutes",
                format!("remind between 1 and {MAX_LEAD_MINUTES} minutes before; got {lead}"),
            ));
        }
        Ok(())
    }
}

/// `settings.json`, read once and written on every change. Cheap to clone.
#[derive(Clone)]
pub struct SettingsFile {
    path: PathBuf,
    current: Arc<Mutex<Option<Settings>>>,
    /// Wakes whoever acts on the settings (the notifications) after a change.
    saved: Arc<tokio::sync::watch::Sender<()>>,
}

impl SettingsFile {
    pub fn new(data_dir: &Path) -> SettingsFile {
        SettingsFile {
            path: data_dir.join("settings.json"),
            current: Arc::new(Mutex::new(None)),
            saved: Arc::new(tokio::sync::watch::channel(()).0),
        }
    }

    /// Changes each time settings are saved.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<()> {
        self.saved.subscribe()
    }

    /// The saved settings; defaults when there are none or the file cannot
    /// be read (a broken preferences file must not keep the app from opening).
    pub fn get(&self) -> Settings {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *current.get_or_insert_with(|| match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                tracing::warn!("ignoring unreadable {}: {error}", self.path.display());
                Settings::default()
            }),
            Err(_) => Settings::default(),
        })
    }

    /// Checks and saves; nothing changes when the check fails.
    pub fn set(&self, settings: Settings) -> CommandResult<Settings> {
        settings.check()?;
        let local = |error: std::io::Error| {
            CommandError::new(
                DeskErrorCode::LocalStore,
                format!("cannot save {}: {error}", self.path.display()),
            )
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(local)?;
        }
        let bytes = serde_json::to_vec_pretty(&settings)
            .map_err(|e| CommandError::new(DeskErrorCode::LocalStore, e.to_string()))?;
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, bytes).map_err(local)?;
        std::fs::rename(&tmp, &self.path).map_err(local)?;
        *self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(settings);
        self.saved.send_replace(());
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_nothing_is_saved_and_saved_values_come_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = SettingsFile::new(dir.path());
        assert_eq!(file.get(), Settings::default());

        let wanted = Settings {
            language: Language::Es,
            theme: Theme::Dark,
            notifications: NotificationSettings {
                lead_minutes: 15,
                ..NotificationSettings::default()
            },
        };
        file.set(wanted).expect("saved");

        assert_eq!(SettingsFile::new(dir.path()).get(), wanted);
    }

    #[test]
    fn a_bad_lead_time_is_refused_and_nothing_is_saved() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = SettingsFile::new(dir.path());
        let mut bad = Settings::default();
        bad.notifications.lead_minutes = 0;

        let error = file.set(bad).expect_err("refused");

        assert_eq!(error.code, "invalid");
        assert_eq!(error.field.as_deref(), Some("notifications.leadMinutes"));
        assert!(!dir.path().join("settings.json").exists());
    }

    #[test]
    fn a_broken_or_partial_file_falls_back_to_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("settings.json"), "{not json").expect("write");
        assert_eq!(SettingsFile::new(dir.path()).get(), Settings::default());

        std::fs::write(dir.path().join("settings.json"), r#"{"theme":"dark"}"#).expect("write");
        let partial = SettingsFile::new(dir.path()).get();
        assert_eq!(partial.theme, Theme::Dark);
        assert_eq!(partial.notifications, NotificationSettings::default());
    }
}
