//! Partial updates that can also clear a field: in a PATCH body an absent
//! field keeps its value, `null` clears it, and a value replaces it.
//!
//! ```text
//! #[serde(default, deserialize_with = "crate::api::nullable::deserialize")]
//! pub phone: Option<Option<String>>,
//! ```

use serde::{Deserialize, Deserializer};

/// `None` when the field is absent (via `#[serde(default)]`), `Some(None)`
/// for `null`, `Some(Some(v))` for a value.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "super::deserialize")]
        phone: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let p: Patch = serde_json::from_str("{}").expect("absent");
        assert_eq!(p.phone, None);
        let p: Patch = serde_json::from_str(r#"{"phone": null}"#).expect("null");
        assert_eq!(p.phone, Some(None));
        let p: Patch = serde_json::from_str(r#"{"phone": "600"}"#).expect("value");
        assert_eq!(p.phone, Some(Some("600".to_owned())));
    }
}
