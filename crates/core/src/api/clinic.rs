//! A clinic's own settings.

use crate::api::auth::{ClinicSettings, NewClinic};
use crate::error::Invalid;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClinicView {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

/// A partial update: absent (or null) fields stay as they are. Unknown fields
/// are refused, so a misspelt field fails loudly instead of changing nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateClinic {
    #[cfg_attr(
        feature = "openapi",
        schema(
            nullable = false,
            max_length = 200,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::api::schema::time_zone))]
    pub time_zone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::clinic::Locale>, nullable = false))]
    pub locale: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::api::schema::currency))]
    pub currency: Option<String>,
}

impl UpdateClinic {
    /// The settings after applying this update to `current`.
    pub fn apply_to(&self, current: &ClinicView) -> Result<ClinicSettings, Invalid> {
        NewClinic {
            name: self.name.clone().unwrap_or_else(|| current.name.clone()),
            time_zone: self
                .time_zone
                .clone()
                .unwrap_or_else(|| current.time_zone.clone()),
            locale: self
                .locale
                .clone()
                .unwrap_or_else(|| current.locale.clone()),
            currency: self
                .currency
                .clone()
                .unwrap_or_else(|| current.currency.clone()),
        }
        .parse()
    }
}

impl ClinicSettings {
    /// Whether these settings are what `view` already shows, i.e. saving them
    /// would change nothing.
    pub fn matches(&self, view: &ClinicView) -> bool {
        self.name == view.name
            && self.time_zone.name() == view.time_zone
            && self.locale.as_str() == view.locale
            && self.currency.code() == view.currency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> ClinicView {
        ClinicView {
            id: Uuid::nil(),
            name: "Clínica Sol".into(),
            time_zone: "Europe/Madrid".into(),
            locale: "es".into(),
            currency: "EUR".into(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    #[test]
    fn an_update_changes_only_what_it_names() {
        let update = UpdateClinic {
            currency: Some("usd".into()),
            ..UpdateClinic::default()
        };
        let settings = update.apply_to(&current()).expect("valid");
        assert_eq!(settings.currency.code(), "USD");
        assert_eq!(settings.name, "Clínica Sol");
        assert!(!settings.matches(&current()));
        let unchanged = UpdateClinic::default().apply_to(&current()).expect("valid");
        assert!(unchanged.matches(&current()));
    }

    #[test]
    fn bad_updates_name_their_field() {
        let update = UpdateClinic {
            time_zone: Some("Mars/Base".into()),
            ..UpdateClinic::default()
        };
        assert_eq!(
            update.apply_to(&current()).expect_err("invalid").field,
            "time_zone"
        );
        assert!(serde_json::from_str::<UpdateClinic>(r#"{"nmae":"x"}"#).is_err());
        assert!(serde_json::from_str::<UpdateClinic>(r#"{"name":null}"#).is_ok());
    }
}
