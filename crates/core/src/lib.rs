//! Clinic Desk's core: the domain shared by the desk and the server, so the two
//! cannot drift. Pure: no I/O, no clocks read, no database.

pub mod api;
pub mod clinic;
pub mod contact;
pub mod error;
pub mod limits;
pub mod order;
pub mod password;
pub mod role;
pub mod schedule;
pub mod slot;
pub mod sync;
pub mod time;

pub use error::{ErrorBody, ErrorCode, Invalid};
pub use role::{Permission, Role};
