//! Patients: registering, editing and archiving them, finding them, and their
//! clinical notes (kept apart so that roles which read a patient's identity
//! never receive them).

use crate::contact::{Email, optional_text, parse_phone, required_text};
use crate::error::Invalid;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Sex as recorded on the patient's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
}

impl Sex {
    pub const ALL: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                Invalid::new(
                    "sex",
                    format!("{raw:?} is not one of female, male or other"),
                )
            })
    }
}

/// The earliest date of birth we accept; anything older is a typo.
pub fn earliest_birth_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date")
}

/// A date of birth as `YYYY-MM-DD`, no later than `today` (the clinic's
/// local date) and not before 1900.
pub fn parse_date_of_birth(raw: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        Invalid::new(
            "date_of_birth",
            format!("{raw:?} is not a date like 1980-05-17"),
        )
    })?;
    if date > today {
        return Err(Invalid::new("date_of_birth", "is in the future"));
    }
    if date < earliest_birth_date() {
        return Err(Invalid::new("date_of_birth", "is before 1900"));
    }
    Ok(date)
}

/// Registering a patient. Only the name is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPatient {
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub full_name: String,
    /// `YYYY-MM-DD`; not in the future, not before 1900.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date, example = "1980-05-17"))]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Sex>))]
    pub sex: Option<String>,
    /// National identity or passport number, as written on it.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 50, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub national_id: Option<String>,
    /// 6 to 20 digits, with spaces, `+`, `-`, `(`, `)` or `.` between them.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 32, pattern = r"^ *$|^[ +().-]*([0-9][ +().-]*){6,20}$")
    )]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 500, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub address: Option<String>,
    /// The patient agrees to transactional email (confirmations, reminders).
    /// Requires `email`.
    #[serde(default)]
    pub email_consent: bool,
}

/// A patient's identity and contact details, checked. Empty strings mean "none".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientDetails {
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub national_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<Email>,
    pub address: Option<String>,
    pub email_consent: bool,
}

/// Optional text where an empty string also means "none".
fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl NewPatient {
    /// `today` is the clinic's local date, for the date-of-birth check.
    pub fn parse(&self, today: NaiveDate) -> Result<PatientDetails, Invalid> {
        let email = present(&self.email).map(Email::parse).transpose()?;
        if self.email_consent && email.is_none() {
            return Err(Invalid::new(
                "email",
                "is required while the patient consents to email (set email_consent to false to go without)",
            ));
        }
        Ok(PatientDetails {
            full_name: required_text("full_name", &self.full_name, 200)?,
            date_of_birth: present(&self.date_of_birth)
                .map(|d| parse_date_of_birth(d, today))
                .transpose()?,
            sex: present(&self.sex).map(Sex::parse).transpose()?,
            national_id: optional_text("national_id", self.national_id.as_deref(), 50)?,
            phone: present(&self.phone).map(parse_phone).transpose()?,
            email,
            address: optional_text("address", self.address.as_deref(), 500)?,
            email_consent: self.email_consent,
        })
    }
}

impl From<&PatientDetails> for NewPatient {
    fn from(p: &PatientDetails) -> Self {
        NewPatient {
            full_name: p.full_name.clone(),
            date_of_birth: p.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()),
            sex: p.sex.map(|s| s.as_str().to_owned()),
            national_id: p.national_id.clone(),
            phone: p.phone.clone(),
            email: p.email.as_ref().map(|e| e.as_str().to_owned()),
            address: p.address.clone(),
            email_consent: p.email_consent,
        }
    }
}

/// A partial update: an absent field keeps its value, `null` (or an empty
/// string) clears it. `full_name` cannot be cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePatient {
    /// Cannot be cleared.
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false, max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"))]
    pub full_name: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date, nullable))]
    pub date_of_birth: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Sex>, nullable))]
    pub sex: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, nullable, max_length = 50, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"))]
    pub national_id: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, nullable, max_length = 32, pattern = r"^ *$|^[ +().-]*([0-9][ +().-]*){6,20}$"))]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, nullable, format = Email, max_length = 254))]
    pub email: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::api::nullable::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, nullable, max_length = 500, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"))]
    pub address: Option<Option<String>>,
    /// `false` withdraws consent (and forgets when it was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub email_consent: Option<bool>,
    /// `true` archives the patient (like DELETE), `false` restores an archived one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub archived: Option<bool>,
}

