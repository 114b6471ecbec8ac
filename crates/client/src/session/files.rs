//! What a session leaves beside the stores, none of it secret:
//! `session.json`, who is signed in (a [`Profile`]), and `devices.json`,
//! the device id each account signed in as, so a desk stays one device
//! (and one sequence of mutations) across sign-ins.

use super::Profile;
use crate::error::{Error, Result};
use crate::paths::create_private_dir;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Devices by keyring account.
pub(super) type Devices = BTreeMap<String, Uuid>;

pub(super) struct SessionFiles {
    dir: PathBuf,
}

impl SessionFiles {
    pub fn new(data_dir: &Path) -> SessionFiles {
        SessionFiles {
            dir: data_dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn profile_path(&self) -> PathBuf {
        self.dir.join("session.json")
    }

    fn devices_path(&self) -> PathBuf {
        self.dir.join("devices.json")
    }

    /// The signed-in profile, if any.
    pub fn profile(&self) -> Result<Option<Profile>> {
        match std::fs::read_to_string(self.profile_path()) {
            Ok(text) => Ok(Some(serde_json::from_str(&text).map_err(|e| {
                Error::Corrupt(format!("{}: {e}", self.profile_path().display()))
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading session.json", e)),
        }
    }

    pub fn write_profile(&self, profile: &Profile) -> Result<()> {
        self.write_json(&self.profile_path(), profile)
    }

    pub fn remove_profile(&self) -> Result<()> {
        match std::fs::remove_file(self.profile_path()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("removing session.json", e)),
        }
    }

    /// The devices of earlier sign-ins; none when the file is missing or
    /// unreadable (the server then registers a new device).
    pub fn devices(&self) -> Devices {
        std::fs::read_to_string(self.devices_path())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn write_devices(&self, devices: &Devices) -> Result<()> {
        self.write_json(&self.devices_path(), devices)
    }

    fn write_json(&self, path: &Path, value: &impl Serialize) -> Result<()> {
        create_private_dir(&self.dir)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(value)?)
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("writing {}", path.display()), e))
    }
}
