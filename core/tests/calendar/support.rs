//! Helpers shared by the calendar tests: building calendars from TOML and
//! reading instants.

use incident_rules_core::calendar::{Calendar, CalendarSpec};
use incident_rules_core::time::{format_instant, parse_instant};

/// Compiles a calendar written as the TOML of one `[calendars.x]` entry.
pub fn calendar(toml_text: &str) -> Calendar {
    let spec: CalendarSpec = toml::from_str(toml_text).expect("calendar toml");
    Calendar::compile(&spec).expect("calendar compiles")
}

/// Reads an RFC 3339 instant.
pub fn at(text: &str) -> i64 {
    parse_instant(text).expect("test instant")
}

/// Writes an instant in the calendar's zone.
pub fn show(calendar: &Calendar, t: i64) -> String {
    format_instant(t, calendar.time_zone())
}

/// `add_business_time`, shown in the calendar's zone.
pub fn add(calendar: &Calendar, start: &str, secs: i64) -> String {
    let t = calendar.add_business_time(at(start), secs).expect("add");
    show(calendar, t)
}

/// `business_seconds_between`.
pub fn between(calendar: &Calendar, from: &str, to: &str) -> i64 {
    calendar.business_seconds_between(at(from), at(to)).expect("between")
}

/// `is_open`.
pub fn open(calendar: &Calendar, t: &str) -> bool {
    calendar.is_open(at(t)).expect("is_open")
}

pub const HOUR: i64 = 3600;
pub const MINUTE: i64 = 60;
