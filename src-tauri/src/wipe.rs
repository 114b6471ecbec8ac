//! Deleting a clinic's local store on sign-out, when asked.

use crate::error::{CommandError, CommandResult, DeskErrorCode};
use clinic_client::Profile;
use std::path::Path;

/// Removes the store of (server, clinic, user) with its WAL and shared-memory
/// files. Call only once the desk is closed: an open connection would keep
/// writing to the unlinked file.
pub fn store_files(data_dir: &Path, profile: &Profile) -> CommandResult<()> {
    let store = clinic_client::paths::store_path(
        data_dir,
        &profile.server,
        profile.clinic_id,
        profile.user_id,
    );
    for suffix in ["", "-wal", "-shm"] {
        let mut name = store.clone().into_os_string();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CommandError::new(
                    DeskErrorCode::LocalStore,
                    format!("cannot delete {}: {e}", Path::new(&name).display()),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clinic_client::TokenLocation;
    use uuid::Uuid;

    #[test]
    fn deletes_the_store_and_its_journal_files_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let profile = Profile {
            server: "http://127.0.0.1:8080".into(),
            email: "ana@example.com".into(),
            user_id: Uuid::now_v7(),
            user_name: "Ana".into(),
            device_id: Uuid::now_v7(),
            device_name: "desk".into(),
            session_id: Uuid::now_v7(),
            expires_at: chrono::Utc::now(),
            clinic_id: Uuid::now_v7(),
            clinic_name: "Sol".into(),
            role: clinic_core::Role::Reception,
            token_location: TokenLocation::File,
        };
        let store = clinic_client::paths::store_path(
            dir.path(),
            &profile.server,
            profile.clinic_id,
            profile.user_id,
        );
        std::fs::create_dir_all(store.parent().expect("parent")).expect("dirs");
        let other = store.with_file_name("someone-else.sqlite3");
        for path in [&store, &store.with_extension("sqlite3-wal"), &other] {
            std::fs::write(path, b"x").expect("write");
        }

        store_files(dir.path(), &profile).expect("wiped");

        assert!(!store.exists());
        assert!(!store.with_extension("sqlite3-wal").exists());
        assert!(other.exists(), "another member's store stays");
    }
}
