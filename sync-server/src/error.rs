//! The one error type of the API. Every failure leaves as JSON `{code, message}`
//! with the matching status; internal causes are logged, never sent.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clinic_core::{ErrorBody, ErrorCode, Invalid};

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    /// Seconds, for `rate_limited`.
    pub retry_after: Option<u64>,
    /// The request could not even be read (bad JSON syntax, wrong content
    /// type): 400 rather than the 422 of a well-formed but invalid request.
    pub malformed: bool,
    /// The input names a row (a doctor, a patient, a room) this clinic does
    /// not have. REST answers `invalid` (the body is wrong, the URL is fine);
    /// a sync mutation is judged whole and is rejected as `not_found`.
    pub unknown_reference: bool,
    /// A race the database broke off (deadlock, serialization failure):
    /// running the same request again may well succeed.
    pub transient: bool,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            malformed: false,
            unknown_reference: false,
            transient: false,
        }
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        ApiError {
            malformed: true,
            ..Self::new(ErrorCode::Invalid, message)
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn not_permitted() -> Self {
        Self::new(ErrorCode::NotPermitted, "your role does not allow this")
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "sign in first: missing, expired or revoked session token",
        )
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = format!("{field}: {}", message.into());
        ApiError {
            field: Some(field.to_owned()),
            ..Self::new(ErrorCode::Invalid, message)
        }
    }

    /// `invalid` on `field`, which names a row this clinic does not have.
    pub fn unknown_reference(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            unknown_reference: true,
            ..Self::invalid(field, message)
        }
    }

    /// 409 `conflict`: a row of this kind already has `id` in the clinic.
    /// Ids of new rows may come from desks (sync), so a clash is refused,
    /// never taken as an update.
    pub fn id_taken(what: &str) -> Self {
        Self::new(
            ErrorCode::Conflict,
            format!("a {what} with this id already exists in the clinic"),
        )
    }

    /// Logs the cause (which may hold SQL or internals) and answers a bland 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            ErrorCode::Internal,
            "something went wrong on the server; it has been logged",
        )
    }

    /// `internal` for an error value: logs its whole cause chain, since the
    /// top error alone often says only which layer failed. The chain holds
    /// what the errors display, which for sqlx is never a bound value.
    pub fn internal_error(cause: &(dyn std::error::Error + 'static)) -> Self {
        Self::internal(Chain(cause))
    }

    pub fn status(&self) -> StatusCode {
        if self.malformed {
            return StatusCode::BAD_REQUEST;
        }
        match self.code {
            ErrorCode::Invalid | ErrorCode::OutsideWorkingHours => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Unauthenticated | ErrorCode::BadCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::NotPermitted => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::SlotTaken | ErrorCode::Stale | ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after;
        let body = ErrorBody {
            code: self.code,
            message: self.message,
            field: self.field,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::invalid(e.field, e.message)
    }
}

impl From<sqlx::Error> for ApiError {
    /// Constraint violations are the database telling the client something
    /// true about its input; anything else is ours.
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let constraint = db.constraint().unwrap_or_default();
            match db.code().as_deref() {
                Some("23P01") if constraint.contains("room") => {
                    return ApiError::new(
                        ErrorCode::SlotTaken,
                        "the room is already booked at that time",
                    );
                }
                Some("23P01") if constraint.starts_with("appointments") => {
                    return ApiError::new(
                        ErrorCode::SlotTaken,
                        "the doctor already has an appointment at that time",
                    );
                }
                Some("23P01") => {
                    return ApiError::new(ErrorCode::Conflict, "overlaps an existing entry");
                }
                Some("23505") => {
                    return ApiError::new(
                        ErrorCode::Conflict,
                        "a record with the same value already exists",
                    );
                }
                Some("23503") => {
                    return ApiError {
                        unknown_reference: true,
                        ..ApiError::new(
                            ErrorCode::Invalid,
                            "refers to something that does not exist in this clinic",
                        )
                    };
                }
                Some("23514") => {
                    return ApiError::new(
                        ErrorCode::Invalid,
                        format!("breaks a rule ({constraint})"),
                    );
                }
                Some("40001") | Some("40P01") => {
                    return ApiError {
                        transient: true,
                        ..ApiError::new(
                            ErrorCode::Conflict,
                            "a concurrent change got there first; try again",
                        )
                    };
                }
                Some(state) if state.starts_with("22") => return data_exception(state, &**db),
                Some(state) if is_server_condition(state) => {
                    tracing::error!(sqlstate = state, "database cannot serve");
                    return ApiError::new(
                        ErrorCode::Unavailable,
                        "the database cannot serve this right now; try again shortly",
                    );
                }
                _ => {}
            }
        }
        if matches!(
            e,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
        ) {
            tracing::error!(error = %e, "database unavailable");
            return ApiError::new(
                ErrorCode::Unavailable,
                "the database is not reachable; try again shortly",
            );
        }
        ApiError::internal_error(&e)
    }
}

