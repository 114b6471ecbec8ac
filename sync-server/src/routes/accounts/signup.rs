//! Signing a clinic up.

use super::ErrorBody;
use crate::domain::accounts;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use clinic_core::api::auth::{SessionGranted, SignupRequest};
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(signup))
}

/// Signs up a clinic: creates the clinic, its owner (an admin) and a first
/// session. Sign-ups are limited per client address (10 an hour by
/// default), answered or not. When the email already has an account, its
/// owner is told by mail (at most once a day) that someone tried.
#[utoipa::path(
    post, path = "/v1/signup", tag = "accounts", request_body = SignupRequest,
    responses(
        (status = 201, body = SessionGranted),
        (status = 409, description = "An account with this email exists: sign in and create the clinic from there", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address", body = ErrorBody),
    )
)]
async fn signup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(req): Json<SignupRequest>,
) -> ApiResult<(StatusCode, Json<SessionGranted>)> {
    let granted = accounts::signup(&state, peer.ip(), req).await?;
    Ok((StatusCode::CREATED, Json(granted)))
}
