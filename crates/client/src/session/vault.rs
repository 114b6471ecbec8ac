//! The session token: in the OS keyring, or where there is none (a
//! headless Linux box without D-Bus or a Secret Service, which fails at
//! once) in a file readable only by the user, under the data directory;
//! the sign-in then says so once, plainly. `CLINIC_DESK_TOKEN_STORE=file`
//! chooses the file from the start (servers, CI).

use super::keyring::{OsKeyring, SecretError, SecretStore};
use crate::error::{Error, Result};
use crate::paths::create_private_dir;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a token ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenLocation {
    Keyring,
    File,
}

/// Keeps tokens in the keyring, or in a 0600 file when there is none.
pub struct TokenVault {
    keyring: Box<dyn SecretStore>,
    dir: PathBuf,
    prefer_file: bool,
}

/// The outcome of keeping a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub location: TokenLocation,
    /// Set when the keyring could not be used: say it to the person, once.
    pub warning: Option<String>,
}

impl TokenVault {
    /// The OS keyring, with the file fallback under `data_dir`.
    pub fn new(data_dir: &Path) -> TokenVault {
        let prefer_file = std::env::var("CLINIC_DESK_TOKEN_STORE").is_ok_and(|v| v == "file");
        TokenVault {
            keyring: Box::new(OsKeyring),
            dir: data_dir.join("secrets"),
            prefer_file,
        }
    }

    pub fn with_store(store: Box<dyn SecretStore>, data_dir: &Path) -> TokenVault {
        TokenVault {
            keyring: store,
            dir: data_dir.join("secrets"),
            prefer_file: false,
        }
    }

    /// The fallback file of an account.
    pub fn file_path(&self, account: &str) -> PathBuf {
        let hash = Sha256::digest(account.as_bytes());
        self.dir.join(format!("{}.token", hex::encode(&hash[..12])))
    }

    pub fn keep(&self, account: &str, token: &SecretString) -> Result<Kept> {
        if !self.prefer_file {
            match self.keyring.set(account, token.expose_secret()) {
                Ok(()) => {
                    // A file left by an earlier fallback is stale now.
                    let _ = std::fs::remove_file(self.file_path(account));
                    return Ok(Kept {
                        location: TokenLocation::Keyring,
                        warning: None,
                    });
                }
                Err(SecretError::Unavailable(reason)) => {
                    let path = self.write_file(account, token)?;
                    return Ok(Kept {
                        location: TokenLocation::File,
                        warning: Some(format!(
                            "The system keyring is not available here ({reason}). The session \
                             token is kept instead in {}, readable only by you; signing out \
                             deletes it.",
                            path.display()
                        )),
                    });
                }
                Err(SecretError::Failed(reason)) => {
                    return Err(Error::Secret(format!(
                        "the system keyring refused the session token: {reason}"
                    )));
                }
            }
        }
        self.write_file(account, token)?;
        Ok(Kept {
            location: TokenLocation::File,
            warning: None,
        })
    }

    pub fn read(&self, account: &str, location: TokenLocation) -> Result<Option<SecretString>> {
        match location {
            TokenLocation::Keyring => self
                .keyring
                .get(account)
                .map(|t| t.map(SecretString::from))
                .map_err(|e| {
                    Error::Secret(format!(
                        "cannot read the session token from the keyring: {e}"
                    ))
                }),
            TokenLocation::File => match std::fs::read_to_string(self.file_path(account)) {
                Ok(t) => Ok(Some(SecretString::from(t.trim().to_owned()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::io("reading the session token file", e)),
            },
        }
    }

    /// Forgets the account's token wherever it is.
    pub fn forget(&self, account: &str) -> Result<()> {
        match std::fs::remove_file(self.file_path(account)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("deleting the session token file", e)),
        }
        if !self.prefer_file {
            match self.keyring.delete(account) {
                Ok(()) | Err(SecretError::Unavailable(_)) => {}
                Err(SecretError::Failed(reason)) => {
                    return Err(Error::Secret(format!(
                        "cannot delete the session token from the keyring: {reason}"
                    )));
                }
            }
        }
        Ok(())
    }

    fn write_file(&self, account: &str, token: &SecretString) -> Result<PathBuf> {
        create_private_dir(&self.dir)?;
        let path = self.file_path(account);
        let tmp = path.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
        file.write_all(token.expose_secret().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| Error::io(format!("moving the token into {}", path.display()), e))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::keyring::{MemoryKeyring, keyring_account};

    /// A keyring that is not there, as on a headless box without D-Bus.
    struct NoKeyring;
    impl SecretStore for NoKeyring {
        fn set(&self, _: &str, _: &str) -> Result<(), SecretError> {
            Err(SecretError::Unavailable("no D-Bus session".into()))
        }
        fn get(&self, _: &str) -> Result<Option<String>, SecretError> {
            Err(SecretError::Unavailable("no D-Bus session".into()))
        }
        fn delete(&self, _: &str) -> Result<(), SecretError> {
            Err(SecretError::Unavailable("no D-Bus session".into()))
        }
    }

    #[test]
    fn without_a_keyring_the_token_goes_to_a_private_file_and_says_so() {
        let dir = tempfile::tempdir().expect("dir");
        let vault = TokenVault::with_store(Box::new(NoKeyring), dir.path());
        let account = keyring_account("https://clinic.example", "Ana@Example.com");
        assert_eq!(account, "ana@example.com on https://clinic.example");
        let kept = vault
            .keep(&account, &SecretString::from("tok-123"))
            .expect("kept");
        assert_eq!(kept.location, TokenLocation::File);
        let warning = kept.warning.expect("a warning");
        assert!(warning.contains("keyring is not available"), "{warning}");
        assert!(warning.contains("no D-Bus session"), "{warning}");
        let path = vault.file_path(&account);
        assert!(warning.contains(&path.display().to_string()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(path.parent().expect("dir"))
                .expect("dir")
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
        let read = vault
            .read(&account, TokenLocation::File)
            .expect("read")
            .expect("some");
        assert_eq!(read.expose_secret(), "tok-123");
        // The token is in no other file of the data directory.
        for entry in std::fs::read_dir(dir.path()).expect("ls") {
            let p = entry.expect("entry").path();
            if p.is_file() {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                assert!(!text.contains("tok-123"), "{p:?}");
            }
        }
        vault.forget(&account).expect("forget");
        assert!(!path.exists());
        assert!(
            vault
                .read(&account, TokenLocation::File)
                .expect("read")
                .is_none()
        );
    }

    #[test]
    fn with_a_keyring_no_file_is_written_and_an_old_one_goes() {
        let dir = tempfile::tempdir().expect("dir");
        let file_vault = TokenVault::with_store(Box::new(NoKeyring), dir.path());
        let account = keyring_account("https://clinic.example", "ana@example.com");
        file_vault
            .keep(&account, &SecretString::from("old"))
            .expect("file");
        let vault = TokenVault::with_store(Box::<MemoryKeyring>::default(), dir.path());
        let kept = vault
            .keep(&account, &SecretString::from("new"))
            .expect("kept");
        assert_eq!(
            kept,
            Kept {
                location: TokenLocation::Keyring,
                warning: None
            }
        );
        assert!(!vault.file_path(&account).exists());
        let read = vault
            .read(&account, TokenLocation::Keyring)
            .expect("read")
            .expect("some");
        assert_eq!(read.expose_secret(), "new");
        vault.forget(&account).expect("forget");
        assert!(
            vault
                .read(&account, TokenLocation::Keyring)
                .expect("read")
                .is_none()
        );
    }
}
