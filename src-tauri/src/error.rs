//! How a failed command reaches the UI: `{code, message, field?}`. The UI
//! branches on `code` only; `message` is for people.

use serde::{Deserialize, Serialize};

/// A command's error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    /// Machine-readable: the server's codes (`slot_taken`, `invalid`,
    /// `not_permitted`, ...) or the desk's (`offline`, `not_synced`,
    /// `not_signed_in`, `secret_store`, `local_store`, `protocol`).
    pub code: String,
    /// For people; wording may change at any time.
    pub message: String,
    /// The input field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

pub type CommandResult<T> = Result<T, CommandError>;

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            code: code.to_owned(),
            message: message.into(),
            field: None,
        }
    }

    /// Bad input, naming the field.
    pub fn invalid(field: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            code: "invalid".to_owned(),
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn not_signed_in() -> CommandError {
        CommandError::new("not_signed_in", "No one is signed in on this desk.")
    }
}

impl From<clinic_client::Error> for CommandError {
    fn from(error: clinic_client::Error) -> Self {
        let view = error.view();
        CommandError {
            code: view.code,
            message: view.message,
            field: view.field,
        }
    }
}

impl From<clinic_client::ApiError> for CommandError {
    fn from(error: clinic_client::ApiError) -> Self {
        clinic_client::Error::from(error).into()
    }
}

impl From<clinic_core::Invalid> for CommandError {
    fn from(error: clinic_core::Invalid) -> Self {
        clinic_client::Error::from(error).into()
    }
}
