//! Accepting an invitation (the invitee has no session yet).

use super::ErrorBody;
use crate::domain::accounts;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use clinic_core::api::auth::{AcceptInvitation, SessionGranted};
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(accept_invitation))
}

/// Accepts an invitation: joins the clinic with the invited role and signs in.
/// A new person chooses a name and password; someone who already has an
/// account proves it with that account's password.
#[utoipa::path(
    post, path = "/v1/invitations/accept", tag = "accounts", request_body = AcceptInvitation,
    responses(
        (status = 200, body = SessionGranted),
        (status = 401, description = "Wrong password for the existing account", body = ErrorBody),
        (status = 404, description = "No such open invitation (used, revoked or expired)", body = ErrorBody),
        (status = 409, description = "Already a member of this clinic", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn accept_invitation(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(req): Json<AcceptInvitation>,
) -> ApiResult<Json<SessionGranted>> {
    Ok(Json(
        accounts::accept_invitation(&state, peer.ip(), req).await?,
    ))
}
