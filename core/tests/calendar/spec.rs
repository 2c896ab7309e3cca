//! The calendar as a policy writes it: reading and writing TOML and JSON,
//! and the exact texts of the problems `Calendar::compile` reports.

use incident_rules_core::calendar::{Calendar, CalendarSpec, HoursSpec};

const SEOUL: &str = r#"
time_zone = "Asia/Seoul"
holidays = ["2026-01-01", { date = "2026-02-16", name = "Seollal" }]
recurring_holidays = ["12-25"]
date_overrides = { "2026-12-31" = ["09:00-13:00"] }

[hours]
mon = ["09:00-18:00"]
tue = ["09:00-12:00", "13:00-18:00"]
wed = ["22:00-06:00"]
thu = ["00:00-24:00"]
fri = []
"#;

#[test]
fn spec_round_trips_through_toml_and_json() {
    let spec: CalendarSpec = toml::from_str(SEOUL).unwrap();
    let again: CalendarSpec =
        toml::from_str(&toml::to_string(&spec).unwrap()).unwrap();
    assert_eq!(again, spec);
    let json = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<CalendarSpec>(&json).unwrap(), spec);
    assert!(Calendar::compile(&spec).is_ok());

    let always: CalendarSpec = serde_json::from_str(
        r#"{"time_zone": "Asia/Seoul", "hours": "24x7"}"#,
    )
    .unwrap();
    assert_eq!(always.hours, HoursSpec::AlwaysOpen);
    assert_eq!(
        serde_json::to_string(&always).unwrap(),
        r#"{"time_zone":"Asia/Seoul","hours":"24x7"}"#
    );
}

#[test]
fn spec_shape_errors_name_the_problem() {
    let error = |text: &str| {
        toml::from_str::<CalendarSpec>(text).unwrap_err().message().to_owned()
    };
    assert!(
        error("time_zone = \"UTC\"\nhours = \"24/7\"").contains("24x7"),
        "names the expected form"
    );
    assert!(
        error("time_zone = \"UTC\"\nhours = \"24x7\"\ncolour = 1")
            .contains("colour")
    );
}

#[test]
fn compile_reports_every_problem_at_once() {
    let spec: CalendarSpec = toml::from_str(
        r#"
        time_zone = "Asia/Seul"
        holidays = ["2026-01-01", "2026-02-16", "2026-03-01", "2026-02-30"]
        recurring_holidays = ["13-01"]
        date_overrides = { "2026-12-32" = ["09:00-13:00"] }
        [hours]
        mon = ["25:00-18:00", "09:00-09:00", "24:00-02:00", "9:00-18:00"]
        tue = ["09:60-18:00"]
        "#,
    )
    .unwrap();
    let errors = Calendar::compile(&spec).unwrap_err();
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "time_zone: unknown time zone `Asia/Seul`",
            "hours.mon[0]: `25:00-18:00`: hour out of range",
            "hours.mon[1]: `09:00-09:00`: opening equals closing; write \
             `00:00-24:00` for a whole day or leave the day empty to close it",
            "hours.mon[2]: `24:00-02:00`: `24:00` can only close a window",
            "hours.mon[3]: `9:00-18:00`: expected `HH:MM-HH:MM`",
            "hours.tue[0]: `09:60-18:00`: minute out of range",
            "holidays[3]: `2026-02-30`: not a date (YYYY-MM-DD)",
            "recurring_holidays[0]: `13-01`: not a month and day (MM-DD)",
            "date_overrides.2026-12-32: `2026-12-32`: not a date (YYYY-MM-DD)",
        ]
    );
    let first = &errors[0];
    assert_eq!(first.field(), "time_zone");
    assert_eq!(first.message(), "unknown time zone `Asia/Seul`");

    let closed: CalendarSpec =
        toml::from_str("time_zone = \"UTC\"\nhours = { mon = [], sat = [] }")
            .unwrap();
    let texts: Vec<String> = Calendar::compile(&closed)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(texts, ["hours: the calendar is never open"]);
}
