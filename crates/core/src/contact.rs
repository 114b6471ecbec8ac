//! People's names and how to reach them, parsed once at the edge.

use crate::error::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An email address, trimmed and lower-cased so that one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_lowercase();
        if s.len() > 254 {
            return Err(Invalid::new("email", "is longer than 254 characters"));
        }
        match email_address::EmailAddress::from_str(&s) {
            // A bare domain ("a@localhost") is legal but never a clinic's mailbox.
            Ok(addr) if addr.domain().contains('.') => Ok(Email(s)),
            _ => Err(Invalid::new(
                "email",
                format!("{raw:?} is not an email address"),
            )),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Email::parse(&s)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims `raw` and checks it is 1..=`max` characters with no control characters.
pub fn required_text(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(field, "is required"));
    }
    if s.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(Invalid::new(field, "contains control characters"));
    }
    Ok(s.to_owned())
}

/// Like [`required_text`] but an empty or missing value means "none".
pub fn optional_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => required_text(field, s, max).map(Some),
    }
}

/// A phone number as staff type it. Kept as written (spaces, dashes) because
/// clinics have no single country to normalise against; it must hold 6–20
/// digits and only the characters people use in numbers.
pub fn parse_phone(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if !s.chars().all(allowed) || !(6..=20).contains(&digits) || s.len() > 32 {
        return Err(Invalid::new(
            "phone",
            format!("{raw:?} is not a phone number"),
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Ana@Example.COM ", "ana@example.com")]
    #[case("front.desk+es@clinic.example.org", "front.desk+es@clinic.example.org")]
    fn emails_normalise(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(Email::parse(raw).expect("valid").as_str(), want);
    }

    #[rstest]
    #[case("")]
    #[case("ana")]
    #[case("ana@")]
    #[case("ana@localhost")]
    #[case("a b@example.com")]
    fn bad_emails_are_rejected(#[case] raw: &str) {
        assert_eq!(Email::parse(raw).expect_err("invalid").field, "email");
    }

    #[rstest]
    #[case("+34 912 345 678", true)]
    #[case("(555) 010-9999", true)]
    #[case("12345", false)]
    #[case("call me", false)]
    fn phones(#[case] raw: &str, #[case] ok: bool) {
        assert_eq!(parse_phone(raw).is_ok(), ok);
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("name", "  Ana ", 10).expect("ok"), "Ana");
        assert!(required_text("name", "   ", 10).is_err());
        assert!(required_text("name", "abcdefghijk", 10).is_err());
        assert!(required_text("name", "a\u{0}b", 10).is_err());
        assert_eq!(optional_text("note", Some("  "), 10).expect("ok"), None);
    }
}
