//! Signing in and out, and keeping the session: the token in the OS
//! keyring or a private file ([`vault`], over [`keyring`]); who is signed
//! in, which is no secret, in `session.json` beside the stores, and each
//! account's device in `devices.json` ([`files`]).

mod files;
pub mod keyring;
pub mod vault;

#[cfg(any(test, feature = "test-support"))]
pub use keyring::MemoryKeyring;
pub use keyring::{KEYRING_SERVICE, OsKeyring, SecretError, SecretStore, keyring_account};
pub use vault::{Kept, TokenLocation, TokenVault};

use crate::api::ApiClient;
use crate::desk::{Desk, DeskIdentity};
use crate::error::{Error, Result};
use crate::paths;
use chrono::{DateTime, Utc};
use clinic_core::Role;
use clinic_core::api::auth::{LoginRequest, MembershipView};
use files::SessionFiles;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::Path;
use uuid::Uuid;

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
    files: SessionFiles,
    vault: TokenVault,
}

impl Sessions {
    pub fn new(data_dir: &Path) -> Sessions {
        Sessions::with_vault(data_dir, TokenVault::new(data_dir))
    }

    pub fn with_vault(data_dir: &Path, vault: TokenVault) -> Sessions {
        Sessions {
            files: SessionFiles::new(data_dir),
            vault,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.files.dir()
    }

    pub fn vault(&self) -> &TokenVault {
        &self.vault
    }

    /// The signed-in profile, if any.
    pub fn current(&self) -> Result<Option<Profile>> {
        self.files.profile()
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
            self.data_dir(),
            &profile.server,
            profile.clinic_id,
            profile.user_id,
        );
        let desk = Desk::open(&path, profile.identity())?;
        desk.adopt_device(profile.device_id)?;
        Ok(desk)
    }

    /// Signs in, picks the clinic, keeps the token and records the profile.
    /// The device id of an earlier sign-in of the same account is sent back,
    /// so this desk stays one device (and one sequence of mutations).
    pub async fn login(&self, login: Login) -> Result<SignedIn> {
        let api = ApiClient::new(&login.server)?;
        let server = api.server();
        let account = keyring_account(&server, &login.email);
        let mut devices = self.files.devices();
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
        self.files.write_devices(&devices)?;
        self.files.write_profile(&profile)?;
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
        self.files.write_profile(&profile)?;
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
        self.files.remove_profile()?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
