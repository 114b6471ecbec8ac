//! Appointments in time: their lifecycle and whether a time fits a doctor's week.
//!
//! Times are UTC instants; working hours are wall-clock times in the clinic's
//! time zone, so a 09:00 start stays 09:00 across daylight-saving changes.

use crate::error::Invalid;
use crate::time::check_instant;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    CheckedIn,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 5] = [
        AppointmentStatus::Booked,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::CheckedIn => "checked_in",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| Invalid::new("status", format!("{raw:?} is not an appointment status")))
    }

    /// Live appointments hold their slot. A cancellation or a no-show frees
    /// it, so a walk-in can take the time a patient did not come for. The
    /// database's exclusion constraint uses the same definition.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Booked | AppointmentStatus::CheckedIn | AppointmentStatus::Completed
        )
    }

    /// Allowed moves. A late patient marked no-show can still be checked in.
    pub fn can_become(self, next: AppointmentStatus) -> bool {
        use AppointmentStatus::*;
        matches!(
            (self, next),
            (Booked, CheckedIn | Completed | Cancelled | NoShow)
                | (CheckedIn, Completed | Cancelled)
                | (NoShow, CheckedIn)
        )
    }

    /// Only a booked appointment can be moved to another time, doctor or room.
    pub fn can_reschedule(self) -> bool {
        self == AppointmentStatus::Booked
    }

    /// How the status reads in a sentence: "this appointment is checked in".
    pub fn words(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::CheckedIn => "checked in",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "marked as a no-show",
        }
    }

    /// Whether `change` may happen to an appointment in this status; if
    /// not, the appointment moved on (on another desk, or earlier) and the
    /// answer is `stale`.
    pub fn allows(self, change: StatusChange) -> Result<(), StaleStatus> {
        let allowed = match change {
            StatusChange::Move => self.can_reschedule(),
            StatusChange::Become(next) => self.can_become(next),
        };
        if allowed {
            Ok(())
        } else {
            Err(StaleStatus {
                current: self,
                change,
            })
        }
    }
}

/// What a person does to an appointment, as far as its status is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Another time, doctor or room.
    Move,
    /// Check in, no-show, complete or cancel.
    Become(AppointmentStatus),
}

/// A change the appointment's status no longer allows (409 `stale`); desk
/// and server refuse it in these words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "this appointment is {} now, so it cannot be {}; reload it",
    current.words(),
    match change { StatusChange::Move => "moved", StatusChange::Become(next) => next.words() }
)]
pub struct StaleStatus {
    pub current: AppointmentStatus,
    pub change: StatusChange,
}

/// The first instant of `date` on the clinic's wall clock. Midnight can be
/// skipped by a DST change in some zones; then the day starts at the first
/// minute that exists.
pub fn start_of_day(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists as a time");
    let mut local = midnight;
    for _ in 0..(24 * 60) {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, _) => return early.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    // No zone skips a whole day's minutes one by one; fall back to UTC midnight.
    Utc.from_utc_datetime(&midnight)
}

/// `[start, end)` of a local date in UTC: 23, 24 or 25 hours long.
pub fn day_bounds(date: NaiveDate, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.succ_opt().unwrap_or(date);
    (start_of_day(date, zone), start_of_day(next, zone))
}

/// The shortest and longest appointment we accept, in minutes: what the
/// desktop UI offers and checks too (exported to it by `crate::limits`).
pub const MIN_APPOINTMENT_MINUTES: u32 = 5;
pub const MAX_APPOINTMENT_MINUTES: u32 = 12 * 60;
pub const MIN_APPOINTMENT: TimeDelta = TimeDelta::minutes(MIN_APPOINTMENT_MINUTES as i64);
pub const MAX_APPOINTMENT: TimeDelta = TimeDelta::minutes(MAX_APPOINTMENT_MINUTES as i64);

/// Why a length is refused, in the limits' own numbers.
fn appointment_length_problem(field: &'static str) -> Invalid {
    Invalid::new(
        field,
        format!(
            "an appointment lasts between {MIN_APPOINTMENT_MINUTES} minutes and {} hours",
            MAX_APPOINTMENT_MINUTES / 60
        ),
    )
}

