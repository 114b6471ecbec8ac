//! Synced rows in and out of their tables, one function per direction, so
//! the server's `SyncRow` and the local columns cannot drift apart.

use crate::time::{from_text, to_text};
use chrono::{DateTime, NaiveDate, Utc};
use clinic_core::api::clinic::ClinicView;
use clinic_core::api::doctors::{DoctorView, TimeOffView};
use clinic_core::api::patients::{ClinicalNoteView, PatientView, Sex};
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::{AppointmentStatus, WorkingHours, wall_clock};
use clinic_core::sync::{AppointmentRow, HoursRow, SyncRow, SyncTable};
use rusqlite::types::{Type, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, RowIndex, params};
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;
use uuid::Uuid;

/// The desk's table of `t`: the one named as on the wire.
pub(crate) fn table_name(t: SyncTable) -> &'static str {
    t.name()
}

// ---- column readers -------------------------------------------------------

fn bad(col: impl Display, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, Type::Text, format!("column {col}: {msg}").into())
}

/// A text column as SQLite holds it, without copying it out; `None` for NULL.
/// Columns are named, or numbered where a query reads many rows (a name is
/// looked up among the columns on every call).
fn text<'r, I: RowIndex + Display + Copy>(
    r: &'r Row<'_>,
    col: I,
) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(col)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(Some)
            .map_err(|e| bad(col, e.to_string())),
        other => Err(bad(
            col,
            format!("holds {} instead of text", other.data_type()),
        )),
    }
}

fn required<'r, I: RowIndex + Display + Copy>(r: &'r Row<'_>, col: I) -> rusqlite::Result<&'r str> {
    text(r, col)?.ok_or_else(|| bad(col, "is NULL".into()))
}

fn uuid(col: impl Display, s: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| bad(col, e.to_string()))
}

fn ts(col: impl Display, s: &str) -> rusqlite::Result<DateTime<Utc>> {
    from_text(s).ok_or_else(|| bad(col, format!("{s:?} is not a time")))
}

pub(crate) fn get_uuid<I: RowIndex + Display + Copy>(r: &Row, col: I) -> rusqlite::Result<Uuid> {
    uuid(col, required(r, col)?)
}

pub(crate) fn get_opt_uuid<I: RowIndex + Display + Copy>(
    r: &Row,
    col: I,
) -> rusqlite::Result<Option<Uuid>> {
    text(r, col)?.map(|s| uuid(col, s)).transpose()
}

pub(crate) fn get_ts<I: RowIndex + Display + Copy>(
    r: &Row,
    col: I,
) -> rusqlite::Result<DateTime<Utc>> {
    ts(col, required(r, col)?)
}

pub(crate) fn get_opt_ts<I: RowIndex + Display + Copy>(
    r: &Row,
    col: I,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    text(r, col)?.map(|s| ts(col, s)).transpose()
}

pub(crate) fn get_status<I: RowIndex + Display + Copy>(
    r: &Row,
    col: I,
) -> rusqlite::Result<AppointmentStatus> {
    AppointmentStatus::parse(required(r, col)?).map_err(|e| bad(col, e.to_string()))
}

fn opt_ts(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(to_text)
}

fn opt_id(id: Option<Uuid>) -> Option<String> {
    id.map(|i| i.to_string())
}

// ---- readers per table ----------------------------------------------------

pub(crate) fn read_clinic(r: &Row) -> rusqlite::Result<ClinicView> {
    Ok(ClinicView {
        id: get_uuid(r, "id")?,
        name: r.get("name")?,
        time_zone: r.get("time_zone")?,
        locale: r.get("locale")?,
        currency: r.get("currency")?,
        created_at: get_ts(r, "created_at")?,
    })
}

pub(crate) fn read_doctor(r: &Row) -> rusqlite::Result<DoctorView> {
    let specialties: String = r.get("specialties")?;
    Ok(DoctorView {
        id: get_uuid(r, "id")?,
        full_name: r.get("full_name")?,
        specialties: serde_json::from_str(&specialties)
            .map_err(|e| bad("specialties", e.to_string()))?,
        user_id: get_opt_uuid(r, "user_id")?,
        active: r.get("active")?,
        created_at: get_ts(r, "created_at")?,
        updated_at: get_ts(r, "updated_at")?,
    })
}

pub(crate) fn read_hours(r: &Row) -> rusqlite::Result<HoursRow> {
    let time = |col: &str| -> rusqlite::Result<_> {
        let s: String = r.get(col)?;
        wall_clock::parse(&s).ok_or_else(|| bad(col, format!("{s:?} is not HH:MM")))
    };
    Ok(HoursRow {
        id: get_uuid(r, "id")?,
        doctor_id: get_uuid(r, "doctor_id")?,
        hours: WorkingHours {
            weekday: r.get("weekday")?,
            starts: time("starts")?,
            ends: time("ends")?,
        },
    })
}

