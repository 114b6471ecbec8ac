//! Where a desk keeps its files.
//!
//! ```text
//! <data dir>/
//!   session.json                         who is signed in (no secret in it)
//!   devices.json                         device id per account, kept across sign-outs
//!   secrets/<hash>.token                 only when the OS keyring is unavailable (0600)
//!   stores/<server>/<clinic>/<user>.sqlite3   one store per (server, clinic, user)
//! ```

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Creates `dir` (and its parents) and makes it private to the user: stores
/// hold patient records.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(format!("protecting {}", dir.display()), e))?;
    }
    Ok(())
}

/// `CLINIC_DESK_DATA_DIR`, else the platform's data directory
/// (`~/.local/share/clinic-desk` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CLINIC_DESK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "clinic-desk").map(|d| d.data_dir().to_path_buf())
}

/// A short, file-safe name for a server that still tells people which it
/// is (`127.0.0.1_8080-1a2b3c4d`); the hash tells apart servers that differ
/// only in scheme or path.
pub fn server_dir_name(server: &str) -> String {
    let readable: String = server
        .split("://")
        .nth(1)
        .unwrap_or(server)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let hash = Sha256::digest(server.as_bytes());
    format!("{}-{}", readable.trim_matches('_'), hex::encode(&hash[..4]))
}

pub fn store_path(data_dir: &Path, server: &str, clinic_id: Uuid, user_id: Uuid) -> PathBuf {
    data_dir
        .join("stores")
        .join(server_dir_name(server))
        .join(clinic_id.to_string())
        .join(format!("{user_id}.sqlite3"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_store_per_server_clinic_and_user() {
        let dir = Path::new("/data");
        let (c, u) = (Uuid::now_v7(), Uuid::now_v7());
        let a = store_path(dir, "http://127.0.0.1:8080", c, u);
        assert!(
            a.to_string_lossy()
                .starts_with("/data/stores/127.0.0.1_8080-"),
            "{a:?}"
        );
        assert_ne!(a, store_path(dir, "https://127.0.0.1:8080", c, u));
        assert_ne!(
            a,
            store_path(dir, "http://127.0.0.1:8080", Uuid::now_v7(), u)
        );
        assert_ne!(
            a,
            store_path(dir, "http://127.0.0.1:8080", c, Uuid::now_v7())
        );
    }
}
