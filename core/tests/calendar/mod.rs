//! Business-hours calendars (`incident_rules_core::calendar` and
//! `incident_rules_core::time`): the named rules, daylight-saving tables,
//! other libraries' test suites as oracles, and property tests against a
//! minute-stepping model.

// Test code: a failed lookup or parse is a failed test, and says so.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test on bad input"
)]

mod dst;
mod oracles;
mod properties;
mod rules;
mod spec;
mod support;
