//! `GET /sync/pull`: the rows that changed after the desk's cursor, in
//! version order, filtered to what the member may read.
//!
//! Every synced write takes the clinic's next version while holding the
//! counter row's lock until it commits, so versions become visible in
//! order: what one snapshot sees is every committed version up to some
//! point. A page is read in one snapshot, in two steps: first the
//! `limit + 1`-th smallest version after the cursor (a merge of index-only
//! scans on `(clinic_id, version)`), then each table's rows strictly below
//! it. The page thus holds exactly the first `limit` changes, and the next
//! page starts after its last version without skipping anything.

use crate::auth::Member;
use crate::db::{self, Tx};
use crate::domain::patients::{COLUMNS as PATIENT_COLUMNS, PatientRow};
use crate::domain::reach::{self, Reach};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use clinic_core::api::clinic::ClinicView;
use clinic_core::api::doctors::{DoctorView, TimeOffView};
use clinic_core::api::patients::ClinicalNoteView;
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::{AppointmentStatus, MAX_APPOINTMENT, WorkingHours};
use clinic_core::sync::{
    AppointmentRow, Change, DEFAULT_PULL_LIMIT, HoursRow, MAX_PULL_LIMIT, PriorityStage, PullPage,
    PullQuery, SyncRow, SyncTable,
};
use clinic_core::{ErrorBody, Permission};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The first sync's agenda: from a day back (today's appointments, late
/// check-ins) to four weeks ahead.
const PRIORITY_BEHIND: Duration = Duration::days(1);
const PRIORITY_AHEAD: Duration = Duration::days(28);

/// Changes after `cursor`, oldest first, a page at a time.
///
/// Permission: any member of the clinic (`clinic_read`); what comes down
/// follows the role table as the REST API does. Admins and reception get
/// the clinic, doctors, hours, time off, rooms, patients and appointments
/// (never clinical notes); a doctor gets the clinic, doctors, hours, time
/// off and rooms, their own appointments, the patients with an appointment
/// with them and those patients' clinical notes; a worker gets the clinic
/// only. A changed row the member may not read comes down as a `delete`
/// (so an appointment moved to another doctor leaves the first doctor's
/// desk). With a doctor's appointment comes its patient's row (and notes),
/// so a patient newly booked with them arrives with the booking; those
/// ride along beyond `limit` at the appointment's version.
///
/// `priority=true` (first sync) answers the clinic, doctors, hours, time
/// off, rooms and the agenda from a day back to four weeks ahead with its
/// patients, whatever their versions, with `cursor` 0 and `has_more` true:
/// the full pull from 0 follows. With `stage=today` it answers only the
/// settings and the appointments overlapping the clinic's today (a page
/// small enough to show today's agenda within a second of signing in);
/// `stage=ahead` then answers the rest of that agenda. Answers are
/// gzip-compressed when the desk accepts it.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/sync/pull", tag = "sync", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PullQuery),
    responses(
        (status = 200, body = PullPage),
        (status = 400, description = "Unreadable query string", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, description = "`cursor` below 0, `limit` outside 1 to 20000, or `stage` without `priority`", body = ErrorBody),
    )
)]
pub async fn pull(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<PullQuery>,
) -> ApiResult<Json<PullPage>> {
    member.require(Permission::ClinicRead)?;
    let cursor = query.cursor.unwrap_or(0);
    if cursor < 0 {
        return Err(ApiError::invalid("cursor", "is never below 0"));
    }
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if !(1..=MAX_PULL_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PULL_LIMIT}"),
        ));
    }
    let mut tx = db::begin_clinic_snapshot(&state.pool, member.clinic_id).await?;
    let scope = Scope::of(&mut tx, &member).await?;
    if query.stage.is_some() && !query.priority {
        return Err(ApiError::invalid(
            "stage",
            "applies only to a priority pull (priority=true)",
        ));
    }
    let page = if query.priority {
        priority_page(&mut tx, &member, &scope, query.stage).await?
    } else {
        page(&mut tx, &member, &scope, cursor, limit).await?
    };
    tx.commit().await?;
    tracing::info!(
        clinic = %member.clinic_id,
        device = %member.device_id,
        priority = query.priority,
        stage = ?query.stage,
        cursor,
        changes = page.changes.len(),
        next = page.cursor,
        has_more = page.has_more,
        "pulled"
    );
    Ok(Json(page))
}

