//! The instants the product accepts from outside: request bodies, query
//! filters, sync mutations and list cursors, on the desk and on the server.
//!
//! chrono reads years from -262143 to +262142 and PostgreSQL stores 4713 BC
//! to 294276 AD, so an instant that parses can still fail in the database;
//! and one that stores can still be nonsense to a clinic (a typo in the
//! year). Every instant from outside goes through [`check_instant`] (ranges
//! through `TimeRange::new`), so desk and server refuse the same ones with
//! the field named, long before PostgreSQL sees them.

use crate::error::Invalid;
use chrono::{DateTime, Utc};

/// The first instant accepted: 2000-01-01T00:00:00Z.
pub const EARLIEST_INSTANT: DateTime<Utc> = match DateTime::from_timestamp(946_684_800, 0) {
    Some(t) => t,
    None => panic!("2000-01-01 is a valid instant"),
};

/// The last instant accepted: 2100-01-01T00:00:00Z (time off may end at
/// that midnight).
pub const LATEST_INSTANT: DateTime<Utc> = match DateTime::from_timestamp(4_102_444_800, 0) {
    Some(t) => t,
    None => panic!("2100-01-01 is a valid instant"),
};

/// `t` if it lies within [`EARLIEST_INSTANT`]..=[`LATEST_INSTANT`];
/// otherwise `invalid` on `field`.
pub fn check_instant(field: &'static str, t: DateTime<Utc>) -> Result<DateTime<Utc>, Invalid> {
    if (EARLIEST_INSTANT..=LATEST_INSTANT).contains(&t) {
        Ok(t)
    } else {
        Err(Invalid::new(
            field,
            format!(
                "must fall between {} and {} (UTC)",
                EARLIEST_INSTANT.format("%Y-%m-%d"),
                LATEST_INSTANT.format("%Y-%m-%d")
            ),
        ))
    }
}

/// An RFC 3339 instant as sent in a query string (`2026-03-02T09:00:00Z`,
/// or with an offset, its `+` percent-encoded as `%2B`), checked as above.
pub fn parse_instant(field: &'static str, raw: &str) -> Result<DateTime<Utc>, Invalid> {
    let raw = raw.trim();
    let t = DateTime::parse_from_rfc3339(raw).map_err(|_| {
        Invalid::new(
            field,
            format!(
                "{raw:?} is not an RFC 3339 time such as 2026-03-02T09:00:00Z \
                 (percent-encode a + offset as %2B)"
            ),
        )
    })?;
    check_instant(field, t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use rstest::rstest;

    #[test]
    fn the_bounds_are_the_turns_of_the_centuries() {
        assert_eq!(EARLIEST_INSTANT.to_rfc3339(), "2000-01-01T00:00:00+00:00");
        assert_eq!(LATEST_INSTANT.to_rfc3339(), "2100-01-01T00:00:00+00:00");
    }

    #[rstest]
    #[case::first_instant(EARLIEST_INSTANT, true)]
    #[case::last_instant(LATEST_INSTANT, true)]
    #[case::today(DateTime::from_timestamp(1_774_000_000, 0).expect("t"), true)]
    #[case::a_microsecond_early(EARLIEST_INSTANT - TimeDelta::microseconds(1), false)]
    #[case::a_microsecond_late(LATEST_INSTANT + TimeDelta::microseconds(1), false)]
    #[case::chrono_min(DateTime::<Utc>::MIN_UTC, false)]
    #[case::chrono_max(DateTime::<Utc>::MAX_UTC, false)]
    #[case::epoch(DateTime::<Utc>::UNIX_EPOCH, false)]
    fn instants_inside_the_range_pass(#[case] t: DateTime<Utc>, #[case] ok: bool) {
        let got = check_instant("starts_at", t);
        assert_eq!(got.is_ok(), ok, "{t}: {got:?}");
        if let Err(e) = got {
            assert_eq!(e.field, "starts_at");
        }
    }

    #[rstest]
    #[case("2026-03-02T09:00:00Z", Ok(()))]
    #[case(" 2026-03-02T09:00:00+01:00 ", Ok(()))]
    #[case("2000-01-01T00:00:00Z", Ok(()))]
    #[case("2100-01-01T00:00:00Z", Ok(()))]
    #[case("2100-01-01T00:00:00.000001Z", Err(()))]
    #[case("1999-12-31T23:59:59Z", Err(()))]
    #[case("2000-01-01T00:30:00+01:00", Err(()))]
    #[case("-262143-01-01T00:00:00Z", Err(()))]
    #[case("+262142-12-31T23:59:59Z", Err(()))]
    #[case("0001-01-01T00:00:00Z", Err(()))]
    #[case("9999-12-31T23:59:59Z", Err(()))]
    #[case("yesterday", Err(()))]
    #[case("", Err(()))]
    fn query_instants(#[case] raw: &str, #[case] want: Result<(), ()>) {
        let got = parse_instant("from", raw);
        assert_eq!(got.as_ref().map(drop).map_err(drop), want, "{raw}: {got:?}");
        if let Err(e) = got {
            assert_eq!(e.field, "from");
        }
    }
}
