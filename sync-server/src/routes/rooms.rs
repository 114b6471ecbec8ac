//! The clinic's rooms, which appointments may be booked into.

use super::keyset;
use crate::auth::Member;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use clinic_core::api::rooms::{NewRoom, RoomFilter, RoomView, UpdateRoom};
use clinic_core::api::{Page, PageQuery};
use clinic_core::{ErrorBody, Permission};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rooms, create_room))
        .routes(routes!(get_room, update_room, archive_room))
}

/// `/v1/clinics/{clinic_id}/rooms/{room_id}`; the clinic is the `Member`'s.
#[derive(Debug, serde::Deserialize)]
struct RoomPath {
    room_id: Uuid,
}

use crate::domain::rooms::{self, ROOM_COLUMNS, RoomRow, load_room};

/// Lists the clinic's rooms by name.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/rooms", tag = "rooms", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PageQuery, RoomFilter),
    responses(
        (status = 200, body = Page<RoomView>),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, description = "Bad limit or cursor", body = ErrorBody),
    )
)]
async fn list_rooms(
    State(state): State<AppState>,
    member: Member,
    Query(page): Query<PageQuery>,
    Query(filter): Query<RoomFilter>,
) -> ApiResult<Json<Page<RoomView>>> {
    member.require(Permission::RoomsRead)?;
    let limit = page.limit()?;
    let after: Option<(String, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let (after_name, after_id) = after.unzip();
    let mut tx = member.begin(&state).await?;
    let rows: Vec<RoomRow> = sqlx::query_as(&format!(
        "SELECT {ROOM_COLUMNS} FROM rooms
         WHERE clinic_id = $1 AND active = $2
           AND ($3::text IS NULL OR (lower(name), id) > ($3, $4))
         ORDER BY lower(name), id
         LIMIT $5"
    ))
    .bind(member.clinic_id)
    .bind(filter.active())
    .bind(after_name)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(keyset::page(
        rows,
        limit,
        |r| (r.sort_name.clone(), r.id),
        |r| Ok(RoomView::from(r)),
    )?))
}

/// Adds a room.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/rooms", tag = "rooms", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)), request_body = NewRoom,
    responses(
        (status = 201, body = RoomView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 409, description = "A room of that name exists (archived ones too)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn create_room(
    State(state): State<AppState>,
    member: Member,
    Json(req): Json<NewRoom>,
) -> ApiResult<(StatusCode, Json<RoomView>)> {
    let mut tx = member.begin(&state).await?;
    let room = rooms::create(&mut tx, &member, Uuid::now_v7(), &req).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(room)))
}

/// One room, archived or not.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/rooms/{room_id}", tag = "rooms", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("room_id" = Uuid, Path)),
    responses(
        (status = 200, body = RoomView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
async fn get_room(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<RoomPath>,
) -> ApiResult<Json<RoomView>> {
    let room_id = path.room_id;
    member.require(Permission::RoomsRead)?;
    let mut tx = member.begin(&state).await?;
    let row = load_room(&mut tx, &member, room_id, false).await?;
    tx.commit().await?;
    Ok(Json(row.into()))
}

/// Renames a room, archives it (`"active": false`, refused while appointments
/// are upcoming there) or brings it back (`"active": true`).
#[utoipa::path(
    patch, path = "/v1/clinics/{clinic_id}/rooms/{room_id}", tag = "rooms", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("room_id" = Uuid, Path)), request_body = UpdateRoom,
    responses(
        (status = 200, body = RoomView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Name taken, or upcoming appointments block archiving", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn update_room(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<RoomPath>,
    Json(req): Json<UpdateRoom>,
) -> ApiResult<Json<RoomView>> {
    super::require_changes(&req)?;
    let mut tx = member.begin(&state).await?;
    let room = rooms::update(&mut tx, &member, path.room_id, &req).await?;
    tx.commit().await?;
    Ok(Json(room))
}

/// Archives a room: kept for the history of appointments held there, no
/// longer listed as active or bookable. Refused while appointments are
/// upcoming there. Archiving an archived room changes nothing.
#[utoipa::path(
    delete, path = "/v1/clinics/{clinic_id}/rooms/{room_id}", tag = "rooms", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("room_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Archived"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Appointments are upcoming in this room", body = ErrorBody),
    )
)]
async fn archive_room(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<RoomPath>,
) -> ApiResult<StatusCode> {
    let mut tx = member.begin(&state).await?;
    rooms::archive(&mut tx, &member, path.room_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
