//! Opaque keyset cursors: the sort key of a page's last row, as URL-safe
//! base64 of its JSON. Clients only hand them back; a cursor that does not
//! decode into the list's key is refused as `invalid` on field `cursor`.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clinic_core::api::Page;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn encode<K: Serialize>(key: &K) -> String {
    // A sort key made of ids, names and times always serialises.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The key in `cursor`, or `None` for the first page.
pub fn decode<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, ApiError> {
    let Some(raw) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid("cursor", "is not a cursor this list handed out; start over")
        })
}

/// Turns `limit + 1` fetched rows into a page: the extra row only tells that
/// there is a next page, whose cursor is the last kept row's key.
pub fn page<R, T, K: Serialize>(
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
    use uuid::Uuid;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key = ("Ana".to_owned(), Uuid::now_v7());
        let cursor = encode(&key);
        assert_eq!(
            decode::<(String, Uuid)>(Some(&cursor)).expect("decodes"),
            Some(key)
        );
        assert!(
            decode::<(String, Uuid)>(None)
                .expect("first page")
                .is_none()
        );
        for bad in ["!!!", "bm90IGpzb24", &encode(&42)] {
            let err = decode::<(String, Uuid)>(Some(bad)).expect_err("refused");
            assert_eq!(err.field.as_deref(), Some("cursor"));
        }
    }

    #[test]
    fn pages_keep_limit_rows_and_point_past_the_last() {
        let page = page(vec![1, 2, 3], 2, |n| *n, |n| Ok(n * 10)).expect("page");
        assert_eq!(page.items, vec![10, 20]);
        assert_eq!(
            decode::<i32>(page.next_cursor.as_deref()).expect("ok"),
            Some(2)
        );
        let last = super::page(vec![1, 2], 2, |n| *n, Ok::<i32, ApiError>).expect("page");
        assert_eq!(last.next_cursor, None);
    }
}
