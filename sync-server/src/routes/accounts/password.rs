//! Changing one's password.

use super::ErrorBody;
use crate::auth::AuthSession;
use crate::domain::accounts;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use clinic_core::api::auth::ChangePassword;
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(change_password))
}

/// Changes the caller's password and signs out their other devices. A
/// wrong current password counts as a failed sign-in of the account.
#[utoipa::path(
    put, path = "/v1/me/password", tag = "accounts", security(("bearer" = [])), request_body = ChangePassword,
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many failed password attempts", body = ErrorBody),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: AuthSession,
    Json(req): Json<ChangePassword>,
) -> ApiResult<StatusCode> {
    accounts::change_password(&state, peer.ip(), &session, req).await?;
    Ok(StatusCode::NO_CONTENT)
}
