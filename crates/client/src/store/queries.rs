//! What the desk's screens read: agendas, patient search and records, the
//! conflict inbox. All local: they work offline.

use super::lookup;
use super::rows::{
    self, get_opt_uuid, get_status, get_ts, get_uuid, read_clinic, read_doctor, read_note,
    read_room,
};
use crate::error::{Error, Result};
use crate::time::{day_bounds, from_text, to_text};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use clinic_core::api::clinic::ClinicView;
use clinic_core::api::doctors::{DoctorView, TimeOffView};
use clinic_core::api::patients::{ClinicalNoteView, PatientView};
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::MAX_APPOINTMENT;
use clinic_core::schedule::{AppointmentStatus, WorkingHours};
use clinic_core::sync::{Mutation, SyncTable};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// One appointment as the agenda shows it, with names from the desk's own
/// doctors, patients and rooms (absent when this desk cannot see that row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgendaEntry {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub doctor_id: Uuid,
    pub doctor_name: Option<String>,
    pub patient_id: Uuid,
    pub patient_name: Option<String>,
    pub room_id: Option<Uuid>,
    pub room_name: Option<String>,
    pub reason: Option<String>,
    pub cancel_reason: Option<String>,
    /// Changed on this desk and not yet confirmed by the server.
    pub pending: bool,
}

/// One day on the clinic's wall clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayAgenda {
    pub date: NaiveDate,
    pub time_zone: String,
    /// The day's first instant, and the next day's: 23, 24 or 25 hours apart.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every appointment overlapping the day, cancelled ones included, by start.
    pub appointments: Vec<AgendaEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekAgenda {
    /// Monday to Sunday.
    pub days: Vec<DayAgenda>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientHit {
    pub id: Uuid,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub archived: bool,
    pub pending: bool,
}

/// A patient's file as this desk may show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientRecord {
    pub patient: PatientView,
    pub pending: bool,
    /// Newest first.
    pub appointments: Vec<AgendaEntry>,
    /// Newest first; only on desks whose member may read them (doctors).
    pub notes: Vec<ClinicalNoteView>,
}

/// A mutation the server rejected, waiting in the inbox.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// The rejected mutation's id; what `resolve` takes.
    pub id: Uuid,
    pub seq: i64,
    pub name: String,
    pub mutation: Mutation,
    /// The server's code, e.g. `slot_taken`, `stale`, `outside_working_hours`.
    pub code: String,
    pub message: String,
    /// What the person had tried, in words, with today's names.
    pub summary: String,
    /// Desk clock; for display.
    pub queued_at: DateTime<Utc>,
    pub rejected_at: DateTime<Utc>,
}

pub(crate) fn clinic(conn: &Connection) -> Result<Option<ClinicView>> {
    let mut stmt = conn.prepare("SELECT * FROM clinic LIMIT 1")?;
    let mut rows = stmt.query_map([], read_clinic)?;
    Ok(rows.next().transpose()?)
}

/// The clinic's zone, required by anything that speaks in local dates.
pub(crate) fn zone(conn: &Connection) -> Result<Tz> {
    lookup::clinic_zone(conn)?.ok_or_else(|| {
        Error::NotSynced("the clinic has not been synced to this desk yet; run a sync".into())
    })
}