/// What a member reads: which tables, and how far into the agenda.
struct Scope {
    tables: Vec<SyncTable>,
    appointments: Reach,
    patients: Reach,
}

const ALL_TABLES: [SyncTable; 8] = [
    SyncTable::Clinic,
    SyncTable::Doctors,
    SyncTable::DoctorHours,
    SyncTable::DoctorTimeOff,
    SyncTable::Rooms,
    SyncTable::Patients,
    SyncTable::ClinicalNotes,
    SyncTable::Appointments,
];

impl Scope {
    async fn of(tx: &mut Tx, member: &Member) -> ApiResult<Scope> {
        let tables: Vec<SyncTable> = ALL_TABLES
            .into_iter()
            .filter(|t| readable(member, *t))
            .collect();
        let whole_agenda = member.can(Permission::AppointmentsReadAll);
        let all_patients = member.can(Permission::PatientsReadAll);
        let scoped = (tables.contains(&SyncTable::Appointments) && !whole_agenda)
            || (tables.contains(&SyncTable::Patients) && !all_patients);
        let own = if scoped {
            reach::own_doctor(tx, member).await?
        } else {
            None
        };
        let reach = |whole: bool| {
            if whole {
                Reach::Clinic
            } else {
                Reach::Doctor(own)
            }
        };
        Ok(Scope {
            tables,
            appointments: reach(whole_agenda),
            patients: reach(all_patients),
        })
    }

    fn reads(&self, table: SyncTable) -> bool {
        self.tables.contains(&table)
    }
}

/// The role table, per synced table: the same permissions the REST
/// endpoints of each check.
fn readable(member: &Member, table: SyncTable) -> bool {
    use Permission::*;
    match table {
        SyncTable::Clinic => member.can(ClinicRead),
        SyncTable::Doctors | SyncTable::DoctorHours | SyncTable::DoctorTimeOff => {
            member.can(DoctorsRead)
        }
        SyncTable::Rooms => member.can(RoomsRead),
        SyncTable::Patients => member.can(PatientsReadAll) || member.can(PatientsReadOwn),
        SyncTable::ClinicalNotes => member.can(ClinicalNotesRead),
        SyncTable::Appointments => {
            member.can(AppointmentsReadAll) || member.can(AppointmentsReadOwn)
        }
    }
}

/// The table's name in the database (and in `sync_tombstones`).
fn sql_table(table: SyncTable) -> &'static str {
    match table {
        SyncTable::Clinic => "clinics",
        SyncTable::Doctors => "doctors",
        SyncTable::DoctorHours => "doctor_hours",
        SyncTable::DoctorTimeOff => "doctor_time_off",
        SyncTable::Rooms => "rooms",
        SyncTable::Patients => "patients",
        SyncTable::ClinicalNotes => "clinical_notes",
        SyncTable::Appointments => "appointments",
    }
}

fn sync_table(sql: &str) -> Option<SyncTable> {
    ALL_TABLES.into_iter().find(|t| sql_table(*t) == sql)
}

/// Which rows of the agenda are visible, as `($4 OR <own>)` with `$4` the
/// whole-clinic flag and `$5` the member's doctor (NULL reaches nothing).
/// Queries bind every parameter of the family (`$1` clinic, `$2`..`$3` the
/// version window, `$4`..`$5` the reach, then their own) whether or not
/// their text uses it: the types are sent with them, so that is allowed.
const OWN_APPOINTMENT: &str = "coalesce($4 OR a.doctor_id = $5, false)";
const OWN_PATIENT: &str = "coalesce($4 OR EXISTS (SELECT 1 FROM appointments x
     WHERE x.clinic_id = p.clinic_id AND x.patient_id = p.id AND x.doctor_id = $5), false)";
