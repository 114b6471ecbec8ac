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

/// A partial update: absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateClinic {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub locale: Option<String>,
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
