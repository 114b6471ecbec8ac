//! Reading any synced table from its declaration (`tables`): the rows a
//! page, a priority stage or a ride-along asks for, each with its version
//! and whether the member sees it. One query per table and call, its text
//! the same from one call to the next, so each stays prepared.

use super::tables::{Priority, SyncedTable, Visibility};
use crate::db::Tx;
use crate::domain::reach::{self, Reach};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use clinic_core::sync::{Change, SyncRow};
use futures_util::TryStreamExt;
use sqlx::Row;
use uuid::Uuid;

/// An instant range `[from, to)`.
pub(super) type Span = (DateTime<Utc>, DateTime<Utc>);

/// Which rows of a table to read. Every query binds the same first
/// parameters whether or not its text uses them (their types are sent with
/// them, so that is allowed): `$1` the clinic, `$2`..`$3` the page's
/// versions, `$4`..`$5` the member's reach (the whole-clinic flag and their
/// own doctor, NULL reaching nothing), then the filter's own.
#[derive(Debug, Clone, Copy)]
pub(super) enum Filter<'a> {
    /// Versions above `after`, and below `before` unless that is `None`.
    Page { after: i64, before: Option<i64> },
    /// Every row.
    All,
    /// The rows of these patients (`$6`), whatever their versions.
    OfPatients(&'a [Uuid]),
    /// The rows of a [`Priority::Agenda`] table overlapping `window` but
    /// not `except` (`$6`..`$10`).
    Overlapping { window: Span, except: Option<Span> },
}

/// A row as read, before it becomes a change.
pub(super) struct Fetched {
    pub version: i64,
    /// The member sees it; if not, it goes down as a delete.
    pub visible: bool,
    pub row: SyncRow,
    /// The patient the row belongs to, when the read asked for it.
    pub patient: Option<Uuid>,
}

impl Fetched {
    /// As a change at its own version.
    pub fn change(self) -> Change {
        let version = self.version;
        self.change_at(version)
    }

    /// As a change at `version` (a row riding along with another).
    pub fn change_at(self, version: i64) -> Change {
        if self.visible {
            Change::Upsert {
                version,
                row: self.row,
            }
        } else {
            Change::Delete {
                version,
                table: self.row.table(),
                id: self.row.id(),
            }
        }
    }
}

/// The rows of `table` that `filter` picks, with their visibility by
/// `reach`; with `patient`, also the patient each belongs to.
pub(super) async fn read(
    tx: &mut Tx,
    clinic_id: Uuid,
    table: &SyncedTable,
    reach: Reach,
    filter: Filter<'_>,
    patient: bool,
) -> ApiResult<Vec<Fetched>> {
    let (after, before) = match filter {
        Filter::Page { after, before } => (after, before),
        _ => (0, None),
    };
    let sql = select(table, &filter, patient)?;
    let query = sqlx::query(&sql)
        .bind(clinic_id)
        .bind(after)
        .bind(before)
        .bind(reach.whole_clinic())
        .bind(reach.doctor());
    let query = match filter {
        Filter::Page { .. } | Filter::All => query,
        Filter::OfPatients(ids) => query.bind(ids),
        Filter::Overlapping { window, except } => {
            let Priority::Agenda { longest, .. } = table.priority else {
                return Err(not_an_agenda(table));
            };
            // An empty `except` keeps the query's text (and plan) the same.
            let (skip_from, skip_to) = except.unwrap_or((window.1, window.1));
            query
                .bind(window.0)
                .bind(window.1)
                .bind(format!("{} seconds", longest.num_seconds()))
                .bind(skip_from)
                .bind(skip_to)
        }
    };
    let mut rows = query.fetch(&mut **tx);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        out.push(Fetched {
            version: row.try_get(0)?,
            visible: row.try_get(1)?,
            patient: row.try_get(2)?,
            row: (table.decode)(&row)?,
        });
    }
    Ok(out)
}

/// `SELECT version, visible, patient, <columns>` of the rows `filter` picks.
fn select(table: &SyncedTable, filter: &Filter<'_>, patient: bool) -> ApiResult<String> {
    let a = table.alias;
    let visible = match table.visibility {
        Visibility::Clinic => "true".to_owned(),
        // A NULL doctor matches nothing: coalesce keeps `visible` a bool.
        Visibility::OwnAgenda { doctor } => format!("coalesce($4 OR {doctor} = $5, false)"),
        Visibility::OwnPatients => reach::patient_within(
            patient_column(table)?,
            &format!("{a}.{}", table.clinic_column),
            "$4",
            "$5",
        ),
    };
    let patient = if patient {
        patient_column(table)?
    } else {
        "NULL::uuid"
    };
    let (filter, order) = match filter {
        Filter::Page { .. } => (
            format!("{a}.version > $2 AND ($3::int8 IS NULL OR {a}.version < $3)"),
            String::new(),
        ),
        Filter::All => ("true".to_owned(), String::new()),
        Filter::OfPatients(_) => (
            format!("{} = ANY($6)", patient_column(table)?),
            String::new(),
        ),
        Filter::Overlapping { .. } => {
            let Priority::Agenda { starts, ends, .. } = table.priority else {
                return Err(not_an_agenda(table));
            };
            // No row lasts longer than `$8`, so one overlapping the window
            // starts no earlier than that before it: the bound lets the
            // scan use the index on `starts`.
            (
                format!(
                    "{starts} < $7 AND {ends} > $6 AND {starts} > $6 - $8::interval
                     AND NOT ({starts} < $10 AND {ends} > $9)"
                ),
                format!("ORDER BY {starts}, {a}.id"),
            )
        }
    };
    Ok(format!(
        "SELECT {a}.version, {visible} AS visible, {patient} AS patient, {columns}
         FROM {sql_table} {a} {joins}
         WHERE {a}.{clinic} = $1 AND {filter} {order}",
        columns = table.columns,
        sql_table = table.sql_table,
        joins = table.joins,
        clinic = table.clinic_column,
    ))
}

fn patient_column(table: &SyncedTable) -> ApiResult<&'static str> {
    table.patient.ok_or_else(|| {
        ApiError::internal(format!("synced table {} names no patient", table.sql_table))
    })
}

fn not_an_agenda(table: &SyncedTable) -> ApiError {
    ApiError::internal(format!("synced table {} is not an agenda", table.sql_table))
}
