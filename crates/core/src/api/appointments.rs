//! Appointments: booking, moving, cancelling, progressing them through the
//! day, and reading the agenda.

use crate::contact::{optional_text, required_text};
use crate::error::Invalid;
use crate::limits::REASON_MAX_CHARS;
use crate::schedule::{AppointmentStatus, TimeRange};
use crate::time::parse_instant;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How far in the past a booking may start: a receptionist entering a
/// walk-in who sat down a minute ago is not booking the past.
pub const BOOKING_GRACE: TimeDelta = TimeDelta::minutes(5);

/// How far ahead a booking may start; anything later is a typo in the year.
pub const BOOKING_HORIZON: TimeDelta = TimeDelta::days(2 * 366);

/// The widest agenda one request may ask for (`to - from`).
pub const MAX_AGENDA_SPAN: TimeDelta = TimeDelta::days(92);

/// An appointment's time, checked to be a plausible length that starts
/// neither in the past (beyond the grace) nor absurdly far ahead.
pub fn bookable_time(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<TimeRange, Invalid> {
    let range = TimeRange::appointment(starts_at, ends_at)?;
    if range.starts_at < now - BOOKING_GRACE {
        return Err(Invalid::new("starts_at", "is in the past"));
    }
    if range.starts_at > now + BOOKING_HORIZON {
        return Err(Invalid::new("starts_at", "is more than two years ahead"));
    }
    Ok(range)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookAppointment {
    pub doctor_id: Uuid,
    pub patient_id: Uuid,
    #[serde(default)]
    pub room_id: Option<Uuid>,
    /// Not in the past (5 minutes of grace), at most two years ahead, and
    /// like every instant from 2000-01-01 to 2100-01-01 (UTC).
    pub starts_at: DateTime<Utc>,
    /// 5 minutes to 12 hours after `starts_at`.
    pub ends_at: DateTime<Utc>,
    /// Why the patient comes, up to 500 characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 500, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub reason: Option<String>,
}

/// A booking, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub doctor_id: Uuid,
    pub patient_id: Uuid,
    pub room_id: Option<Uuid>,
    pub time: TimeRange,
    pub reason: Option<String>,
}

impl BookAppointment {
    pub fn parse(&self, now: DateTime<Utc>) -> Result<Booking, Invalid> {
        self.checked(bookable_time(self.starts_at, self.ends_at, now)?)
    }

    /// Only the booking's shape (its length, its reason), for a queued
    /// booking replayed on a desk: time passes while it waits offline, and
    /// the server judges the rest when it arrives.
    pub fn parse_queued(&self) -> Result<Booking, Invalid> {
        self.checked(TimeRange::appointment(self.starts_at, self.ends_at)?)
    }

    fn checked(&self, time: TimeRange) -> Result<Booking, Invalid> {
        Ok(Booking {
            doctor_id: self.doctor_id,
            patient_id: self.patient_id,
            room_id: self.room_id,
            time,
            reason: optional_text("reason", self.reason.as_deref(), REASON_MAX_CHARS)?,
        })
    }
}

/// Moving a booked appointment. The time is always sent; an absent
/// `doctor_id` keeps the doctor; `room_id` absent keeps the room, `null`
/// frees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RescheduleAppointment {
    /// As for a booking.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctor_id: Option<Uuid>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>, nullable))]
    pub room_id: Option<Option<Uuid>>,
}

/// A move, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reschedule {
    pub time: TimeRange,
    pub doctor_id: Option<Uuid>,
    pub room_id: Option<Option<Uuid>>,
}

impl RescheduleAppointment {
    pub fn parse(&self, now: DateTime<Utc>) -> Result<Reschedule, Invalid> {
        Ok(self.checked(bookable_time(self.starts_at, self.ends_at, now)?))
    }

    /// Only the move's shape, for a queued move replayed on a desk (as
    /// [`BookAppointment::parse_queued`]).
    pub fn parse_queued(&self) -> Result<Reschedule, Invalid> {
        Ok(self.checked(TimeRange::appointment(self.starts_at, self.ends_at)?))
    }

