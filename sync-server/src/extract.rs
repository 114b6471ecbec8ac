//! axum's extractors, answering bad input with our `{code, message}` body,
//! and refusing text PostgreSQL cannot store before any handler sees it.
//!
//! PostgreSQL's text holds every character but NUL (U+0000), which JSON can
//! carry as `\u0000` and a query string or a path as `%00`. [`Json`],
//! [`Query`] and [`Path`] refuse such a value with a 422 naming its field
//! (for JSON the path to it, e.g. `owner.full_name`), so no handler, present
//! or future, can pass one on. The common case costs one scan of the raw
//! input for the escape; only a hit parses further to name the field.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use clinic_core::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A JSON body, refused with a 422 if any string or key in it holds NUL.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, bytes) = body_bytes(req, state).await?;
        // axum's own extractor judges the content type, the syntax and the
        // shape, from the bytes handed back without a copy. A NUL is looked
        // for first, so it is named whatever else is wrong with the body.
        if has_escaped_nul(&bytes) {
            let req = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
            let axum::Json(tree) = axum::Json::<Value>::from_request(req, state).await?;
            if let Some(field) = nul_path(&tree) {
                return Err(nul_refused(&field));
            }
        }
        read_json(parts, bytes, state).await.map(Json)
    }
}

/// As [`Json`], but leaves NUL to the handler. Only for a body of items
/// judged one by one (a sync push: a mutation holding NUL is rejected by
/// itself and must not block the mutations queued behind it), whose
/// handler checks each item with [`nul_path`] before using it.
#[derive(Debug, Clone, Copy, Default)]
pub struct UncheckedJson<T>(pub T);

impl<T, S> FromRequest<S> for UncheckedJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, bytes) = body_bytes(req, state).await?;
        read_json(parts, bytes, state).await.map(UncheckedJson)
    }
}

/// The request's head and its whole body, within the body limit.
async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<(Parts, Bytes), ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(unreadable_body)?;
    Ok((parts, bytes))
}

/// The body as `T`, judged by axum's own extractor (content type, syntax,
/// shape) from the bytes handed over without a copy. JSON does not tell
/// `2` from `2.0`, and neither does JSON Schema, whose `integer` takes
/// both; serde refuses `2.0` where it reads an integer. So a body refused
/// for its shape is read once more with every whole-valued number written
/// as an integer: only a refused body pays for it.
async fn read_json<T: DeserializeOwned, S: Send + Sync>(
    parts: Parts,
    bytes: Bytes,
    state: &S,
) -> Result<T, ApiError> {
    let req = Request::from_parts(parts, Body::from(bytes.clone()));
    match axum::Json::<T>::from_request(req, state).await {
        Ok(axum::Json(value)) => Ok(value),
        Err(JsonRejection::JsonDataError(refused)) => serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(read_with_whole_numbers)
            .ok_or_else(|| JsonRejection::JsonDataError(refused).into()),
        Err(other) => Err(other.into()),
    }
}

/// `tree`, refused as `T` as it was, read again with its whole-valued
/// numbers written as integers; `None` if it has none or is still refused.
pub fn read_with_whole_numbers<T: DeserializeOwned>(mut tree: Value) -> Option<T> {
    if integers_written_as_integers(&mut tree) {
        T::deserialize(tree).ok()
    } else {
        None
    }
}

/// Rewrites every whole-valued number of `value` written with a fraction
/// or an exponent (`2.0`, `1e3`) as the integer it is; whether any was.
fn integers_written_as_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(n) if n.is_f64() => {
            let Some(f) = n.as_f64() else { return false };
            // Inside i64's range, where f64 still holds every integer exactly.
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                *value = Value::from(f as i64);
                true
            } else {
                false
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, item| integers_written_as_integers(item) | any),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |any, item| integers_written_as_integers(item) | any),
        _ => false,
    }
}

/// A query string, refused with a 422 if a parameter holds NUL (`%00`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            let axum::extract::Query(pairs) =
                axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)?;
            if let Some((key, _)) = pairs
                .iter()
                .find(|(key, value)| key.contains('\0') || value.contains('\0'))
            {
                return Err(nul_refused(&printable(key)));
            }
        }
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// Path parameters, refused with a 422 if one holds NUL (`%00`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if parts.uri.path().contains("%00")
            && let Ok(params) = RawPathParams::from_request_parts(parts, state).await
            && let Some((key, _)) = params.iter().find(|(_, value)| value.contains('\0'))
        {
            return Err(nul_refused(key));
        }
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

fn unreadable_body(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
    } else {
        ApiError::malformed(rejection.body_text())
    }
}

/// Why a value holding NUL is refused, after the name of its field.
pub const NUL_REFUSED: &str =
    "contains a NUL character (U+0000), which cannot be stored; remove it";