/// `patch` over `current`: absent keeps, `null` clears.
fn merge(current: Option<String>, patch: &Option<Option<String>>) -> Option<String> {
    match patch {
        None => current,
        Some(v) => v.clone(),
    }
}

impl UpdatePatient {
    /// The patient's details after this update, checked by the same rules as
    /// a registration.
    pub fn apply_to(
        &self,
        current: &PatientDetails,
        today: NaiveDate,
    ) -> Result<PatientDetails, Invalid> {
        let base = NewPatient::from(current);
        let full_name = match &self.full_name {
            None => base.full_name,
            Some(None) => return Err(Invalid::new("full_name", "is required")),
            Some(Some(name)) => name.clone(),
        };
        NewPatient {
            full_name,
            date_of_birth: merge(base.date_of_birth, &self.date_of_birth),
            sex: merge(base.sex, &self.sex),
            national_id: merge(base.national_id, &self.national_id),
            phone: merge(base.phone, &self.phone),
            email: merge(base.email, &self.email),
            address: merge(base.address, &self.address),
            email_consent: self.email_consent.unwrap_or(base.email_consent),
        }
        .parse(today)
    }
}

/// A patient as the API shows them: identity and contact, nothing clinical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientView {
    pub id: Uuid,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub national_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub email_consent: bool,
    /// When consent was given; absent without consent.
    pub email_consent_at: Option<DateTime<Utc>>,
    /// Set while the patient is archived: kept with their history, not bookable.
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `?q=&include_archived=` of the patient list, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PatientFilter {
    /// Words of the name (any order, case and accents ignored), part of the
    /// email, or digits of the phone number.
    #[cfg_attr(
        feature = "openapi",
        param(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub q: Option<String>,
    /// Also list archived patients (default false).
    pub include_archived: Option<bool>,
}

/// The patient list's filter, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PatientSearch {
    /// Trimmed search text, if any.
    pub text: Option<String>,
    /// Its whitespace-separated words, for name matching.
    pub words: Vec<String>,
    /// Its digits, when there are enough of them (3+) to look for a phone.
    pub digits: Option<String>,
    pub include_archived: bool,
}

impl PatientFilter {
    pub fn parse(&self) -> Result<PatientSearch, Invalid> {
        let text = optional_text("q", self.q.as_deref(), 100)?;
        let words = text
            .as_deref()
            .map(|t| t.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let digits = text
            .as_deref()
            .map(|t| t.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|d| d.len() >= 3);
        Ok(PatientSearch {
            text,
            words,
            digits,
            include_archived: self.include_archived.unwrap_or(false),
        })
    }
}

/// The longest clinical note we store.
pub const MAX_NOTE_CHARS: usize = 20_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewClinicalNote {
    /// 1 to 20 000 characters; line breaks and tabs are kept.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 20000,
            pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
        )
    )]
    pub body: String,
}