const OWN_NOTE: &str = "coalesce($4 OR EXISTS (SELECT 1 FROM appointments x
     WHERE x.clinic_id = n.clinic_id AND x.patient_id = n.patient_id AND x.doctor_id = $5), false)";

/// `version > $2`, and below `$3` unless that is NULL: the rows of a page.
const IN_PAGE: &str = "version > $2 AND ($3::int8 IS NULL OR version < $3)";

async fn page(
    tx: &mut Tx,
    member: &Member,
    scope: &Scope,
    cursor: i64,
    limit: u32,
) -> ApiResult<PullPage> {
    let tombstoned: Vec<&str> = scope
        .tables
        .iter()
        .filter(|t| **t != SyncTable::Clinic)
        .map(|t| sql_table(*t))
        .collect();
    let bound = page_bound(tx, member, scope, &tombstoned, cursor, limit).await?;
    let window = Window {
        clinic_id: member.clinic_id,
        after: cursor,
        before: bound,
    };

    let mut changes = Vec::new();
    for table in &scope.tables {
        match table {
            SyncTable::Clinic => clinic_changes(tx, &window, &mut changes).await?,
            SyncTable::Doctors => doctor_changes(tx, &window, &mut changes).await?,
            SyncTable::DoctorHours => hours_changes(tx, &window, &mut changes).await?,
            SyncTable::DoctorTimeOff => time_off_changes(tx, &window, &mut changes).await?,
            SyncTable::Rooms => room_changes(tx, &window, &mut changes).await?,
            SyncTable::Patients => {
                let rows = patients_in(tx, &window, scope.patients, None).await?;
                changes.extend(
                    rows.into_iter()
                        .map(|r| r.change(None))
                        .collect::<ApiResult<Vec<_>>>()?,
                );
            }
            SyncTable::ClinicalNotes => {
                let rows = notes_in(tx, &window, scope.patients, None).await?;
                changes.extend(rows.into_iter().map(|r| r.change(None)));
            }
            SyncTable::Appointments => {
                appointment_changes(tx, &window, scope.appointments, &mut changes).await?
            }
        }
    }
    tombstone_changes(tx, &window, &tombstoned, &mut changes).await?;
    let next = changes.iter().map(version_of).max().unwrap_or(cursor);
    if scope.appointments != Reach::Clinic {
        patients_along(tx, &window, scope, &mut changes).await?;
    }
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
    member: &Member,
    scope: &Scope,
    tombstoned: &[&str],
    cursor: i64,
    limit: u32,
) -> ApiResult<Option<i64>> {
    let mut branches: Vec<String> = scope
        .tables
        .iter()
        .map(|t| match t {
            SyncTable::Clinic => {
                "(SELECT version FROM clinics WHERE id = $1 AND version > $2)".to_owned()
            }
            t => format!(
                "(SELECT version FROM {} WHERE clinic_id = $1 AND version > $2
                  ORDER BY version LIMIT $3)",
                sql_table(*t)
            ),
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
        .bind(member.clinic_id)
        .bind(cursor)
        .bind(i64::from(limit) + 1)
        .bind(tombstoned)
        .fetch_optional(&mut **tx)
        .await?)
}

/// The versions a page covers.
struct Window {
    clinic_id: Uuid,
    after: i64,
    before: Option<i64>,
}

fn version_of(change: &Change) -> i64 {
    match change {
        Change::Upsert { version, .. } | Change::Delete { version, .. } => *version,
    }
}

fn upsert(version: i64, row: SyncRow) -> Change {
    Change::Upsert { version, row }
}

fn delete(version: i64, table: SyncTable, id: Uuid) -> Change {
    Change::Delete { version, table, id }
}

#[derive(sqlx::FromRow)]
struct ClinicRow {
    version: i64,
    id: Uuid,
    name: String,
    time_zone: String,
    locale: String,
    currency: String,
    created_at: DateTime<Utc>,
}

impl ClinicRow {
    fn change(self) -> Change {
        upsert(
            self.version,
            SyncRow::Clinic(ClinicView {
                id: self.id,
                name: self.name,
                time_zone: self.time_zone,
                locale: self.locale,
                currency: self.currency,
                created_at: self.created_at,
            }),
        )
    }
}