/// A half-open UTC interval `[starts_at, ends_at)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl TimeRange {
    /// Both ends inside the product's range (`crate::time`), so every range
    /// from outside (appointments, time off) is one PostgreSQL can store.
    pub fn new(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<Self, Invalid> {
        let starts_at = check_instant("starts_at", starts_at)?;
        let ends_at = check_instant("ends_at", ends_at)?;
        if ends_at <= starts_at {
            return Err(Invalid::new("ends_at", "must be after starts_at"));
        }
        Ok(TimeRange { starts_at, ends_at })
    }

    /// A range that is also a plausible appointment length.
    pub fn appointment(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<Self, Invalid> {
        let r = Self::new(starts_at, ends_at)?;
        let len = r.ends_at - r.starts_at;
        if len < MIN_APPOINTMENT || len > MAX_APPOINTMENT {
            return Err(appointment_length_problem("ends_at"));
        }
        Ok(r)
    }

    /// An appointment `minutes` long from `starts_at`, for those who ask
    /// for a length (the app's dialogs, the CLI); the length is checked
    /// before any arithmetic and refused on the field `minutes`.
    pub fn appointment_lasting(starts_at: DateTime<Utc>, minutes: i64) -> Result<Self, Invalid> {
        let range = i64::from(MIN_APPOINTMENT_MINUTES)..=i64::from(MAX_APPOINTMENT_MINUTES);
        if !range.contains(&minutes) {
            return Err(appointment_length_problem("minutes"));
        }
        Self::appointment(starts_at, starts_at + TimeDelta::minutes(minutes))
    }

    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
}

/// One weekly working interval, e.g. Monday 09:00–13:00 in the clinic's zone.
/// `weekday` counts from Monday = 1 to Sunday = 7 (ISO 8601). On the wire the
/// times are `"HH:MM"` (`"HH:MM:00"` is read too); a day ends at 23:59 at the
/// latest, as there is no 24:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingHours {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 7))]
    pub weekday: u8,
    #[serde(with = "wall_clock")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$", example = "09:00")
    )]
    pub starts: NaiveTime,
    #[serde(with = "wall_clock")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$", example = "13:00")
    )]
    pub ends: NaiveTime,
}

/// Wall-clock times of a schedule as `"HH:MM"`.
///
/// chrono's own serde writes `"09:00:00"` and reads almost anything (`"9:0"`,
/// fractions, leap seconds). A working week is planned in whole minutes, so
/// this writes `"09:00"` and reads `"09:00"` or `"09:00:00"`; seconds other
/// than `00` are refused rather than silently dropped.
pub mod wall_clock {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.format("%H:%M"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(&raw).ok_or_else(|| {
            D::Error::custom(format!(
                "{raw:?} is not a time of day; write it as HH:MM, e.g. \"09:30\""
            ))
        })
    }