/// An error and each of its sources, `: `-separated. A source whose text
/// the level above already shows (as many errors print their source in
/// their own message) is not repeated.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = self.0.to_string();
        f.write_str(&shown)?;
        let mut next = self.0.source();
        while let Some(source) = next {
            let text = source.to_string();
            if !shown.contains(&text) {
                write!(f, ": {text}")?;
            }
            shown = text;
            next = source.source();
        }
        Ok(())
    }
}

/// SQLSTATE class 22, a value PostgreSQL will not take (an instant out of
/// its range, a NUL in text, text too long, a number out of range): the
/// last line behind validation, so a value that slips past it is still the
/// client's 422 rather than a 500. The database's own message is not sent
/// (it may quote the value or the SQL); the log keeps the SQLSTATE and
/// where, never the value.
fn data_exception(state: &str, db: &dyn sqlx::error::DatabaseError) -> ApiError {
    tracing::warn!(
        sqlstate = state,
        table = db.table().unwrap_or_default(),
        constraint = db.constraint().unwrap_or_default(),
        "database refused a value that passed validation"
    );
    let message = match state {
        "22008" => "a date or time is outside the range the server can store",
        "22021" | "22P05" => "text holds a character the server cannot store (such as NUL, U+0000)",
        "22001" => "a value is longer than the server can store",
        "22003" => "a number is outside the range the server can store",
        _ => "a value is not one the server can store",
    };
    ApiError::new(ErrorCode::Invalid, message)
}

/// SQLSTATE classes that say the database cannot work right now, whatever
/// was asked of it: connection trouble (08), out of resources (53, such as
/// a full disk), shut down by an operator (57, but for a cancelled
/// statement, which may be this request's own doing), a system or I/O
/// error (58). Retrying later may well succeed; the request is not at fault
/// (and a sync mutation is not rejected for it).
fn is_server_condition(state: &str) -> bool {
    state != "57014"
        && ["08", "53", "57", "58"]
            .iter()
            .any(|class| state.starts_with(class))
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large");
        }
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::malformed("send the body as JSON (Content-Type: application/json)")
            }
            JsonRejection::JsonSyntaxError(e) => ApiError::malformed(e.body_text()),
            // Well-formed JSON of the wrong shape: a missing or mistyped field.
            other => ApiError::new(ErrorCode::Invalid, other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::malformed(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::malformed(rejection.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::Chain;
    use std::error::Error;
    use std::fmt;

    /// An error that shows only its own message and keeps the cause as its
    /// source, as `#[error("…")]` with `#[source]` does.
    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn Error + 'static))
        }
    }

    #[test]
    fn every_level_of_the_cause_chain_is_rendered() {
        let root = Layer("connection reset by peer", None);
        let io = Layer("error communicating with database", Some(Box::new(root)));
        let top = Layer("decoding a synced row failed", Some(Box::new(io)));
        assert_eq!(
            Chain(&top).to_string(),
            "decoding a synced row failed: error communicating with database: connection reset by peer"
        );
        assert_eq!(Chain(&Layer("alone", None)).to_string(), "alone");
    }

    #[test]
    fn a_source_its_parent_already_shows_is_not_repeated() {
        let io = std::io::Error::other("connection reset by peer");
        let sqlx = sqlx::Error::Io(io);
        let shown = Chain(&sqlx).to_string();
        assert_eq!(
            shown.matches("connection reset by peer").count(),
            1,
            "{shown}"
        );
        assert!(
            shown.starts_with("error communicating with database"),
            "{shown}"
        );
    }
}
