//! The clinic's rooms, which appointments may be booked into.

use super::doctors::upcoming_statuses;
use super::keyset;
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use clinic_core::api::rooms::{NewRoom, RoomFilter, RoomView, UpdateRoom};
use clinic_core::api::{Page, PageQuery};
use clinic_core::{ErrorBody, ErrorCode, Permission};
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

#[derive(Debug, sqlx::FromRow)]
struct RoomRow {
    id: Uuid,
    name: String,
    /// The list's sort key, as the database lower-cases it.
    sort_name: String,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const ROOM_COLUMNS: &str = "id, name, lower(name) AS sort_name, active, created_at, updated_at";

impl From<RoomRow> for RoomView {
    fn from(r: RoomRow) -> Self {
        RoomView {
            id: r.id,
            name: r.name,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

async fn load_room(tx: &mut Tx, member: &Member, id: Uuid, lock: bool) -> ApiResult<RoomRow> {
    let sql = format!(
        "SELECT {ROOM_COLUMNS} FROM rooms WHERE clinic_id = $1 AND id = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as(&sql)
        .bind(member.clinic_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ApiError::not_found("room"))
}

/// The unique index on (clinic, lower(name)) speaks for itself, with the name.
fn name_taken(name: &str) -> impl FnOnce(sqlx::Error) -> ApiError + '_ {
    move |e| match ApiError::from(e) {
        err if err.code == ErrorCode::Conflict => ApiError {
            field: Some("name".into()),
            ..ApiError::new(
                ErrorCode::Conflict,
                format!("a room named {name:?} already exists (names ignore case)"),
            )
        },
        err => err,
    }
}

async fn ensure_no_upcoming(tx: &mut Tx, member: &Member, room_id: Uuid) -> ApiResult<()> {
    let upcoming: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointments
         WHERE clinic_id = $1 AND room_id = $2 AND status = ANY($3) AND ends_at > now()",
    )
    .bind(member.clinic_id)
    .bind(room_id)
    .bind(upcoming_statuses())
    .fetch_one(&mut **tx)
    .await?;
    if upcoming > 0 {
        let noun = if upcoming == 1 {
            "appointment"
        } else {
            "appointments"
        };
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the room has {upcoming} upcoming {noun}; move or cancel them first, then archive"
            ),
        ));
    }
    Ok(())
}

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
    member.require(Permission::RoomsManage)?;
    let name = req.parse()?;
    let mut tx = member.begin(&state).await?;
    let id = Uuid::now_v7();
    let row: RoomRow = sqlx::query_as(&format!(
        "INSERT INTO rooms (clinic_id, id, name) VALUES ($1, $2, $3) RETURNING {ROOM_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(id)
    .bind(&name)
    .fetch_one(&mut *tx)
    .await
    .map_err(name_taken(&name))?;
    db::audit(&mut tx, &member, "room.created", "room", Some(id)).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row.into())))
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
    let room_id = path.room_id;
    member.require(Permission::RoomsManage)?;
    let changes = req.parse()?;
    let mut tx = member.begin(&state).await?;
    let current = load_room(&mut tx, &member, room_id, true).await?;
    let name = changes.name.unwrap_or_else(|| current.name.clone());
    let active = changes.active.unwrap_or(current.active);
    let archiving = current.active && !active;
    if archiving {
        ensure_no_upcoming(&mut tx, &member, room_id).await?;
    }
    let edited = name != current.name || (active && !current.active);
    if !edited && !archiving {
        tx.commit().await?;
        return Ok(Json(current.into()));
    }
    let row: RoomRow = sqlx::query_as(&format!(
        "UPDATE rooms SET name = $3, active = $4 WHERE clinic_id = $1 AND id = $2
         RETURNING {ROOM_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(room_id)
    .bind(&name)
    .bind(active)
    .fetch_one(&mut *tx)
    .await
    .map_err(name_taken(&name))?;
    if edited {
        db::audit(&mut tx, &member, "room.updated", "room", Some(room_id)).await?;
    }
    if archiving {
        db::audit(&mut tx, &member, "room.archived", "room", Some(room_id)).await?;
    }
    tx.commit().await?;
    Ok(Json(row.into()))
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
    let room_id = path.room_id;
    member.require(Permission::RoomsManage)?;
    let mut tx = member.begin(&state).await?;
    let current = load_room(&mut tx, &member, room_id, true).await?;
    if current.active {
        ensure_no_upcoming(&mut tx, &member, room_id).await?;
        sqlx::query("UPDATE rooms SET active = false WHERE clinic_id = $1 AND id = $2")
            .bind(member.clinic_id)
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        db::audit(&mut tx, &member, "room.archived", "room", Some(room_id)).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
