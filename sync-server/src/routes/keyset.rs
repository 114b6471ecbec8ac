//! Opaque keyset cursors. A cursor is the sort key of the last row of a page,
//! as URL-safe base64 of JSON: clients pass it back untouched, and a cursor
//! that was not handed out by the same list is refused as `invalid`.

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clinic_core::api::Page;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("sort keys serialize"))
}

/// The sort key inside `raw`, if a cursor was sent.
pub fn decode<K: DeserializeOwned>(raw: Option<&str>) -> ApiResult<Option<K>> {
    let Some(raw) = raw.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid(
                "cursor",
                "is not a cursor this list handed out; start again without one",
            )
        })
}

/// Builds a page from rows fetched with `LIMIT limit + 1`: the extra row
/// only tells that another page exists.
pub fn page<T, K: Serialize>(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|last| encode(&key(last)))
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key = ("ana lópez".to_owned(), Uuid::now_v7());
        let raw = encode(&key);
        assert!(
            raw.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(decode::<(String, Uuid)>(Some(&raw)).expect("ok"), Some(key));
        assert_eq!(decode::<(String, Uuid)>(None).expect("none"), None);
        for bad in ["%%%", "bm90IGpzb24", &encode(&42)] {
            let err = decode::<(String, Uuid)>(Some(bad)).expect_err("bad");
            assert_eq!(err.field.as_deref(), Some("cursor"));
        }
    }

    #[test]
    fn pages_say_whether_more_follow() {
        let p = page(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(p.items, [1, 2]);
        assert_eq!(
            decode::<i32>(p.next_cursor.as_deref()).expect("ok"),
            Some(2)
        );
        let p = page(vec![1, 2], 2, |n| *n);
        assert_eq!(p.next_cursor, None);
    }
}