pub(crate) fn read_time_off(r: &Row) -> rusqlite::Result<TimeOffView> {
    Ok(TimeOffView {
        id: get_uuid(r, "id")?,
        doctor_id: get_uuid(r, "doctor_id")?,
        starts_at: get_ts(r, "starts_at")?,
        ends_at: get_ts(r, "ends_at")?,
        reason: r.get("reason")?,
        created_at: get_ts(r, "created_at")?,
    })
}

pub(crate) fn read_room(r: &Row) -> rusqlite::Result<RoomView> {
    Ok(RoomView {
        id: get_uuid(r, "id")?,
        name: r.get("name")?,
        active: r.get("active")?,
        created_at: get_ts(r, "created_at")?,
        updated_at: get_ts(r, "updated_at")?,
    })
}

pub(crate) fn read_patient(r: &Row) -> rusqlite::Result<PatientView> {
    let dob: Option<String> = r.get("date_of_birth")?;
    let sex: Option<String> = r.get("sex")?;
    Ok(PatientView {
        id: get_uuid(r, "id")?,
        full_name: r.get("full_name")?,
        date_of_birth: dob
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|e| bad("date_of_birth", e.to_string()))
            })
            .transpose()?,
        sex: sex
            .map(|s| Sex::parse(&s).map_err(|e| bad("sex", e.to_string())))
            .transpose()?,
        national_id: r.get("national_id")?,
        phone: r.get("phone")?,
        email: r.get("email")?,
        address: r.get("address")?,
        email_consent: r.get("email_consent")?,
        email_consent_at: get_opt_ts(r, "email_consent_at")?,
        archived_at: get_opt_ts(r, "archived_at")?,
        created_at: get_ts(r, "created_at")?,
        updated_at: get_ts(r, "updated_at")?,
    })
}

pub(crate) fn read_note(r: &Row) -> rusqlite::Result<ClinicalNoteView> {
    Ok(ClinicalNoteView {
        id: get_uuid(r, "id")?,
        patient_id: get_uuid(r, "patient_id")?,
        author_id: get_uuid(r, "author_id")?,
        author_name: r.get("author_name")?,
        body: r.get("body")?,
        created_at: get_ts(r, "created_at")?,
    })
}

pub(crate) fn read_appointment(r: &Row) -> rusqlite::Result<AppointmentRow> {
    Ok(AppointmentRow {
        id: get_uuid(r, "id")?,
        doctor_id: get_uuid(r, "doctor_id")?,
        patient_id: get_uuid(r, "patient_id")?,
        room_id: get_opt_uuid(r, "room_id")?,
        starts_at: get_ts(r, "starts_at")?,
        ends_at: get_ts(r, "ends_at")?,
        status: get_status(r, "status")?,
        reason: r.get("reason")?,
        cancel_reason: r.get("cancel_reason")?,
        created_by: get_opt_uuid(r, "created_by")?,
        updated_at: get_ts(r, "updated_at")?,
    })
}

/// The digit runs of a phone number from each group on, longest first:
/// `"+34 600 100 200"` → `"34600100200 600100200 100200 200"`.
pub(crate) fn phone_search(phone: &str) -> String {
    let groups: Vec<String> = phone
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    (0..groups.len())
        .map(|i| groups[i..].concat())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- generic access -------------------------------------------------------

/// The row and its version, if the table has it.
pub(crate) fn load(
    conn: &Connection,
    table: SyncTable,
    id: Uuid,
) -> rusqlite::Result<Option<(SyncRow, i64)>> {
    let sql = format!("SELECT * FROM {} WHERE id = ?1", table_name(table));
    conn.query_row(&sql, [id.to_string()], |r| {
        let version: i64 = r.get("version")?;
        let row = match table {
            SyncTable::Clinic => SyncRow::Clinic(read_clinic(r)?),
            SyncTable::Doctors => SyncRow::Doctors(read_doctor(r)?),
            SyncTable::DoctorHours => SyncRow::DoctorHours(read_hours(r)?),
            SyncTable::DoctorTimeOff => SyncRow::DoctorTimeOff(read_time_off(r)?),
            SyncTable::Rooms => SyncRow::Rooms(read_room(r)?),
            SyncTable::Patients => SyncRow::Patients(read_patient(r)?),
            SyncTable::ClinicalNotes => SyncRow::ClinicalNotes(read_note(r)?),
            SyncTable::Appointments => SyncRow::Appointments(read_appointment(r)?),
        };
        Ok((row, version))
    })
    .optional()
}

pub(crate) fn delete(conn: &Connection, table: SyncTable, id: Uuid) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", table_name(table)))?
        .execute([id.to_string()])?;
    Ok(())
}

