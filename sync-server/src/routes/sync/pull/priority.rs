//! The first sync's priority page: what a desk needs to be usable at once,
//! whatever the rows' versions, before the full pull from 0 follows. Each
//! table's declaration says what of it the page holds (`Priority`).

use super::rows::{self, Filter, Span};
use super::scope::Scope;
use super::tables::Priority;
use crate::db::Tx;
use crate::domain::reach;
use crate::error::ApiResult;
use chrono::{Duration, Utc};
use clinic_core::sync::{PriorityStage, PullPage};
use uuid::Uuid;

/// The first sync's agenda: from a day back (today's appointments, late
/// check-ins) to four weeks ahead.
const PRIORITY_BEHIND: Duration = Duration::days(1);
const PRIORITY_AHEAD: Duration = Duration::days(28);

/// The whole page, or one stage of it: the settings (all but in `ahead`)
/// and the stage's agenda with its patients, each row at its own version,
/// and only the rows the member sees.
pub(super) async fn priority_page(
    tx: &mut Tx,
    clinic_id: Uuid,
    scope: &Scope,
    stage: Option<PriorityStage>,
) -> ApiResult<PullPage> {
    let now = Utc::now();
    let weeks = (now - PRIORITY_BEHIND, now + PRIORITY_AHEAD);
    let agenda = match stage {
        None => Filter::Overlapping {
            window: weeks,
            except: None,
        },
        Some(PriorityStage::Today) => Filter::Overlapping {
            window: clinic_today(tx, now).await?,
            except: None,
        },
        Some(PriorityStage::Ahead) => Filter::Overlapping {
            window: weeks,
            except: Some(clinic_today(tx, now).await?),
        },
    };
    let mut changes = Vec::new();
    if stage != Some(PriorityStage::Ahead) {
        for &table in &scope.tables {
            if table.priority == Priority::Settings {
                let reach = scope.reach(table);
                for row in rows::read(tx, clinic_id, table, reach, Filter::All, false).await? {
                    if row.visible {
                        changes.push(row.change());
                    }
                }
            }
        }
    }
    // The agenda's rows, each patient's rows before the first that names
    // them.
    let mut agenda_rows = Vec::new();
    for &table in &scope.tables {
        if matches!(table.priority, Priority::Agenda { .. }) {
            let reach = scope.reach(table);
            let read = rows::read(tx, clinic_id, table, reach, agenda, true).await?;
            agenda_rows.extend(read.into_iter().filter(|r| r.visible));
        }
    }
    let mut patients: Vec<Uuid> = agenda_rows.iter().filter_map(|r| r.patient).collect();
    patients.sort_unstable();
    patients.dedup();
    for &table in &scope.tables {
        if table.priority == Priority::AgendaPatients && !patients.is_empty() {
            let reach = scope.reach(table);
            let of = Filter::OfPatients(&patients);
            for row in rows::read(tx, clinic_id, table, reach, of, false).await? {
                if row.visible {
                    changes.push(row.change());
                }
            }
        }
    }
    changes.extend(agenda_rows.into_iter().map(rows::Fetched::change));
    Ok(PullPage {
        changes,
        cursor: 0,
        has_more: true,
    })
}

/// The clinic's today on its own clock, as `[start, end)` instants.
async fn clinic_today(tx: &mut Tx, now: chrono::DateTime<Utc>) -> ApiResult<Span> {
    let zone = reach::clinic_zone(tx).await?;
    let today = now.with_timezone(&zone).date_naive();
    Ok(clinic_core::schedule::day_bounds(today, zone))
}
