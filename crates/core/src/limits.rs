//! The limits a person meets while typing, gathered for the desktop UI: it
//! checks them as the person types (and sizes its inputs by them) before
//! the desk and the server enforce the very same numbers. The shell
//! exports [`LIMITS`] into `ui/src/bindings.ts`, so the UI holds no copy.

use crate::schedule::{MAX_APPOINTMENT_MINUTES, MIN_APPOINTMENT_MINUTES};
use serde::Serialize;

/// The longest reason an appointment, a cancellation or time off may
/// carry, in characters.
pub const REASON_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// An appointment's length, in minutes, from `appointment_min_minutes`
    /// to `appointment_max_minutes`.
    pub appointment_min_minutes: u32,
    pub appointment_max_minutes: u32,
    /// A booking's, a cancellation's or time off's reason, in characters.
    pub reason_max_chars: usize,
}

pub const LIMITS: Limits = Limits {
    appointment_min_minutes: MIN_APPOINTMENT_MINUTES,
    appointment_max_minutes: MAX_APPOINTMENT_MINUTES,
    reason_max_chars: REASON_MAX_CHARS,
};
