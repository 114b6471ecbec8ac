//! Booking and moving appointments. Both run the same checks, in order:
//! the time itself (length, not past; when the request is parsed), then
//! the slot rule of `clinic_core::slot` over facts read here in one query
//! (doctor, patient and room usable, the doctor's week and time off), and
//! finally the exclusion constraints, which decide overlaps: they also
//! settle races between desks, so no overlap query runs before them.

use super::appointments::{AppointmentRow, load, stale};
use super::reach::Reach;
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, NaiveTime, Utc};
use clinic_core::Permission;
use clinic_core::api::appointments::{AppointmentView, BookAppointment, RescheduleAppointment};
use clinic_core::clinic::parse_time_zone;
use clinic_core::schedule::{StatusChange, TimeRange, WorkingHours};
use clinic_core::slot::{Parties, Party, SlotFacts, SlotProblem, Vantage, check_slot};
use uuid::Uuid;

/// Who, with whom, where and when: what a booking or a move must fit.
struct Slot {
    doctor_id: Uuid,
    patient_id: Uuid,
    room_id: Option<Uuid>,
    time: TimeRange,
}

/// The names a booking shows, read while checking its slot.
struct Names {
    doctor: String,
    patient: String,
    room: Option<String>,
}

/// Everything a slot is checked against, read in one round trip.
#[derive(sqlx::FromRow)]
struct SlotRow {
    doctor_name: Option<String>,
    doctor_active: Option<bool>,
    patient_name: Option<String>,
    patient_archived: Option<bool>,
    room_name: Option<String>,
    room_active: Option<bool>,
    time_zone: String,
    weekdays: Vec<i16>,
    starts: Vec<NaiveTime>,
    ends: Vec<NaiveTime>,
    off_starts: Vec<DateTime<Utc>>,
    off_ends: Vec<DateTime<Utc>>,
}

const SLOT_FACTS: &str = "
    WITH d AS (SELECT full_name, active FROM doctors WHERE id = $1 FOR SHARE),
         p AS (SELECT full_name, archived_at IS NOT NULL AS archived
               FROM patients WHERE id = $2 FOR SHARE),
         r AS (SELECT name, active FROM rooms WHERE id = $3 FOR SHARE)
    SELECT (SELECT full_name FROM d) AS doctor_name, (SELECT active FROM d) AS doctor_active,
           (SELECT full_name FROM p) AS patient_name, (SELECT archived FROM p) AS patient_archived,
           (SELECT name FROM r) AS room_name, (SELECT active FROM r) AS room_active,
           (SELECT time_zone FROM clinics WHERE id = app_clinic_id()) AS time_zone,
           (SELECT coalesce(array_agg(weekday ORDER BY weekday, starts), '{}')
            FROM doctor_hours WHERE doctor_id = $1) AS weekdays,
           (SELECT coalesce(array_agg(starts ORDER BY weekday, starts), '{}')
            FROM doctor_hours WHERE doctor_id = $1) AS starts,
           (SELECT coalesce(array_agg(ends ORDER BY weekday, starts), '{}')
            FROM doctor_hours WHERE doctor_id = $1) AS ends,
           (SELECT coalesce(array_agg(starts_at ORDER BY starts_at), '{}')
            FROM doctor_time_off WHERE doctor_id = $1 AND starts_at < $5 AND ends_at > $4)
               AS off_starts,
           (SELECT coalesce(array_agg(ends_at ORDER BY starts_at), '{}')
            FROM doctor_time_off WHERE doctor_id = $1 AND starts_at < $5 AND ends_at > $4)
               AS off_ends";

/// A party as the query found it: absent, or its name and whether it is usable.
fn party(name: &Option<String>, usable: Option<bool>) -> Party<'_> {
    match name {
        None => Party::Unknown,
        Some(name) => Party::Known {
            name,
            usable: usable == Some(true),
        },
    }
}

/// The slot rule's refusal as the API answers it.
fn refused(problem: SlotProblem) -> ApiError {
    let message = problem.to_string();
    match problem.field() {
        Some(field) if problem.is_unknown_reference() => {
            ApiError::unknown_reference(field, message)
        }
        Some(field) => ApiError::invalid(field, message),
        None => ApiError::new(problem.code(), message),
    }
}