    fn checked(&self, time: TimeRange) -> Reschedule {
        Reschedule {
            time,
            doctor_id: self.doctor_id,
            room_id: self.room_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelAppointment {
    /// Why it is cancelled, 1 to 500 characters (kept on the appointment).
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub reason: String,
}

impl CancelAppointment {
    pub fn parse(&self) -> Result<String, Invalid> {
        required_text("reason", &self.reason, REASON_MAX_CHARS)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentView {
    pub id: Uuid,
    pub doctor_id: Uuid,
    pub doctor_name: String,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub room_id: Option<Uuid>,
    pub room_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub reason: Option<String>,
    /// Present exactly when `status` is `cancelled`.
    pub cancel_reason: Option<String>,
    /// The staff member who booked it.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `?from=&to=&doctor_id=&room_id=&patient_id=&status=` of the agenda, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AppointmentFilter {
    /// RFC 3339; appointments ending after this instant (write `+` as `%2B`).
    #[cfg_attr(feature = "openapi", param(format = DateTime))]
    pub from: Option<String>,
    /// RFC 3339; appointments starting before this instant. At most 92 days after `from`.
    #[cfg_attr(feature = "openapi", param(format = DateTime))]
    pub to: Option<String>,
    #[cfg_attr(feature = "openapi", param(format = Uuid))]
    pub doctor_id: Option<String>,
    #[cfg_attr(feature = "openapi", param(format = Uuid))]
    pub room_id: Option<String>,
    #[cfg_attr(feature = "openapi", param(format = Uuid))]
    pub patient_id: Option<String>,
    /// One status or several separated by commas, e.g. `booked,checked_in`.
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = "^((booked|checked_in|completed|cancelled|no_show)(,(booked|checked_in|completed|cancelled|no_show))*)?$"
        )
    )]
    pub status: Option<String>,
}

/// The agenda's filter, checked. Times select appointments overlapping `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgendaQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub doctor_id: Option<Uuid>,
    pub room_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub statuses: Option<Vec<AppointmentStatus>>,
}

fn instant(field: &'static str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, Invalid> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|raw| parse_instant(field, raw))
        .transpose()
}

fn id(field: &'static str, raw: Option<&str>) -> Result<Option<Uuid>, Invalid> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| Invalid::new(field, format!("{s:?} is not an id"))),
    }
}