/// Each table's columns but `version`, `id` first, in the order
/// [`upsert`] binds them.
fn columns(table: SyncTable) -> &'static str {
    match table {
        SyncTable::Clinic => "id, name, time_zone, locale, currency, created_at",
        SyncTable::Doctors => "id, full_name, specialties, user_id, active, created_at, updated_at",
        SyncTable::DoctorHours => "id, doctor_id, weekday, starts, ends",
        SyncTable::DoctorTimeOff => "id, doctor_id, starts_at, ends_at, reason, created_at",
        SyncTable::Rooms => "id, name, active, created_at, updated_at",
        SyncTable::Patients => {
            "id, full_name, date_of_birth, sex, national_id, phone, email, address, \
             email_consent, email_consent_at, archived_at, created_at, updated_at, phone_search"
        }
        SyncTable::ClinicalNotes => "id, patient_id, author_id, author_name, body, created_at",
        SyncTable::Appointments => {
            "id, doctor_id, patient_id, room_id, starts_at, ends_at, status, reason, \
             cancel_reason, created_by, updated_at"
        }
    }
}

/// The upsert of each table, written once: a first sync runs it a million
/// times (as a cached statement, looked up by this text).
fn upsert_sql(table: SyncTable) -> &'static str {
    static SQL: LazyLock<HashMap<SyncTable, String>> = LazyLock::new(|| {
        SyncTable::ALL
            .iter()
            .map(|&t| {
                let columns: Vec<&str> = columns(t).split(", ").collect();
                let values: Vec<String> =
                    (1..=columns.len() + 1).map(|i| format!("?{i}")).collect();
                let set: Vec<String> = columns[1..]
                    .iter()
                    .chain(&["version"])
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect();
                let sql = format!(
                    "INSERT INTO {} ({}, version) VALUES ({})
                     ON CONFLICT (id) DO UPDATE SET {}",
                    table_name(t),
                    columns.join(", "),
                    values.join(", "),
                    set.join(", ")
                );
                (t, sql)
            })
            .collect()
    });
    &SQL[&table]
}

