//! Helpers for tests, behind the `test-support` feature: what the tests of
//! this crate, of the desk CLI, of the app and of the server's sync share
//! instead of each keeping a copy.
//!
//! - [`fixture`]: a small clinic in Madrid as the server would send it, and
//!   desks opened on it;
//! - [`stub`]: a stand-in for the sync server over real HTTP;
//! - [`MemoryKeyring`]: secrets kept in memory, never in the machine's keyring.

pub mod fixture;
pub mod stub;

pub use crate::session::MemoryKeyring;
