//! Opaque keyset cursors: the sort key of a page's last row, as URL-safe
//! base64 of its JSON. Clients only hand them back; a cursor that does not
//! decode into the list's key, or whose parts no row of the list could
//! have (a NUL or other control character, an endless string, an instant
//! outside the product's range), is refused as `invalid` on field `cursor`
//! before it reaches SQL.
//!
//! Cursors are checked, not signed: a forged cursor that passes the checks
//! only says where to start reading the member's own list, which row-level
//! security and the list's filters already bound, so it reveals nothing
//! that paging would not. Signing would need a key shared by every server
//! instance (configuration and its rotation) and would turn every cursor
//! out at each rotation, for no protection the checks do not give.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use clinic_core::api::Page;
use clinic_core::time::check_instant;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The longest text a sort key may hold. Keys are names of at most 200
/// characters (lower-cased); twice that leaves room without letting a
/// cursor carry an essay into a comparison.
pub const MAX_KEY_TEXT: usize = 400;

/// One part of a list's sort key. Its check is what makes a decoded key
/// one the list could have issued.
pub trait KeyPart {
    /// Why this value cannot come from a row of a list, if it cannot.
    fn check(&self) -> Result<(), String>;
}

impl KeyPart for String {
    fn check(&self) -> Result<(), String> {
        if self.chars().any(char::is_control) {
            return Err("holds a control character".into());
        }
        if self.chars().count() > MAX_KEY_TEXT {
            return Err(format!("holds text longer than {MAX_KEY_TEXT} characters"));
        }
        Ok(())
    }
}

impl KeyPart for DateTime<Utc> {
    fn check(&self) -> Result<(), String> {
        check_instant("cursor", *self)
            .map(drop)
            .map_err(|e| format!("holds a time that {}", e.message))
    }
}

impl KeyPart for Uuid {
    fn check(&self) -> Result<(), String> {
        // Any value that parsed as a uuid is one PostgreSQL takes.
        Ok(())
    }
}

/// A list's sort key: the shapes the lists use, (name, id) and (time, id).
pub trait SortKey: Serialize + DeserializeOwned {
    fn check(&self) -> Result<(), String>;
}

impl<A, B> SortKey for (A, B)
where
    A: KeyPart + Serialize + DeserializeOwned,
    B: KeyPart + Serialize + DeserializeOwned,
{
    fn check(&self) -> Result<(), String> {
        self.0.check()?;
        self.1.check()
    }
}

pub fn encode<K: SortKey>(key: &K) -> String {
    // A sort key made of ids, names and times always serialises.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The key in `cursor`, checked, or `None` for the first page.
pub fn decode<K: SortKey>(cursor: Option<&str>) -> Result<Option<K>, ApiError> {
    let Some(raw) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let refused = |why: &str| {
        ApiError::invalid(
            "cursor",
            format!("is not a cursor this list handed out ({why}); start over from the first page"),
        )
    };
    let key: K = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| refused("it does not decode"))?;
    key.check().map_err(|why| refused(&why))?;
    Ok(Some(key))
}

/// Turns `limit + 1` fetched rows into a page: the extra row only tells that
/// there is a next page, whose cursor is the last kept row's key.
pub fn page<R, T, K: SortKey>(
    mut rows: Vec<R>,
    limit: u32,
    key: impl Fn(&R) -> K,
    view: impl FnMut(R) -> Result<T, ApiError>,
) -> Result<Page<T>, ApiError> {
    let limit = limit as usize;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    Ok(Page {
        items: rows.into_iter().map(view).collect::<Result<_, _>>()?,
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn raw(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn cursors_round_trip() {
        let named = ("ana lópez".to_owned(), Uuid::now_v7());
        assert_eq!(
            decode::<(String, Uuid)>(Some(&encode(&named))).expect("decodes"),
            Some(named)
        );
        let timed = (
            "2026-03-02T09:00:00.123456Z"
                .parse::<DateTime<Utc>>()
                .expect("t"),
            Uuid::now_v7(),
        );
        assert_eq!(
            decode::<(DateTime<Utc>, Uuid)>(Some(&encode(&timed))).expect("decodes"),
            Some(timed)
        );
        assert!(
            decode::<(String, Uuid)>(None)
                .expect("first page")
                .is_none()
        );
        assert!(
            decode::<(String, Uuid)>(Some("  "))
                .expect("blank")
                .is_none()
        );
    }

    const ID: &str = "914c332b-712e-4f2b-bb72-42cbc42b8f23";

    #[rstest]
    #[case::not_base64("!!!")]
    #[case::standard_base64_padding(
        "WyJhIiwgIjkxNGMzMzJiLTcxMmUtNGYyYi1iYjcyLTQyY2JjNDJiOGYyMyJd=="
    )]
    #[case::not_json(&raw("not json"))]
    #[case::a_number(&raw("42"))]
    #[case::one_part(&raw(r#"["a"]"#))]
    #[case::three_parts(&raw(&format!(r#"["a", "{ID}", 1]"#)))]
    #[case::parts_swapped(&raw(&format!(r#"["{ID}", 7]"#)))]
    #[case::not_an_id(&raw(r#"["a", "7"]"#))]
    #[case::nul(&raw(&format!(r#"["a\u0000", "{ID}"]"#)))]
    #[case::other_control(&raw(&format!(r#"["a\u001b[2J", "{ID}"]"#)))]
    #[case::endless_text(&raw(&format!(r#"["{}", "{ID}"]"#, "x".repeat(MAX_KEY_TEXT + 1))))]
    fn crafted_name_cursors_are_refused(#[case] cursor: &str) {
        let err = decode::<(String, Uuid)>(Some(cursor)).expect_err("refused");
        assert_eq!(err.field.as_deref(), Some("cursor"), "{cursor}");
        assert_eq!(err.status().as_u16(), 422);
    }

    #[rstest]
    #[case::chrono_min("-262143-01-01T00:00:00Z")]
    #[case::chrono_max("+262142-12-31T23:59:59Z")]
    #[case::year_one("0001-01-01T00:00:00Z")]
    #[case::year_9999("9999-12-31T23:59:59Z")]
    #[case::just_before_the_range("1999-12-31T23:59:59Z")]
    #[case::not_a_time("yesterday")]
    fn crafted_time_cursors_are_refused(#[case] at: &str) {
        let cursor = raw(&format!(r#"["{at}", "{ID}"]"#));
        let err = decode::<(DateTime<Utc>, Uuid)>(Some(&cursor)).expect_err("refused");
        assert_eq!(err.field.as_deref(), Some("cursor"), "{at}");
    }

    #[test]
    fn the_longest_name_a_list_holds_still_pages() {
        let key = ("é".repeat(MAX_KEY_TEXT), Uuid::now_v7());
        assert!(decode::<(String, Uuid)>(Some(&encode(&key))).is_ok());
    }

    #[test]
    fn pages_keep_limit_rows_and_point_past_the_last() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let key = |id: &Uuid| (id.to_string(), *id);
        let page = page(ids.clone(), 2, key, Ok::<Uuid, ApiError>).expect("page");
        assert_eq!(page.items, ids[..2]);
        assert_eq!(
            decode::<(String, Uuid)>(page.next_cursor.as_deref()).expect("ok"),
            Some(key(&ids[1]))
        );
        let last = super::page(ids[..2].to_vec(), 2, key, Ok::<Uuid, ApiError>).expect("page");
        assert_eq!(last.next_cursor, None);
    }
}
