//! Keyset pagination on the server side: a list is read one row past the
//! page, and the last row's sort key becomes the opaque `next_cursor`
//! (base64url of its JSON), which the next request hands back verbatim.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clinic_core::api::Page;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn encode<K: Serialize>(key: &K) -> String {
    // Serializing plain keys (strings, ids, times) cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The sort key inside `raw`; anything this list did not give out is 422 `cursor`.
pub fn decode<K: DeserializeOwned>(raw: &str) -> Result<K, ApiError> {
    URL_SAFE_NO_PAD
        .decode(raw.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this list gave out"))
}

/// Turns `rows` (fetched with `LIMIT limit + 1`) into a page of views, with a
/// cursor only when there is more to read.
pub fn page<R, K: Serialize, V>(
    mut rows: Vec<R>,
    limit: u32,
    key: impl Fn(&R) -> K,
    view: impl Fn(R) -> V,
) -> Page<V> {
    let limit = limit as usize;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let key = ("dr. ana".to_owned(), Uuid::now_v7());
        let back: (String, Uuid) = decode(&encode(&key)).expect("round trip");
        assert_eq!(back, key);
        for junk in ["", "!!", "bm90IGpzb24", &encode(&42)] {
            let err = decode::<(String, Uuid)>(junk).expect_err("junk");
            assert_eq!(err.field.as_deref(), Some("cursor"));
        }
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let p = page(vec![1, 2, 3], 2, |r| *r, |r| r * 10);
        assert_eq!(p.items, [10, 20]);
        let next: i32 = decode(p.next_cursor.as_deref().expect("more")).expect("cursor");
        assert_eq!(next, 2);
        let last = page(vec![1, 2], 2, |r| *r, |r| r);
        assert_eq!(last.next_cursor, None);
    }
}
