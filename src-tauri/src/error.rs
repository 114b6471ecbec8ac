//! How a failed command reaches the UI: `{code, message, field?}`. The UI
//! branches on `code` only; `message` is for people.

use clinic_core::ErrorCode;
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};

/// What only the desk says; the server's codes are core's `ErrorCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DeskErrorCode {
    /// The server cannot be reached.
    Offline,
    /// The server answered something this desk does not understand.
    Protocol,
    /// The desk has not received what this needs yet (the clinic's settings).
    NotSynced,
    /// No one is signed in, or the session has ended.
    NotSignedIn,
    /// The account works at several clinics and the sign-in named none
    /// (`signIn` answers with the clinic picker instead of this error).
    ChooseClinic,
    /// The session token could not be kept or read.
    SecretStore,
    /// The local store (or a file beside it) failed.
    LocalStore,
}

impl DeskErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            DeskErrorCode::Offline => "offline",
            DeskErrorCode::Protocol => "protocol",
            DeskErrorCode::NotSynced => "not_synced",
            DeskErrorCode::NotSignedIn => "not_signed_in",
            DeskErrorCode::ChooseClinic => "choose_clinic",
            DeskErrorCode::SecretStore => "secret_store",
            DeskErrorCode::LocalStore => "local_store",
        }
    }
}

/// Every code a command may reject with: the server's, which the desk's
/// own checks reuse (`slot_taken`, `invalid`, ...), or the desk's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(untagged)]
pub enum CommandErrorCode {
    Server(ErrorCode),
    Desk(DeskErrorCode),
}

impl From<ErrorCode> for CommandErrorCode {
    fn from(code: ErrorCode) -> Self {
        CommandErrorCode::Server(code)
    }
}

impl From<DeskErrorCode> for CommandErrorCode {
    fn from(code: DeskErrorCode) -> Self {
        CommandErrorCode::Desk(code)
    }
}

impl CommandErrorCode {
    /// The code as the UI receives it.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandErrorCode::Server(code) => code.as_str(),
            CommandErrorCode::Desk(code) => code.as_str(),
        }
    }

    /// A code as the client crate spells it (its errors and conflicts carry
    /// text). One this app does not know, which a test rules out for every
    /// error the client gives, becomes `internal`.
    pub fn from_client(code: &str) -> CommandErrorCode {
        CommandErrorCode::parse(code).unwrap_or_else(|| {
            tracing::warn!(code, "an error code this app does not know");
            ErrorCode::Internal.into()
        })
    }

    fn parse(code: &str) -> Option<CommandErrorCode> {
        CommandErrorCode::deserialize(code.into_deserializer())
            .map_err(|_: serde::de::value::Error| ())
            .ok()
    }
}

/// A code against its spelling on the wire.
impl PartialEq<&str> for CommandErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for CommandErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A command's error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    /// Machine-readable; the UI branches on it.
    pub code: CommandErrorCode,
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
    pub fn new(code: impl Into<CommandErrorCode>, message: impl Into<String>) -> CommandError {
        CommandError {
            code: code.into(),
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    /// Bad input, naming the field.
    pub fn invalid(field: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            field: Some(field.to_owned()),
            ..CommandError::new(ErrorCode::Invalid, message)
        }
    }

    pub fn not_signed_in() -> CommandError {
        CommandError::new(
            DeskErrorCode::NotSignedIn,
            "No one is signed in on this desk.",
        )
    }
}

impl From<clinic_client::ErrorView> for CommandError {
    fn from(view: clinic_client::ErrorView) -> Self {
        CommandError {
            code: CommandErrorCode::from_client(&view.code),
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
    use clinic_client::{ApiError, Error};
    use clinic_core::ErrorBody;

    /// Every server code (a new one breaks the match: add it here).
    fn every_server_code() -> Vec<ErrorCode> {
        use ErrorCode::*;
        let all = vec![
            Invalid,
            Unauthenticated,
            BadCredentials,
            NotPermitted,
            NotFound,
            SlotTaken,
            OutsideWorkingHours,
            Stale,
            Conflict,
            RateLimited,
            PayloadTooLarge,
            Internal,
            Unavailable,
        ];
        for code in &all {
            match code {
                Invalid | Unauthenticated | BadCredentials | NotPermitted | NotFound
                | SlotTaken | OutsideWorkingHours | Stale | Conflict | RateLimited
                | PayloadTooLarge | Internal | Unavailable => {}
            }
        }
        all
    }

    /// One error of each kind the client gives (a new kind breaks the
    /// match: add a sample of it here).
    fn every_client_error() -> Vec<Error> {
        let body = |code| ErrorBody {
            code,
            message: "no".into(),
            field: None,
        };
        let mut all: Vec<Error> = every_server_code()
            .into_iter()
            .flat_map(|code| {
                [
                    Error::Refused(body(code)),
                    Error::Api(ApiError::Server {
                        status: 400,
                        body: body(code),
                    }),
                    Error::Api(ApiError::Throttled {
                        body: body(code),
                        retry_after: None,
                    }),
                ]
            })
            .collect();
        all.extend([
            Error::Api(ApiError::Offline("refused".into())),
            Error::Api(ApiError::Protocol("not json".into())),
            Error::NotSynced("no clinic yet".into()),
            Error::NotSignedIn("signed out".into()),
            Error::ChooseClinic {
                message: "which clinic?".into(),
                memberships: Vec::new(),
            },
            Error::Secret("no keyring".into()),
            Error::Store(rusqlite::Error::QueryReturnedNoRows),
            Error::Migration(rusqlite_migration::Error::Hook("failed".into())),
            Error::Corrupt("bad json".into()),
            Error::Io {
                context: "reading".into(),
                source: std::io::Error::other("disk"),
            },
        ]);
        for error in &all {
            match error {
                Error::Refused(_)
                | Error::Api(
                    ApiError::Offline(_)
                    | ApiError::Server { .. }
                    | ApiError::Throttled { .. }
                    | ApiError::Protocol(_),
                )
                | Error::NotSynced(_)
                | Error::NotSignedIn(_)
                | Error::ChooseClinic { .. }
                | Error::Secret(_)
                | Error::Store(_)
                | Error::Migration(_)
                | Error::Corrupt(_)
                | Error::Io { .. } => {}
            }
        }
        all
    }

    /// The UI's tables are keyed on the generated union: every code the
    /// client can give must be one of it, spelt as the client spells it.
    #[test]
    fn every_client_error_crosses_with_its_own_code() {
        for error in every_client_error() {
            let expected = error.code().to_owned();
            let crossed = CommandError::from(error);
            assert_eq!(crossed.code.as_str(), expected);
            assert_eq!(
                serde_json::to_value(&crossed).expect("json")["code"],
                expected.as_str()
            );
        }
    }

    #[test]
    fn desk_codes_are_spelt_as_serde_spells_them() {
        use DeskErrorCode::*;
        let all = [
            Offline,
            Protocol,
            NotSynced,
            NotSignedIn,
            ChooseClinic,
            SecretStore,
            LocalStore,
        ];
        for code in all {
            // A new code breaks this match: add it above.
            match code {
                Offline | Protocol | NotSynced | NotSignedIn | ChooseClinic | SecretStore
                | LocalStore => {}
            }
            let wire = serde_json::to_value(code).expect("json");
            assert_eq!(wire, code.as_str());
            assert_eq!(
                CommandErrorCode::parse(code.as_str()),
                Some(CommandErrorCode::Desk(code))
            );
        }
        assert_eq!(CommandErrorCode::parse("brand_new"), None);
    }

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