/// Checks everything about `slot` except overlaps, which the database
/// decides, and answers the names to show. The doctor, patient and room
/// are share-locked so that none is deactivated, archived or closed (or
/// renamed) under a booking in flight.
async fn check(tx: &mut Tx, slot: &Slot) -> ApiResult<Names> {
    let row: SlotRow = sqlx::query_as(SLOT_FACTS)
        .bind(slot.doctor_id)
        .bind(slot.patient_id)
        .bind(slot.room_id)
        .bind(slot.time.starts_at)
        .bind(slot.time.ends_at)
        .fetch_one(&mut **tx)
        .await?;
    let parties = Parties {
        vantage: Vantage::Server,
        doctor: party(&row.doctor_name, row.doctor_active),
        patient: party(
            &row.patient_name,
            row.patient_archived.map(|archived| !archived),
        ),
        room: slot.room_id.map(|_| party(&row.room_name, row.room_active)),
    };
    let zone = parse_time_zone(&row.time_zone).map_err(ApiError::internal)?;
    let week: Vec<WorkingHours> = row
        .weekdays
        .iter()
        .zip(&row.starts)
        .zip(&row.ends)
        .map(|((&weekday, &starts), &ends)| WorkingHours {
            // The table's CHECK keeps weekday within 1..=7.
            weekday: weekday as u8,
            starts,
            ends,
        })
        .collect();
    let time_off: Vec<TimeRange> = row
        .off_starts
        .iter()
        .zip(&row.off_ends)
        .map(|(&starts_at, &ends_at)| TimeRange { starts_at, ends_at })
        .collect();
    let names = check_slot(&SlotFacts {
        time: slot.time,
        parties,
        zone,
        week: &week,
        time_off: &time_off,
        doctor_clash: None,
        room_clash: None,
    })
    .map_err(refused)?;
    Ok(Names {
        doctor: names.doctor.to_owned(),
        patient: names.patient.to_owned(),
        room: names.room.map(str::to_owned),
    })
}

/// The written row's columns with the names [`check`] read, bound as
/// the statement's parameters from `first_name_param` on: the view is
/// complete without reading the row back.
fn returning(first_name_param: usize) -> String {
    let (d, p, r) = (first_name_param, first_name_param + 1, first_name_param + 2);
    format!(
        "RETURNING id, doctor_id, ${d}::text AS doctor_name, patient_id,
                   ${p}::text AS patient_name, room_id, ${r}::text AS room_name, starts_at,
                   ends_at, status, reason, cancel_reason, created_by, created_at, updated_at"
    )
}

/// Books an appointment as `id`. Fails with `slot_taken` when the doctor
/// or room already has a live appointment overlapping it, and with
/// `outside_working_hours` when the doctor does not work then.
pub async fn book(
    tx: &mut Tx,
    member: &Member,
    id: Uuid,
    req: &BookAppointment,
) -> ApiResult<AppointmentView> {
    member.require(Permission::AppointmentsWrite)?;
    let booking = req.parse(Utc::now())?;
    let names = check(
        tx,
        &Slot {
            doctor_id: booking.doctor_id,
            patient_id: booking.patient_id,
            room_id: booking.room_id,
            time: booking.time,
        },
    )
    .await?;
    // The id is checked before the exclusion constraints: a desk sending
    // the same booking twice under two seqs learns that the id is taken,
    // not that the slot is.
    let row: AppointmentRow = sqlx::query_as(&format!(
        "INSERT INTO appointments (clinic_id, id, doctor_id, patient_id, room_id, starts_at, ends_at,
                                   reason, created_by)
         VALUES (app_clinic_id(), $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (clinic_id, id) DO NOTHING
         {}",
        returning(9)
    ))
    .bind(id)
    .bind(booking.doctor_id)
    .bind(booking.patient_id)
    .bind(booking.room_id)
    .bind(booking.time.starts_at)
    .bind(booking.time.ends_at)
    .bind(&booking.reason)
    .bind(member.user_id)
    .bind(&names.doctor)
    .bind(&names.patient)
    .bind(&names.room)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::id_taken("appointment"))?;
    db::audit(tx, member, "appointment.booked", "appointment", Some(id)).await?;
    row.view()
}

/// Moves a booked appointment to another time, and optionally another
/// doctor or room, under the same checks as booking. Only a `booked`
/// appointment moves; otherwise `stale`.
pub async fn reschedule(
    tx: &mut Tx,
    member: &Member,
    appointment_id: Uuid,
    req: &RescheduleAppointment,
) -> ApiResult<AppointmentView> {
    member.require(Permission::AppointmentsWrite)?;
    let change = req.parse(Utc::now())?;
    let current: AppointmentRow = load(tx, Reach::Clinic, appointment_id, true).await?;
    current
        .status()?
        .allows(StatusChange::Move)
        .map_err(stale)?;
    let slot = Slot {
        doctor_id: change.doctor_id.unwrap_or(current.doctor_id),
        patient_id: current.patient_id,
        room_id: change.room_id.unwrap_or(current.room_id),
        time: change.time,
    };
    let names = check(tx, &slot).await?;
    let row: AppointmentRow = sqlx::query_as(&format!(
        "UPDATE appointments SET doctor_id = $2, room_id = $3, starts_at = $4, ends_at = $5
         WHERE id = $1
         {}",
        returning(6)
    ))
    .bind(appointment_id)
    .bind(slot.doctor_id)
    .bind(slot.room_id)
    .bind(slot.time.starts_at)
    .bind(slot.time.ends_at)
    .bind(&names.doctor)
    .bind(&names.patient)
    .bind(&names.room)
    .fetch_one(&mut **tx)
    .await?;
    db::audit(
        tx,
        member,
        "appointment.rescheduled",
        "appointment",
        Some(appointment_id),
    )
    .await?;
    row.view()
}
