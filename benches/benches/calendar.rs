//! Benchmarks of business-hours addition: the engine's year tables against
//! a naive day-by-day walk written here, on a Mon-Fri 09:00-18:00 Seoul
//! calendar with 20 holidays, for targets from one minute to 1,000
//! business hours. The claim measured: the engine's cost does not grow
//! with the target, while the walk's does.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark setup: a failure should stop the run loudly"
)]

use std::collections::BTreeSet;
use std::hint::black_box;

use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use criterion::{Criterion, criterion_group, criterion_main};
use incident_rules_core::calendar::{
    Calendar, CalendarSpec, HolidaySpec, HoursSpec, WeeklyHours,
};

const HOLIDAYS: [&str; 20] = [
    "2026-01-01",
    "2026-02-16",
    "2026-02-17",
    "2026-02-18",
    "2026-03-02",
    "2026-05-01",
    "2026-05-05",
    "2026-05-25",
    "2026-06-03",
    "2026-08-17",
    "2026-09-24",
    "2026-09-25",
    "2026-10-05",
    "2026-10-09",
    "2026-12-25",
    "2027-01-01",
    "2027-02-08",
    "2027-02-09",
    "2027-03-01",
    "2027-05-05",
];

fn spec() -> CalendarSpec {
    let day = || Some(vec!["09:00-18:00".to_owned()]);
    CalendarSpec {
        time_zone: "Asia/Seoul".to_owned(),
        hours: HoursSpec::Weekly(WeeklyHours {
            mon: day(),
            tue: day(),
            wed: day(),
            thu: day(),
            fri: day(),
            ..WeeklyHours::default()
        }),
        holidays: HOLIDAYS
            .iter()
            .map(|d| HolidaySpec::Date((*d).to_owned()))
            .collect(),
        recurring_holidays: Vec::new(),
        date_overrides: Default::default(),
    }
}

/// The reference: walk local days one by one from the start, taking each
/// open day's 09:00-18:00 in Seoul (no DST, so a fixed +09:00).
struct DayWalk {
    holidays: BTreeSet<NaiveDate>,
}

impl DayWalk {
    fn add(&self, t: i64, secs: i64) -> i64 {
        let zone = chrono_tz::Asia::Seoul;
        let mut date = zone.timestamp_opt(t, 0).unwrap().date_naive();
        let mut left = secs;
        loop {
            let weekend =
                matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            if !weekend && !self.holidays.contains(&date) {
                let at = |h| {
                    zone.from_local_datetime(
                        &date.and_hms_opt(h, 0, 0).unwrap(),
                    )
                    .unwrap()
                    .timestamp()
                };
                let (open, close) = (at(9).max(t), at(18));
                if open < close {
                    if close - open >= left {
                        return open + left;
                    }
                    left -= close - open;
                }
            }
            date = date.succ_opt().unwrap();
        }
    }
}

/// Starts spread over 2026: every 37 hours from New Year, some in hours
/// and some not.
fn starts() -> Vec<i64> {
    let first = chrono_tz::Asia::Seoul
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    (0..200).map(|k| first + k * 37 * 3600 + k * 601).collect()
}

const TARGETS: [(&str, i64); 5] = [
    ("1m", 60),
    ("1h", 3600),
    ("8h", 8 * 3600),
    ("40h", 40 * 3600),
    ("1000h", 1000 * 3600),
];

/// `calendar/add/<target>/engine`: one `add_business_time` per iteration,
/// cycling through the starts; year tables are warm, as they are for any
/// long-lived policy. The result is checked against the day walk outside
/// the timing and must be in business hours or at a closing.
/// `calendar/add/<target>/day_walk`: the same with the naive walk, so the
/// ratio engine/walk can be quoted per target.
fn add(c: &mut Criterion) {
    let calendar = Calendar::compile(&spec()).expect("compiles");
    let walk = DayWalk {
        holidays: HOLIDAYS
            .iter()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
            .collect(),
    };
    let starts = starts();
    for &(_, secs) in &TARGETS {
        for &t in &starts {
            assert_eq!(
                calendar.add_business_time(t, secs),
                Ok(walk.add(t, secs))
            );
        }
    }

    let mut group = c.benchmark_group("calendar/add");
    for (name, secs) in TARGETS {
        let mut k = 0;
        group.bench_function(format!("{name}/engine"), |b| {
            b.iter(|| {
                k = (k + 1) % starts.len();
                let t = black_box(starts[k]);
                let due = calendar.add_business_time(t, black_box(secs));
                // A wrong but fast answer must not pass: the result lies
                // at least `secs` of wall time after the start.
                assert!(matches!(due, Ok(due) if due >= t + secs));
                due
            })
        });
        let mut k = 0;
        group.bench_function(format!("{name}/day_walk"), |b| {
            b.iter(|| {
                k = (k + 1) % starts.len();
                let t = black_box(starts[k]);
                let due = walk.add(t, black_box(secs));
                assert!(due >= t + secs);
                due
            })
        });
    }
    group.finish();
}

criterion_group!(benches, add);
criterion_main!(benches);
