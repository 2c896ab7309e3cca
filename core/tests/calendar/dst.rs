//! Daylight-saving tables: for each 2026 transition of New York, Dublin,
//! Sydney and Santiago (where the September change skips midnight), the
//! instants just before, inside and just after the transition, with the
//! expected answers worked out by hand in the comments.

use incident_rules_core::calendar::Calendar;

use super::support::{HOUR, MINUTE, add, at, between, calendar, open};

/// One row: an instant, whether the calendar is open then, and the result
/// of adding 30 business minutes (and, where given, subtracting them).
struct Row {
    label: &'static str,
    at: &'static str,
    open: bool,
    plus_30m: &'static str,
    minus_30m: Option<&'static str>,
}

struct Transition {
    name: &'static str,
    calendar: &'static str,
    rows: [Row; 3],
    /// A span around the transition and the business time inside it.
    span: (&'static str, &'static str),
    business: i64,
}

const fn row(
    label: &'static str,
    at: &'static str,
    open: bool,
    plus_30m: &'static str,
    minus_30m: Option<&'static str>,
) -> Row {
    Row { label, at, open, plus_30m, minus_30m }
}

const TRANSITIONS: [Transition; 8] = [
    // New York, Sunday 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00Z.
    // Window 01:00-04:00 opens 06:00Z, closes 08:00Z: two hours.
    Transition {
        name: "new_york_spring",
        calendar: r#"time_zone = "America/New_York"
            hours = { sun = ["01:00-04:00"] }"#,
        rows: [
            // 06:59:59Z + 30m = 07:29:59Z, after the jump.
            row(
                "before",
                "2026-03-08T01:59:59-05:00",
                true,
                "2026-03-08T03:29:59-04:00",
                None,
            ),
            // 07:00Z; back 30m is 06:30Z, 01:30 EST.
            row(
                "inside",
                "2026-03-08T03:00:00-04:00",
                true,
                "2026-03-08T03:30:00-04:00",
                Some("2026-03-08T01:30:00-05:00"),
            ),
            // One second left; the rest from next Sunday 01:00 EDT.
            row(
                "after",
                "2026-03-08T03:59:59-04:00",
                true,
                "2026-03-15T01:29:59-04:00",
                None,
            ),
        ],
        span: ("2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"),
        business: 2 * HOUR,
    },
    // New York, Sunday 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00Z.
    // Window 01:00-03:00 opens at the first 01:00 (05:00Z) and closes at
    // 03:00 EST (08:00Z): three hours.
    Transition {
        name: "new_york_fall",
        calendar: r#"time_zone = "America/New_York"
            hours = { sun = ["01:00-03:00"] }"#,
        rows: [
            // 05:59:59Z + 30m = 06:29:59Z, in the second pass.
            row(
                "before",
                "2026-11-01T01:59:59-04:00",
                true,
                "2026-11-01T01:29:59-05:00",
                None,
            ),
            // 06:30Z, second pass; back 30m is 06:00Z.
            row(
                "inside",
                "2026-11-01T01:30:00-05:00",
                true,
                "2026-11-01T02:00:00-05:00",
                Some("2026-11-01T01:00:00-05:00"),
            ),
            // One second left; the rest from Sunday 11-08 01:00 EST.
            row(
                "after",
                "2026-11-01T02:59:59-05:00",
                true,
                "2026-11-08T01:29:59-05:00",
                None,
            ),
        ],
        span: ("2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"),
        business: 3 * HOUR,
    },
    // Dublin, Sunday 2026-03-29: 01:00 GMT becomes 02:00 IST at 01:00Z.
    // Window 00:30-03:00 opens 00:30Z, closes 02:00Z: ninety minutes.
    Transition {
        name: "dublin_spring",
        calendar: r#"time_zone = "Europe/Dublin"
            hours = { sun = ["00:30-03:00"] }"#,
        rows: [
            row(
                "before",
                "2026-03-29T00:59:59+00:00",
                true,
                "2026-03-29T02:29:59+01:00",
                None,
            ),
            // 01:00Z; back 30m lands on the opening, which is returned.
            row(
                "inside",
                "2026-03-29T02:00:00+01:00",
                true,
                "2026-03-29T02:30:00+01:00",
                Some("2026-03-29T00:30:00+00:00"),
            ),
            // One second left; next Sunday 00:30 IST is 23:30Z Saturday.
            row(
                "after",
                "2026-03-29T02:59:59+01:00",
                true,
                "2026-04-05T00:59:59+01:00",
                None,
            ),
        ],
        span: ("2026-03-29T00:00:00+00:00", "2026-03-30T00:00:00+01:00"),
        business: 90 * MINUTE,
    },
    // Dublin, Sunday 2026-10-25: 02:00 IST becomes 01:00 GMT at 01:00Z.
    // Window 01:30-02:30 opens at the first 01:30 (00:30Z) and closes at
    // 02:30 GMT (02:30Z): two hours, second pass included throughout.
    Transition {
        name: "dublin_fall",
        calendar: r#"time_zone = "Europe/Dublin"
            hours = { sun = ["01:30-02:30"] }"#,
        rows: [
            // 00:59:59Z + 30m = 01:29:59Z, read 01:29:59 GMT.
            row(
                "before",
                "2026-10-25T01:59:59+01:00",
                true,
                "2026-10-25T01:29:59+00:00",
                None,
            ),
            // 01:15Z reads 01:15, before the opening reading, yet open:
            // the window runs from its first opening to its last closing.
            row(
                "inside",
                "2026-10-25T01:15:00+00:00",
                true,
                "2026-10-25T01:45:00+00:00",
                Some("2026-10-25T01:45:00+01:00"),
            ),
            // One second left; next Sunday 01:30 GMT.
            row(
                "after",
                "2026-10-25T02:29:59+00:00",
                true,
                "2026-11-01T01:59:59+00:00",
                None,
            ),
        ],
        span: ("2026-10-25T00:00:00+01:00", "2026-10-26T00:00:00+00:00"),
        business: 2 * HOUR,
    },
    // Sydney, Sunday 2026-04-05: 03:00 AEDT becomes 02:00 AEST at 16:00Z
    // (Saturday). Window 02:00-03:00 opens at the first 02:00 (15:00Z) and
    // closes at 03:00 AEST (17:00Z): two hours.
    Transition {
        name: "sydney_fall",
        calendar: r#"time_zone = "Australia/Sydney"
            hours = { sun = ["02:00-03:00"] }"#,
        rows: [
            row(
                "before",
                "2026-04-05T02:59:59+11:00",
                true,
                "2026-04-05T02:29:59+10:00",
                None,
            ),
            // 16:00Z; back 30m is 15:30Z, 02:30 AEDT.
            row(
                "inside",
                "2026-04-05T02:00:00+10:00",
                true,
                "2026-04-05T02:30:00+10:00",
                Some("2026-04-05T02:30:00+11:00"),
            ),
            // The closing instant is closed; next Sunday 02:00 AEST.
            row(
                "after",
                "2026-04-05T03:00:00+10:00",
                false,
                "2026-04-12T02:30:00+10:00",
                None,
            ),
        ],
        span: ("2026-04-05T00:00:00+11:00", "2026-04-06T00:00:00+10:00"),
        business: 2 * HOUR,
    },
    // Sydney, Sunday 2026-10-04: 02:00 AEST becomes 03:00 AEDT at 16:00Z
    // (Saturday). Window 01:00-04:00 opens 15:00Z, closes 17:00Z.
    Transition {
        name: "sydney_spring",
        calendar: r#"time_zone = "Australia/Sydney"
            hours = { sun = ["01:00-04:00"] }"#,
        rows: [
            row(
                "before",
                "2026-10-04T01:59:59+10:00",
                true,
                "2026-10-04T03:29:59+11:00",
                None,
            ),
            row(
                "inside",
                "2026-10-04T03:00:00+11:00",
                true,
                "2026-10-04T03:30:00+11:00",
                Some("2026-10-04T01:30:00+10:00"),
            ),
            row(
                "after",
                "2026-10-04T04:00:00+11:00",
                false,
                "2026-10-11T01:30:00+11:00",
                None,
            ),
        ],
        span: ("2026-10-04T00:00:00+10:00", "2026-10-05T00:00:00+11:00"),
        business: 2 * HOUR,
    },
    // Santiago, 2026-04-05: Sunday 00:00 -03 becomes Saturday 23:00 -04
    // at 03:00Z, so Saturday's 23:00-24:00 happens twice. Saturday window
    // 22:00-24:00 opens 01:00Z and closes at the only Sunday 00:00
    // reading, 04:00Z: three hours.
    Transition {
        name: "santiago_fall",
        calendar: r#"time_zone = "America/Santiago"
            hours = { sat = ["22:00-24:00"] }"#,
        rows: [
            row(
                "before",
                "2026-04-04T23:59:59-03:00",
                true,
                "2026-04-04T23:29:59-04:00",
                None,
            ),
            // 03:30Z + 30m uses up the window exactly: its closing time.
            row(
                "inside",
                "2026-04-04T23:30:00-04:00",
                true,
                "2026-04-05T00:00:00-04:00",
                Some("2026-04-04T23:00:00-04:00"),
            ),
            // Closed; next Saturday 22:00 -04.
            row(
                "after",
                "2026-04-05T00:00:00-04:00",
                false,
                "2026-04-11T22:30:00-04:00",
                None,
            ),
        ],
        span: ("2026-04-04T00:00:00-03:00", "2026-04-06T00:00:00-04:00"),
        business: 3 * HOUR,
    },
    // Santiago, 2026-09-06: midnight vanishes, Saturday 23:59:59 -04 is
    // followed by Sunday 01:00 -03 at 04:00Z. Saturday 22:00-24:00 opens
    // 02:00Z and closes where the gap ends (04:00Z); Sunday 00:00-02:00
    // opens there too and closes 05:00Z: one stretch of three hours.
    Transition {
        name: "santiago_spring_midnight_vanishes",
        calendar: r#"time_zone = "America/Santiago"
            hours = { sat = ["22:00-24:00"], sun = ["00:00-02:00"] }"#,
        rows: [
            row(
                "before",
                "2026-09-05T23:59:59-04:00",
                true,
                "2026-09-06T01:29:59-03:00",
                None,
            ),
            row(
                "inside",
                "2026-09-06T01:00:00-03:00",
                true,
                "2026-09-06T01:30:00-03:00",
                Some("2026-09-05T23:30:00-04:00"),
            ),
            // Closed; next Saturday 22:00 -03 (01:00Z Sunday).
            row(
                "after",
                "2026-09-06T02:00:00-03:00",
                false,
                "2026-09-12T22:30:00-03:00",
                None,
            ),
        ],
        span: ("2026-09-05T00:00:00-04:00", "2026-09-07T00:00:00-03:00"),
        business: 3 * HOUR,
    },
];

