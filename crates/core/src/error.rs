//! The error body every API answer and every rejected sync mutation carries.

use serde::{Deserialize, Serialize};

/// Machine-readable reason. Clients branch on this, never on `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is malformed or breaks a rule (see `message`, `field`).
    Invalid,
    /// No valid session token.
    Unauthenticated,
    /// Email or password wrong.
    BadCredentials,
    /// The member's role does not allow this.
    NotPermitted,
    /// No such row in this clinic (or not visible to this member).
    NotFound,
    /// The doctor (or room) already has a live appointment overlapping this time.
    SlotTaken,
    /// The time falls outside the doctor's working hours or inside time off.
    OutsideWorkingHours,
    /// The row changed since the client read it (e.g. moving a cancelled appointment).
    Stale,
    /// A unique value (e.g. an email, a room name) is already in use.
    Conflict,
    /// Too many attempts; retry after the `Retry-After` header.
    RateLimited,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// The server failed; the details are in its logs, not here.
    Internal,
    /// A dependency (the database) is not reachable.
    Unavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::NotPermitted => "not_permitted",
            ErrorCode::NotFound => "not_found",
            ErrorCode::SlotTaken => "slot_taken",
            ErrorCode::OutsideWorkingHours => "outside_working_hours",
            ErrorCode::Stale => "stale",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

/// `{code, message}` plus, for input errors, the offending field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A validation failure found while parsing input at the edge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<Invalid> for ErrorBody {
    fn from(e: Invalid) -> Self {
        ErrorBody {
            code: ErrorCode::Invalid,
            message: e.to_string(),
            field: Some(e.field.to_owned()),
        }
    }
}
