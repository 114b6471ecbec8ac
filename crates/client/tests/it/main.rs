//! The desk crate's integration tests, in one binary (one link on 2 cores).
//! Their clinic and stand-in server are `clinic_client::test_support`.

mod converge;
mod crash;
mod http;
mod local;
