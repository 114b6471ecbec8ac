//! Doctors, their weekly working hours and their time off.

use crate::contact::{optional_text, required_text};
use crate::error::Invalid;
use crate::limits::REASON_MAX_CHARS;
use crate::schedule::{TimeRange, WorkingHours, validate_week};
use crate::time::parse_instant;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_SPECIALTIES: usize = 20;
pub const MAX_SPECIALTY_LEN: usize = 100;
/// The longest single stretch of time off (a year's leave, with a leap day).
pub const MAX_TIME_OFF: TimeDelta = TimeDelta::days(366);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DoctorView {
    pub id: Uuid,
    pub full_name: String,
    pub specialties: Vec<String>,
    /// The staff member (role `doctor`) who signs in as this doctor, if any.
    pub user_id: Option<Uuid>,
    /// Archived doctors are inactive: kept for history, not bookable.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDoctor {
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub full_name: String,
    /// Trimmed, de-duplicated ignoring case; at most 20 of at most 100 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20, inline, value_type = Vec<crate::api::schema::Specialty>))]
    pub specialties: Vec<String>,
    /// A member of this clinic with the role `doctor`; one doctor per member.
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

/// A new doctor, checked. Whether `user_id` is a doctor of the clinic is for
/// the server to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorDraft {
    pub full_name: String,
    pub specialties: Vec<String>,
    pub user_id: Option<Uuid>,
}

impl NewDoctor {
    pub fn parse(&self) -> Result<DoctorDraft, Invalid> {
        Ok(DoctorDraft {
            full_name: required_text("full_name", &self.full_name, 200)?,
            specialties: parse_specialties(&self.specialties)?,
            user_id: self.user_id,
        })
    }
}

/// Trims each specialty and drops later spellings of one already listed
/// ("Cardiology", "cardiology " → "Cardiology"), keeping the given order.
pub fn parse_specialties(raw: &[String]) -> Result<Vec<String>, Invalid> {
    let mut kept: Vec<String> = Vec::new();
    for entry in raw {
        let s = entry.trim();
        if s.is_empty() {
            return Err(Invalid::new("specialties", "an entry is empty"));
        }
        if s.chars().count() > MAX_SPECIALTY_LEN {
            return Err(Invalid::new(
                "specialties",
                format!("an entry is longer than {MAX_SPECIALTY_LEN} characters"),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(Invalid::new(
                "specialties",
                "an entry contains control characters",
            ));
        }
        if !kept.iter().any(|k| k.to_lowercase() == s.to_lowercase()) {
            kept.push(s.to_owned());
        }
    }
    if kept.len() > MAX_SPECIALTIES {
        return Err(Invalid::new(
            "specialties",
            format!("lists more than {MAX_SPECIALTIES} specialties"),
        ));
    }
    Ok(kept)
}

/// A partial update: absent fields stay as they are. `user_id: null` unlinks
/// the doctor from their staff account; an absent `user_id` leaves the link.
/// `active: false` archives (refused while appointments are upcoming, as for
/// DELETE); `active: true` brings an archived doctor back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateDoctor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            nullable = false,
            max_length = 200,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub full_name: Option<String>,
    /// As for a new doctor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_items = 20, inline, value_type = Option<Vec<crate::api::schema::Specialty>>))]
    pub specialties: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>, nullable))]
    pub user_id: Option<Option<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub active: Option<bool>,
}

/// A checked [`UpdateDoctor`]; `None` means unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoctorChanges {
    pub full_name: Option<String>,
    pub specialties: Option<Vec<String>>,
    pub user_id: Option<Option<Uuid>>,
    pub active: Option<bool>,
}

impl UpdateDoctor {
    pub fn parse(&self) -> Result<DoctorChanges, Invalid> {
        Ok(DoctorChanges {
            full_name: self
                .full_name
                .as_deref()
                .map(|n| required_text("full_name", n, 200))
                .transpose()?,
            specialties: self
                .specialties
                .as_deref()
                .map(parse_specialties)
                .transpose()?,
            user_id: self.user_id,
            active: self.active,
        })
    }
}

/// Filters of the doctor list (with `limit` and `cursor`, see `PageQuery`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DoctorFilter {
    /// `true` (the default) lists working doctors, `false` archived ones.
    pub active: Option<bool>,
    /// Doctors holding this specialty, ignoring case.
    #[cfg_attr(
        feature = "openapi",
        param(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub specialty: Option<String>,
    /// Part of the doctor's name, ignoring case.
    #[cfg_attr(
        feature = "openapi",
        param(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub q: Option<String>,
}

/// A checked [`DoctorFilter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorSearch {
    pub active: bool,
    pub specialty: Option<String>,
    pub name_contains: Option<String>,
}

