//! Booking and moving appointments. Both run the same checks, in order:
//! the time itself (length, not past), then the doctor, patient and room
//! (they exist here and are usable), then the doctor's week and time off,
//! and finally the exclusion constraints, which settle races between desks.

use super::appointments::{AppointmentRow, load, stale};
use super::reach::Reach;
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, NaiveTime, Utc};
use clinic_core::api::appointments::{AppointmentView, BookAppointment, RescheduleAppointment};
use clinic_core::clinic::parse_time_zone;
use clinic_core::schedule::{TimeRange, WorkingHours, fits_working_hours, outside_hours_message};
use clinic_core::{ErrorCode, Permission};
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
struct SlotFacts {
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

/// Checks everything about `slot` except overlaps, which the database
/// decides, and answers the names to show. The doctor, patient and room
/// are share-locked so that none is deactivated, archived or closed (or
/// renamed) under a booking in flight. One query reads it all; the checks
/// then run in the order the module's doc gives.
async fn check_slot(tx: &mut Tx, slot: &Slot) -> ApiResult<Names> {
    let facts: SlotFacts = sqlx::query_as(SLOT_FACTS)
        .bind(slot.doctor_id)
        .bind(slot.patient_id)
        .bind(slot.room_id)
        .bind(slot.time.starts_at)
        .bind(slot.time.ends_at)
        .fetch_one(&mut **tx)
        .await?;
    let doctor = match (facts.doctor_name, facts.doctor_active) {
        (Some(name), Some(true)) => name,
        (Some(_), _) => {
            return Err(ApiError::invalid(
                "doctor_id",
                "this doctor is no longer active",
            ));
        }
        (None, _) => {
            return Err(ApiError::unknown_reference(
                "doctor_id",
                "no such doctor in this clinic",
            ));
        }
    };
    let patient = match (facts.patient_name, facts.patient_archived) {
        (Some(name), Some(false)) => name,
        (Some(_), _) => {
            return Err(ApiError::invalid(
                "patient_id",
                "this patient is archived; restore them before booking",
            ));
        }
        (None, _) => {
            return Err(ApiError::unknown_reference(
                "patient_id",
                "no such patient in this clinic",
            ));
        }
    };
    let room = match (slot.room_id, facts.room_name, facts.room_active) {
        (None, _, _) => None,
        (Some(_), Some(name), Some(true)) => Some(name),
        (Some(_), Some(_), _) => {
            return Err(ApiError::invalid("room_id", "this room is not in use"));
        }
        (Some(_), None, _) => {
            return Err(ApiError::unknown_reference(
                "room_id",
                "no such room in this clinic",
            ));
        }
    };
    let zone = parse_time_zone(&facts.time_zone).map_err(ApiError::internal)?;
    let week: Vec<WorkingHours> = facts
        .weekdays
        .into_iter()
        .zip(facts.starts)
        .zip(facts.ends)
        .map(|((weekday, starts), ends)| WorkingHours {
            // The table's CHECK keeps weekday within 1..=7.
            weekday: weekday as u8,
            starts,
            ends,
        })
        .collect();
    let time_off: Vec<TimeRange> = facts
        .off_starts
        .into_iter()
        .zip(facts.off_ends)
        .map(|(starts_at, ends_at)| TimeRange { starts_at, ends_at })
        .collect();
    if !fits_working_hours(slot.time, zone, &week, &time_off) {
        return Err(ApiError::new(
            ErrorCode::OutsideWorkingHours,
            outside_hours_message(slot.time, zone, &week, &time_off, &doctor),
        ));
    }
    Ok(Names {
        doctor,
        patient,
        room,
    })
}

/// The written row's columns with the names [`check_slot`] read, bound as
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
    let names = check_slot(
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
    let status = current.status()?;
    if !status.can_reschedule() {
        return Err(stale(status, "moved"));
    }
    let slot = Slot {
        doctor_id: change.doctor_id.unwrap_or(current.doctor_id),
        patient_id: current.patient_id,
        room_id: change.room_id.unwrap_or(current.room_id),
        time: change.time,
    };
    let names = check_slot(tx, &slot).await?;
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
