//! IPC commands, one module per area. Each command must be declared in
//! build.rs (`COMMANDS`) and granted in `capabilities/default.json`.

pub mod app;
