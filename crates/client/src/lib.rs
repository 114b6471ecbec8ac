//! The desk side of Clinic Desk, without Tauri: the local SQLite store, the
//! optimistic mutations and their rebase, the API client, the sync engine
//! and the session's keyring. The Tauri shell and the headless `desk` CLI
//! (`crates/desk-cli`) are thin layers over [`Desk`], [`SyncEngine`] and [`Sessions`].
//!
//! The design is docs/SYNC.md: every action is a named mutation applied to
//! the local store and queued in one transaction; the server re-checks and
//! applies it; after each pull the local rows are the server's rows with the
//! still-queued mutations re-applied on top; rejected ones wait in a
//! conflict inbox.

pub mod api;
pub mod desk;
pub mod engine;
pub mod error;
mod mutations;
pub mod paths;
pub mod session;
pub mod store;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod time;

pub use api::{ApiClient, ApiError};
pub use desk::{Desk, DeskIdentity, IdKind, Queued, Resolution};
pub use engine::{
    EngineConfig, EngineHandle, PageApplied, PullStep, SyncEngine, SyncReport, SyncState,
    SyncStatus,
};
pub use error::{Error, ErrorView, Result};
pub use session::{Login, Profile, Sessions, SignedIn, TokenLocation, TokenVault};
pub use store::Store;
pub use store::queries::{AgendaEntry, Conflict, DayAgenda, PatientHit, PatientRecord, WeekAgenda};
pub use store::rebase::{PullKind, PushSummary};
pub use store::state::{OutboxEntry, OutboxState, SyncInfo};
pub use time::Clock;

#[cfg(test)]
mod tests {
    /// The Tauri app keeps these in its managed state and calls them from
    /// any thread.
    #[test]
    fn handles_are_shareable_across_threads() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<crate::Desk>();
        shareable::<crate::SyncEngine>();
        shareable::<crate::EngineHandle>();
        shareable::<crate::Sessions>();
        shareable::<crate::ApiClient>();
    }
}
