//! IPC commands, one module per area. Each command must be listed in
//! `crate::bindings::commands`, declared in build.rs (`COMMANDS`) and
//! granted in `capabilities/default.json`.

pub mod agenda;
pub mod app;
pub mod appointments;
pub mod clinic;
pub mod conflicts;
pub mod doctors;
pub mod patients;
mod remote;
pub mod rooms;
pub mod session;
pub mod settings;
pub mod staff;
pub mod sync;