    /// `"HH:MM"` or `"HH:MM:00"`, 00:00 to 23:59.
    pub fn parse(raw: &str) -> Option<NaiveTime> {
        let two_digits = |s: &str| {
            (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let mut parts = raw.split(':');
        let hour = two_digits(parts.next()?)?;
        let minute = two_digits(parts.next()?)?;
        let seconds = parts.next();
        if !matches!(seconds, None | Some("00")) || parts.next().is_some() {
            return None;
        }
        NaiveTime::from_hms_opt(hour, minute, 0)
    }
}

/// Checks a doctor's whole week: each interval well-formed, none overlapping.
pub fn validate_week(hours: &[WorkingHours]) -> Result<(), Invalid> {
    for (i, h) in hours.iter().enumerate() {
        if !(1..=7).contains(&h.weekday) {
            return Err(Invalid::new("weekday", "must be 1 (Monday) to 7 (Sunday)"));
        }
        if h.ends <= h.starts {
            return Err(Invalid::new("ends", "must be after starts on the same day"));
        }
        let clash = hours[i + 1..]
            .iter()
            .any(|o| o.weekday == h.weekday && o.starts < h.ends && h.starts < o.ends);
        if clash {
            return Err(Invalid::new(
                "hours",
                "two intervals overlap on the same day",
            ));
        }
    }
    if hours.len() > 7 * 8 {
        return Err(Invalid::new("hours", "too many intervals"));
    }
    Ok(())
}

/// Whether `range` lies inside one working interval and clear of all time off.
pub fn fits_working_hours(
    range: TimeRange,
    zone: Tz,
    week: &[WorkingHours],
    time_off: &[TimeRange],
) -> bool {
    let start = range.starts_at.with_timezone(&zone);
    let end = range.ends_at.with_timezone(&zone);
    let weekday = start.weekday().number_from_monday() as u8;
    let same_day = end.date_naive() == start.date_naive();
    let inside = same_day
        && week
            .iter()
            .any(|h| h.weekday == weekday && h.starts <= start.time() && end.time() <= h.ends);
    inside && !time_off.iter().any(|off| off.overlaps(&range))
}

/// Why `time` does not fit a doctor's week or time off, on the clinic's wall
/// clock. `time_off` holds the intervals it overlaps (the first is named).
/// Desk and server both say it this way.
pub fn outside_hours_message(
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
    let day: Vec<String> = week
        .iter()
        .filter(|h| u32::from(h.weekday) == start.weekday().number_from_monday())
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    fn madrid(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Madrid
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc)
    }

    #[test]
    fn status_moves() {
        use AppointmentStatus::*;
        assert!(Booked.can_become(CheckedIn));
        assert!(CheckedIn.can_become(Completed));
        assert!(NoShow.can_become(CheckedIn));
        assert!(!Cancelled.can_become(Booked));
        assert!(!Completed.can_become(Cancelled));
        assert!(!CheckedIn.can_become(NoShow));
        assert!(Booked.can_reschedule() && !CheckedIn.can_reschedule());
        assert!(!Cancelled.is_live() && !NoShow.is_live() && Completed.is_live());
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        raw.parse().expect("an instant")
    }

    /// Every range from outside (appointments, time off) stays inside the
    /// years PostgreSQL stores and a clinic means; the bad end is named.
    #[rstest::rstest]
    #[case("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", Ok(()))]
    #[case("2000-01-01T00:00:00Z", "2000-01-01T01:00:00Z", Ok(()))]
    #[case("2099-12-31T23:00:00Z", "2100-01-01T00:00:00Z", Ok(()))]
    #[case("-262143-01-01T00:00:00Z", "-262143-01-02T00:00:00Z", Err("starts_at"))]
    #[case("0001-01-01T00:00:00Z", "2026-03-02T10:00:00Z", Err("starts_at"))]
    #[case("1999-12-31T23:00:00Z", "2000-01-01T01:00:00Z", Err("starts_at"))]
    #[case("2026-03-02T09:00:00Z", "9999-12-31T23:59:59Z", Err("ends_at"))]
    #[case("2099-12-31T23:00:00Z", "2100-01-01T00:00:01Z", Err("ends_at"))]
    #[case("2026-03-02T09:00:00Z", "+262142-12-31T23:59:59Z", Err("ends_at"))]
    fn ranges_stay_inside_the_products_years(
        #[case] starts_at: &str,
        #[case] ends_at: &str,
        #[case] want: Result<(), &str>,
    ) {
        let got = TimeRange::new(utc(starts_at), utc(ends_at));
        assert_eq!(
            got.map(drop).map_err(|e| e.field),
            want,
            "{starts_at}–{ends_at}"
        );
    }

    #[test]
    fn appointment_length_is_bounded() {
        let s = madrid(2026, 3, 2, 9, 0);
        assert!(TimeRange::appointment(s, s + TimeDelta::minutes(30)).is_ok());
        assert!(TimeRange::appointment(s, s).is_err());
        assert!(TimeRange::appointment(s, s + TimeDelta::minutes(2)).is_err());
        assert!(TimeRange::appointment(s, s + TimeDelta::hours(13)).is_err());
    }

    /// Every refused change reads the same whoever refuses it: the status
    /// now, in words, and what could not be done.
    #[test]
    fn a_change_the_status_no_longer_allows_is_stale_in_words() {
        use AppointmentStatus::*;
        for current in AppointmentStatus::ALL {
            let moved = current.allows(StatusChange::Move);
            assert_eq!(moved.is_ok(), current.can_reschedule(), "{current:?}");
            if let Err(stale) = moved {
                assert_eq!(
                    stale.to_string(),
                    format!(
                        "this appointment is {} now, so it cannot be moved; reload it",
                        current.words()
                    )
                );
            }
            for next in AppointmentStatus::ALL {
                let became = current.allows(StatusChange::Become(next));
                assert_eq!(
                    became.is_ok(),
                    current.can_become(next),
                    "{current:?} → {next:?}"
                );
                if let Err(stale) = became {
                    let text = stale.to_string();
                    assert!(
                        text.starts_with(&format!("this appointment is {} now", current.words()))
                    );
                    assert!(
                        text.contains(&format!("cannot be {};", next.words())),
                        "{text}"
                    );
                }
            }
        }
        assert_eq!(
            Cancelled
                .allows(StatusChange::Become(NoShow))
                .expect_err("stale")
                .to_string(),
            "this appointment is cancelled now, so it cannot be marked as a no-show; reload it"
        );
    }

    #[test]
    fn a_length_in_minutes_is_an_appointment_within_the_limits() {
        let s = madrid(2026, 3, 2, 9, 0);
        let min = i64::from(MIN_APPOINTMENT_MINUTES);
        let max = i64::from(MAX_APPOINTMENT_MINUTES);
        for ok in [min, 30, max] {
            let r = TimeRange::appointment_lasting(s, ok).expect("within");
            assert_eq!(r.ends_at - r.starts_at, TimeDelta::minutes(ok));
        }
        for bad in [i64::MIN, -30, 0, min - 1, max + 1, 24 * 60, i64::MAX] {
            let e = TimeRange::appointment_lasting(s, bad).expect_err("outside");
            assert_eq!(e.field, "minutes", "{bad}");
            assert_eq!(
                e.message,
                "an appointment lasts between 5 minutes and 12 hours"
            );
        }
    }

    #[test]
    fn working_hours_follow_wall_clock_across_dst() {
        // Mondays 09:00–13:00 in Madrid; 2026-03-30 is the Monday after clocks go forward.
        let week = [WorkingHours {
            weekday: 1,
            starts: t(9, 0),
            ends: t(13, 0),
        }];
        let zone = chrono_tz::Europe::Madrid;
        for day in [23, 30] {
            let ok =
                TimeRange::new(madrid(2026, 3, day, 9, 0), madrid(2026, 3, day, 9, 30)).expect("r");
            assert!(fits_working_hours(ok, zone, &week, &[]), "day {day}");
            let late = TimeRange::new(madrid(2026, 3, day, 12, 45), madrid(2026, 3, day, 13, 15))
                .expect("r");
            assert!(!fits_working_hours(late, zone, &week, &[]), "day {day}");
        }
        let tuesday =
            TimeRange::new(madrid(2026, 3, 24, 9, 0), madrid(2026, 3, 24, 9, 30)).expect("r");
        assert!(!fits_working_hours(tuesday, zone, &week, &[]));
    }

    #[test]
    fn time_off_blocks() {
        let week = [WorkingHours {
            weekday: 1,
            starts: t(9, 0),
            ends: t(17, 0),
        }];
        let slot =
            TimeRange::new(madrid(2026, 3, 2, 10, 0), madrid(2026, 3, 2, 10, 30)).expect("r");
        let off = TimeRange::new(madrid(2026, 3, 2, 10, 15), madrid(2026, 3, 2, 12, 0)).expect("r");
        assert!(!fits_working_hours(
            slot,
            chrono_tz::Europe::Madrid,
            &week,
            &[off]
        ));
    }

    #[test]
    fn weeks_are_validated() {
        let a = WorkingHours {
            weekday: 1,
            starts: t(9, 0),
            ends: t(13, 0),
        };
        assert!(
            validate_week(&[
                a,
                WorkingHours {
                    weekday: 1,
                    starts: t(14, 0),
                    ends: t(18, 0)
                }
            ])
            .is_ok()
        );
        assert!(
            validate_week(&[
                a,
                WorkingHours {
                    weekday: 1,
                    starts: t(12, 0),
                    ends: t(18, 0)
                }
            ])
            .is_err()
        );
        assert!(validate_week(&[WorkingHours { weekday: 8, ..a }]).is_err());
        assert!(validate_week(&[WorkingHours { ends: t(8, 0), ..a }]).is_err());
    }

    #[test]
    fn working_hours_are_hh_mm_on_the_wire() {
        let h: WorkingHours =
            serde_json::from_str(r#"{"weekday": 1, "starts": "09:00", "ends": "13:30:00"}"#)
                .expect("parse");
        assert_eq!((h.starts, h.ends), (t(9, 0), t(13, 30)));
        assert_eq!(
            serde_json::to_value(h).expect("json"),
            serde_json::json!({"weekday": 1, "starts": "09:00", "ends": "13:30"})
        );
        for bad in [
            "9:00",
            "24:00",
            "09:60",
            "09:00:30",
            "09:00:00.5",
            "0900",
            "",
            "09:00:00:00",
            " 09:00",
        ] {
            let raw = format!(r#"{{"weekday": 1, "starts": "{bad}", "ends": "13:00"}}"#);
            assert!(
                serde_json::from_str::<WorkingHours>(&raw).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    proptest! {
        #[test]
        fn wall_clock_round_trips(h in 0u32..24, m in 0u32..60) {
            let time = NaiveTime::from_hms_opt(h, m, 0).expect("time");
            let text = format!("{}", time.format("%H:%M"));
            prop_assert_eq!(wall_clock::parse(&text), Some(time));
        }
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric(a in 0i64..1000, al in 1i64..100, b in 0i64..1000, bl in 1i64..100) {
            let base = madrid(2026, 1, 5, 0, 0);
            let r1 = TimeRange::new(base + TimeDelta::minutes(a), base + TimeDelta::minutes(a + al)).expect("r1");
            let r2 = TimeRange::new(base + TimeDelta::minutes(b), base + TimeDelta::minutes(b + bl)).expect("r2");
            prop_assert_eq!(r1.overlaps(&r2), r2.overlaps(&r1));
            prop_assert_eq!(r1.overlaps(&r2), a < b + bl && b < a + al);
        }
    }
}
