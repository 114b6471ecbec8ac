//! Rebase (docs/SYNC.md): local rows are always the server's rows plus the
//! outbox re-applied on top, in `seq` order.
//!
//! Each function here runs inside the caller's transaction: one per pull
//! page, one per push answer, so a crash leaves the store as it was before
//! the page or as it is after it.

use super::bulk;
use super::rows;
use super::state;
use crate::error::{Error, Result};
use crate::mutations::{self, Actor};
use crate::time::to_text;
use chrono::{DateTime, Utc};
use clinic_core::sync::{Change, Outcome, PendingMutation, PullPage, PushResponse};
use rusqlite::{Connection, params};

/// Which pull a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullKind {
    /// First sync's head start: the clinic, its doctors and rooms and the coming
    /// weeks' agenda. Does not move the cursor.
    Priority,
    /// Everything newer than the cursor, in version order.
    Changes,
}

/// Puts every row the outbox touched back to its server copy, then
/// re-applies the outbox in `seq` order on top.
pub(crate) fn rebase(conn: &Connection, actor: Actor) -> Result<()> {
    state::restore_shadows(conn)?;
    replay_outbox(conn, actor)
}

fn replay_outbox(conn: &Connection, actor: Actor) -> Result<()> {
    for entry in state::outbox(conn)? {
        mutations::replay(conn, actor, entry.seq, entry.created_at, &entry.mutation)?;
    }
    Ok(())
}

/// Stores one pull page: shadows back, the page's rows in, the outbox on top.
/// The last page of a pull also lets go of the mutations the server had
/// applied before the pull began: their rows are now the server's own.
pub(crate) fn apply_pull_page(
    conn: &Connection,
    actor: Actor,
    page: &PullPage,
    kind: PullKind,
) -> Result<()> {
    state::restore_shadows(conn)?;
    let first_sync = match kind {
        PullKind::Priority => true,
        // The first of many pages of a pull from 0.
        PullKind::Changes => page.has_more && state::cursor(conn)? == 0,
    };
    if first_sync {
        bulk::defer_indexes(conn)?;
    }
    for change in &page.changes {
        match change {
            Change::Upsert { version, row } => rows::upsert(conn, row, *version)?,
            Change::Delete { table, id, .. } => rows::delete(conn, *table, *id)?,
        }
    }
    match kind {
        PullKind::Priority => {
            conn.execute("UPDATE sync_state SET priority_done = 1", [])?;
        }
        PullKind::Changes => {
            let before = state::cursor(conn)?;
            if page.cursor < before {
                return Err(Error::Api(crate::api::ApiError::Protocol(format!(
                    "the server's cursor went back from {before} to {}",
                    page.cursor
                ))));
            }
            conn.execute("UPDATE sync_state SET cursor = ?1", [page.cursor])?;
            if !page.has_more {
                conn.execute(
                    "DELETE FROM outbox WHERE state = 'applied' AND awaiting_pull = 1",
                    [],
                )?;
                bulk::restore_indexes(conn)?;
            }
        }
    }
    replay_outbox(conn, actor)
}

/// What a push answer changed, for the engine's report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushSummary {
    pub applied: usize,
    pub rejected: usize,
}

/// Records the server's answer to a push: applied mutations wait for the
/// pull that brings their rows back; rejected ones move to the conflict
/// inbox and their effect is rebased away.
pub(crate) fn apply_push_response(
    conn: &Connection,
    actor: Actor,
    sent: &[PendingMutation],
    response: &PushResponse,
    now: DateTime<Utc>,
) -> Result<PushSummary> {
    if response.results.len() > sent.len() {
        return Err(Error::Api(crate::api::ApiError::Protocol(format!(
            "the server answered {} mutations to a push of {}",
            response.results.len(),
            sent.len()
        ))));
    }
    let mut summary = PushSummary::default();
    for (result, pushed) in response.results.iter().zip(sent) {
        if result.seq != pushed.seq {
            return Err(Error::Api(crate::api::ApiError::Protocol(format!(
                "the server answered seq {} where {} was pushed",
                result.seq, pushed.seq
            ))));
        }
        if result.id != pushed.id {
            // The server holds another mutation under this (device, seq): an
            // earlier copy of this store used the same numbers. Applying its
            // answer to ours would be a lie either way.
            return Err(Error::Api(crate::api::ApiError::Protocol(format!(
                "the server already holds a different mutation as seq {} of this device \
                 (an earlier copy of this store used it); sign in again as a new device \
                 (`desk login --new-device`) and what is queued is sent under it",
                result.seq
            ))));
        }
        let Some((id, name, json, queued_at)) = state::outbox_row(conn, result.seq)? else {
            continue; // answered before (a retried push); nothing left to do
        };
        match &result.outcome {
            Outcome::Applied => {
                conn.prepare_cached(
                    "UPDATE outbox SET state = 'applied' WHERE seq = ?1 AND state = 'pending'",
                )?
                .execute([result.seq])?;
                summary.applied += 1;
            }
            Outcome::Rejected { code, message } => {
                conn.execute(
                    "INSERT INTO conflicts (id, seq, name, mutation, code, message, queued_at, rejected_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (id) DO NOTHING",
                    params![
                        id.to_string(),
                        result.seq,
                        name,
                        json,
                        code.as_str(),
                        message,
                        queued_at,
                        to_text(now)
                    ],
                )?;
                conn.execute("DELETE FROM outbox WHERE seq = ?1", [result.seq])?;
                summary.rejected += 1;
            }
        }
    }
    if summary.rejected > 0 {
        rebase(conn, actor)?;
    }
    Ok(summary)
}
