//! Request and response bodies of the REST API (`/v1`). Requests arrive as
//! plain wire types and are parsed into checked values with their `parse`
//! methods, which the desk can also call before going online.

pub mod appointments;
pub mod audit;
pub mod auth;
pub mod clinic;
pub mod doctors;
pub mod nullable;
pub mod page;
pub mod patients;
pub mod rooms;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod staff;

pub use page::{Page, PageQuery};
