//! The clinic's audit log: who read or changed what, when, from which device.

use crate::contact::optional_text;
use crate::error::Invalid;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// Absent for entries the system wrote on no one's behalf.
    pub actor_id: Option<Uuid>,
    /// The actor's current name, also when they have since left the clinic.
    pub actor_name: Option<String>,
    pub device_id: Option<Uuid>,
    /// What happened, e.g. `staff.role_changed`, `patient.read`.
    pub action: String,
    /// The kind of record it happened to, e.g. `staff`, `patient`.
    pub entity: String,
    pub entity_id: Option<Uuid>,
}

/// `?entity=&entity_id=&actor_id=` on the audit log, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditFilter {
    /// Only entries about this kind of record, e.g. `patient`.
    #[cfg_attr(
        feature = "openapi",
        param(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub entity: Option<String>,
    /// Only entries about this record.
    #[cfg_attr(feature = "openapi", param(format = Uuid))]
    pub entity_id: Option<String>,
    /// Only entries by this user.
    #[cfg_attr(feature = "openapi", param(format = Uuid))]
    pub actor_id: Option<String>,
}

/// The audit filter, checked. Absent fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditCriteria {
    pub entity: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
}

fn optional_id(field: &'static str, raw: Option<&str>) -> Result<Option<Uuid>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| Invalid::new(field, format!("{s:?} is not an id"))),
    }
}

impl AuditFilter {
    pub fn parse(&self) -> Result<AuditCriteria, Invalid> {
        Ok(AuditCriteria {
            entity: optional_text("entity", self.entity.as_deref(), 100)?,
            entity_id: optional_id("entity_id", self.entity_id.as_deref())?,
            actor_id: optional_id("actor_id", self.actor_id.as_deref())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_or_name_the_bad_field() {
        let id = Uuid::now_v7();
        let ok = AuditFilter {
            entity: Some(" staff ".into()),
            entity_id: Some(id.to_string()),
            actor_id: Some(String::new()),
        }
        .parse()
        .expect("valid");
        assert_eq!(
            ok,
            AuditCriteria {
                entity: Some("staff".into()),
                entity_id: Some(id),
                actor_id: None,
            }
        );
        assert_eq!(
            AuditFilter::default().parse().expect("empty"),
            AuditCriteria::default()
        );
        let bad_id = AuditFilter {
            actor_id: Some("42".into()),
            ..AuditFilter::default()
        };
        assert_eq!(bad_id.parse().expect_err("invalid").field, "actor_id");
        let bad_entity = AuditFilter {
            entity: Some("x".repeat(101)),
            ..AuditFilter::default()
        };
        assert_eq!(bad_entity.parse().expect_err("invalid").field, "entity");
    }
}
