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
    /// For `rate_limited`: seconds the server asked to wait before another try.
    #[serde(rename = "retryAfterSecs", skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u32>,
}

pub type CommandResult<T> = Result<T, CommandError>;

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            code: code.to_owned(),
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    /// Bad input, naming the field.
    pub fn invalid(field: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            code: "invalid".to_owned(),
            message: message.into(),
            field: Some(field.to_owned()),
            retry_after_secs: None,
        }
    }

    pub fn not_signed_in() -> CommandError {
        CommandError::new("not_signed_in", "No one is signed in on this desk.")
    }
}

impl From<clinic_client::ErrorView> for CommandError {
    fn from(view: clinic_client::ErrorView) -> Self {
        CommandError {
            code: view.code,
            message: view.message,
            field: view.field,
            retry_after_secs: view
                .retry_after_secs
                .map(|s| u32::try_from(s).unwrap_or(u32::MAX)),
        }
    }
}

impl From<clinic_client::Error> for CommandError {
    fn from(error: clinic_client::Error) -> Self {
        error.view().into()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttled_error_carries_the_wait_and_others_do_not_mention_it() {
        let throttled = CommandError::from(clinic_client::ErrorView {
            code: "rate_limited".into(),
            message: "too many sign-in attempts".into(),
            field: None,
            retry_after_secs: Some(840),
        });
        assert_eq!(
            serde_json::to_value(&throttled).expect("json"),
            serde_json::json!({"code": "rate_limited", "message": "too many sign-in attempts",
                               "retryAfterSecs": 840})
        );
        let plain =
            serde_json::to_value(CommandError::invalid("email", "not an address")).expect("json");
        assert_eq!(
            plain,
            serde_json::json!({"code": "invalid", "message": "not an address", "field": "email"})
        );
    }
}
