//! What can go wrong on the desk, with a machine-readable code the UI
//! branches on (never on the message), like the server's `{code, message}`.

use crate::api::ApiError;
use clinic_core::api::auth::MembershipView;
use clinic_core::{ErrorBody, ErrorCode, Invalid};
use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A local check refused the action before anything was queued, with
    /// the code the server would have answered (`slot_taken`, `stale`, ...).
    #[error("{}", .0.message)]
    Refused(ErrorBody),
    /// Talking to the server failed, or the server said no.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The desk has not received what this needs from the server yet
    /// (e.g. the clinic's time zone before the first sync).
    #[error("{0}")]
    NotSynced(String),
    /// No one is signed in on this desk, or the session has ended.
    #[error("{0}")]
    NotSignedIn(String),
    /// The account works at several clinics and the sign-in named none:
    /// sign in again naming one of these. No session was kept.
    #[error("{message}")]
    ChooseClinic {
        message: String,
        memberships: Vec<MembershipView>,
    },
    /// The token could not be kept or read (keyring and fallback file).
    #[error("{0}")]
    Secret(String),
    #[error("local store: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("local store migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The store holds something this version cannot read.
    #[error("local store holds unreadable data: {0}")]
    Corrupt(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// An error as it crosses to the UI: `code` to branch on, `message` to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `rate_limited`: how many seconds the server asked to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl Error {
    pub(crate) fn refused(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Refused(ErrorBody {
            code,
            message: message.into(),
            field: None,
        })
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Error::refused(ErrorCode::NotFound, format!("no such {what} on this desk"))
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The code the UI branches on: the server's codes (`slot_taken`,
    /// `invalid`, ...) where one applies, else one of `offline`,
    /// `not_synced`, `not_signed_in`, `secret_store`, `local_store`,
    /// `protocol`.
    pub fn code(&self) -> &str {
        match self {
            Error::Refused(body) => body.code.as_str(),
            Error::Api(e) => e.code(),
            Error::NotSynced(_) => "not_synced",
            Error::NotSignedIn(_) => "not_signed_in",
            Error::ChooseClinic { .. } => "choose_clinic",
            Error::Secret(_) => "secret_store",
            Error::Store(_) | Error::Migration(_) | Error::Corrupt(_) | Error::Io { .. } => {
                "local_store"
            }
        }
    }

    pub fn view(&self) -> ErrorView {
        let field = match self {
            Error::Refused(body) => body.field.clone(),
            Error::Api(ApiError::Server { body, .. } | ApiError::Throttled { body, .. }) => {
                body.field.clone()
            }
            _ => None,
        };
        let retry_after_secs = match self {
            // Rounded up: "try again in 0 minutes" would be a lie.
            Error::Api(e) => e
                .retry_after()
                .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0)),
            _ => None,
        };
        ErrorView {
            code: self.code().to_owned(),
            message: self.to_string(),
            field,
            retry_after_secs,
        }
    }

    /// Whether the server could not be reached (as opposed to answering no).
    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Api(e) if e.is_offline())
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        Error::Refused(e.into())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt(e.to_string())
    }
}
