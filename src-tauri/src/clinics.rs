//! The clinics the signed-in account belongs to, as the server last listed
//! them (at sign-in, or when the app starts online), kept in `clinics.json`
//! so the clinic picker works offline too.

use clinic_core::api::auth::MembershipView;
use std::path::{Path, PathBuf};

pub struct KnownClinics {
    path: PathBuf,
}

impl KnownClinics {
    pub fn new(data_dir: &Path) -> KnownClinics {
        KnownClinics {
            path: data_dir.join("clinics.json"),
        }
    }

    /// Empty when none were saved or the file is unreadable: the list is a
    /// convenience, refreshed from the server whenever it can be.
    pub fn get(&self) -> Vec<MembershipView> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn set(&self, memberships: &[MembershipView]) -> std::io::Result<()> {
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(memberships)?)?;
        std::fs::rename(&tmp, &self.path)
    }

    pub fn forget(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