#[test]
fn dst_transition_tables() {
    for transition in &TRANSITIONS {
        let cal = calendar(transition.calendar);
        for row in &transition.rows {
            let name = format!("{} {}", transition.name, row.label);
            assert_eq!(open(&cal, row.at), row.open, "{name}: is_open");
            assert_eq!(
                add(&cal, row.at, 30 * MINUTE),
                row.plus_30m,
                "{name}: +30m"
            );
            if let Some(minus) = row.minus_30m {
                assert_eq!(
                    add(&cal, row.at, -30 * MINUTE),
                    minus,
                    "{name}: -30m"
                );
            }
        }
        let (from, to) = transition.span;
        assert_eq!(
            between(&cal, from, to),
            transition.business,
            "{}",
            transition.name
        );
    }
}

/// Santiago's day of 2026-09-06 starts at 01:00: midnight never happens,
/// so Saturday's window and Sunday's are one open stretch.
#[test]
fn dst_vanished_midnight_joins_the_windows() {
    let cal: Calendar = calendar(TRANSITIONS[7].calendar);
    let sunday = chrono::NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
    assert_eq!(
        cal.open_segments_on(sunday),
        Ok(vec![(
            at("2026-09-06T01:00:00-03:00"),
            at("2026-09-06T02:00:00-03:00")
        )])
    );
    assert_eq!(
        cal.next_closing_after(at("2026-09-05T23:00:00-04:00")),
        Ok(at("2026-09-06T02:00:00-03:00"))
    );
    assert_eq!(cal.local_date(at("2026-09-06T01:00:00-03:00")), Ok(sunday));
}

