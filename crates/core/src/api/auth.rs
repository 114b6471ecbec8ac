//! Sign-up, sign-in, sessions, passwords, invitations.

use crate::clinic::{Currency, Locale, parse_time_zone};
use crate::contact::{Email, required_text};
use crate::error::Invalid;
use crate::password::check_new_password;
use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A new clinic and the admin who owns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupRequest {
    pub clinic: NewClinic,
    pub owner: NewAccount,
    /// Names the device this first session is for, e.g. "Front desk PC".
    pub device_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewClinic {
    pub name: String,
    /// IANA name, e.g. `Europe/Madrid`.
    pub time_zone: String,
    /// `en` or `es`.
    pub locale: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
}

/// A clinic's settings, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicSettings {
    pub name: String,
    pub time_zone: chrono_tz::Tz,
    pub locale: Locale,
    pub currency: Currency,
}

impl NewClinic {
    pub fn parse(&self) -> Result<ClinicSettings, Invalid> {
        Ok(ClinicSettings {
            name: required_text("name", &self.name, 200)?,
            time_zone: parse_time_zone(&self.time_zone)?,
            locale: Locale::parse(&self.locale)?,
            currency: Currency::parse(&self.currency)?,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAccount {
    pub full_name: String,
    pub email: String,
    /// At least 10 characters.
    pub password: String,
}

/// A new account, checked.
#[derive(Debug, Clone)]
pub struct Account {
    pub full_name: String,
    pub email: Email,
    pub password: String,
}

impl NewAccount {
    pub fn parse(&self) -> Result<Account, Invalid> {
        check_new_password(&self.password)?;
        Ok(Account {
            full_name: required_text("full_name", &self.full_name, 200)?,
            email: Email::parse(&self.email)?,
            password: self.password.clone(),
        })
    }
}

pub fn parse_device_name(raw: &str) -> Result<String, Invalid> {
    required_text("device_name", raw, 100)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub device_name: String,
    /// The device id a previous sign-in returned, so the desk keeps one identity.
    #[serde(default)]
    pub device_id: Option<Uuid>,
}

/// What a successful sign-up, sign-in or invitation acceptance returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionGranted {
    /// Bearer token; shown once, store it in the OS keyring.
    pub token: String,
    pub session_id: Uuid,
    pub device_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
}

/// One clinic the user belongs to, and their role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipView {
    pub clinic_id: Uuid,
    pub clinic_name: String,
    pub role: Role,
    pub is_owner: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: UserView,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub id: Uuid,
    pub device_id: Uuid,
    pub device_name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The session making this request.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Accepting an invitation: a new person sends a name and a new password; a
/// person who already has an account sends that account's password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    pub token: String,
    #[serde(default)]
    pub full_name: Option<String>,
    pub password: String,
    pub device_name: String,
}
