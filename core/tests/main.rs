//! Integration tests of incident-rules-core, one binary; each module says what it holds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, and its data is known"
)]

mod calendar;
mod rules;
mod sources;
