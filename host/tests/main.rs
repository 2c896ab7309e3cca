//! The host's integration tests, compiled as one binary.
//!
//! Each module starts with a comment saying what belongs in it.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking, and its data is known"
)]

mod command;
mod embed;
mod sandbox;
