//! Signing in and out, and keeping the session token.
//!
//! The token lives in the OS keyring (service `clinic-desk`, account
//! `<email> on <server>`). Where there is no keyring (a headless Linux box
//! without D-Bus or a Secret Service, which fails at once) it goes to a file
//! readable only by the user, under the data directory, and the sign-in says
//! so once, plainly. `CLINIC_DESK_TOKEN_STORE=file` chooses the file from the
//! start (servers, CI). Nothing else about a session is secret; it is kept
//! in `session.json` beside the stores.

use crate::api::ApiClient;
use crate::desk::{Desk, DeskIdentity};
use crate::error::{Error, Result};
use crate::paths::{self, create_private_dir};
use chrono::{DateTime, Utc};
use clinic_core::Role;
use clinic_core::api::auth::{LoginRequest, MembershipView};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use uuid::Uuid;

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

/// Who is signed in on this desk, for which clinic. No secret in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub server: String,
    pub email: String,
    pub user_id: Uuid,
    pub user_name: String,
    pub device_id: Uuid,
    pub device_name: String,
    pub session_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub clinic_id: Uuid,
    pub clinic_name: String,
    pub role: Role,
    pub token_location: TokenLocation,
}

impl Profile {
    pub fn account(&self) -> String {
        keyring_account(&self.server, &self.email)
    }

    pub fn identity(&self) -> DeskIdentity {
        DeskIdentity {
            clinic_id: self.clinic_id,
            user_id: self.user_id,
            role: self.role,
        }
    }
}

/// What signing in did.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub profile: Profile,
    pub memberships: Vec<MembershipView>,
    /// Set when the token went to the fallback file; show it once.
    pub token_warning: Option<String>,
}

/// A sign-in request before the password is checked.
#[derive(Debug)]
pub struct Login {
    pub server: String,
    pub email: String,
    pub password: SecretString,
    pub device_name: String,
    /// Which clinic to open when the person works at several.
    pub clinic_id: Option<Uuid>,
    /// Register as a new device instead of the one this desk signed in as
    /// before (its sequence numbers start again; see `Desk::adopt_device`).
    pub new_device: bool,
}

/// Sessions and stores under one data directory.
pub struct Sessions {
    data_dir: PathBuf,
    vault: TokenVault,
}

impl Sessions {
    pub fn new(data_dir: &Path) -> Sessions {
        Sessions {
            data_dir: data_dir.to_path_buf(),
            vault: TokenVault::new(data_dir),
        }
    }

