//! Instants as the store keeps them, and the clinic's wall clock.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use clinic_core::Invalid;
use std::sync::Arc;

/// Where "now" comes from: the system clock, or a fixed one in tests. The
/// desk's clock only stamps what is shown (when something was queued); the
/// server's versions order history.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(Utc::now))
    }

    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock(Arc::new(move || at))
    }

    pub fn from_fn(f: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// RFC 3339 in UTC with microseconds and `Z`: fixed width, so the store's
/// text order is time order.
pub fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_text(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

// Shared with the server (its first sync's "today"); re-exported here.
pub use clinic_core::schedule::{day_bounds, start_of_day};

/// Today's date on the clinic's wall clock.
pub fn local_date(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// A time as people type it at the desk: `2026-03-30 09:00` (or with a `T`)
/// on the clinic's wall clock, or RFC 3339 with an offset. A wall-clock time
/// that a DST change skips or repeats is refused with the reason, rather
/// than guessed.
pub fn parse_wall_clock(
    field: &'static str,
    raw: &str,
    zone: Tz,
) -> Result<DateTime<Utc>, Invalid> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .ok_or_else(|| {
        Invalid::new(
            field,
            format!("{raw:?} is not a time like 2026-03-30 09:00 ({zone} time)"),
        )
    })?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(Invalid::new(
            field,
            format!("{s} does not exist in {zone}: the clocks go forward then"),
        )),
        LocalResult::Ambiguous(a, b) => Err(Invalid::new(
            field,
            format!(
                "{s} happens twice in {zone} (the clocks go back); give the offset, e.g. {} or {}",
                a.to_rfc3339(),
                b.to_rfc3339()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn madrid_days_around_dst_changes() {
        let madrid = chrono_tz::Europe::Madrid;
        let hours = |d: NaiveDate| {
            let (a, b) = day_bounds(d, madrid);
            (b - a).num_hours()
        };
        assert_eq!(hours(date(2026, 3, 28)), 24);
        assert_eq!(hours(date(2026, 3, 29)), 23);
        assert_eq!(hours(date(2026, 10, 25)), 25);
        assert_eq!(
            to_text(start_of_day(date(2026, 3, 29), madrid)),
            "2026-03-28T23:00:00.000000Z"
        );
        assert_eq!(
            to_text(start_of_day(date(2026, 3, 30), madrid)),
            "2026-03-29T22:00:00.000000Z"
        );
    }

    #[test]
    fn a_zone_whose_midnight_is_skipped_starts_the_day_at_one() {
        // Santiago de Chile moved its clocks from 00:00 to 01:00 on 2025-09-07.
        let santiago = chrono_tz::America::Santiago;
        let start = start_of_day(date(2025, 9, 7), santiago).with_timezone(&santiago);
        assert_eq!(start.format("%H:%M").to_string(), "01:00");
    }

    #[test]
    fn wall_clock_input() {
        let madrid = chrono_tz::Europe::Madrid;
        let t = parse_wall_clock("start", "2026-03-30 09:00", madrid).expect("valid");
        assert_eq!(to_text(t), "2026-03-30T07:00:00.000000Z");
        let t = parse_wall_clock("start", "2026-03-30T09:00:00+02:00", madrid).expect("valid");
        assert_eq!(to_text(t), "2026-03-30T07:00:00.000000Z");
        let gap = parse_wall_clock("start", "2026-03-29 02:30", madrid).expect_err("gap");
        assert!(gap.message.contains("does not exist"), "{gap}");
        let twice = parse_wall_clock("start", "2026-10-25 02:30", madrid).expect_err("fold");
        assert!(twice.message.contains("twice"), "{twice}");
        assert!(parse_wall_clock("start", "tomorrow", madrid).is_err());
    }

    #[test]
    fn text_round_trips_and_sorts() {
        let a = from_text("2026-03-30T07:00:00Z").expect("t");
        let b = a + Duration::microseconds(1);
        assert_eq!(from_text(&to_text(a)), Some(a));
        assert!(to_text(a) < to_text(b));
    }
}