impl NewClinicalNote {
    /// The note's text, trimmed. Unlike names, notes keep their line breaks.
    pub fn parse(&self) -> Result<String, Invalid> {
        let body = self.body.trim();
        if body.is_empty() {
            return Err(Invalid::new("body", "is required"));
        }
        if body.chars().count() > MAX_NOTE_CHARS {
            return Err(Invalid::new(
                "body",
                format!("is longer than {MAX_NOTE_CHARS} characters"),
            ));
        }
        if body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(Invalid::new("body", "contains control characters"));
        }
        Ok(body.to_owned())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClinicalNoteView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
    }

    fn ana() -> NewPatient {
        NewPatient {
            full_name: "  Ana López ".into(),
            ..NewPatient::default()
        }
    }

    #[test]
    fn a_name_is_enough_and_blanks_mean_none() {
        let p = NewPatient {
            phone: Some(" ".into()),
            email: Some(String::new()),
            sex: Some(String::new()),
            ..ana()
        }
        .parse(today())
        .expect("valid");
        assert_eq!(p.full_name, "Ana López");
        assert_eq!((p.phone, p.email, p.sex), (None, None, None));
    }

    #[rstest]
    #[case("2026-11-21", true)]
    #[case("2026-11-22", false)]
    #[case("1900-01-01", true)]
    #[case("1899-12-31", false)]
    #[case("21/11/1980", false)]
    #[case("1980-02-30", false)]
    fn dates_of_birth(#[case] raw: &str, #[case] ok: bool) {
        let r = parse_date_of_birth(raw, today());
        assert_eq!(r.is_ok(), ok, "{raw}: {r:?}");
        if let Err(e) = r {
            assert_eq!(e.field, "date_of_birth");
        }
    }

    #[test]
    fn consent_needs_an_email() {
        let err = NewPatient {
            email_consent: true,
            ..ana()
        }
        .parse(today())
        .expect_err("no email");
        assert_eq!(err.field, "email");
        let ok = NewPatient {
            email_consent: true,
            email: Some("Ana@Example.com".into()),
            ..ana()
        }
        .parse(today())
        .expect("valid");
        assert_eq!(ok.email.expect("email").as_str(), "ana@example.com");
    }

    #[rstest]
    #[case("sex", serde_json::json!({"full_name": "A", "sex": "f"}))]
    #[case("phone", serde_json::json!({"full_name": "A", "phone": "call me"}))]
    #[case("email", serde_json::json!({"full_name": "A", "email": "nope"}))]
    #[case("full_name", serde_json::json!({"full_name": " "}))]
    #[case("national_id", serde_json::json!({"full_name": "A", "national_id": "x".repeat(51)}))]
    fn bad_fields_are_named(#[case] field: &str, #[case] body: serde_json::Value) {
        let p: NewPatient = serde_json::from_value(body).expect("shape");
        assert_eq!(p.parse(today()).expect_err("invalid").field, field);
    }

    #[test]
    fn updates_keep_clear_and_replace() {
        let current = NewPatient {
            phone: Some("600 100 200".into()),
            email: Some("ana@example.com".into()),
            email_consent: true,
            ..ana()
        }
        .parse(today())
        .expect("valid");
        let patch: UpdatePatient =
            serde_json::from_str(r#"{"phone": null, "address": "Calle Mayor 1"}"#).expect("patch");
        let next = patch.apply_to(&current, today()).expect("valid");
        assert_eq!(next.phone, None);
        assert_eq!(next.address.as_deref(), Some("Calle Mayor 1"));
        assert_eq!(next.email, current.email);
        assert!(next.email_consent);

        // Clearing the email while consent stands is refused; withdrawing both is fine.
        let patch: UpdatePatient = serde_json::from_str(r#"{"email": null}"#).expect("patch");
        assert_eq!(
            patch
                .apply_to(&current, today())
                .expect_err("consent")
                .field,
            "email"
        );
        let patch: UpdatePatient =
            serde_json::from_str(r#"{"email": null, "email_consent": false}"#).expect("patch");
        let next = patch.apply_to(&current, today()).expect("valid");
        assert_eq!((next.email, next.email_consent), (None, false));

        let patch: UpdatePatient = serde_json::from_str(r#"{"full_name": null}"#).expect("patch");
        assert_eq!(
            patch.apply_to(&current, today()).expect_err("name").field,
            "full_name"
        );
    }

    #[test]
    fn search_text_splits_into_words_and_digits() {
        let s = PatientFilter {
            q: Some("  López  600 12 ".into()),
            include_archived: None,
        }
        .parse()
        .expect("valid");
        assert_eq!(s.words, ["López", "600", "12"]);
        assert_eq!(s.digits.as_deref(), Some("60012"));
        assert!(!s.include_archived);
        let s = PatientFilter {
            q: Some("Ana 1".into()),
            include_archived: Some(true),
        }
        .parse()
        .expect("valid");
        assert_eq!(s.digits, None);
        assert_eq!(PatientFilter::default().parse().expect("empty").text, None);
    }

    #[test]
    fn notes_keep_line_breaks_but_not_other_controls() {
        let body = |b: &str| NewClinicalNote { body: b.to_owned() }.parse();
        assert_eq!(
            body(" BP 120/80\n\tstable ").expect("valid"),
            "BP 120/80\n\tstable"
        );
        assert!(body("  \n ").is_err());
        assert!(body("a\u{7}b").is_err());
        assert!(body(&"x".repeat(MAX_NOTE_CHARS + 1)).is_err());
        assert!(body(&"é".repeat(MAX_NOTE_CHARS)).is_ok());
    }
}
