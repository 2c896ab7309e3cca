//! Named regression tests for the five calendar rules, one test per worked
//! example in `docs/semantics.md` (same calendars, same instants).

use incident_rules_core::calendar::Pauses;

use super::support::{HOUR, add, at, between, calendar, open};

const SEOUL_WEEKDAYS: &str = r#"
    time_zone = "Asia/Seoul"
    holidays = ["2026-03-04"]
    [hours]
    mon = ["09:00-18:00"]
    tue = ["09:00-18:00"]
    wed = ["09:00-18:00"]
    thu = ["09:00-18:00"]
    fri = ["09:00-18:00"]
"#;

const UTC_WEEKDAYS: &str = r#"
    time_zone = "UTC"
    [hours]
    mon = ["09:00-18:00"]
    tue = ["09:00-18:00"]
    wed = ["09:00-18:00"]
    thu = ["09:00-18:00"]
    fri = ["09:00-18:00"]
"#;

/// Rule 1: windows are half-open wall-clock hours of the calendar's zone.
#[test]
fn rule1_windows_are_half_open_in_the_calendar_zone() {
    let seoul = calendar(SEOUL_WEEKDAYS);
    // Monday 09:00 in Seoul is 00:00 UTC.
    assert!(open(&seoul, "2026-03-02T00:00:00Z"));
    assert!(!open(&seoul, "2026-03-01T23:59:59Z"));
    // 18:00 closes: the closing instant itself is closed.
    assert!(open(&seoul, "2026-03-02T17:59:59+09:00"));
    assert!(!open(&seoul, "2026-03-02T18:00:00+09:00"));
}

/// Rule 1: weekday and holiday are those of the calendar's zone, not of
/// the offset an instant was written in.
#[test]
fn rule1_weekday_and_holiday_read_in_the_calendar_zone() {
    let seoul = calendar(SEOUL_WEEKDAYS);
    // Sunday 19:30 in New York is Monday 09:30 in Seoul: open.
    assert!(open(&seoul, "2026-03-01T19:30:00-05:00"));
    // Friday 23:30 in New York is Saturday 13:30 in Seoul: closed.
    assert!(!open(&seoul, "2026-03-06T23:30:00-05:00"));
    // Tuesday 20:00 in New York is Wednesday 10:00 in Seoul, a holiday.
    assert!(!open(&seoul, "2026-03-03T20:00:00-05:00"));
    // Two hours from Tuesday 17:00: one on Tuesday, none on the Wednesday
    // holiday, the second ends Thursday 10:00.
    assert_eq!(
        add(&seoul, "2026-03-03T17:00:00+09:00", 2 * HOUR),
        "2026-03-05T10:00:00+09:00"
    );
}

/// Rule 2: a fall-back day lasts 25 elapsed hours and all of them count.
#[test]
fn rule2_fold_both_passes_count() {
    let sundays = calendar(
        r#"
        time_zone = "America/New_York"
        hours = { sun = ["00:00-24:00"] }
        "#,
    );
    // 2026-11-01: 02:00 EDT becomes 01:00 EST. 04:00Z to 05:00Z next day.
    assert_eq!(
        between(
            &sundays,
            "2026-11-01T00:00:00-04:00",
            "2026-11-02T00:00:00-05:00"
        ),
        25 * HOUR
    );

    // A window 01:00-03:00 on that day opens at the first 01:00 (05:00Z)
    // and closes at 03:00 EST (08:00Z): three hours.
    let early = calendar(
        r#"
        time_zone = "America/New_York"
        hours = { sun = ["01:00-03:00"] }
        "#,
    );
    assert_eq!(
        add(&early, "2026-11-01T01:00:00-04:00", 3 * HOUR),
        "2026-11-01T03:00:00-05:00"
    );
    assert!(open(&early, "2026-11-01T01:30:00-04:00"));
    assert!(open(&early, "2026-11-01T01:30:00-05:00"));
}