const CLINIC_SELECT: &str =
    "SELECT version, id, name, time_zone, locale, currency, created_at FROM clinics WHERE id = $1";

async fn clinic_changes(tx: &mut Tx, w: &Window, out: &mut Vec<Change>) -> ApiResult<()> {
    let rows: Vec<ClinicRow> = sqlx::query_as(&format!("{CLINIC_SELECT} AND {IN_PAGE}"))
        .bind(w.clinic_id)
        .bind(w.after)
        .bind(w.before)
        .fetch_all(&mut **tx)
        .await?;
    out.extend(rows.into_iter().map(ClinicRow::change));
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DoctorRow {
    version: i64,
    id: Uuid,
    full_name: String,
    specialties: Vec<String>,
    user_id: Option<Uuid>,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl DoctorRow {
    fn change(self) -> Change {
        upsert(
            self.version,
            SyncRow::Doctors(DoctorView {
                id: self.id,
                full_name: self.full_name,
                specialties: self.specialties,
                user_id: self.user_id,
                active: self.active,
                created_at: self.created_at,
                updated_at: self.updated_at,
            }),
        )
    }
}

const DOCTOR_SELECT: &str = "SELECT version, id, full_name, specialties, user_id, active, \
     created_at, updated_at FROM doctors WHERE clinic_id = $1";

async fn doctor_changes(tx: &mut Tx, w: &Window, out: &mut Vec<Change>) -> ApiResult<()> {
    let rows: Vec<DoctorRow> = sqlx::query_as(&format!("{DOCTOR_SELECT} AND {IN_PAGE}"))
        .bind(w.clinic_id)
        .bind(w.after)
        .bind(w.before)
        .fetch_all(&mut **tx)
        .await?;
    out.extend(rows.into_iter().map(DoctorRow::change));
    Ok(())
}

#[derive(sqlx::FromRow)]
struct HoursSyncRow {
    version: i64,
    id: Uuid,
    doctor_id: Uuid,
    weekday: i16,
    starts: NaiveTime,
    ends: NaiveTime,
}

impl HoursSyncRow {
    fn change(self) -> Change {
        upsert(
            self.version,
            SyncRow::DoctorHours(HoursRow {
                id: self.id,
                doctor_id: self.doctor_id,
                hours: WorkingHours {
                    // The table's CHECK keeps weekday within 1..=7.
                    weekday: self.weekday as u8,
                    starts: self.starts,
                    ends: self.ends,
                },
            }),
        )
    }
}

const HOURS_SELECT: &str = "SELECT version, id, doctor_id, weekday, starts, ends \
     FROM doctor_hours WHERE clinic_id = $1";

async fn hours_changes(tx: &mut Tx, w: &Window, out: &mut Vec<Change>) -> ApiResult<()> {
    let rows: Vec<HoursSyncRow> = sqlx::query_as(&format!("{HOURS_SELECT} AND {IN_PAGE}"))
        .bind(w.clinic_id)
        .bind(w.after)
        .bind(w.before)
        .fetch_all(&mut **tx)
        .await?;
    out.extend(rows.into_iter().map(HoursSyncRow::change));
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TimeOffSyncRow {
    version: i64,
    id: Uuid,
    doctor_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

impl TimeOffSyncRow {
    fn change(self) -> Change {
        upsert(
            self.version,
            SyncRow::DoctorTimeOff(TimeOffView {
                id: self.id,
                doctor_id: self.doctor_id,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
                reason: self.reason,
                created_at: self.created_at,
            }),
        )
    }
}

const TIME_OFF_SELECT: &str = "SELECT version, id, doctor_id, starts_at, ends_at, reason, \
     created_at FROM doctor_time_off WHERE clinic_id = $1";

async fn time_off_changes(tx: &mut Tx, w: &Window, out: &mut Vec<Change>) -> ApiResult<()> {
    let rows: Vec<TimeOffSyncRow> = sqlx::query_as(&format!("{TIME_OFF_SELECT} AND {IN_PAGE}"))
        .bind(w.clinic_id)
        .bind(w.after)
        .bind(w.before)
        .fetch_all(&mut **tx)
        .await?;
    out.extend(rows.into_iter().map(TimeOffSyncRow::change));
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RoomSyncRow {
    version: i64,
    id: Uuid,
    name: String,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl RoomSyncRow {
    fn change(self) -> Change {
        upsert(
            self.version,
            SyncRow::Rooms(RoomView {
                id: self.id,
                name: self.name,
                active: self.active,
                created_at: self.created_at,
                updated_at: self.updated_at,
            }),
        )
    }
}

const ROOM_SELECT: &str =
    "SELECT version, id, name, active, created_at, updated_at FROM rooms WHERE clinic_id = $1";

async fn room_changes(tx: &mut Tx, w: &Window, out: &mut Vec<Change>) -> ApiResult<()> {
    let rows: Vec<RoomSyncRow> = sqlx::query_as(&format!("{ROOM_SELECT} AND {IN_PAGE}"))
        .bind(w.clinic_id)
        .bind(w.after)
        .bind(w.before)
        .fetch_all(&mut **tx)
        .await?;
    out.extend(rows.into_iter().map(RoomSyncRow::change));
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PatientSyncRow {
    version: i64,
    visible: bool,
    #[sqlx(flatten)]
    patient: PatientRow,
}

impl PatientSyncRow {
    /// As a change at its own version, or at `version` when riding along.
    fn change(self, version: Option<i64>) -> ApiResult<Change> {
        let version = version.unwrap_or(self.version);
        Ok(if self.visible {
            upsert(version, SyncRow::Patients(self.patient.view()?))
        } else {
            delete(version, SyncTable::Patients, self.patient.id)
        })
    }
}

/// Patients in the page's window, or (with `ids`) those patients whatever
/// their version; `visible` by `reach`.
async fn patients_in(
    tx: &mut Tx,
    w: &Window,
    reach: Reach,
    ids: Option<&[Uuid]>,
) -> ApiResult<Vec<PatientSyncRow>> {
    let filter = if ids.is_some() {
        "p.id = ANY($6)"
    } else {
        "p.version > $2 AND ($3::int8 IS NULL OR p.version < $3)"
    };
    Ok(sqlx::query_as(&format!(
        "SELECT p.version, {OWN_PATIENT} AS visible, {PATIENT_COLUMNS}
         FROM patients p
         WHERE p.clinic_id = $1 AND {filter}"
    ))
    .bind(w.clinic_id)
    .bind(w.after)
    .bind(w.before)
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .bind(ids)
    .fetch_all(&mut **tx)
    .await?)
}

#[derive(sqlx::FromRow)]
struct NoteSyncRow {
    version: i64,
    visible: bool,
    id: Uuid,
    patient_id: Uuid,
    author_id: Uuid,
    author_name: String,
    body: String,
    created_at: DateTime<Utc>,
}

impl NoteSyncRow {
    fn change(self, version: Option<i64>) -> Change {
        let version = version.unwrap_or(self.version);
        if self.visible {
            upsert(
                version,
                SyncRow::ClinicalNotes(ClinicalNoteView {
                    id: self.id,
                    patient_id: self.patient_id,
                    author_id: self.author_id,
                    author_name: self.author_name,
                    body: self.body,
                    created_at: self.created_at,
                }),
            )
        } else {
            delete(version, SyncTable::ClinicalNotes, self.id)
        }
    }
}

/// Notes in the page's window, or (with `patients`) all notes of those
/// patients; `visible` as their patient is by `reach`.
async fn notes_in(
    tx: &mut Tx,
    w: &Window,
    reach: Reach,
    patients: Option<&[Uuid]>,
) -> ApiResult<Vec<NoteSyncRow>> {
    let filter = if patients.is_some() {
        "n.patient_id = ANY($6)"
    } else {
        "n.version > $2 AND ($3::int8 IS NULL OR n.version < $3)"
    };
    Ok(sqlx::query_as(&format!(
        "SELECT n.version, {OWN_NOTE} AS visible, n.id, n.patient_id, n.author_id,
                u.full_name AS author_name, n.body, n.created_at
         FROM clinical_notes n JOIN users u ON u.id = n.author_id
         WHERE n.clinic_id = $1 AND {filter}"
    ))
    .bind(w.clinic_id)
    .bind(w.after)
    .bind(w.before)
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .bind(patients)
    .fetch_all(&mut **tx)
    .await?)
}

#[derive(sqlx::FromRow)]
struct AppointmentSyncRow {
    version: i64,
    visible: bool,
    id: Uuid,
    doctor_id: Uuid,
    patient_id: Uuid,
    room_id: Option<Uuid>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    status: String,
    reason: Option<String>,
    cancel_reason: Option<String>,
    created_by: Option<Uuid>,
    updated_at: DateTime<Utc>,
}

impl AppointmentSyncRow {
    fn change(self) -> ApiResult<Change> {
        if !self.visible {
            return Ok(delete(self.version, SyncTable::Appointments, self.id));
        }
        Ok(upsert(
            self.version,
            SyncRow::Appointments(AppointmentRow {
                status: AppointmentStatus::parse(&self.status).map_err(ApiError::internal)?,
                id: self.id,
                doctor_id: self.doctor_id,
                patient_id: self.patient_id,
                room_id: self.room_id,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
                reason: self.reason,
                cancel_reason: self.cancel_reason,
                created_by: self.created_by,
                updated_at: self.updated_at,
            }),
        ))
    }
}

fn appointment_select() -> String {
    format!(
        "SELECT a.version, {OWN_APPOINTMENT} AS visible, a.id, a.doctor_id, a.patient_id,
                a.room_id, a.starts_at, a.ends_at, a.status, a.reason, a.cancel_reason,
                a.created_by, a.updated_at
         FROM appointments a WHERE a.clinic_id = $1"
    )
}

async fn appointment_changes(
    tx: &mut Tx,
    w: &Window,
    reach: Reach,
    out: &mut Vec<Change>,
) -> ApiResult<()> {
    let rows: Vec<AppointmentSyncRow> = sqlx::query_as(&format!(
        "{} AND a.version > $2 AND ($3::int8 IS NULL OR a.version < $3)",
        appointment_select()
    ))
    .bind(w.clinic_id)
    .bind(w.after)
    .bind(w.before)
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        out.push(row.change()?);
    }
    Ok(())
}

async fn tombstone_changes(
    tx: &mut Tx,
    w: &Window,
    tables: &[&str],
    out: &mut Vec<Change>,
) -> ApiResult<()> {
    let rows: Vec<(i64, String, Uuid)> = sqlx::query_as(&format!(
        "SELECT version, table_name, row_id FROM sync_tombstones
         WHERE clinic_id = $1 AND {IN_PAGE} AND table_name = ANY($4)"
    ))
    .bind(w.clinic_id)
    .bind(w.after)
    .bind(w.before)
    .bind(tables)
    .fetch_all(&mut **tx)
    .await?;
    for (version, table, id) in rows {
        let table = sync_table(&table)
            .ok_or_else(|| ApiError::internal(format!("tombstone of unsynced table {table}")))?;
        out.push(delete(version, table, id));
    }
    Ok(())
}

/// For a doctor: with each appointment change, its patient's row and notes
/// as the doctor may now see them. A patient newly booked with the doctor
/// arrives with the booking (their own row's version may be long past the
/// cursor), and one whose last appointment with the doctor moved away
/// leaves with it.
async fn patients_along(
    tx: &mut Tx,
    w: &Window,
    scope: &Scope,
    changes: &mut Vec<Change>,
) -> ApiResult<()> {
    if !scope.reads(SyncTable::Patients) {
        return Ok(());
    }
    let mut patient_version: HashMap<Uuid, i64> = HashMap::new();
    let mut present: HashSet<(SyncTable, Uuid)> = HashSet::new();
    for change in changes.iter() {
        match change {
            Change::Upsert {
                version,
                row: SyncRow::Appointments(a),
            } => {
                let v = patient_version.entry(a.patient_id).or_insert(*version);
                *v = (*v).max(*version);
            }
            Change::Upsert { row, .. } => {
                present.insert((row.table(), row.id()));
            }
            Change::Delete { table, id, .. } => {
                present.insert((*table, *id));
            }
        }
    }
    // Appointments the doctor no longer sees came down as deletes, without
    // their patient: look those up.
    let hidden: Vec<(i64, Uuid)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Delete {
                version,
                table: SyncTable::Appointments,
                id,
            } => Some((*version, *id)),
            _ => None,
        })
        .collect();
    if !hidden.is_empty() {
        let ids: Vec<Uuid> = hidden.iter().map(|(_, id)| *id).collect();
        let of: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT id, patient_id FROM appointments WHERE clinic_id = $1 AND id = ANY($2)",
        )
        .bind(w.clinic_id)
        .bind(&ids)
        .fetch_all(&mut **tx)
        .await?;
        let version: HashMap<Uuid, i64> = hidden.iter().map(|(v, id)| (*id, *v)).collect();
        for (appointment, patient) in of {
            let v = version[&appointment];
            let e = patient_version.entry(patient).or_insert(v);
            *e = (*e).max(v);
        }
    }
    patient_version.retain(|id, _| !present.contains(&(SyncTable::Patients, *id)));
    if patient_version.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = patient_version.keys().copied().collect();
    for row in patients_in(tx, w, scope.patients, Some(&ids)).await? {
        let version = patient_version[&row.patient.id];
        changes.push(row.change(Some(version))?);
    }
    if scope.reads(SyncTable::ClinicalNotes) {
        for row in notes_in(tx, w, scope.patients, Some(&ids)).await? {
            if present.contains(&(SyncTable::ClinicalNotes, row.id)) {
                continue;
            }
            let version = patient_version[&row.patient_id];
            changes.push(row.change(Some(version)));
        }
    }
    Ok(())
}

/// Which appointments a priority page holds: those overlapping `window`,
/// less those overlapping `except`.
struct AgendaWindow {
    window: (DateTime<Utc>, DateTime<Utc>),
    except: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// The first sync's page, or one stage of it: settings, doctors, their
/// weeks, rooms (all but in `ahead`) and the coming weeks' agenda with its
/// patients, each at its own version.
async fn priority_page(
    tx: &mut Tx,
    member: &Member,
    scope: &Scope,
    stage: Option<PriorityStage>,
) -> ApiResult<PullPage> {
    let clinic_id = member.clinic_id;
    let now = Utc::now();
    let weeks = (now - PRIORITY_BEHIND, now + PRIORITY_AHEAD);
    let agenda = match stage {
        None => AgendaWindow {
            window: weeks,
            except: None,
        },
        Some(PriorityStage::Today) => AgendaWindow {
            window: clinic_today(tx, now).await?,
            except: None,
        },
        Some(PriorityStage::Ahead) => AgendaWindow {
            window: weeks,
            except: Some(clinic_today(tx, now).await?),
        },
    };
    let mut changes = Vec::new();
    if stage != Some(PriorityStage::Ahead) {
        settings(tx, clinic_id, scope, &mut changes).await?;
    }
    if scope.reads(SyncTable::Appointments) {
        agenda_with_patients(tx, clinic_id, scope, &agenda, &mut changes).await?;
    }
    Ok(PullPage {
        changes,
        cursor: 0,
        has_more: true,
    })
}

/// The clinic's today on its own clock, as `[start, end)` instants.
async fn clinic_today(
    tx: &mut Tx,
    now: DateTime<Utc>,
) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let zone = reach::clinic_zone(tx).await?;
    let today = now.with_timezone(&zone).date_naive();
    Ok(clinic_core::schedule::day_bounds(today, zone))
}

/// The clinic's row, doctors, their hours and time off, and rooms.
async fn settings(
    tx: &mut Tx,
    clinic_id: Uuid,
    scope: &Scope,
    changes: &mut Vec<Change>,
) -> ApiResult<()> {
    if scope.reads(SyncTable::Clinic) {
        let rows: Vec<ClinicRow> = sqlx::query_as(CLINIC_SELECT)
            .bind(clinic_id)
            .fetch_all(&mut **tx)
            .await?;
        changes.extend(rows.into_iter().map(ClinicRow::change));
    }
    if scope.reads(SyncTable::Doctors) {
        let rows: Vec<DoctorRow> = sqlx::query_as(DOCTOR_SELECT)
            .bind(clinic_id)
            .fetch_all(&mut **tx)
            .await?;
        changes.extend(rows.into_iter().map(DoctorRow::change));
    }
    if scope.reads(SyncTable::DoctorHours) {
        let rows: Vec<HoursSyncRow> = sqlx::query_as(HOURS_SELECT)
            .bind(clinic_id)
            .fetch_all(&mut **tx)
            .await?;
        changes.extend(rows.into_iter().map(HoursSyncRow::change));
    }
    if scope.reads(SyncTable::DoctorTimeOff) {
        let rows: Vec<TimeOffSyncRow> = sqlx::query_as(TIME_OFF_SELECT)
            .bind(clinic_id)
            .fetch_all(&mut **tx)
            .await?;
        changes.extend(rows.into_iter().map(TimeOffSyncRow::change));
    }
    if scope.reads(SyncTable::Rooms) {
        let rows: Vec<RoomSyncRow> = sqlx::query_as(ROOM_SELECT)
            .bind(clinic_id)
            .fetch_all(&mut **tx)
            .await?;
        changes.extend(rows.into_iter().map(RoomSyncRow::change));
    }
    Ok(())
}

/// The appointments of `agenda` the member may see, each patient first.
async fn agenda_with_patients(
    tx: &mut Tx,
    clinic_id: Uuid,
    scope: &Scope,
    agenda: &AgendaWindow,
    changes: &mut Vec<Change>,
) -> ApiResult<()> {
    let (from, to) = agenda.window;
    // Far outside any agenda: an empty `except` keeps the query's shape.
    let (skip_from, skip_to) = agenda.except.unwrap_or((to, to));
    // Appointments last at most MAX_APPOINTMENT, so one overlapping the
    // window starts no earlier than that before it: the bound lets the
    // scan use the (clinic_id, starts_at) index.
    let rows: Vec<AppointmentSyncRow> = sqlx::query_as(&format!(
        "{} AND a.starts_at < $7 AND a.ends_at > $6 AND a.starts_at > $6 - $8::interval
           AND NOT (a.starts_at < $10 AND a.ends_at > $9)
         ORDER BY a.starts_at, a.id",
        appointment_select()
    ))
    .bind(clinic_id)
    .bind(None::<i64>)
    .bind(None::<i64>)
    .bind(scope.appointments.whole_clinic())
    .bind(scope.appointments.doctor())
    .bind(from)
    .bind(to)
    .bind(format!("{} seconds", MAX_APPOINTMENT.num_seconds()))
    .bind(skip_from)
    .bind(skip_to)
    .fetch_all(&mut **tx)
    .await?;
    let rows: Vec<AppointmentSyncRow> = rows.into_iter().filter(|r| r.visible).collect();
    if scope.reads(SyncTable::Patients) {
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.patient_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let w = Window {
            clinic_id,
            after: 0,
            before: None,
        };
        for row in patients_in(tx, &w, scope.patients, Some(&ids)).await? {
            if row.visible {
                changes.push(row.change(None)?);
            }
        }
    }
    for row in rows {
        changes.push(row.change()?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_synced_table_maps_to_its_database_table_and_back() {
        for table in ALL_TABLES {
            assert_eq!(sync_table(sql_table(table)), Some(table));
            // The wire name is the database's, but for the clinic's own row.
            let wire = serde_json::to_value(table).expect("json");
            if table != SyncTable::Clinic {
                assert_eq!(wire, sql_table(table));
            }
        }
        assert_eq!(sync_table("report_orders"), None);
    }
}
