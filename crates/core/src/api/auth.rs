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
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub clinic: NewClinic,
    pub owner: NewAccount,
    /// Names the device this first session is for, e.g. "Front desk PC".
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub device_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewClinic {
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: String,
    /// IANA name, e.g. `Europe/Madrid`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::api::schema::time_zone))]
    pub time_zone: String,
    /// `en` or `es`.
    #[cfg_attr(feature = "openapi", schema(value_type = Locale))]
    pub locale: String,
    /// ISO 4217, e.g. `EUR`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::api::schema::currency))]
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
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub full_name: String,
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    /// At least 10 characters, at most 256 bytes (64 characters always
    /// fit), not only spaces.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 10, max_length = 64, pattern = r"\S")
    )]
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
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub password: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
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
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub current_password: String,
    /// As for sign-up: at least 10 characters, at most 256 bytes.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 10, max_length = 64, pattern = r"\S")
    )]
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
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
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub token: String,
    /// Required of a person without an account.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub full_name: Option<String>,
    /// A new account's password (as for sign-up), or the existing one's.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub password: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub device_name: String,
}
