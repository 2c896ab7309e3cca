//! Integration tests of incident-rules-core, one binary; each module says what it holds.

mod calendar;
mod rules;
mod sources;
