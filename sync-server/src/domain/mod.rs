//! The clinic's writes, one function per thing a person does: register a
//! patient, book an appointment, set a doctor's week...
//!
//! Each takes the caller's open transaction (under the clinic's context),
//! the acting member, the id of the row it creates or changes (a new row's
//! id is chosen by the caller: the server for REST, the desk for sync) and
//! the request as sent. It checks the member's permission, parses the
//! request, applies it, writes the audit entry and returns what the row now
//! looks like; the caller commits. The REST handlers and the sync push both
//! come through here, so every rule is enforced in one place.

pub mod accounts;
pub mod appointments;
pub mod booking;
pub mod clinics;
pub mod doctors;
pub mod invitations;
pub mod notes;
pub mod patients;
pub mod reach;
pub mod rooms;
pub mod schedule;
pub mod staff;
