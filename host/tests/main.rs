//! The host's integration tests, compiled as one binary.
//!
//! Each module starts with a comment saying what belongs in it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, and its data is known"
)]

mod command;
mod embed;
mod sandbox;
