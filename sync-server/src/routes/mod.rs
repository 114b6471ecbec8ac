//! The HTTP API, one module per area, each exposing `router()`. Paths are
//! written out in full in each handler's `#[utoipa::path]`, which is also what
//! the OpenAPI document at `/openapi.json` is generated from.

pub mod accounts;
pub mod appointments;
pub mod audit;
pub mod clinics;
pub mod doctors;
pub mod health;
pub mod invitations;
mod keyset;
pub mod patients;
pub mod rooms;
pub mod staff;
pub mod sync;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Clinic Desk API", description = "Multi-tenant clinic scheduling: accounts, staff, doctors, rooms, patients, appointments and sync. Errors are JSON `{code, message}`."),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "accounts", description = "Sign-up, sign-in, sessions, passwords, invitations"),
        (name = "clinics", description = "A clinic's settings; opening another clinic"),
        (name = "staff", description = "A clinic's members, their roles, and invitations to join"),
        (name = "audit", description = "Who read or changed what, when, from which device"),
        (name = "doctors", description = "Doctors, their weekly working hours and their time off"),
        (name = "rooms", description = "Rooms appointments are held in"),
        (name = "patients", description = "Patients' identity and contact details, their appointment history and clinical notes"),
        (name = "appointments", description = "The agenda: booking, moving, cancelling, check-in, no-show, completion"),
        (name = "sync", description = "Offline-first sync for desks: push mutations, pull changes, live pokes (docs/SYNC.md)"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route, plus `/openapi.json` describing them.
pub fn router(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(accounts::router())
        .merge(clinics::router())
        .merge(staff::router())
        .merge(invitations::router())
        .merge(audit::router())
        .merge(doctors::router())
        .merge(rooms::router())
        .merge(patients::router())
        .merge(appointments::router())
        .merge(sync::router())
        .split_for_parts();
    let api = std::sync::Arc::new(api);
    router
        .route(
            "/openapi.json",
            get(move || {
                let api = api.clone();
                async move { axum::Json(api.as_ref().clone()) }
            }),
        )
        .with_state(state)
}