fn nul_refused(field: &str) -> ApiError {
    ApiError::invalid(field, NUL_REFUSED)
}

/// Whether `json` holds a `\u0000` escape, the only way JSON text carries
/// NUL (a raw NUL byte is not allowed in a JSON string). An escaped
/// backslash before it (`\\u0000`, six plain characters) is not one. One
/// pass over the bytes, nothing allocated.
fn has_escaped_nul(json: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (at, byte) in json.iter().enumerate() {
        if *byte == b'\\' {
            backslashes += 1;
            continue;
        }
        if *byte == b'u' && backslashes % 2 == 1 && json[at + 1..].starts_with(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// One step down a JSON tree.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The path to the first string or object key in `value` holding NUL, e.g.
/// `owner.full_name` or `mutations[3].mutation.patient.full_name`; `body`
/// when `value` is itself such a string. Allocates only on a hit.
pub fn nul_path(value: &Value) -> Option<String> {
    /// The steps to the NUL, innermost first.
    fn walk(value: &Value) -> Option<Vec<Step<'_>>> {
        match value {
            Value::String(s) => s.contains('\0').then(Vec::new),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let mut steps = walk(item)?;
                steps.push(Step::Index(i));
                Some(steps)
            }),
            Value::Object(fields) => fields.iter().find_map(|(key, item)| {
                let mut steps = if key.contains('\0') {
                    Vec::new()
                } else {
                    walk(item)?
                };
                steps.push(Step::Key(key));
                Some(steps)
            }),
            Value::Null | Value::Bool(_) | Value::Number(_) => None,
        }
    }
    let steps = walk(value)?;
    let mut path = String::new();
    for step in steps.iter().rev() {
        match step {
            Step::Key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&printable(key));
            }
            Step::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    Some(if path.is_empty() { "body".into() } else { path })
}

/// A key as it may be shown in an error's `field`: NUL written as `\u0000`.
fn printable(key: &str) -> String {
    key.replace('\0', "\\u0000")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case(r#"{"a": "x\u0000"}"#, true)]
    #[case(r#"{"a\u0000": 1}"#, true)]
    #[case(r#"["\\\u0000"]"#, true)]
    #[case(r#"{"a": "\\u0000"}"#, false)]
    #[case(r#"{"a": "\u00001"}"#, true)]
    #[case(r#"{"a": "\u0001"}"#, false)]
    #[case(r#"{"a": "u0000"}"#, false)]
    #[case("", false)]
    fn escaped_nul_is_found_in_the_raw_text(#[case] text: &str, #[case] found: bool) {
        assert_eq!(has_escaped_nul(text.as_bytes()), found, "{text}");
        // The scan agrees with what the parsed tree holds.
        if let Ok(tree) = serde_json::from_str::<Value>(text) {
            assert_eq!(nul_path(&tree).is_some(), found, "{text}");
        }
    }

    #[rstest]
    #[case(json!({"seq": 2.0}), json!({"seq": 2}), true)]
    #[case(json!({"hours": [{"weekday": 1e0}]}), json!({"hours": [{"weekday": 1}]}), true)]
    #[case(json!({"n": -3.0, "m": 2}), json!({"n": -3, "m": 2}), true)]
    #[case(json!({"rate": 2.5}), json!({"rate": 2.5}), false)]
    #[case(json!({"huge": 1e300}), json!({"huge": 1e300}), false)]
    #[case(json!({"seq": 2, "s": "2.0"}), json!({"seq": 2, "s": "2.0"}), false)]
    fn whole_numbers_are_read_as_integers(
        #[case] mut value: Value,
        #[case] want: Value,
        #[case] changed: bool,
    ) {
        assert_eq!(integers_written_as_integers(&mut value), changed);
        assert_eq!(value, want);
    }

    #[rstest]
    #[case(json!({"owner": {"full_name": "Ana\u{0}"}}), Some("owner.full_name"))]
    #[case(json!({"hours": [{"starts": "09:00"}, {"starts": "\u{0}"}]}), Some("hours[1].starts"))]
    #[case(json!({"mutations": [{"mutation": {"patient": {"full_name": "a\u{0}b"}}}]}),
        Some("mutations[0].mutation.patient.full_name"))]
    #[case(json!({"a": {"b\u{0}": true}}), Some("a.b\\u0000"))]
    #[case(json!(["\u{0}"]), Some("[0]"))]
    #[case(json!("\u{0}"), Some("body"))]
    #[case(json!({"owner": {"full_name": "Ana"}, "n": 1, "ok": null}), None)]
    fn nul_is_named_by_its_path(#[case] value: Value, #[case] want: Option<&str>) {
        assert_eq!(nul_path(&value).as_deref(), want);
    }
}
