//! The desk crate's integration tests, in one binary (one link on 2 cores).

mod cli;
mod converge;
mod crash;
mod fixture;
mod http;
mod local;
mod stub;
