//! Consulting and treatment rooms.

use crate::contact::required_text;
use crate::error::Invalid;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_ROOM_NAME: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomView {
    pub id: Uuid,
    pub name: String,
    /// Archived rooms are inactive: kept for history, not bookable.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    /// 1 to 100 characters; unique in the clinic, ignoring case.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: String,
}

impl NewRoom {
    pub fn parse(&self) -> Result<String, Invalid> {
        parse_room_name(&self.name)
    }
}

pub fn parse_room_name(raw: &str) -> Result<String, Invalid> {
    required_text("name", raw, MAX_ROOM_NAME)
}

/// A partial update: absent fields stay as they are. `active: false`
/// archives (refused while appointments are upcoming there, as for DELETE);
/// `active: true` brings an archived room back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoom {
    /// As for a new room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            nullable = false,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub active: Option<bool>,
}

/// A checked [`UpdateRoom`]; `None` means unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomChanges {
    pub name: Option<String>,
    pub active: Option<bool>,
}

impl UpdateRoom {
    pub fn parse(&self) -> Result<RoomChanges, Invalid> {
        Ok(RoomChanges {
            name: self.name.as_deref().map(parse_room_name).transpose()?,
            active: self.active,
        })
    }
}

/// Filters of the room list (with `limit` and `cursor`, see `PageQuery`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RoomFilter {
    /// `true` (the default) lists rooms in use, `false` archived ones.
    pub active: Option<bool>,
}

impl RoomFilter {
    pub fn active(&self) -> bool {
        self.active.unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names() {
        assert_eq!(
            NewRoom {
                name: "  Room 1 ".into()
            }
            .parse()
            .expect("ok"),
            "Room 1"
        );
        assert_eq!(
            NewRoom { name: " ".into() }
                .parse()
                .expect_err("empty")
                .field,
            "name"
        );
        assert!(parse_room_name(&"x".repeat(100)).is_ok());
        assert!(parse_room_name(&"x".repeat(101)).is_err());
        let update = UpdateRoom {
            name: Some(String::new()),
            active: None,
        };
        assert_eq!(update.parse().expect_err("empty").field, "name");
        assert!(serde_json::from_str::<UpdateRoom>(r#"{"nmae": "X"}"#).is_err());
    }
}
