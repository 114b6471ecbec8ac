//! A clinic's settings: where it is in time, which language it speaks, which money it uses.

use crate::error::Invalid;
use serde::{Deserialize, Serialize};

/// The UI and email languages we ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "es")]
    Es,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "en" => Ok(Locale::En),
            "es" => Ok(Locale::Es),
            _ => Err(Invalid::new(
                "locale",
                format!("{raw:?} is not supported; use en or es"),
            )),
        }
    }
}

/// An IANA time zone name such as `Europe/Madrid`.
pub fn parse_time_zone(raw: &str) -> Result<chrono_tz::Tz, Invalid> {
    raw.parse::<chrono_tz::Tz>()
        .map_err(|_| Invalid::new("time_zone", format!("{raw:?} is not an IANA time zone")))
}

/// An ISO 4217 currency code such as `EUR`, with its number of minor units,
/// which is what Stripe amounts are counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        iso_currency::Currency::from_code(&raw.to_ascii_uppercase())
            .map(Currency)
            .ok_or_else(|| Invalid::new("currency", format!("{raw:?} is not an ISO 4217 currency")))
    }
    pub fn code(self) -> String {
        self.0.code().to_owned()
    }
    /// Digits after the decimal point (2 for EUR, 0 for JPY).
    pub fn minor_units(self) -> u16 {
        self.0.exponent().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse() {
        assert_eq!(
            parse_time_zone("Europe/Madrid").expect("tz").name(),
            "Europe/Madrid"
        );
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert_eq!(Locale::parse("es"), Ok(Locale::Es));
        assert!(Locale::parse("fr").is_err());
        assert_eq!(Currency::parse("eur").expect("eur").code(), "EUR");
        assert_eq!(Currency::parse("JPY").expect("jpy").minor_units(), 0);
        assert!(Currency::parse("XYZ1").is_err());
    }
}
