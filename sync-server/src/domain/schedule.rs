//! A doctor's week and time off: setting the working hours, recording and
//! removing time off.

use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, NaiveTime, Utc};
use clinic_core::api::doctors::{NewTimeOff, TimeOffCreated, TimeOffView, WeekHours};
use clinic_core::schedule::{AppointmentStatus, WorkingHours};
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

/// Appointments that still hold a doctor's (or a room's) time and that the
/// desk would have to move or cancel: completed, cancelled and no-show ones
/// are history.
pub(crate) fn upcoming_statuses() -> Vec<&'static str> {
    [AppointmentStatus::Booked, AppointmentStatus::CheckedIn]
        .map(AppointmentStatus::as_str)
        .to_vec()
}

/// A doctor or room: what appointments are booked with, and what may be
/// archived only once none of them is upcoming.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bookable {
    Doctor(Uuid),
    Room(Uuid),
}

impl Bookable {
    /// The audit log's entity and id.
    fn entity(self) -> (&'static str, Uuid) {
        match self {
            Bookable::Doctor(id) => ("doctor", id),
            Bookable::Room(id) => ("room", id),
        }
    }
}

/// Writes what a change of a doctor or room did to the audit log:
/// `<entity>.updated` when anything besides archiving changed (bringing
/// one back included), `<entity>.archived` when it archived; both when it
/// did both, and nothing when it changed nothing.
pub(crate) async fn audit_change(
    tx: &mut Tx,
    member: &Member,
    changed: Bookable,
    edited: bool,
    archiving: bool,
) -> ApiResult<()> {
    let (entity, id) = changed.entity();
    if edited {
        let action = format!("{entity}.updated");
        db::audit(tx, member, &action, entity, Some(id)).await?;
    }
    if archiving {
        let action = format!("{entity}.archived");
        db::audit(tx, member, &action, entity, Some(id)).await?;
    }
    Ok(())
}

/// Archiving is refused while the doctor or room still has appointments to
/// attend: the desk must move or cancel them first.
pub(crate) async fn ensure_no_upcoming(
    tx: &mut Tx,
    member: &Member,
    archived: Bookable,
) -> ApiResult<()> {
    // The column is chosen between two fixed statements, never spliced in.
    let sql = match archived {
        Bookable::Doctor(_) => {
            "SELECT count(*) FROM appointments
             WHERE clinic_id = $1 AND doctor_id = $2 AND status = ANY($3) AND ends_at > now()"
        }
        Bookable::Room(_) => {
            "SELECT count(*) FROM appointments
             WHERE clinic_id = $1 AND room_id = $2 AND status = ANY($3) AND ends_at > now()"
        }
    };
    let (what, id) = archived.entity();
    let upcoming: i64 = sqlx::query_scalar(sql)
        .bind(member.clinic_id)
        .bind(id)
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
                "the {what} has {upcoming} upcoming {noun}; move or cancel them first, then archive"
            ),
        ));
    }
    Ok(())
}

/// Fails with 404 unless the doctor `id` exists in this clinic.
pub(crate) async fn ensure_doctor(tx: &mut Tx, member: &Member, id: Uuid) -> ApiResult<()> {
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM doctors WHERE clinic_id = $1 AND id = $2")
            .bind(member.clinic_id)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    found
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("doctor"))
}

/// The doctor's week as stored, by weekday and start.
pub(crate) async fn read_week(
    tx: &mut Tx,
    member: &Member,
    doctor_id: Uuid,
) -> ApiResult<WeekHours> {
    let rows: Vec<(i16, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT weekday, starts, ends FROM doctor_hours
         WHERE clinic_id = $1 AND doctor_id = $2 ORDER BY weekday, starts",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(WeekHours {
        hours: rows
            .into_iter()
            .map(|(weekday, starts, ends)| WorkingHours {
                // The table's CHECK keeps weekday within 1..=7.
                weekday: weekday as u8,
                starts,
                ends,
            })
            .collect(),
    })
}

