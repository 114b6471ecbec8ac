//! The clinic itself: reading and changing its settings, and opening another
//! clinic from an existing account.

use crate::auth::{AuthSession, Member};
use crate::db;
use crate::domain::clinics;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use clinic_core::Permission;
use clinic_core::api::auth::NewClinic;
use clinic_core::api::clinic::{ClinicView, UpdateClinic};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_clinic))
        .routes(routes!(get_clinic, update_clinic))
}

type ErrorBody = clinic_core::ErrorBody;

pub(crate) use crate::domain::clinics::ClinicRow;

/// Opens another clinic; the caller becomes its owner and first admin.
#[utoipa::path(
    post, path = "/v1/clinics", tag = "clinics", security(("bearer" = [])),
    request_body = NewClinic,
    responses(
        (status = 201, body = ClinicView),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn create_clinic(
    State(state): State<AppState>,
    session: AuthSession,
    Json(req): Json<NewClinic>,
) -> ApiResult<(StatusCode, Json<ClinicView>)> {
    let clinic_id = Uuid::now_v7();
    let mut tx = db::begin_clinic(&state.pool, clinic_id).await?;
    let view = clinics::create(&mut tx, &session, clinic_id, &req).await?;
    tx.commit().await?;
    tracing::info!(%clinic_id, "clinic created");
    Ok((StatusCode::CREATED, Json(view)))
}

/// The clinic's name, time zone, locale and currency.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}", tag = "clinics", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    responses(
        (status = 200, body = ClinicView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
    )
)]
async fn get_clinic(State(state): State<AppState>, member: Member) -> ApiResult<Json<ClinicView>> {
    member.require(Permission::ClinicRead)?;
    let mut tx = member.begin(&state).await?;
    let view = clinics::load(&mut tx, member.clinic_id, false).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Changes the clinic's settings; fields left out stay as they are.
#[utoipa::path(
    patch, path = "/v1/clinics/{clinic_id}", tag = "clinics", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    request_body = UpdateClinic,
    responses(
        (status = 200, body = ClinicView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn update_clinic(
    State(state): State<AppState>,
    member: Member,
    Json(req): Json<UpdateClinic>,
) -> ApiResult<Json<ClinicView>> {
    super::require_changes(&req)?;
    let mut tx = member.begin(&state).await?;
    let view = clinics::update(&mut tx, &member, &req).await?;
    tx.commit().await?;
    Ok(Json(view))
}
