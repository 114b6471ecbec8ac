//! Times as the UI sends and shows them: the clinic's wall clock,
//! `"YYYY-MM-DDTHH:MM"`, so the UI never does time-zone arithmetic.

use crate::error::{CommandError, CommandResult, DeskErrorCode};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clinic_client::Desk;
use clinic_core::schedule::TimeRange;

/// The clinic's zone, known after the first sync.
pub fn clinic_zone(desk: &Desk) -> CommandResult<Tz> {
    let clinic = desk.clinic()?.ok_or_else(|| {
        CommandError::new(
            DeskErrorCode::NotSynced,
            "This desk has not received the clinic's settings yet; connect and sync once.",
        )
    })?;
    clinic.time_zone.parse().map_err(|_| {
        CommandError::new(
            DeskErrorCode::LocalStore,
            format!("the clinic's time zone {:?} is unknown", clinic.time_zone),
        )
    })
}

/// `2026-03-30T09:00` on the clinic's clock.
pub fn format(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

/// A time from the UI: the clinic's wall clock (`2026-03-30T09:00`) or an
/// RFC 3339 instant with its offset. A wall-clock time a DST change skips or
/// repeats is refused with the reason, never guessed.
pub fn parse(field: &'static str, raw: &str, zone: Tz) -> CommandResult<DateTime<Utc>> {
    Ok(clinic_client::time::parse_wall_clock(field, raw, zone)?)
}

pub fn parse_date(field: &str, raw: &str) -> CommandResult<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| CommandError::invalid(field, format!("{raw:?} is not a date like 2026-03-30")))
}

/// The end of an appointment `minutes` long, within core's limits (the
/// UI offers the same ones); a length outside them is refused on `minutes`.
pub fn end_after(start: DateTime<Utc>, minutes: u32) -> CommandResult<DateTime<Utc>> {
    Ok(TimeRange::appointment_lasting(start, i64::from(minutes))?.ends_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_round_trips_across_a_dst_change() {
        let madrid = chrono_tz::Europe::Madrid;
        let before = parse("start", "2026-03-28T09:00", madrid).expect("valid");
        let after = parse("start", "2026-03-30T09:00", madrid).expect("valid");
        assert_eq!(before.to_rfc3339(), "2026-03-28T08:00:00+00:00");
        assert_eq!(after.to_rfc3339(), "2026-03-30T07:00:00+00:00");
        assert_eq!(format(before, madrid), "2026-03-28T09:00");
        assert_eq!(format(after, madrid), "2026-03-30T09:00");
    }

    #[test]
    fn bad_times_and_lengths_name_their_field() {
        let madrid = chrono_tz::Europe::Madrid;
        let gap = parse("start", "2026-03-29T02:30", madrid).expect_err("skipped hour");
        assert_eq!(gap.field.as_deref(), Some("start"));
        assert_eq!(
            parse_date("date", "30/03/2026")
                .expect_err("bad")
                .field
                .as_deref(),
            Some("date")
        );
        let start = parse("start", "2026-03-30T09:00", madrid).expect("valid");
        for outside in [0, 4, 12 * 60 + 1, 24 * 60] {
            let refused = end_after(start, outside).expect_err("outside the limits");
            assert_eq!(refused.code, "invalid", "{outside}");
            assert_eq!(refused.field.as_deref(), Some("minutes"), "{outside}");
        }
        assert_eq!(
            format(end_after(start, 30).expect("valid"), madrid),
            "2026-03-30T09:30"
        );
    }
}
