//! Creating and editing rooms.

use super::schedule::{Bookable, audit_change, ensure_no_upcoming};
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use clinic_core::api::rooms::{NewRoom, RoomView, UpdateRoom};
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RoomRow {
    pub id: Uuid,
    pub name: String,
    /// The list's sort key, as the database lower-cases it.
    pub sort_name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const ROOM_COLUMNS: &str =
    "id, name, lower(name) AS sort_name, active, created_at, updated_at";

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

pub(crate) async fn load_room(
    tx: &mut Tx,
    member: &Member,
    id: Uuid,
    lock: bool,
) -> ApiResult<RoomRow> {
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

/// The unique index on (clinic, lower(name)) speaks for itself, with the
/// name. (A clash of ids is caught before, by `ON CONFLICT`.)
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

/// Adds a room as `id`.
pub async fn create(tx: &mut Tx, member: &Member, id: Uuid, req: &NewRoom) -> ApiResult<RoomView> {
    member.require(Permission::RoomsManage)?;
    let name = req.parse()?;
    let row: RoomRow = sqlx::query_as(&format!(
        "INSERT INTO rooms (clinic_id, id, name) VALUES ($1, $2, $3)
         ON CONFLICT (clinic_id, id) DO NOTHING
         RETURNING {ROOM_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(id)
    .bind(&name)
    .fetch_optional(&mut **tx)
    .await
    .map_err(name_taken(&name))?
    .ok_or_else(|| ApiError::id_taken("room"))?;
    db::audit(tx, member, "room.created", "room", Some(id)).await?;
    Ok(row.into())
}

/// Renames a room, archives it (`active: false`, refused while appointments
/// are upcoming there) or brings it back (`active: true`).
pub async fn update(
    tx: &mut Tx,
    member: &Member,
    room_id: Uuid,
    req: &UpdateRoom,
) -> ApiResult<RoomView> {
    member.require(Permission::RoomsManage)?;
    let changes = req.parse()?;
    let current = load_room(tx, member, room_id, true).await?;
    let name = changes.name.unwrap_or_else(|| current.name.clone());
    let active = changes.active.unwrap_or(current.active);
    let archiving = current.active && !active;
    if archiving {
        ensure_no_upcoming(tx, member, Bookable::Room(room_id)).await?;
    }
    let edited = name != current.name || (active && !current.active);
    if !edited && !archiving {
        return Ok(current.into());
    }
    let row: RoomRow = sqlx::query_as(&format!(
        "UPDATE rooms SET name = $3, active = $4 WHERE clinic_id = $1 AND id = $2
         RETURNING {ROOM_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(room_id)
    .bind(&name)
    .bind(active)
    .fetch_one(&mut **tx)
    .await
    .map_err(name_taken(&name))?;
    audit_change(tx, member, Bookable::Room(room_id), edited, archiving).await?;
    Ok(row.into())
}

/// Archives a room: kept for the history of appointments held there, no
/// longer listed as active or bookable. Refused while appointments are
/// upcoming there; archiving an archived room changes nothing.
///
/// It is the update that sets `active: false`, so the two cannot differ.
pub async fn archive(tx: &mut Tx, member: &Member, room_id: Uuid) -> ApiResult<()> {
    let archive = UpdateRoom {
        active: Some(false),
        ..UpdateRoom::default()
    };
    update(tx, member, room_id, &archive).await?;
    Ok(())
}
