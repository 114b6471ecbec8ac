//! Who is calling: session tokens, passwords and their throttling, and the
//! clinic member extractor.

pub mod member;
pub mod password;
pub mod session;
pub mod throttle;
pub mod token;

pub use member::Member;
pub use session::AuthSession;
