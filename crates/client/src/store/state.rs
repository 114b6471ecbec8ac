//! The sync bookkeeping: outbox, touched rows and their shadows, conflicts,
//! and the engine's cursor and sequence numbers.

use super::rows::{self, get_ts, get_uuid, table_name};
use crate::error::{Error, Result};
use crate::time::{from_text, to_text};
use chrono::{DateTime, Utc};
use clinic_core::sync::{Mutation, PendingMutation, SyncRow, SyncTable};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

/// Where an outbox mutation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Not answered by the server yet.
    Pending,
    /// Applied by the server; kept until the pull that brings its rows back ends.
    Applied,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub id: Uuid,
    pub mutation: Mutation,
    pub state: OutboxState,
    /// Desk clock; for display only.
    pub created_at: DateTime<Utc>,
}

/// The engine's persistent state, as `desk status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncInfo {
    /// The last pulled page's cursor (the server's version counter).
    pub cursor: i64,
    pub next_seq: i64,
    pub device_id: Option<Uuid>,
    /// Desk clock of the last complete push and pull.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The first sync's priority page has arrived: the desk is usable.
    pub priority_done: bool,
    /// Mutations the server has not answered yet.
    pub pending: u64,
    /// Applied by the server, waiting for the pull that brings them back.
    pub awaiting_pull: u64,
    pub conflicts: u64,
}

pub(crate) fn info(conn: &Connection) -> Result<SyncInfo> {
    Ok(conn.query_row(
        "SELECT cursor, next_seq, device_id, last_sync_at, priority_done,
                (SELECT count(*) FROM outbox WHERE state = 'pending'),
                (SELECT count(*) FROM outbox WHERE state = 'applied'),
                (SELECT count(*) FROM conflicts)
         FROM sync_state",
        [],
        |r| {
            let device: Option<String> = r.get(2)?;
            let last: Option<String> = r.get(3)?;
            Ok(SyncInfo {
                cursor: r.get(0)?,
                next_seq: r.get(1)?,
                device_id: device.and_then(|d| Uuid::parse_str(&d).ok()),
                last_sync_at: last.and_then(|l| from_text(&l)),
                priority_done: r.get(4)?,
                pending: r.get::<_, i64>(5)? as u64,
                awaiting_pull: r.get::<_, i64>(6)? as u64,
                conflicts: r.get::<_, i64>(7)? as u64,
            })
        },
    )?)
}

/// Takes the next sequence number. Never reused, even after its mutation
/// leaves the outbox: with the device it is the server's idempotency key.
pub(crate) fn take_seq(conn: &Connection) -> Result<i64> {
    let seq: i64 = conn.query_row(
        "UPDATE sync_state SET next_seq = next_seq + 1 RETURNING next_seq - 1",
        [],
        |r| r.get(0),
    )?;
    Ok(seq)
}

/// Binds the store's sequence numbers to `device_id`. A store that was
/// numbering for another device (the server issued a new one at sign-in)
/// renumbers its unanswered mutations from 1 in the new device's space;
/// answered ones are no longer in the outbox.
pub(crate) fn adopt_device(conn: &Connection, device_id: Uuid) -> Result<()> {
    let current: Option<String> =
        conn.query_row("SELECT device_id FROM sync_state", [], |r| r.get(0))?;
    let device = device_id.to_string();
    match current {
        Some(c) if c == device => return Ok(()),
        None => {
            conn.execute("UPDATE sync_state SET device_id = ?1", [&device])?;
            return Ok(());
        }
        Some(_) => {}
    }
    // Move every seq out of the way first so no two rows ever share one, then
    // number them from 1; touches are re-keyed alongside (checked at commit).
    let seqs: Vec<i64> = conn
        .prepare("SELECT seq FROM outbox ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("PRAGMA defer_foreign_keys = ON", [])?;
    let offset = 1_i64 << 40;
    conn.execute("UPDATE outbox SET seq = seq + ?1", [offset])?;
    conn.execute("UPDATE outbox_touches SET seq = seq + ?1", [offset])?;
    for (i, old) in seqs.iter().enumerate() {
        let new = i as i64 + 1;
        conn.execute(
            "UPDATE outbox SET seq = ?1 WHERE seq = ?2",
            [new, old + offset],
        )?;
        conn.execute(
            "UPDATE outbox_touches SET seq = ?1 WHERE seq = ?2",
            [new, old + offset],
        )?;
    }
    conn.execute(
        "UPDATE sync_state SET device_id = ?1, next_seq = ?2",
        params![device, seqs.len() as i64 + 1],
    )?;
    Ok(())
}

pub(crate) fn enqueue(
    conn: &Connection,
    seq: i64,
    id: Uuid,
    mutation: &Mutation,
    created_at: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO outbox (seq, id, name, mutation, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            seq,
            id.to_string(),
            mutation.name(),
            serde_json::to_string(mutation)?,
            to_text(created_at)
        ],
    )?;
    Ok(())
}

