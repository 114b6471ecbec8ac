//! Booking and moving appointments. Both run the same checks, in order:
//! the time itself (length, not past), then the doctor, patient and room
//! (they exist here and are usable), then the doctor's week and time off,
//! and finally the exclusion constraints, which settle races between desks.

use super::appointments::{AppointmentRow, load, stale};
use super::reach::{self, Reach};
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Datelike, NaiveTime, Utc};
use chrono_tz::Tz;
use clinic_core::api::appointments::{AppointmentView, BookAppointment, RescheduleAppointment};
use clinic_core::schedule::{TimeRange, WorkingHours, fits_working_hours};
use clinic_core::{ErrorCode, Permission};
use uuid::Uuid;

/// Who, with whom, where and when: what a booking or a move must fit.
struct Slot {
    doctor_id: Uuid,
    patient_id: Uuid,
    room_id: Option<Uuid>,
    time: TimeRange,
}

/// Checks everything about `slot` except overlaps, which the database
/// decides. The rows read are share-locked so that a doctor cannot be
/// deactivated, a patient archived or a room closed under a booking in flight.
async fn check_slot(tx: &mut Tx, slot: &Slot) -> ApiResult<()> {
    let doctor: Option<(String, bool)> =
        sqlx::query_as("SELECT full_name, active FROM doctors WHERE id = $1 FOR SHARE")
            .bind(slot.doctor_id)
            .fetch_optional(&mut **tx)
            .await?;
    let doctor_name = match doctor {
        None => {
            return Err(ApiError::unknown_reference(
                "doctor_id",
                "no such doctor in this clinic",
            ));
        }
        Some((_, false)) => {
            return Err(ApiError::invalid(
                "doctor_id",
                "this doctor is no longer active",
            ));
        }
        Some((name, true)) => name,
    };
    let archived: Option<bool> =
        sqlx::query_scalar("SELECT archived_at IS NOT NULL FROM patients WHERE id = $1 FOR SHARE")
            .bind(slot.patient_id)
            .fetch_optional(&mut **tx)
            .await?;
    match archived {
        None => {
            return Err(ApiError::unknown_reference(
                "patient_id",
                "no such patient in this clinic",
            ));
        }
        Some(true) => {
            return Err(ApiError::invalid(
                "patient_id",
                "this patient is archived; restore them before booking",
            ));
        }
        Some(false) => {}
    }
    if let Some(room_id) = slot.room_id {
        let active: Option<bool> =
            sqlx::query_scalar("SELECT active FROM rooms WHERE id = $1 FOR SHARE")
                .bind(room_id)
                .fetch_optional(&mut **tx)
                .await?;
        match active {
            None => {
                return Err(ApiError::unknown_reference(
                    "room_id",
                    "no such room in this clinic",
                ));
            }
            Some(false) => return Err(ApiError::invalid("room_id", "this room is not in use")),
            Some(true) => {}
        }
    }
    check_working_hours(tx, slot, &doctor_name).await
}

async fn check_working_hours(tx: &mut Tx, slot: &Slot, doctor_name: &str) -> ApiResult<()> {
    let zone = reach::clinic_zone(tx).await?;
    let week: Vec<(i16, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT weekday, starts, ends FROM doctor_hours WHERE doctor_id = $1 ORDER BY weekday, starts",
    )
    .bind(slot.doctor_id)
    .fetch_all(&mut **tx)
    .await?;
    let week: Vec<WorkingHours> = week
        .into_iter()
        .map(|(weekday, starts, ends)| WorkingHours {
            weekday: weekday as u8,
            starts,
            ends,
        })
        .collect();
    let time_off: Vec<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT starts_at, ends_at FROM doctor_time_off
         WHERE doctor_id = $1 AND starts_at < $3 AND ends_at > $2
         ORDER BY starts_at",
    )
    .bind(slot.doctor_id)
    .bind(slot.time.starts_at)
    .bind(slot.time.ends_at)
    .fetch_all(&mut **tx)
    .await?;
    let time_off: Vec<TimeRange> = time_off
        .into_iter()
        .map(|(starts_at, ends_at)| TimeRange { starts_at, ends_at })
        .collect();
    if fits_working_hours(slot.time, zone, &week, &time_off) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::OutsideWorkingHours,
        outside_hours_message(slot.time, zone, &week, &time_off, doctor_name),
    ))
}

/// Says why a time does not fit, in the clinic's wall-clock time.
fn outside_hours_message(
    time: TimeRange,
    zone: Tz,
    week: &[WorkingHours],
    time_off: &[TimeRange],
    doctor_name: &str,
) -> String {
    let local = |t: DateTime<Utc>| t.with_timezone(&zone);
    if let Some(off) = time_off.first() {
        return format!(
            "{doctor_name} is away from {} to {} ({zone})",
            local(off.starts_at).format("%Y-%m-%d %H:%M"),
            local(off.ends_at).format("%Y-%m-%d %H:%M"),
        );
    }
    let start = local(time.starts_at);
    let weekday = start.weekday();
    let day: Vec<String> = week
        .iter()
        .filter(|h| u32::from(h.weekday) == weekday.number_from_monday())
        .map(|h| format!("{}–{}", h.starts.format("%H:%M"), h.ends.format("%H:%M")))
        .collect();
    let asked = format!(
        "{}–{}",
        start.format("%H:%M"),
        local(time.ends_at).format("%H:%M")
    );
    if day.is_empty() {
        format!(
            "{doctor_name} does not work on {}s ({zone}); asked for {asked}",
            start.format("%A")
        )
    } else {
        format!(
            "{asked} on {} is outside {doctor_name}'s hours that day: {} ({zone})",
            start.format("%a %Y-%m-%d"),
            day.join(", ")
        )
    }
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
    check_slot(
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
    let inserted = sqlx::query(
        "INSERT INTO appointments (clinic_id, id, doctor_id, patient_id, room_id, starts_at, ends_at,
                                   reason, created_by)
         VALUES (app_clinic_id(), $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (clinic_id, id) DO NOTHING",
    )
    .bind(id)
    .bind(booking.doctor_id)
    .bind(booking.patient_id)
    .bind(booking.room_id)
    .bind(booking.time.starts_at)
    .bind(booking.time.ends_at)
    .bind(&booking.reason)
    .bind(member.user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(ApiError::id_taken("appointment"));
    }
    db::audit(tx, member, "appointment.booked", "appointment", Some(id)).await?;
    load(tx, Reach::Clinic, id, false).await?.view()
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
    check_slot(tx, &slot).await?;
    sqlx::query(
        "UPDATE appointments SET doctor_id = $2, room_id = $3, starts_at = $4, ends_at = $5
         WHERE id = $1",
    )
    .bind(appointment_id)
    .bind(slot.doctor_id)
    .bind(slot.room_id)
    .bind(slot.time.starts_at)
    .bind(slot.time.ends_at)
    .execute(&mut **tx)
    .await?;
    db::audit(
        tx,
        member,
        "appointment.rescheduled",
        "appointment",
        Some(appointment_id),
    )
    .await?;
    load(tx, Reach::Clinic, appointment_id, false).await?.view()
}
