//! A page of changes after the desk's cursor, in version order.
//!
//! Every synced write takes the clinic's next version while holding the
//! counter row's lock until it commits, so versions become visible in
//! order: what one snapshot sees is every committed version up to some
//! point. A page is read in one snapshot, in two steps: first the
//! `limit + 1`-th smallest version after the cursor (a merge of index-only
//! scans on `(clinic_id, version)`), then each table's rows strictly below
//! it. The page thus holds exactly the first `limit` changes, and the next
//! page starts after its last version without skipping anything.

use super::rows::{self, Filter};
use super::scope::Scope;
use super::tables::{self, Visibility};
use crate::db::Tx;
use crate::domain::reach::Reach;
use crate::error::{ApiError, ApiResult};
use clinic_core::sync::{Change, PullPage};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub(super) async fn page(
    tx: &mut Tx,
    clinic_id: Uuid,
    scope: &Scope,
    cursor: i64,
    limit: u32,
) -> ApiResult<PullPage> {
    let tombstoned: Vec<&str> = scope
        .tables
        .iter()
        .filter(|t| t.tombstoned)
        .map(|t| t.sql_table)
        .collect();
    let bound = page_bound(tx, clinic_id, scope, &tombstoned, cursor, limit).await?;
    let window = Filter::Page {
        after: cursor,
        before: bound,
    };
    // A member who sees one doctor's agenda gets, with each change of it,
    // the rows of its patient (below).
    let riding = scope.appointments != Reach::Clinic;
    let mut patient_version: HashMap<Uuid, i64> = HashMap::new();
    let mut changes = Vec::new();
    for &table in &scope.tables {
        let agenda = riding && matches!(table.visibility, Visibility::OwnAgenda { .. });
        let reach = scope.reach(table);
        for row in rows::read(tx, clinic_id, table, reach, window, agenda).await? {
            if let Some(patient) = row.patient {
                let v = patient_version.entry(patient).or_insert(row.version);
                *v = (*v).max(row.version);
            }
            changes.push(row.change());
        }
    }
    changes.extend(tombstones(tx, clinic_id, window, &tombstoned).await?);
    let next = changes.iter().map(version_of).max().unwrap_or(cursor);
    ride_along(tx, clinic_id, scope, &patient_version, &mut changes).await?;
    // Several tables were read one after the other; the desk applies the
    // page in version order. (A row riding along shares its appointment's
    // version and follows it.)
    changes.sort_by_key(version_of);
    Ok(PullPage {
        changes,
        cursor: next,
        has_more: bound.is_some(),
    })
}

/// The `limit + 1`-th smallest version after `cursor` among what the
/// member reads, if there are that many: the page stops below it.
async fn page_bound(
    tx: &mut Tx,
    clinic_id: Uuid,
    scope: &Scope,
    tombstoned: &[&str],
    cursor: i64,
    limit: u32,
) -> ApiResult<Option<i64>> {
    let mut branches: Vec<String> = scope
        .tables
        .iter()
        .map(|t| {
            format!(
                "(SELECT version FROM {table} WHERE {clinic} = $1 AND version > $2
                  ORDER BY version LIMIT $3)",
                table = t.sql_table,
                clinic = t.clinic_column,
            )
        })
        .collect();
    branches.push(
        "(SELECT version FROM sync_tombstones
          WHERE clinic_id = $1 AND version > $2 AND table_name = ANY($4)
          ORDER BY version LIMIT $3)"
            .to_owned(),
    );
    let sql = format!(
        "SELECT version FROM ({}) v ORDER BY version OFFSET $3 - 1 LIMIT 1",
        branches.join(" UNION ALL ")
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(clinic_id)
        .bind(cursor)
        .bind(i64::from(limit) + 1)
        .bind(tombstoned)
        .fetch_optional(&mut **tx)
        .await?)
}

/// The deletes of the page's window in `tables` (by their database names).
async fn tombstones(
    tx: &mut Tx,
    clinic_id: Uuid,
    window: Filter<'_>,
    tables: &[&str],
) -> ApiResult<Vec<Change>> {
    let Filter::Page { after, before } = window else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64, String, Uuid)> = sqlx::query_as(
        "SELECT version, table_name, row_id FROM sync_tombstones
         WHERE clinic_id = $1 AND version > $2 AND ($3::int8 IS NULL OR version < $3)
           AND table_name = ANY($4)",
    )
    .bind(clinic_id)
    .bind(after)
    .bind(before)
    .bind(tables)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(version, table, id)| {
            let table = tables::tombstoned_as(&table).ok_or_else(|| {
                ApiError::internal(format!("tombstone of unsynced table {table}"))
            })?;
            Ok(Change::Delete {
                version,
                table: table.table,
                id,
            })
        })
        .collect()
}

/// For a member who sees one doctor's agenda: with each change of an
/// appointment, the rows of its patient (the patient's own, their notes)
/// as the member may now see them, at the appointment's version. A patient
/// newly booked with the doctor arrives with the booking (their rows'
/// versions may be long past the cursor), and one whose last appointment
/// with the doctor moved away leaves with it. Rows already in the page
/// come at their own version instead.
async fn ride_along(
    tx: &mut Tx,
    clinic_id: Uuid,
    scope: &Scope,
    patient_version: &HashMap<Uuid, i64>,
    changes: &mut Vec<Change>,
) -> ApiResult<()> {
    if patient_version.is_empty() {
        return Ok(());
    }
    let present: HashSet<_> = changes.iter().map(key_of).collect();
    let ids: Vec<Uuid> = patient_version.keys().copied().collect();
    let patients = Filter::OfPatients(&ids);
    for &table in &scope.tables {
        if table.visibility != Visibility::OwnPatients {
            continue;
        }
        let reach = scope.reach(table);
        for row in rows::read(tx, clinic_id, table, reach, patients, true).await? {
            if present.contains(&(row.row.table(), row.row.id())) {
                continue;
            }
            let version = row
                .patient
                .and_then(|p| patient_version.get(&p))
                .copied()
                .ok_or_else(|| ApiError::internal("a riding row of an unasked patient"))?;
            changes.push(row.change_at(version));
        }
    }
    Ok(())
}

fn version_of(change: &Change) -> i64 {
    match change {
        Change::Upsert { version, .. } | Change::Delete { version, .. } => *version,
    }
}

fn key_of(change: &Change) -> (clinic_core::sync::SyncTable, Uuid) {
    match change {
        Change::Upsert { row, .. } => (row.table(), row.id()),
        Change::Delete { table, id, .. } => (*table, *id),
    }
}