/// Records that mutation `seq` changes this row, keeping the row's current
/// (server) copy as its shadow the first time any mutation touches it.
pub(crate) fn touch(conn: &Connection, seq: i64, table: SyncTable, id: Uuid) -> Result<()> {
    let tbl = table_name(table);
    let row_id = id.to_string();
    let shadowed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM shadow WHERE tbl = ?1 AND row_id = ?2)",
        [tbl, &row_id],
        |r| r.get(0),
    )?;
    if !shadowed {
        let current = rows::load(conn, table, id)?;
        let (data, version) = match current {
            Some((row, version)) => (Some(serde_json::to_string(&row)?), version),
            None => (None, 0),
        };
        conn.execute(
            "INSERT INTO shadow (tbl, row_id, data, version) VALUES (?1, ?2, ?3, ?4)",
            params![tbl, row_id, data, version],
        )?;
    }
    conn.execute(
        "INSERT OR IGNORE INTO outbox_touches (seq, tbl, row_id) VALUES (?1, ?2, ?3)",
        params![seq, tbl, row_id],
    )?;
    Ok(())
}

/// Puts every shadowed row back to its server copy and forgets the shadows
/// and touches: the tables then hold exactly the server's rows.
pub(crate) fn restore_shadows(conn: &Connection) -> Result<()> {
    let shadows: Vec<(String, String, Option<String>, i64)> = conn
        .prepare("SELECT tbl, row_id, data, version FROM shadow")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (tbl, row_id, data, version) in shadows {
        let table = SyncTable::from_name(&tbl)
            .ok_or_else(|| Error::Corrupt(format!("shadow of unknown table {tbl}")))?;
        match data {
            Some(json) => {
                let row: SyncRow = serde_json::from_str(&json)?;
                rows::upsert(conn, &row, version)?;
            }
            None => {
                let id = Uuid::parse_str(&row_id)
                    .map_err(|e| Error::Corrupt(format!("shadow id {row_id}: {e}")))?;
                rows::delete(conn, table, id)?;
            }
        }
    }
    conn.execute("DELETE FROM shadow", [])?;
    conn.execute("DELETE FROM outbox_touches", [])?;
    Ok(())
}

/// The whole outbox in `seq` order: what a rebase re-applies.
pub(crate) fn outbox(conn: &Connection) -> Result<Vec<OutboxEntry>> {
    let mut stmt =
        conn.prepare("SELECT seq, id, mutation, state, created_at FROM outbox ORDER BY seq")?;
    let raw: Vec<(i64, Uuid, String, String, DateTime<Utc>)> = stmt
        .query_map([], |r| {
            Ok((
                r.get("seq")?,
                get_uuid(r, "id")?,
                r.get("mutation")?,
                r.get("state")?,
                get_ts(r, "created_at")?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    raw.into_iter()
        .map(|(seq, id, json, state, created_at)| {
            Ok(OutboxEntry {
                seq,
                id,
                mutation: serde_json::from_str(&json)?,
                state: if state == "applied" {
                    OutboxState::Applied
                } else {
                    OutboxState::Pending
                },
                created_at,
            })
        })
        .collect()
}

/// The oldest unanswered mutations, at most `max`: the next push.
pub(crate) fn pending_batch(conn: &Connection, max: usize) -> Result<Vec<PendingMutation>> {
    let mut stmt = conn.prepare(
        "SELECT seq, id, mutation FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1",
    )?;
    let raw: Vec<(i64, Uuid, String)> = stmt
        .query_map([max as i64], |r| {
            Ok((r.get("seq")?, get_uuid(r, "id")?, r.get("mutation")?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    raw.into_iter()
        .map(|(seq, id, json)| {
            Ok(PendingMutation {
                seq,
                id,
                mutation: serde_json::from_str(&json)?,
            })
        })
        .collect()
}

/// The outbox row with this seq: its id, name, JSON and queued time.
pub(crate) fn outbox_row(
    conn: &Connection,
    seq: i64,
) -> Result<Option<(Uuid, String, String, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, name, mutation, created_at FROM outbox WHERE seq = ?1")?
        .query_row([seq], |r| {
            Ok((
                get_uuid(r, "id")?,
                r.get("name")?,
                r.get("mutation")?,
                r.get("created_at")?,
            ))
        })
        .optional()?)
}

pub(crate) fn is_pending(conn: &Connection, table: SyncTable, id: Uuid) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox_touches t JOIN outbox o ON o.seq = t.seq
                        WHERE t.tbl = ?1 AND t.row_id = ?2 AND o.state = 'pending')",
        [table_name(table), &id.to_string()],
        |r| r.get(0),
    )?)
}

pub(crate) fn cursor(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT cursor FROM sync_state", [], |r| r.get(0))?)
}

pub(crate) fn mark_synced(conn: &Connection, at: DateTime<Utc>) -> Result<()> {
    conn.execute("UPDATE sync_state SET last_sync_at = ?1", [to_text(at)])?;
    Ok(())
}

/// Called as a pull starts: the mutations already applied by the server
/// will have their rows in this pull, so its end may drop them.
pub(crate) fn pull_started(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET awaiting_pull = 1 WHERE state = 'applied'",
        [],
    )?;
    Ok(())
}