/// A window wholly inside a spring gap never opens.
#[test]
fn dst_window_inside_gap_is_empty() {
    let cal = calendar(
        r#"time_zone = "Australia/Sydney"
        hours = { sun = ["02:15-02:45"], mon = ["09:00-17:00"] }"#,
    );
    assert!(!open(&cal, "2026-10-04T03:00:00+11:00"));
    assert_eq!(
        between(
            &cal,
            "2026-10-04T00:00:00+10:00",
            "2026-10-05T00:00:00+11:00"
        ),
        0
    );
}

/// Regression (found by the property test): a window that closes exactly
/// where the repeated hour begins closes at the first pass. In Santiago
/// the night of 4 to 5 April 2026 runs 23:00-23:59 twice (-03, then
/// -04). A Saturday window 05:15-23:00 closes at 23:00 -03: during the
/// first pass of 23:xx the wall clock is already past the closing, and it
/// never rises to 23:00 from below again.
#[test]
fn dst_close_at_the_start_of_a_fold_is_the_first_pass() {
    let cal = calendar(
        r#"time_zone = "America/Santiago"
        hours = { sat = ["05:15-23:00"] }"#,
    );
    assert!(open(&cal, "2026-04-04T22:59:59-03:00"));
    assert!(!open(&cal, "2026-04-04T23:00:00-03:00"));
    assert!(!open(&cal, "2026-04-04T23:30:00-04:00"));
    // 05:15 to 23:00 is 17 h 45 m, with no repeated hour inside.
    assert_eq!(
        between(
            &cal,
            "2026-04-04T00:00:00-03:00",
            "2026-04-06T00:00:00-04:00"
        ),
        17 * HOUR + 45 * MINUTE
    );

    // A window that closes inside the repeated hour keeps both passes:
    // 22:00-23:30 is open 22:00-23:59 (-03) and 23:00-23:29 (-04), 2 h 30.
    let cal = calendar(
        r#"time_zone = "America/Santiago"
        hours = { sat = ["22:00-23:30"] }"#,
    );
    assert!(open(&cal, "2026-04-04T23:45:00-03:00"));
    assert!(!open(&cal, "2026-04-04T23:30:00-04:00"));
    assert_eq!(
        between(
            &cal,
            "2026-04-04T00:00:00-03:00",
            "2026-04-06T00:00:00-04:00"
        ),
        2 * HOUR + 30 * MINUTE
    );
}
