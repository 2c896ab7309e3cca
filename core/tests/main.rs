//! Integration tests of incident-rules-core, one binary; each module says what it holds.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails by panicking, and its data is known"
)]

mod calendar;
mod rules;
mod sources;