/// Replaces the doctor's whole week at once (an empty list clears it).
/// Intervals that stay the same keep their identity, so desks only sync what
/// changed. Appointments already booked are not touched.
pub async fn set_week(
    tx: &mut Tx,
    member: &Member,
    doctor_id: Uuid,
    req: &WeekHours,
) -> ApiResult<WeekHours> {
    member.require(Permission::DoctorsManage)?;
    let week = req.parse()?;
    // Two admins saving a week at once take turns instead of interleaving.
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM doctors WHERE clinic_id = $1 AND id = $2 FOR UPDATE")
            .bind(member.clinic_id)
            .bind(doctor_id)
            .fetch_optional(&mut **tx)
            .await?;
    if found.is_none() {
        return Err(ApiError::not_found("doctor"));
    }

    let ids: Vec<Uuid> = week.iter().map(|_| Uuid::now_v7()).collect();
    let weekdays: Vec<i16> = week.iter().map(|h| i16::from(h.weekday)).collect();
    let starts: Vec<NaiveTime> = week.iter().map(|h| h.starts).collect();
    let ends: Vec<NaiveTime> = week.iter().map(|h| h.ends).collect();
    let removed = sqlx::query(
        "DELETE FROM doctor_hours h
         WHERE h.clinic_id = $1 AND h.doctor_id = $2
           AND NOT EXISTS (
               SELECT 1 FROM unnest($3::smallint[], $4::time[], $5::time[]) AS w(weekday, starts, ends)
               WHERE (w.weekday, w.starts, w.ends) = (h.weekday, h.starts, h.ends))",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(&weekdays)
    .bind(&starts)
    .bind(&ends)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let added = sqlx::query(
        "INSERT INTO doctor_hours (clinic_id, id, doctor_id, weekday, starts, ends)
         SELECT $1, w.id, $2, w.weekday, w.starts, w.ends
         FROM unnest($3::uuid[], $4::smallint[], $5::time[], $6::time[]) AS w(id, weekday, starts, ends)
         WHERE NOT EXISTS (
             SELECT 1 FROM doctor_hours h
             WHERE h.clinic_id = $1 AND h.doctor_id = $2
               AND (h.weekday, h.starts, h.ends) = (w.weekday, w.starts, w.ends))",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(&ids)
    .bind(&weekdays)
    .bind(&starts)
    .bind(&ends)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if removed + added > 0 {
        db::audit(tx, member, "doctor.hours_set", "doctor", Some(doctor_id)).await?;
    }
    read_week(tx, member, doctor_id).await
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TimeOffRow {
    pub id: Uuid,
    pub doctor_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub(crate) const TIME_OFF_COLUMNS: &str = "id, doctor_id, starts_at, ends_at, reason, created_at";

impl From<TimeOffRow> for TimeOffView {
    fn from(r: TimeOffRow) -> Self {
        TimeOffView {
            id: r.id,
            doctor_id: r.doctor_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            reason: r.reason,
            created_at: r.created_at,
        }
    }
}

/// Records time off as `id`. Appointments inside it are kept, and the
/// booked or checked-in ones are returned in `affected_appointments` to be
/// moved (illness does not wait for the agenda to be cleared).
pub async fn add_time_off(
    tx: &mut Tx,
    member: &Member,
    doctor_id: Uuid,
    id: Uuid,
    req: &NewTimeOff,
) -> ApiResult<TimeOffCreated> {
    member.require(Permission::DoctorsManage)?;
    let draft = req.parse()?;
    ensure_doctor(tx, member, doctor_id).await?;
    let row: TimeOffRow = sqlx::query_as(&format!(
        "INSERT INTO doctor_time_off (clinic_id, id, doctor_id, starts_at, ends_at, reason)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (clinic_id, id) DO NOTHING
         RETURNING {TIME_OFF_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(id)
    .bind(doctor_id)
    .bind(draft.range.starts_at)
    .bind(draft.range.ends_at)
    .bind(&draft.reason)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::id_taken("time off entry"))?;
    let affected_appointments: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM appointments
         WHERE clinic_id = $1 AND doctor_id = $2 AND status = ANY($3)
           AND during && tstzrange($4, $5, '[)')
         ORDER BY starts_at, id",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(upcoming_statuses())
    .bind(draft.range.starts_at)
    .bind(draft.range.ends_at)
    .fetch_all(&mut **tx)
    .await?;
    db::audit(tx, member, "time_off.created", "time_off", Some(id)).await?;
    Ok(TimeOffCreated {
        time_off: row.into(),
        affected_appointments,
    })
}

/// Removes an entry of time off (e.g. a holiday that was called off).
pub async fn remove_time_off(
    tx: &mut Tx,
    member: &Member,
    doctor_id: Uuid,
    time_off_id: Uuid,
) -> ApiResult<()> {
    member.require(Permission::DoctorsManage)?;
    let deleted: Option<Uuid> = sqlx::query_scalar(
        "DELETE FROM doctor_time_off WHERE clinic_id = $1 AND doctor_id = $2 AND id = $3
         RETURNING id",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(time_off_id)
    .fetch_optional(&mut **tx)
    .await?;
    if deleted.is_none() {
        return Err(ApiError::not_found("time off"));
    }
    db::audit(
        tx,
        member,
        "time_off.deleted",
        "time_off",
        Some(time_off_id),
    )
    .await?;
    Ok(())
}