impl DoctorFilter {
    pub fn parse(&self) -> Result<DoctorSearch, Invalid> {
        Ok(DoctorSearch {
            active: self.active.unwrap_or(true),
            specialty: optional_text("specialty", self.specialty.as_deref(), MAX_SPECIALTY_LEN)?,
            name_contains: optional_text("q", self.q.as_deref(), 200)?,
        })
    }
}

/// A doctor's whole week, as read and as replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    /// Wall-clock intervals in the clinic's time zone; none overlapping on one day.
    pub hours: Vec<WorkingHours>,
}

impl WeekHours {
    /// The week, checked and in order (by weekday, then start).
    pub fn parse(&self) -> Result<Vec<WorkingHours>, Invalid> {
        validate_week(&self.hours)?;
        let mut week = self.hours.clone();
        week.sort_by_key(|h| (h.weekday, h.starts));
        Ok(week)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeOffView {
    pub id: Uuid,
    pub doctor_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTimeOff {
    /// From 2000-01-01 to 2100-01-01 (UTC), like every instant.
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`, at most 366 days later.
    pub ends_at: DateTime<Utc>,
    /// At most 500 characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 500, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub reason: Option<String>,
}

/// A checked [`NewTimeOff`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOffDraft {
    pub range: TimeRange,
    pub reason: Option<String>,
}

impl NewTimeOff {
    pub fn parse(&self) -> Result<TimeOffDraft, Invalid> {
        let range = TimeRange::new(self.starts_at, self.ends_at)?;
        if range.ends_at - range.starts_at > MAX_TIME_OFF {
            return Err(Invalid::new(
                "ends_at",
                "time off lasts at most 366 days; record longer leave as several entries",
            ));
        }
        Ok(TimeOffDraft {
            range,
            reason: optional_text("reason", self.reason.as_deref(), REASON_MAX_CHARS)?,
        })
    }
}

/// Time off is recorded even over booked appointments (a doctor falls ill);
/// the live ones it overlaps are listed so the desk can move them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeOffCreated {
    #[serde(flatten)]
    pub time_off: TimeOffView,
    /// Booked or checked-in appointments of this doctor inside the time off.
    pub affected_appointments: Vec<Uuid>,
}

/// `?from=&to=` of the time-off list: entries overlapping `[from, to)`.
/// RFC 3339; send `Z`, or percent-encode a `+` offset (`%2B`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TimeOffFilter {
    /// Entries ending after this instant.
    #[cfg_attr(feature = "openapi", param(format = DateTime))]
    pub from: Option<String>,
    /// Entries starting before this instant.
    #[cfg_attr(feature = "openapi", param(format = DateTime))]
    pub to: Option<String>,
}

/// A checked [`TimeOffFilter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOffWindow {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl TimeOffFilter {
    pub fn parse(&self) -> Result<TimeOffWindow, Invalid> {
        let instant = |field: &'static str, raw: &Option<String>| {
            raw.as_deref().map(|s| parse_instant(field, s)).transpose()
        };
        let window = TimeOffWindow {
            from: instant("from", &self.from)?,
            to: instant("to", &self.to)?,
        };
        if let (Some(from), Some(to)) = (window.from, window.to)
            && to <= from
        {
            return Err(Invalid::new("to", "must be after from"));
        }
        Ok(window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rstest::rstest;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn specialties_are_trimmed_and_deduplicated_ignoring_case() {
        let got = parse_specialties(&strings(&[
            " Cardiology",
            "cardiology ",
            "Échographie",
            "ÉCHOGRAPHIE",
        ]))
        .expect("valid");
        assert_eq!(got, strings(&["Cardiology", "Échographie"]));
        // Twenty-one entries are fine when two are the same specialty.
        let mut many: Vec<String> = (0..20).map(|i| format!("S{i}")).collect();
        many.push("s0".into());
        assert_eq!(parse_specialties(&many).expect("valid").len(), 20);
    }

    #[rstest]
    #[case(&[" "])]
    #[case(&["ok", ""])]
    #[case(&["a\tb"])]
    fn bad_specialties(#[case] raw: &[&str]) {
        assert_eq!(
            parse_specialties(&strings(raw)).expect_err("invalid").field,
            "specialties"
        );
    }

    #[test]
    fn specialty_limits() {
        assert!(parse_specialties(&["x".repeat(100)]).is_ok());
        assert!(parse_specialties(&["x".repeat(101)]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("S{i}")).collect();
        assert!(parse_specialties(&many).is_err());
    }

    #[test]
    fn user_id_null_clears_and_absent_keeps() {
        let keep: UpdateDoctor = serde_json::from_str(r#"{"full_name": "Ana"}"#).expect("json");
        assert_eq!(keep.user_id, None);
        let clear: UpdateDoctor = serde_json::from_str(r#"{"user_id": null}"#).expect("json");
        assert_eq!(clear.user_id, Some(None));
        let id = Uuid::now_v7();
        let set: UpdateDoctor =
            serde_json::from_value(serde_json::json!({ "user_id": id })).expect("json");
        assert_eq!(set.user_id, Some(Some(id)));
        // And the desk's own requests say the same thing on the wire.
        assert_eq!(
            serde_json::to_value(&clear).expect("json"),
            serde_json::json!({"user_id": null})
        );
        assert_eq!(
            serde_json::to_value(&keep).expect("json"),
            serde_json::json!({"full_name": "Ana"})
        );
        assert!(serde_json::from_str::<UpdateDoctor>(r#"{"activ": false}"#).is_err());
    }

    #[test]
    fn time_off_is_bounded() {
        let s = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("t");
        let off = |ends_at, reason: Option<&str>| NewTimeOff {
            starts_at: s,
            ends_at,
            reason: reason.map(str::to_owned),
        };
        assert!(off(s + TimeDelta::days(366), Some("  ")).parse().is_ok());
        assert_eq!(
            off(s + TimeDelta::days(1), Some("  "))
                .parse()
                .expect("ok")
                .reason,
            None
        );
        assert_eq!(off(s, None).parse().expect_err("empty").field, "ends_at");
        assert_eq!(
            off(s + TimeDelta::days(367), None)
                .parse()
                .expect_err("long")
                .field,
            "ends_at"
        );
        assert_eq!(
            off(s + TimeDelta::hours(1), Some(&"x".repeat(501)))
                .parse()
                .expect_err("reason")
                .field,
            "reason"
        );
    }

    #[rstest]
    #[case("-262143-01-01T00:00:00Z", "-262143-01-02T00:00:00Z", "starts_at")]
    #[case("0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z", "starts_at")]
    #[case("9999-12-30T00:00:00Z", "9999-12-31T23:59:59Z", "starts_at")]
    #[case("2099-12-31T00:00:00Z", "+262142-12-31T23:59:59Z", "ends_at")]
    fn time_off_outside_the_products_years_is_refused(
        #[case] starts_at: &str,
        #[case] ends_at: &str,
        #[case] field: &str,
    ) {
        let off = NewTimeOff {
            starts_at: starts_at.parse().expect("t"),
            ends_at: ends_at.parse().expect("t"),
            reason: None,
        };
        assert_eq!(off.parse().expect_err("out of range").field, field);
    }

    #[rstest]
    #[case("-262143-01-01T00:00:00Z")]
    #[case("+262142-12-31T23:59:59Z")]
    #[case("0001-01-01T00:00:00Z")]
    #[case("9999-12-31T23:59:59Z")]
    fn time_off_window_outside_the_products_years_is_refused(#[case] extreme: &str) {
        let f = |from: Option<&str>, to: Option<&str>| TimeOffFilter {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        };
        assert_eq!(
            f(Some(extreme), None).parse().expect_err("from").field,
            "from"
        );
        assert_eq!(f(None, Some(extreme)).parse().expect_err("to").field, "to");
    }

    #[test]
    fn time_off_window() {
        let f = |from: Option<&str>, to: Option<&str>| TimeOffFilter {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        };
        let w = f(Some("2026-03-02T09:00:00+01:00"), None)
            .parse()
            .expect("ok");
        assert_eq!(w.from, Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).single());
        assert_eq!(
            f(Some("yesterday"), None).parse().expect_err("bad").field,
            "from"
        );
        assert_eq!(
            f(Some("2026-03-02T09:00:00Z"), Some("2026-03-01T09:00:00Z"))
                .parse()
                .expect_err("reversed")
                .field,
            "to"
        );
    }

    #[test]
    fn weeks_come_back_in_order() {
        let week: WeekHours = serde_json::from_value(serde_json::json!({"hours": [
            {"weekday": 2, "starts": "09:00", "ends": "13:00"},
            {"weekday": 1, "starts": "15:00", "ends": "19:00"},
            {"weekday": 1, "starts": "09:00", "ends": "13:00"},
        ]}))
        .expect("json");
        let parsed = week.parse().expect("valid");
        let order: Vec<(u8, String)> = parsed
            .iter()
            .map(|h| (h.weekday, h.starts.format("%H:%M").to_string()))
            .collect();
        assert_eq!(
            order,
            [
                (1, "09:00".into()),
                (1, "15:00".into()),
                (2, "09:00".into())
            ]
        );
    }
}