impl AppointmentFilter {
    pub fn parse(&self) -> Result<AgendaQuery, Invalid> {
        let from = instant("from", self.from.as_deref())?;
        let to = instant("to", self.to.as_deref())?;
        if let (Some(from), Some(to)) = (from, to) {
            if to <= from {
                return Err(Invalid::new("to", "must be after from"));
            }
            if to - from > MAX_AGENDA_SPAN {
                return Err(Invalid::new(
                    "to",
                    "is more than 92 days after from; ask for a shorter period",
                ));
            }
        }
        let statuses = match self.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(list) => Some(
                list.split(',')
                    .map(|s| AppointmentStatus::parse(s.trim()))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(AgendaQuery {
            from,
            to,
            doctor_id: id("doctor_id", self.doctor_id.as_deref())?,
            room_id: id("room_id", self.room_id.as_deref())?,
            patient_id: id("patient_id", self.patient_id.as_deref())?,
            statuses,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rstest::rstest;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0)
            .single()
            .expect("t")
    }

    #[rstest]
    #[case(-4, 30, Ok(()))]
    #[case(-6, 30, Err("starts_at"))]
    #[case(60, 3, Err("ends_at"))]
    #[case(60, 13 * 60, Err("ends_at"))]
    #[case(800 * 24 * 60, 30, Err("starts_at"))]
    fn booking_times(
        #[case] start_in_min: i64,
        #[case] len_min: i64,
        #[case] want: Result<(), &str>,
    ) {
        let s = now() + TimeDelta::minutes(start_in_min);
        let got = bookable_time(s, s + TimeDelta::minutes(len_min), now())
            .map(|_| ())
            .map_err(|e| e.field);
        assert_eq!(got, want);
    }

    /// A queued booking or move is replayed on its shape alone: when it
    /// starts (past, years ahead) is the server's to judge on arrival, its
    /// length and reason are checked as for a fresh one.
    #[rstest]
    #[case(-6 * 24 * 60, 30, 10, Ok(()))]
    #[case(800 * 24 * 60, 30, 10, Ok(()))]
    #[case(60, 3, 10, Err("ends_at"))]
    #[case(60, 13 * 60, 10, Err("ends_at"))]
    #[case(60, 30, 501, Err("reason"))]
    fn queued_bookings_are_checked_on_their_shape(
        #[case] start_in_min: i64,
        #[case] len_min: i64,
        #[case] reason_chars: usize,
        #[case] want: Result<(), &str>,
    ) {
        let s = now() + TimeDelta::minutes(start_in_min);
        let e = s + TimeDelta::minutes(len_min);
        let booking = BookAppointment {
            doctor_id: Uuid::nil(),
            patient_id: Uuid::nil(),
            room_id: None,
            starts_at: s,
            ends_at: e,
            reason: Some("x".repeat(reason_chars)),
        };
        let field = |r: Result<Booking, Invalid>| r.map(|_| ()).map_err(|e| e.field);
        assert_eq!(field(booking.parse_queued()), want);
        let fresh = field(booking.parse(now()));
        if want.is_err() || !(0..=2 * 366 * 24 * 60).contains(&start_in_min) {
            assert!(fresh.is_err(), "fresh {fresh:?}");
        }
        let moved = RescheduleAppointment {
            starts_at: s,
            ends_at: e,
            doctor_id: None,
            room_id: None,
        };
        assert_eq!(
            moved.parse_queued().map(|m| m.time).map_err(|e| e.field),
            TimeRange::appointment(s, e).map_err(|e| e.field)
        );
    }

    /// A desk whose clock is decades off cannot book outside the years the
    /// product stores, whatever `now` it believes in.
    #[rstest]
    #[case("1999-12-31T10:00:00Z", "starts_at")]
    #[case("0001-01-01T10:00:00Z", "starts_at")]
    #[case("-262143-01-01T10:00:00Z", "starts_at")]
    #[case("2099-12-31T23:50:00Z", "ends_at")]
    #[case("9999-12-31T10:00:00Z", "starts_at")]
    fn bookings_outside_the_products_years_are_refused(
        #[case] starts_at: &str,
        #[case] field: &str,
    ) {
        let s: DateTime<Utc> = starts_at.parse().expect("t");
        let err = bookable_time(s, s + TimeDelta::minutes(30), s).expect_err("out of range");
        assert_eq!(err.field, field);
    }

    #[rstest]
    #[case("-262143-01-01T00:00:00Z")]
    #[case("+262142-12-31T23:59:59Z")]
    #[case("0001-01-01T00:00:00Z")]
    #[case("9999-12-31T23:59:59Z")]
    fn agenda_filter_outside_the_products_years_is_refused(#[case] extreme: &str) {
        let from = AppointmentFilter {
            from: Some(extreme.into()),
            ..AppointmentFilter::default()
        };
        assert_eq!(from.parse().expect_err("from").field, "from");
        let to = AppointmentFilter {
            to: Some(extreme.into()),
            ..AppointmentFilter::default()
        };
        assert_eq!(to.parse().expect_err("to").field, "to");
    }

    #[test]
    fn cancel_needs_a_reason() {
        let c = |r: &str| {
            CancelAppointment {
                reason: r.to_owned(),
            }
            .parse()
        };
        assert_eq!(c(" sick ").expect("ok"), "sick");
        assert_eq!(c("  ").expect_err("blank").field, "reason");
        assert_eq!(c(&"x".repeat(501)).expect_err("long").field, "reason");
    }

    #[test]
    fn reschedule_room_is_three_way() {
        let body = |room: &str| {
            serde_json::from_str::<RescheduleAppointment>(&format!(
                r#"{{"starts_at": "2026-12-01T09:00:00Z", "ends_at": "2026-12-01T09:30:00Z"{room}}}"#
            ))
            .expect("shape")
            .room_id
        };
        assert_eq!(body(""), None);
        assert_eq!(body(r#", "room_id": null"#), Some(None));
        let id = Uuid::now_v7();
        assert_eq!(body(&format!(r#", "room_id": "{id}""#)), Some(Some(id)));
    }

    #[test]
    fn agenda_filter_parses_and_bounds_the_period() {
        let q = AppointmentFilter {
            from: Some("2026-03-30T00:00:00+02:00".into()),
            to: Some("2026-03-31T00:00:00+02:00".into()),
            status: Some("booked, checked_in".into()),
            ..AppointmentFilter::default()
        }
        .parse()
        .expect("valid");
        assert_eq!(
            q.from,
            Some(
                Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0)
                    .single()
                    .expect("t")
            )
        );
        assert_eq!(
            q.statuses,
            Some(vec![
                AppointmentStatus::Booked,
                AppointmentStatus::CheckedIn
            ])
        );

        let err = |f: AppointmentFilter| f.parse().expect_err("invalid").field;
        let period = |from: &str, to: &str| AppointmentFilter {
            from: Some(from.into()),
            to: Some(to.into()),
            ..AppointmentFilter::default()
        };
        assert_eq!(
            err(period("2026-03-30T00:00:00Z", "2026-03-30T00:00:00Z")),
            "to"
        );
        assert_eq!(
            err(period("2026-01-01T00:00:00Z", "2026-04-03T00:00:01Z")),
            "to"
        );
        assert!(
            period("2026-01-01T00:00:00Z", "2026-04-03T00:00:00Z")
                .parse()
                .is_ok()
        );
        assert_eq!(err(period("yesterday", "2026-04-03T00:00:00Z")), "from");
        assert_eq!(
            err(AppointmentFilter {
                doctor_id: Some("7".into()),
                ..AppointmentFilter::default()
            }),
            "doctor_id"
        );
        assert_eq!(
            err(AppointmentFilter {
                status: Some("booked,gone".into()),
                ..AppointmentFilter::default()
            }),
            "status"
        );
    }
}