/// Inserts or replaces the row in place (an UPDATE when it exists, so the
/// search index's triggers see an update, not a delete they would miss).
pub(crate) fn upsert(conn: &Connection, row: &SyncRow, version: i64) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(upsert_sql(row.table()))?;
    match row {
        SyncRow::Clinic(c) => stmt.execute(params![
            c.id.to_string(),
            c.name,
            c.time_zone,
            c.locale,
            c.currency,
            to_text(c.created_at),
            version
        ])?,
        SyncRow::Doctors(d) => stmt.execute(params![
            d.id.to_string(),
            d.full_name,
            serde_json::to_string(&d.specialties).expect("strings serialise"),
            opt_id(d.user_id),
            d.active,
            to_text(d.created_at),
            to_text(d.updated_at),
            version
        ])?,
        SyncRow::DoctorHours(h) => stmt.execute(params![
            h.id.to_string(),
            h.doctor_id.to_string(),
            h.hours.weekday,
            h.hours.starts.format("%H:%M").to_string(),
            h.hours.ends.format("%H:%M").to_string(),
            version
        ])?,
        SyncRow::DoctorTimeOff(t) => stmt.execute(params![
            t.id.to_string(),
            t.doctor_id.to_string(),
            to_text(t.starts_at),
            to_text(t.ends_at),
            t.reason,
            to_text(t.created_at),
            version
        ])?,
        SyncRow::Rooms(r) => stmt.execute(params![
            r.id.to_string(),
            r.name,
            r.active,
            to_text(r.created_at),
            to_text(r.updated_at),
            version
        ])?,
        SyncRow::Patients(p) => stmt.execute(params![
            p.id.to_string(),
            p.full_name,
            p.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()),
            p.sex.map(Sex::as_str),
            p.national_id,
            p.phone,
            p.email,
            p.address,
            p.email_consent,
            opt_ts(p.email_consent_at),
            opt_ts(p.archived_at),
            to_text(p.created_at),
            to_text(p.updated_at),
            p.phone.as_deref().map(phone_search),
            version
        ])?,
        SyncRow::ClinicalNotes(n) => stmt.execute(params![
            n.id.to_string(),
            n.patient_id.to_string(),
            n.author_id.to_string(),
            n.author_name,
            n.body,
            to_text(n.created_at),
            version
        ])?,
        SyncRow::Appointments(a) => stmt.execute(params![
            a.id.to_string(),
            a.doctor_id.to_string(),
            a.patient_id.to_string(),
            opt_id(a.room_id),
            to_text(a.starts_at),
            to_text(a.ends_at),
            a.status.as_str(),
            a.reason,
            a.cancel_reason,
            opt_id(a.created_by),
            to_text(a.updated_at),
            version
        ])?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use chrono::NaiveTime;
    use std::collections::HashSet;

    fn t(s: &str) -> DateTime<Utc> {
        from_text(s).expect("time")
    }

    fn samples() -> Vec<SyncRow> {
        let id = Uuid::now_v7;
        let at = t("2026-03-02T08:00:00.123456Z");
        vec![
            SyncRow::Clinic(ClinicView {
                id: id(),
                name: "Clínica Sol".into(),
                time_zone: "Europe/Madrid".into(),
                locale: "es".into(),
                currency: "EUR".into(),
                created_at: at,
            }),
            SyncRow::Doctors(DoctorView {
                id: id(),
                full_name: "Dra. Elena García".into(),
                specialties: vec!["Cardiología".into()],
                user_id: Some(id()),
                active: true,
                created_at: at,
                updated_at: at,
            }),
            SyncRow::DoctorHours(HoursRow {
                id: id(),
                doctor_id: id(),
                hours: WorkingHours {
                    weekday: 1,
                    starts: NaiveTime::from_hms_opt(9, 0, 0).expect("t"),
                    ends: NaiveTime::from_hms_opt(13, 30, 0).expect("t"),
                },
            }),
            SyncRow::DoctorTimeOff(TimeOffView {
                id: id(),
                doctor_id: id(),
                starts_at: at,
                ends_at: t("2026-03-03T08:00:00Z"),
                reason: None,
                created_at: at,
            }),
            SyncRow::Rooms(RoomView {
                id: id(),
                name: "Sala 1".into(),
                active: false,
                created_at: at,
                updated_at: at,
            }),
            SyncRow::Patients(PatientView {
                id: id(),
                full_name: "Lucía Pérez".into(),
                date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 17),
                sex: Some(Sex::Female),
                national_id: Some("12345678Z".into()),
                phone: Some("+34 600 100 200".into()),
                email: Some("lucia@example.com".into()),
                address: None,
                email_consent: true,
                email_consent_at: Some(at),
                archived_at: None,
                created_at: at,
                updated_at: at,
            }),
            SyncRow::ClinicalNotes(ClinicalNoteView {
                id: id(),
                patient_id: id(),
                author_id: id(),
                author_name: "Dra. García".into(),
                body: "BP 120/80\nstable".into(),
                created_at: at,
            }),
            SyncRow::Appointments(AppointmentRow {
                id: id(),
                doctor_id: id(),
                patient_id: id(),
                room_id: None,
                starts_at: at,
                ends_at: t("2026-03-02T08:30:00Z"),
                status: AppointmentStatus::NoShow,
                reason: Some("control".into()),
                cancel_reason: None,
                created_by: Some(id()),
                updated_at: at,
            }),
        ]
    }

    #[test]
    fn phones_are_searchable_from_any_group() {
        assert_eq!(
            phone_search("+34 600 100 200"),
            "34600100200 600100200 100200 200"
        );
        assert_eq!(phone_search("(555) 010-9999"), "5550109999 0109999 9999");
        assert_eq!(phone_search("600100200"), "600100200");
        assert_eq!(phone_search(""), "");
    }

    #[test]
    fn every_table_round_trips_its_sync_row() {
        let mut store = Store::open_in_memory().expect("store");
        let conn = store.conn();
        let mut tables: HashSet<SyncTable> = SyncTable::ALL.iter().copied().collect();
        for (i, row) in samples().into_iter().enumerate() {
            let version = i as i64 + 1;
            upsert(conn, &row, version).expect("insert");
            assert_eq!(
                load(conn, row.table(), row.id()).expect("load"),
                Some((row.clone(), version))
            );
            upsert(conn, &row, version + 10).expect("update");
            assert_eq!(
                load(conn, row.table(), row.id())
                    .expect("load")
                    .map(|l| l.1),
                Some(version + 10)
            );
            delete(conn, row.table(), row.id()).expect("delete");
            assert_eq!(load(conn, row.table(), row.id()).expect("load"), None);
            tables.remove(&row.table());
        }
        assert!(store.check().expect("check").is_empty());
        assert!(tables.is_empty(), "no sample of {tables:?}");
    }

    #[test]
    fn every_synced_table_has_its_columns_and_a_version_in_the_store() {
        let mut store = Store::open_in_memory().expect("store");
        let conn = store.conn();
        for &table in SyncTable::ALL {
            let present: Vec<String> = conn
                .prepare("SELECT name FROM pragma_table_info(?1)")
                .expect("prepare")
                .query_map([table_name(table)], |r| r.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("read");
            for column in columns(table).split(", ").chain(["version"]) {
                assert!(
                    present.iter().any(|p| p == column),
                    "{table:?}: no column {column} in {present:?}"
                );
            }
            assert!(columns(table).starts_with("id, "), "{table:?}");
        }
    }
}
