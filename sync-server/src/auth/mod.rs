//! Who is calling: session tokens, passwords, and the clinic member extractor.

pub mod member;
pub mod password;
pub mod session;
pub mod token;

pub use member::Member;
pub use session::AuthSession;