pub(crate) fn doctors(conn: &Connection, include_inactive: bool) -> Result<Vec<DoctorView>> {
    Ok(conn
        .prepare("SELECT * FROM doctors WHERE active OR ?1 ORDER BY full_name COLLATE NOCASE, id")?
        .query_map([include_inactive], read_doctor)?
        .collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn rooms(conn: &Connection, include_inactive: bool) -> Result<Vec<RoomView>> {
    Ok(conn
        .prepare("SELECT * FROM rooms WHERE active OR ?1 ORDER BY name COLLATE NOCASE, id")?
        .query_map([include_inactive], read_room)?
        .collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn doctor_hours(conn: &Connection, doctor_id: Uuid) -> Result<Vec<WorkingHours>> {
    lookup::doctor_week(conn, doctor_id)
}

pub(crate) fn doctor_time_off(conn: &Connection, doctor_id: Uuid) -> Result<Vec<TimeOffView>> {
    Ok(conn
        .prepare("SELECT * FROM doctor_time_off WHERE doctor_id = ?1 ORDER BY starts_at")?
        .query_map([doctor_id.to_string()], rows::read_time_off)?
        .collect::<rusqlite::Result<_>>()?)
}

/// An agenda's columns, read by position in [`read_entry`] (an agenda
/// reads thousands of rows; a name is looked up among the columns on every
/// call). The patient's name comes from the (id, full_name) index alone, a
/// single B-tree search per row instead of the id index and then the row
/// (the planner would take the unique id index). Whether an appointment has
/// a pending change is marked afterwards ([`with_pending`]).
const AGENDA_SELECT: &str = "
    SELECT a.id, a.starts_at, a.ends_at, a.status, a.doctor_id, d.full_name,
           a.patient_id, p.full_name, a.room_id, r.name, a.reason, a.cancel_reason
    FROM appointments a
    LEFT JOIN doctors d ON d.id = a.doctor_id
    LEFT JOIN patients p INDEXED BY patients_id_name ON p.id = a.patient_id
    LEFT JOIN rooms r ON r.id = a.room_id";

fn read_entry(r: &Row) -> rusqlite::Result<AgendaEntry> {
    Ok(AgendaEntry {
        id: get_uuid(r, 0)?,
        starts_at: get_ts(r, 1)?,
        ends_at: get_ts(r, 2)?,
        status: get_status(r, 3)?,
        doctor_id: get_uuid(r, 4)?,
        doctor_name: r.get(5)?,
        patient_id: get_uuid(r, 6)?,
        patient_name: r.get(7)?,
        room_id: get_opt_uuid(r, 8)?,
        room_name: r.get(9)?,
        reason: r.get(10)?,
        cancel_reason: r.get(11)?,
        pending: false,
    })
}

/// Marks the entries with changes on this desk the server has not confirmed:
/// one query for the (usually empty) set, rather than a lookup per row.
fn with_pending(conn: &Connection, mut entries: Vec<AgendaEntry>) -> Result<Vec<AgendaEntry>> {
    let pending: HashSet<Uuid> = conn
        .prepare_cached(
            "SELECT t.row_id FROM outbox_touches t JOIN outbox o ON o.seq = t.seq
             WHERE t.tbl = 'appointments' AND o.state = 'pending'",
        )?
        .query_map([], |r| get_uuid(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    if !pending.is_empty() {
        for entry in &mut entries {
            entry.pending = pending.contains(&entry.id);
        }
    }
    Ok(entries)
}

/// Appointments overlapping `[from, to)`, optionally one doctor's.
pub(crate) fn appointments_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    doctor_id: Option<Uuid>,
) -> Result<Vec<AgendaEntry>> {
    // No appointment lasts longer than MAX_APPOINTMENT, so one overlapping
    // [from, to) starts after `from - MAX_APPOINTMENT`: that lower bound lets
    // the (starts_at, ends_at) index read just the window instead of all
    // history, and skip the ones that ended before it without their rows.
    // One doctor's day reads the (doctor_id, starts_at) index; the clinic's
    // the (starts_at, ends_at) one. (One statement for both, with
    // `?3 IS NULL OR`, would read the whole clinic's day for one doctor.)
    let doctor = if doctor_id.is_some() {
        "a.doctor_id = ?3"
    } else {
        "?3 IS NULL"
    };
    let sql = format!(
        "{AGENDA_SELECT}
         WHERE {doctor} AND a.starts_at < ?2 AND a.starts_at > ?4 AND a.ends_at > ?1
         ORDER BY a.starts_at"
    );
    let earliest_start = from - MAX_APPOINTMENT;
    let mut entries: Vec<AgendaEntry> = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                to_text(from),
                to_text(to),
                doctor_id.map(|d| d.to_string()),
                to_text(earliest_start)
            ],
            read_entry,
        )?
        .collect::<rusqlite::Result<_>>()?;
    // By start (as the index reads them), then doctor and id. Sorting here
    // rather than in SQL spares copying every row through a temporary
    // B-tree: the rows already come in start order.
    entries.sort_by(|a, b| {
        a.starts_at
            .cmp(&b.starts_at)
            .then_with(|| cmp_nocase(a.doctor_name.as_deref(), b.doctor_name.as_deref()))
            .then_with(|| a.id.cmp(&b.id))
    });
    with_pending(conn, entries)
}

/// Names compared as SQLite's NOCASE does (ASCII letters folded); no name first.
fn cmp_nocase(a: Option<&str>, b: Option<&str>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

pub(crate) fn agenda_entry(conn: &Connection, id: Uuid) -> Result<Option<AgendaEntry>> {
    let sql = format!("{AGENDA_SELECT} WHERE a.id = ?1");
    let entry = conn
        .query_row(&sql, [id.to_string()], read_entry)
        .optional()?;
    Ok(with_pending(conn, entry.into_iter().collect())?.pop())
}

pub(crate) fn day_agenda(
    conn: &Connection,
    date: NaiveDate,
    doctor_id: Option<Uuid>,
) -> Result<DayAgenda> {
    let zone = zone(conn)?;
    let (from, to) = day_bounds(date, zone);
    Ok(DayAgenda {
        date,
        time_zone: zone.name().to_owned(),
        from,
        to,
        appointments: appointments_between(conn, from, to, doctor_id)?,
    })
}

/// The Monday-to-Sunday week holding `date`.
pub(crate) fn week_agenda(
    conn: &Connection,
    date: NaiveDate,
    doctor_id: Option<Uuid>,
) -> Result<WeekAgenda> {
    let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    let days = (0..7)
        .map(|i| day_agenda(conn, monday + Duration::days(i), doctor_id))
        .collect::<Result<_>>()?;
    Ok(WeekAgenda { days })
}

/// An FTS5 query from what a person typed: each word a quoted prefix term,
/// all of them required. Quoting makes FTS syntax in the input plain text.
fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| {
            let digits: String = w.chars().filter(char::is_ascii_digit).collect();
            let is_phone = !digits.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if is_phone {
                // Digits match the phone typed any way: "600-100" finds "600 100 200".
                format!("(phone_digits : \"{digits}\"* OR \"{digits}\"*)")
            } else {
                format!("\"{w}\"*")
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

pub(crate) fn search_patients(
    conn: &Connection,
    text: &str,
    include_archived: bool,
    limit: usize,
) -> Result<Vec<PatientHit>> {
    let Some(query) = fts_query(text) else {
        return Ok(Vec::new());
    };
    // The hits are chosen and ordered first, reading only the patients'
    // names (the FTS prefix indexes make the match itself cheap); the
    // pending mark is looked up for those `limit` only. Hits come in name
    // order: every hit has all the typed words, and ranking them by bm25
    // cost a microsecond per match (10 ms for "ana" among 100k patients).
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.full_name, p.date_of_birth, p.phone, p.email,
                p.archived_at IS NOT NULL,
                EXISTS (SELECT 1 FROM outbox_touches t JOIN outbox o ON o.seq = t.seq
                        WHERE t.tbl = 'patients' AND t.row_id = p.id AND o.state = 'pending')
         FROM (SELECT p.rowid AS hit
               FROM patients_fts f JOIN patients p ON p.rowid = f.rowid
               WHERE patients_fts MATCH ?1 AND (?2 OR p.archived_at IS NULL)
               ORDER BY p.full_name COLLATE NOCASE, p.id
               LIMIT ?3) hits
         JOIN patients p ON p.rowid = hits.hit
         ORDER BY p.full_name COLLATE NOCASE, p.id",
    )?;
    Ok(stmt
        .query_map(params![query, include_archived, limit as i64], |r| {
            let dob: Option<String> = r.get(2)?;
            Ok(PatientHit {
                id: get_uuid(r, 0)?,
                full_name: r.get(1)?,
                date_of_birth: dob.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                phone: r.get(3)?,
                email: r.get(4)?,
                archived: r.get(5)?,
                pending: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn patient_record(conn: &Connection, id: Uuid) -> Result<Option<PatientRecord>> {
    let Some(patient) = lookup::patient(conn, id)? else {
        return Ok(None);
    };
    let sql = format!("{AGENDA_SELECT} WHERE a.patient_id = ?1 ORDER BY a.starts_at DESC, a.id");
    let appointments = with_pending(
        conn,
        conn.prepare(&sql)?
            .query_map([id.to_string()], read_entry)?
            .collect::<rusqlite::Result<_>>()?,
    )?;
    let notes = conn
        .prepare("SELECT * FROM clinical_notes WHERE patient_id = ?1 ORDER BY created_at DESC, id")?
        .query_map([id.to_string()], read_note)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(PatientRecord {
        pending: super::state::is_pending(conn, SyncTable::Patients, id)?,
        patient,
        appointments,
        notes,
    }))
}

pub(crate) fn conflicts(conn: &Connection) -> Result<Vec<Conflict>> {
    struct Stored {
        id: Uuid,
        seq: i64,
        name: String,
        mutation: String,
        code: String,
        message: String,
        queued_at: String,
        rejected_at: String,
    }
    let stored: Vec<Stored> = conn
        .prepare(
            "SELECT id, seq, name, mutation, code, message, queued_at, rejected_at
             FROM conflicts ORDER BY rejected_at, seq",
        )?
        .query_map([], |r| {
            Ok(Stored {
                id: get_uuid(r, "id")?,
                seq: r.get("seq")?,
                name: r.get("name")?,
                mutation: r.get("mutation")?,
                code: r.get("code")?,
                message: r.get("message")?,
                queued_at: r.get("queued_at")?,
                rejected_at: r.get("rejected_at")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let zone = lookup::clinic_zone(conn)?.unwrap_or(chrono_tz::UTC);
    let when = |s: &str| from_text(s).ok_or_else(|| Error::Corrupt(format!("conflict time {s:?}")));
    stored
        .into_iter()
        .map(|c| {
            let mutation: Mutation = serde_json::from_str(&c.mutation)?;
            Ok(Conflict {
                summary: describe(conn, &mutation, zone)?,
                id: c.id,
                seq: c.seq,
                name: c.name,
                mutation,
                code: c.code,
                message: c.message,
                queued_at: when(&c.queued_at)?,
                rejected_at: when(&c.rejected_at)?,
            })
        })
        .collect()
}

/// A mutation in words, with the names this desk knows today.
pub(crate) fn describe(conn: &Connection, m: &Mutation, zone: Tz) -> Result<String> {
    let patient = |id: Uuid| -> Result<String> {
        Ok(lookup::patient(conn, id)?
            .map(|p| p.full_name)
            .unwrap_or_else(|| format!("patient {id}")))
    };
    let doctor = |id: Uuid| -> Result<String> {
        Ok(lookup::doctor(conn, id)?
            .map(|d| d.full_name)
            .unwrap_or_else(|| format!("doctor {id}")))
    };
    let span = |a: DateTime<Utc>, b: DateTime<Utc>| {
        format!(
            "{}–{}",
            a.with_timezone(&zone).format("%a %Y-%m-%d %H:%M"),
            b.with_timezone(&zone).format("%H:%M")
        )
    };
    let appointment = |id: Uuid| -> Result<String> {
        Ok(match lookup::appointment(conn, id)? {
            Some(a) => format!(
                "{} with {} on {}",
                patient(a.patient_id)?,
                doctor(a.doctor_id)?,
                span(a.starts_at, a.ends_at)
            ),
            None => format!("appointment {id}"),
        })
    };
    Ok(match m {
        Mutation::RegisterPatient { patient: p, .. } => {
            format!("Register patient {}", p.full_name.trim())
        }
        Mutation::UpdatePatient { patient_id, .. } => {
            format!("Update patient {}", patient(*patient_id)?)
        }
        Mutation::ArchivePatient { patient_id } => {
            format!("Archive patient {}", patient(*patient_id)?)
        }
        Mutation::BookAppointment { booking, .. } => format!(
            "Book {} with {} on {}",
            patient(booking.patient_id)?,
            doctor(booking.doctor_id)?,
            span(booking.starts_at, booking.ends_at)
        ),
        Mutation::RescheduleAppointment {
            appointment_id,
            change,
        } => format!(
            "Move {} to {}",
            appointment(*appointment_id)?,
            span(change.starts_at, change.ends_at)
        ),
        Mutation::CancelAppointment { appointment_id, .. } => {
            format!("Cancel {}", appointment(*appointment_id)?)
        }
        Mutation::CheckIn { appointment_id } => {
            format!("Check in {}", appointment(*appointment_id)?)
        }
        Mutation::MarkNoShow { appointment_id } => {
            format!("Mark as no-show: {}", appointment(*appointment_id)?)
        }
        Mutation::CompleteAppointment { appointment_id } => {
            format!("Complete {}", appointment(*appointment_id)?)
        }
        Mutation::SetWorkingHours { doctor_id, .. } => {
            format!("Set the working hours of {}", doctor(*doctor_id)?)
        }
        Mutation::AddTimeOff {
            doctor_id,
            time_off,
            ..
        } => format!(
            "Time off for {} from {}",
            doctor(*doctor_id)?,
            span(time_off.starts_at, time_off.ends_at)
        ),
        Mutation::RemoveTimeOff { doctor_id, .. } => {
            format!("Remove time off of {}", doctor(*doctor_id)?)
        }
        Mutation::CreateRoom { room, .. } => format!("Create room {}", room.name.trim()),
        Mutation::UpdateRoom { room_id, .. } => format!(
            "Update room {}",
            lookup::room(conn, *room_id)?
                .map(|r| r.name)
                .unwrap_or_else(|| room_id.to_string())
        ),
    })
}

/// The one row of `table` whose id starts with `prefix` (ids typed by hand).
pub(crate) fn resolve_prefix(conn: &Connection, table: &str, prefix: &str) -> Result<Uuid> {
    let p = prefix.trim().to_ascii_lowercase();
    if let Ok(id) = Uuid::parse_str(&p) {
        return Ok(id);
    }
    if p.len() < 4 || !p.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::from(clinic_core::Invalid::new(
            "id",
            format!("{prefix:?} is not an id (give the full id or at least 4 of its characters)"),
        )));
    }
    let ids: Vec<String> = conn
        .prepare(&format!(
            "SELECT id FROM {table} WHERE id LIKE ?1 || '%' OR replace(id, '-', '') LIKE ?1 || '%' LIMIT 2"
        ))?
        .query_map([&p], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [one] => Uuid::parse_str(one).map_err(|e| Error::Corrupt(e.to_string())),
        [] => Err(Error::not_found(table.trim_end_matches('s'))),
        _ => Err(Error::from(clinic_core::Invalid::new(
            "id",
            format!("{prefix:?} matches several {table}; give more of the id"),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_text_becomes_quoted_prefix_terms() {
        assert_eq!(
            fts_query("  Lucía  gar").as_deref(),
            Some("\"Lucía\"* AND \"gar\"*")
        );
        assert_eq!(
            fts_query("600-100").as_deref(),
            Some("(phone_digits : \"600100\"* OR \"600100\"*)")
        );
        // FTS syntax typed in is searched for as plain words.
        assert_eq!(fts_query("\" OR *").as_deref(), Some("\"OR\"*"));
        assert_eq!(fts_query(" \" * "), None);
        assert_eq!(fts_query("ana\"x").as_deref(), Some("\"ana\"* AND \"x\"*"));
    }
}
