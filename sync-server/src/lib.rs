//! Clinic Desk's sync server: REST API, sync endpoints, Stripe and mail.

pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod generate;
pub mod http_errors;
pub mod migrate;
pub mod pokes;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