    pub fn with_vault(data_dir: &Path, vault: TokenVault) -> Sessions {
        Sessions {
            data_dir: data_dir.to_path_buf(),
            vault,
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn vault(&self) -> &TokenVault {
        &self.vault
    }

    fn profile_path(&self) -> PathBuf {
        self.data_dir.join("session.json")
    }

    fn devices_path(&self) -> PathBuf {
        self.data_dir.join("devices.json")
    }

    /// The signed-in profile, if any.
    pub fn current(&self) -> Result<Option<Profile>> {
        match std::fs::read_to_string(self.profile_path()) {
            Ok(text) => Ok(Some(serde_json::from_str(&text).map_err(|e| {
                Error::Corrupt(format!("{}: {e}", self.profile_path().display()))
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading session.json", e)),
        }
    }

    /// The signed-in profile, or a clear error.
    pub fn require(&self) -> Result<Profile> {
        self.current()?.ok_or_else(|| {
            Error::NotSignedIn("no one is signed in on this desk; run `desk login`".into())
        })
    }

    pub fn token(&self, profile: &Profile) -> Result<SecretString> {
        self.vault
            .read(&profile.account(), profile.token_location)?
            .ok_or_else(|| {
                Error::NotSignedIn(format!(
                    "the session token of {} is missing; sign in again",
                    profile.email
                ))
            })
    }

    /// An API client carrying the profile's token.
    pub fn api(&self, profile: &Profile) -> Result<ApiClient> {
        Ok(ApiClient::new(&profile.server)?.with_token(self.token(profile)?))
    }

    /// Opens the profile's store, bound to its device's sequence numbers.
    pub fn open_desk(&self, profile: &Profile) -> Result<Desk> {
        let path = paths::store_path(
            &self.data_dir,
            &profile.server,
            profile.clinic_id,
            profile.user_id,
        );
        let desk = Desk::open(&path, profile.identity())?;
        desk.adopt_device(profile.device_id)?;
        Ok(desk)
    }

    fn known_devices(&self) -> BTreeMap<String, Uuid> {
        std::fs::read_to_string(self.devices_path())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn write_json(&self, path: &Path, value: &impl Serialize) -> Result<()> {
        create_private_dir(&self.data_dir)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(value)?)
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("writing {}", path.display()), e))
    }

    /// Signs in, picks the clinic, keeps the token and records the profile.
    /// The device id of an earlier sign-in of the same account is sent back,
    /// so this desk stays one device (and one sequence of mutations).
    pub async fn login(&self, login: Login) -> Result<SignedIn> {
        let api = ApiClient::new(&login.server)?;
        let server = api.server();
        let account = keyring_account(&server, &login.email);
        let mut devices = self.known_devices();
        let granted = api
            .login(&LoginRequest {
                email: login.email.trim().to_owned(),
                password: login.password.expose_secret().to_owned(),
                device_name: login.device_name.clone(),
                device_id: if login.new_device {
                    None
                } else {
                    devices.get(&account).copied()
                },
            })
            .await?;
        let token = SecretString::from(granted.token);
        // The session this one replaces, read before its token is overwritten.
        let previous = self
            .current()
            .ok()
            .flatten()
            .and_then(|p| self.token(&p).ok().map(|t| (p, t)));
        let membership = match pick_clinic(&granted.memberships, login.clinic_id) {
            Ok(m) => m,
            Err(e) => {
                // Leave no session behind on the server for a sign-in that goes no further.
                let _ = api.clone().with_token(token).logout().await;
                if login.clinic_id.is_none() && granted.memberships.len() > 1 {
                    // Not a failure for the person: the app shows a clinic picker.
                    return Err(Error::ChooseClinic {
                        message: e.to_string(),
                        memberships: granted.memberships,
                    });
                }
                return Err(e);
            }
        };
        let kept = self.vault.keep(&account, &token)?;
        let profile = Profile {
            server,
            email: granted.user.email.clone(),
            user_id: granted.user.id,
            user_name: granted.user.full_name.clone(),
            device_id: granted.device_id,
            device_name: login.device_name,
            session_id: granted.session_id,
            expires_at: granted.expires_at,
            clinic_id: membership.clinic_id,
            clinic_name: membership.clinic_name.clone(),
            role: membership.role,
            token_location: kept.location,
        };
        devices.insert(account.clone(), granted.device_id);
        self.write_json(&self.devices_path(), &devices)?;
        self.write_json(&self.profile_path(), &profile)?;
        if let Some((old, old_token)) = previous {
            // Leave no live session without a token behind: revoke the one
            // replaced (briefly; it expires anyway) and forget its token.
            if let Ok(api) = ApiClient::new(&old.server) {
                let api = api.with_token(old_token);
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), api.logout()).await;
            }
            if old.account() != account {
                self.vault.forget(&old.account())?;
            }
        }
        Ok(SignedIn {
            profile,
            memberships: granted.memberships,
            token_warning: kept.warning,
        })
    }

    /// Opens another clinic of the signed-in account (the token serves all
    /// of them); `memberships` as `ApiClient::me` returns them.
    pub fn switch_clinic(
        &self,
        memberships: &[MembershipView],
        clinic_id: Uuid,
    ) -> Result<Profile> {
        let mut profile = self.require()?;
        let m = pick_clinic(memberships, Some(clinic_id))?;
        profile.clinic_id = m.clinic_id;
        profile.clinic_name = m.clinic_name.clone();
        profile.role = m.role;
        self.write_json(&self.profile_path(), &profile)?;
        Ok(profile)
    }

    /// Signs out: revokes the session on the server when it can be reached,
    /// and forgets the token either way. The store and its outbox stay: what
    /// was queued is pushed after the next sign-in. Returns whether the
    /// server confirmed the revocation.
    pub async fn logout(&self) -> Result<bool> {
        let Some(profile) = self.current()? else {
            return Ok(false);
        };
        let revoked = match self.api(&profile) {
            Ok(api) => api.logout().await.is_ok(),
            Err(_) => false,
        };
        self.vault.forget(&profile.account())?;
        match std::fs::remove_file(self.profile_path()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("removing session.json", e)),
        }
        Ok(revoked)
    }
}

/// The membership to open: the one asked for, or the only one.
pub fn pick_clinic(
    memberships: &[MembershipView],
    wanted: Option<Uuid>,
) -> Result<&MembershipView> {
    let list = || {
        memberships
            .iter()
            .map(|m| format!("  {}  {} ({})", m.clinic_id, m.clinic_name, m.role))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match (wanted, memberships) {
        (_, []) => Err(Error::Refused(clinic_core::ErrorBody {
            code: clinic_core::ErrorCode::NotPermitted,
            message: "this account is not a member of any clinic yet".into(),
            field: None,
        })),
        (Some(id), _) => memberships
            .iter()
            .find(|m| m.clinic_id == id)
            .ok_or_else(|| {
                Error::from(clinic_core::Invalid::new(
                    "clinic",
                    format!(
                        "this account is not a member of clinic {id}; it belongs to:\n{}",
                        list()
                    ),
                ))
            }),
        (None, [one]) => Ok(one),
        (None, _) => Err(Error::from(clinic_core::Invalid::new(
            "clinic",
            format!(
                "this account works at several clinics; choose one with --clinic:\n{}",
                list()
            ),
        ))),
    }
}

/// Secrets kept in this process's memory only: for tests and benchmarks,
/// which must never touch the machine's keyring.
#[derive(Debug, Default)]
pub struct MemoryKeyring(Mutex<BTreeMap<String, String>>);

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

    fn membership(name: &str) -> MembershipView {
        MembershipView {
            clinic_id: Uuid::now_v7(),
            clinic_name: name.into(),
            role: Role::Reception,
            is_owner: false,
        }
    }

    #[test]
    fn a_clinic_is_picked_or_asked_for() {
        let one = [membership("Sol")];
        assert_eq!(pick_clinic(&one, None).expect("only").clinic_name, "Sol");
        let two = [membership("Sol"), membership("Luna")];
        let err = pick_clinic(&two, None).expect_err("ambiguous");
        assert!(err.to_string().contains("--clinic"), "{err}");
        assert!(err.to_string().contains("Luna"), "{err}");
        assert_eq!(
            pick_clinic(&two, Some(two[1].clinic_id))
                .expect("chosen")
                .clinic_name,
            "Luna"
        );
        assert!(pick_clinic(&two, Some(Uuid::now_v7())).is_err());
        assert_eq!(
            pick_clinic(&[], None).expect_err("none").code(),
            "not_permitted"
        );
    }
}