/// Rule 2: in a spring-forward gap the missing hour never happens; a
/// window that opens or closes in it does so when the gap ends.
#[test]
fn rule2_gap_missing_times_never_happen() {
    let sundays = calendar(
        r#"
        time_zone = "America/New_York"
        hours = { sun = ["00:00-24:00"] }
        "#,
    );
    // 2026-03-08: 02:00 EST becomes 03:00 EDT; the day lasts 23 hours.
    assert_eq!(
        between(
            &sundays,
            "2026-03-08T00:00:00-05:00",
            "2026-03-09T00:00:00-04:00"
        ),
        23 * HOUR
    );

    // Opening inside the gap: 02:30 does not exist, the window opens at
    // 03:00 EDT and runs two hours to 05:00.
    let late = calendar(
        r#"
        time_zone = "America/New_York"
        hours = { sun = ["02:30-05:00"] }
        "#,
    );
    assert!(!open(&late, "2026-03-08T01:59:59-05:00"));
    assert!(open(&late, "2026-03-08T03:00:00-04:00"));
    assert_eq!(
        add(&late, "2026-03-08T00:00:00-05:00", HOUR),
        "2026-03-08T04:00:00-04:00"
    );

    // Closing inside the gap: 00:00-02:30 closes at 03:00 EDT, which is
    // two elapsed hours after midnight.
    let short = calendar(
        r#"
        time_zone = "America/New_York"
        hours = { sun = ["00:00-02:30"] }
        "#,
    );
    assert_eq!(
        add(&short, "2026-03-08T00:00:00-05:00", 2 * HOUR),
        "2026-03-08T03:00:00-04:00"
    );
}

/// Rule 3: forward, a target used up at a closing time is that closing.
#[test]
fn rule3_forward_add_ending_at_close_returns_the_close() {
    let utc = calendar(UTC_WEEKDAYS);
    assert_eq!(
        add(&utc, "2026-03-02T16:00:00Z", 2 * HOUR),
        "2026-03-02T18:00:00Z"
    );
    // On a Friday too: not the Monday opening.
    assert_eq!(
        add(&utc, "2026-03-06T16:00:00Z", 2 * HOUR),
        "2026-03-06T18:00:00Z"
    );
    // One second more does go to the next opening.
    assert_eq!(
        add(&utc, "2026-03-02T16:00:00Z", 2 * HOUR + 1),
        "2026-03-03T09:00:01Z"
    );
    // Zero is the start itself, open or closed.
    assert_eq!(add(&utc, "2026-03-07T12:00:00Z", 0), "2026-03-07T12:00:00Z");
    // From a closed instant the count starts at the next opening.
    assert_eq!(
        add(&utc, "2026-03-07T12:00:00Z", HOUR),
        "2026-03-09T10:00:00Z"
    );
}

/// Rule 3: backward, landing on an opening gives that opening; starting on
/// an opening goes back into the previous window.
#[test]
fn rule3_backward_add_landing_on_open_returns_the_open() {
    let utc = calendar(UTC_WEEKDAYS);
    assert_eq!(
        add(&utc, "2026-03-03T10:00:00Z", -HOUR),
        "2026-03-03T09:00:00Z"
    );
    assert_eq!(
        add(&utc, "2026-03-03T09:00:00Z", -HOUR),
        "2026-03-02T17:00:00Z"
    );
    assert_eq!(
        add(&utc, "2026-03-09T09:00:00Z", -9 * HOUR),
        "2026-03-06T09:00:00Z"
    );
}

/// Rule 4: a holiday cancels the windows opening on it, not the one that
/// opened the evening before and runs into it.
#[test]
fn rule4_holiday_closes_windows_opening_that_date() {
    let nights = calendar(
        r#"
        time_zone = "UTC"
        holidays = ["2026-03-04"]
        [hours]
        mon = ["22:00-06:00"]
        tue = ["22:00-06:00"]
        wed = ["22:00-06:00"]
        thu = ["22:00-06:00"]
        fri = ["22:00-06:00"]
        "#,
    );
    // Tuesday's window runs into the Wednesday holiday morning.
    assert!(open(&nights, "2026-03-04T03:00:00Z"));
    // Wednesday's own window does not open, so Thursday morning is
    // closed; Thursday's window opens at 22:00.
    assert!(!open(&nights, "2026-03-04T23:00:00Z"));
    assert!(!open(&nights, "2026-03-05T03:00:00Z"));
    assert!(open(&nights, "2026-03-05T22:00:00Z"));
    assert_eq!(
        add(&nights, "2026-03-04T05:00:00Z", 2 * HOUR),
        "2026-03-05T23:00:00Z"
    );
}

/// Rule 4: an overnight window belongs to the day it opens on.
#[test]
fn rule4_overnight_window_belongs_to_its_opening_day() {
    let sunday_night = calendar(
        r#"
        time_zone = "UTC"
        hours = { sun = ["22:00-06:00"] }
        "#,
    );
    assert!(open(&sunday_night, "2026-03-02T03:00:00Z"));
    assert!(!open(&sunday_night, "2026-03-01T03:00:00Z"));
    assert_eq!(
        between(&sunday_night, "2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z"),
        8 * HOUR
    );
}

