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

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use clinic_core::ErrorCode;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};
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

/// Documents the answers any operation may give whatever it does: a request
/// it cannot read (400: a path parameter or query that does not parse, a
/// body that is not JSON), a body over the size limit (413), a write broken
/// off by a concurrent change (409), the database out of reach (503).
struct UnreadableRequests;

impl Modify for UnreadableRequests {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for (writes, operation) in [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ] {
                let Some(operation) = operation else { continue };
                let responses = &mut operation.responses.responses;
                responses.entry("400".into()).or_insert_with(|| {
                    error("Unreadable request: a path parameter, the query or the body does not parse").into()
                });
                if operation.request_body.is_some() {
                    responses.entry("413".into()).or_insert_with(|| {
                        error("The body is larger than the server accepts").into()
                    });
                }
                // Writes run in transactions that a concurrent change of the
                // same rows can break off (a serialization failure or a
                // deadlock): `conflict`, and the same request may be sent again.
                if writes {
                    responses.entry("409".into()).or_insert_with(|| {
                        error("A concurrent change got there first, or the change clashes with existing data").into()
                    });
                }
                responses.entry("503".into()).or_insert_with(|| {
                    error("The database is not reachable; try again shortly").into()
                });
            }
        }
    }
}

/// The `Accept` header an event stream needs, documented as a parameter so
/// that generated clients send it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // described in the document, never built
pub(crate) enum AcceptEventStream {
    #[schema(rename = "text/event-stream")]
    EventStream,
}

/// One event of the sync event stream. Before OpenAPI 3.2 the schema of a
/// `text/event-stream` answer describes each event, not its data: `event`
/// is `poke`, and `data` a `Poke` as JSON.
pub(crate) struct PokeEvent;

impl PartialSchema for PokeEvent {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "event",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["poke"])),
            )
            .required("event")
            .property(
                "data",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .content_media_type("application/json")
                    .description(Some(
                        "A `Poke` as JSON, `{\"version\": n}`: the clinic's version after the change",
                    )),
            )
            .required("data")
            .into()
    }
}

impl ToSchema for PokeEvent {}

/// States what [`require_changes`] enforces: the body of a PATCH without
/// required fields names at least one. (utoipa's own `min_properties`
/// attribute writes `maxProperties`.)
struct PartialUpdates;

impl Modify for PartialUpdates {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let names: Vec<String> = openapi
            .paths
            .paths
            .values()
            .filter_map(|item| item.patch.as_ref()?.request_body.as_ref())
            .flat_map(|body| body.content.values())
            .filter_map(|content| match content.schema.as_ref()? {
                RefOr::Ref(r) => r.ref_location.rsplit('/').next().map(str::to_owned),
                RefOr::T(_) => None,
            })
            .collect();
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in names {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name)
                && object.required.is_empty()
            {
                object.min_properties = Some(1);
            }
        }
    }
}

/// Refuses a partial update that names no field to change: an empty object,
/// or only `null`s where `null` means "keep".
pub(crate) fn require_changes<T: Default + PartialEq>(update: &T) -> ApiResult<()> {
    if *update == T::default() {
        return Err(ApiError::new(
            ErrorCode::Invalid,
            "nothing to change: name at least one field to change",
        ));
    }
    Ok(())
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
    // After the merge: the modifiers of `ApiDoc` run before any path is in.
    let mut api = api;
    UnreadableRequests.modify(&mut api);
    PartialUpdates.modify(&mut api);
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
