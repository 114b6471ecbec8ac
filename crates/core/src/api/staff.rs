//! A clinic's staff and the invitations that bring new members in.

use crate::api::auth::NewInvitation;
use crate::contact::Email;
use crate::error::Invalid;
use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One member of a clinic: a person and their role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub user_id: Uuid,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    /// Whoever created the clinic; only they may demote or remove themselves.
    pub is_owner: bool,
    /// When they joined this clinic.
    pub joined_at: DateTime<Utc>,
}

/// `?role=` on the staff list, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StaffFilter {
    /// Only members with this role: `admin`, `doctor`, `reception` or `worker`.
    #[cfg_attr(feature = "openapi", param(value_type = Option<Role>))]
    pub role: Option<String>,
}

impl StaffFilter {
    /// The role asked for, if any. An empty value means "all roles".
    pub fn parse(&self) -> Result<Option<Role>, Invalid> {
        match self.role.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => raw
                .parse::<Role>()
                .map(Some)
                .map_err(|e| Invalid::new("role", e.to_string())),
        }
    }
}

/// Changes a member's role.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateStaff {
    pub role: Role,
}

/// An invitation, checked: who is invited, and as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub email: Email,
    pub role: Role,
}

impl NewInvitation {
    pub fn parse(&self) -> Result<Invitee, Invalid> {
        Ok(Invitee {
            email: Email::parse(&self.email)?,
            role: self.role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_filter_parses_roles() {
        let filter = |role: Option<&str>| StaffFilter {
            role: role.map(str::to_owned),
        };
        assert_eq!(filter(None).parse(), Ok(None));
        assert_eq!(filter(Some("")).parse(), Ok(None));
        assert_eq!(filter(Some("doctor")).parse(), Ok(Some(Role::Doctor)));
        assert_eq!(
            filter(Some("owner")).parse().expect_err("invalid").field,
            "role"
        );
    }

    #[test]
    fn invitations_normalise_the_address() {
        let invitee = NewInvitation {
            email: " Ana@Example.COM".into(),
            role: Role::Reception,
        }
        .parse()
        .expect("valid");
        assert_eq!(invitee.email.as_str(), "ana@example.com");
        assert_eq!(invitee.role, Role::Reception);
        let bad = NewInvitation {
            email: "ana".into(),
            role: Role::Doctor,
        };
        assert_eq!(bad.parse().expect_err("invalid").field, "email");
    }

    #[test]
    fn unknown_fields_in_a_role_change_are_refused() {
        assert!(serde_json::from_str::<UpdateStaff>(r#"{"role":"doctor"}"#).is_ok());
        assert!(serde_json::from_str::<UpdateStaff>(r#"{"role":"owner"}"#).is_err());
        assert!(serde_json::from_str::<UpdateStaff>(r#"{"role":"doctor","x":1}"#).is_err());
    }
}
