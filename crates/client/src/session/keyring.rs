//! Where secrets can be kept: the OS keyring (service `clinic-desk`,
//! account `<email> on <server>`), or, in tests and benchmarks, this
//! process's memory.

pub const KEYRING_SERVICE: &str = "clinic-desk";

/// The keyring account for a session: one per server and email.
pub fn keyring_account(server: &str, email: &str) -> String {
    format!("{} on {server}", email.trim().to_lowercase())
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// There is no usable platform store here (no D-Bus, no Secret Service,
    /// locked): fall back to the file.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Failed(String),
}

/// Where secrets can be kept; the OS keyring in the app, a fake in tests.
pub trait SecretStore: Send + Sync {
    fn set(&self, account: &str, secret: &str) -> Result<(), SecretError>;
    fn get(&self, account: &str) -> Result<Option<String>, SecretError>;
    fn delete(&self, account: &str) -> Result<(), SecretError>;
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows.
pub struct OsKeyring;

fn keyring_error(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            SecretError::Unavailable(e.to_string())
        }
        other => SecretError::Failed(other.to_string()),
    }
}

impl SecretStore for OsKeyring {
    fn set(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        keyring::Entry::new(KEYRING_SERVICE, account)
            .and_then(|e| e.set_password(secret))
            .map_err(keyring_error)
    }

    fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        match keyring::Entry::new(KEYRING_SERVICE, account).and_then(|e| e.get_password()) {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        match keyring::Entry::new(KEYRING_SERVICE, account).and_then(|e| e.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Secrets kept in this process's memory only: for tests and benchmarks,
/// which must never touch the machine's keyring (the `test-support`
/// feature).
#[cfg(any(test, feature = "test-support"))]
#[derive(Debug, Default)]
pub struct MemoryKeyring(std::sync::Mutex<std::collections::BTreeMap<String, String>>);

#[cfg(any(test, feature = "test-support"))]
impl SecretStore for MemoryKeyring {
    fn set(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        self.0
            .lock()
            .expect("keyring lock")
            .insert(account.into(), secret.into());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        Ok(self.0.lock().expect("keyring lock").get(account).cloned())
    }
    fn delete(&self, account: &str) -> Result<(), SecretError> {
        self.0.lock().expect("keyring lock").remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_real_keyring_either_works_or_fails_fast_as_unavailable() {
        // On a desktop this stores and deletes a test entry; on a headless box
        // it must fail at once as Unavailable (the fallback's trigger), not hang.
        let account = format!("keyring-probe-{}", Uuid::now_v7());
        let started = std::time::Instant::now();
        match OsKeyring.set(&account, "probe") {
            Ok(()) => {
                assert_eq!(
                    OsKeyring.get(&account).expect("get").as_deref(),
                    Some("probe")
                );
                OsKeyring.delete(&account).expect("delete");
            }
            Err(SecretError::Unavailable(_)) => {}
            Err(other) => panic!("unexpected keyring failure: {other}"),
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}
