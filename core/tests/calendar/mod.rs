//! Business-hours calendars (`incident_rules_core::calendar` and
//! `incident_rules_core::time`): the named rules, daylight-saving tables,
//! other libraries' test suites as oracles, and property tests against a
//! minute-stepping model.

mod dst;
mod oracles;
mod properties;
mod rules;
mod support;
