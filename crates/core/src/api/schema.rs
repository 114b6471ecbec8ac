//! OpenAPI schemas of the values whose valid set is a list the code holds
//! (time zones, currencies): generated from the very functions that parse
//! them, so the document and the checks cannot disagree.
//!
//! The text rules that the `#[schema(...)]` attributes of the request types
//! spell out as patterns (utoipa takes only literals there) are these:
//! - required text ([`crate::contact::required_text`]): no control
//!   character, at least one that is not white space:
//!   `^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$`;
//! - optional text ([`crate::contact::optional_text`]), where blank means
//!   none: `^[^\x00-\x1F\x7F-\x9F]*$`;
//! - instants ([`crate::time`]): years 2000 to 2099, `^20[0-9]{2}-`.
//!
//! Lengths count characters, as the checks do; a schema may be stricter than
//! its check (it never admits what the check refuses).

use crate::api::doctors::MAX_SPECIALTY_LEN;
use crate::clinic::{Currency, parse_time_zone};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Object, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// Required text, as in the module's notes.
pub const REQUIRED_TEXT: &str =
    r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

/// One of a doctor's specialties, as [`crate::api::doctors::parse_specialties`]
/// takes them.
pub struct Specialty;

impl PartialSchema for Specialty {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .max_length(Some(MAX_SPECIALTY_LEN))
            .pattern(Some(REQUIRED_TEXT))
            .into()
    }
}

impl ToSchema for Specialty {}

/// An IANA time zone name that [`parse_time_zone`] accepts.
pub fn time_zone() -> Object {
    let names = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| parse_time_zone(name).is_ok());
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some("IANA time zone name, e.g. `Europe/Madrid`."))
        .enum_values(Some(names))
        .build()
}

/// An ISO 4217 code that [`Currency::parse`] accepts (lower case is read
/// too; the document lists the upper-case codes).
pub fn currency() -> Object {
    let letters = b'A'..=b'Z';
    let codes = letters.clone().flat_map(|a| {
        let letters = letters.clone();
        letters.clone().flat_map(move |b| {
            letters
                .clone()
                .map(move |c| String::from_utf8(vec![a, b, c]).expect("ASCII"))
        })
    });
    let accepted: Vec<String> = codes.filter(|code| Currency::parse(code).is_ok()).collect();
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some("ISO 4217 currency code, e.g. `EUR`."))
        .enum_values(Some(accepted))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(schema: Object) -> Vec<String> {
        schema
            .enum_values
            .expect("an enum")
            .into_iter()
            .map(|v| v.as_str().expect("a string").to_owned())
            .collect()
    }

    #[test]
    fn the_lists_hold_what_the_checks_accept() {
        let zones = listed(time_zone());
        assert!(zones.contains(&"Europe/Madrid".to_owned()));
        assert!(zones.contains(&"America/Argentina/Buenos_Aires".to_owned()));
        assert!(!zones.contains(&"Mars/Olympus".to_owned()));
        let currencies = listed(currency());
        assert!(currencies.contains(&"EUR".to_owned()));
        assert!(currencies.contains(&"JPY".to_owned()));
        assert!(!currencies.contains(&"XYZ".to_owned()));
        assert!(currencies.len() > 150, "{}", currencies.len());
    }
}
