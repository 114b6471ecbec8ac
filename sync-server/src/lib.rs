//! Clinic Desk's sync server: the REST API of accounts, clinics, staff,
//! doctors, rooms, patients and appointments, and the sync endpoints desks
//! push to and pull from, on PostgreSQL with row-level security per clinic.

pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod generate;
pub mod http_errors;
pub mod json_objects;
pub mod migrate;
pub mod pokes;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
