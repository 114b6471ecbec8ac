//! Sign-up, sign-in, sessions, the caller's profile and password, and
//! accepting an invitation: the routes of a person, not of one clinic. What
//! each does is in `domain::accounts`.

mod invitations;
mod password;
mod sessions;
mod signup;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(signup::router())
        .merge(sessions::router())
        .merge(password::router())
        .merge(invitations::router())
}

type ErrorBody = clinic_core::ErrorBody;