/// Rule 4: `24:00` closes at midnight and `00:00-24:00` is a whole day;
/// windows that touch at midnight are one open stretch.
#[test]
fn rule4_midnight_close_and_whole_day() {
    let evening = calendar(
        r#"
        time_zone = "UTC"
        hours = { mon = ["18:00-24:00"], wed = ["00:00-24:00"] }
        "#,
    );
    let next_close = |t: &str| {
        evening.next_closing_after(at(t)).map(|c| c - at(t)).expect("close")
    };
    assert_eq!(next_close("2026-03-02T19:00:00Z"), 5 * HOUR);
    assert!(!open(&evening, "2026-03-03T00:00:00Z"));
    assert_eq!(
        between(&evening, "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z"),
        24 * HOUR
    );

    let touching = calendar(
        r#"
        time_zone = "UTC"
        hours = { mon = ["18:00-24:00"], tue = ["00:00-02:00"] }
        "#,
    );
    // One stretch from Monday 18:00 to Tuesday 02:00.
    assert!(open(&touching, "2026-03-03T00:00:00Z"));
    assert_eq!(
        touching.next_closing_after(at("2026-03-02T19:00:00Z")).ok(),
        Some(at("2026-03-03T02:00:00Z"))
    );
    assert_eq!(
        touching.next_opening_after(at("2026-03-02T19:00:00Z")).ok(),
        Some(at("2026-03-09T18:00:00Z"))
    );
}

/// Rule 5: overlapping pauses count once.
#[test]
fn rule5_overlapping_pauses_count_once() {
    let utc = calendar(UTC_WEEKDAYS);
    let pauses = Pauses::new([
        (at("2026-03-02T10:00:00Z"), at("2026-03-02T11:00:00Z")),
        (at("2026-03-02T10:30:00Z"), at("2026-03-02T11:30:00Z")),
    ]);
    assert_eq!(
        pauses.intervals(),
        [(at("2026-03-02T10:00:00Z"), at("2026-03-02T11:30:00Z"))]
    );
    let due = utc
        .add_business_time_excluding(
            at("2026-03-02T09:00:00Z"),
            4 * HOUR,
            &pauses,
        )
        .expect("add");
    assert_eq!(due, at("2026-03-02T14:30:00Z"));
    let back = utc
        .add_business_time_excluding(due, -4 * HOUR, &pauses)
        .expect("add back");
    assert_eq!(back, at("2026-03-02T09:00:00Z"));
    assert_eq!(
        utc.business_seconds_between_excluding(
            at("2026-03-02T09:00:00Z"),
            due,
            &pauses
        ),
        Ok(4 * HOUR)
    );
}

/// Rule 5: a pause stops the clock whether or not the calendar is open:
/// paused closed time changes nothing, paused open time is taken out.
#[test]
fn rule5_pause_stops_the_clock_open_or_closed() {
    let utc = calendar(UTC_WEEKDAYS);
    // Pause from Monday 17:00 to Tuesday 10:00: only the hours 17:00-18:00
    // and 09:00-10:00 were open, so 10 of the 11 business hours remain.
    let overnight = Pauses::new([(
        at("2026-03-02T17:00:00Z"),
        at("2026-03-03T10:00:00Z"),
    )]);
    assert_eq!(
        utc.business_seconds_between_excluding(
            at("2026-03-02T09:00:00Z"),
            at("2026-03-03T12:00:00Z"),
            &overnight
        ),
        Ok(10 * HOUR)
    );
    let due = utc.add_business_time_excluding(
        at("2026-03-02T16:00:00Z"),
        2 * HOUR,
        &overnight,
    );
    assert_eq!(due, Ok(at("2026-03-03T11:00:00Z")));

    // On a 24x7 calendar every paused second is taken out.
    let always = calendar(
        r#"
        time_zone = "UTC"
        hours = "24x7"
        "#,
    );
    let morning = Pauses::new([(
        at("2026-03-02T10:00:00Z"),
        at("2026-03-02T12:00:00Z"),
    )]);
    let due = always.add_business_time_excluding(
        at("2026-03-02T09:00:00Z"),
        3 * HOUR,
        &morning,
    );
    assert_eq!(due, Ok(at("2026-03-02T14:00:00Z")));
}
