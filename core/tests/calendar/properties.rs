//! Property tests of the calendar engine against a deliberately naive
//! model that decides openness minute by minute from the zone's wall
//! clock and counts business time by stepping one minute at a time.
//!
//! The model places window edges with its own formulation of rule 2, not
//! the engine's: an opening is the first minute whose wall-clock reading
//! is at or past the opening reading, a closing the first minute after
//! which the reading never again drops below the closing reading. Both
//! agree with "first pass opens, second pass closes, a gap moves the edge
//! to the gap's end" without sharing code with it.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeZone};
use incident_rules_core::calendar::{
    Calendar, CalendarSpec, HolidaySpec, HoursSpec, Pauses, WeeklyHours,
};
use proptest::prelude::*;

const ZONES: [&str; 6] = [
    "America/New_York",
    "Europe/Dublin",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Seoul",
    "UTC",
];

/// Dates the model's range is centred on: the 2026 transitions of the
/// zones above, plus ordinary days.
const CENTRES: [(i32, u32, u32); 10] = [
    (2026, 3, 8),
    (2026, 11, 1),
    (2026, 3, 29),
    (2026, 10, 25),
    (2026, 4, 5),
    (2026, 10, 4),
    (2026, 9, 6),
    (2026, 6, 15),
    (2026, 1, 1),
    (2026, 12, 31),
];

/// A window in quarter hours: opening 0..96 and length 1..96.
type Quarter = (u32, u32);

fn window_text(&(open, length): &Quarter) -> String {
    let close = open + length;
    let clock = |q: u32| format!("{:02}:{:02}", q / 4, q % 4 * 15);
    let close_text =
        if close == 96 { "24:00".to_owned() } else { clock(close % 96) };
    format!("{}-{}", clock(open), close_text)
}

#[derive(Clone, Debug)]
struct Setup {
    zone: &'static str,
    weekly: [Vec<Quarter>; 7],
    /// Day offsets from the centre.
    holidays: Vec<i64>,
    override_day: Option<(i64, Vec<Quarter>)>,
    centre: (i32, u32, u32),
    pauses: Vec<(i64, i64)>,
    queries: Vec<(i64, i64, i64)>,
}

fn windows() -> impl Strategy<Value = Vec<Quarter>> {
    prop::collection::vec((0u32..96, 1u32..96), 0..=3)
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::sample::select(&ZONES[..]),
        [
            windows(),
            windows(),
            windows(),
            windows(),
            windows(),
            windows(),
            windows(),
        ],
        prop::collection::vec(-7i64..8, 0..3),
        prop::option::of((-7i64..8, windows())),
        prop::sample::select(&CENTRES[..]),
        prop::collection::vec((-3000i64..3000, 1i64..1500), 0..=3),
        prop::collection::vec(
            (-2880i64..2880, -2880i64..2880, -1800i64..1800),
            12,
        ),
    )
        .prop_map(
            |(
                zone,
                weekly,
                holidays,
                override_day,
                centre,
                pauses,
                queries,
            )| {
                Setup {
                    zone,
                    weekly,
                    holidays,
                    override_day,
                    centre,
                    pauses,
                    queries,
                }
            },
        )
}

impl Setup {
    fn centre_date(&self) -> NaiveDate {
        let (y, m, d) = self.centre;
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn day(&self, offset: i64) -> NaiveDate {
        self.centre_date()
            + chrono::Days::new(0)
            + chrono::TimeDelta::days(offset)
    }

    fn spec(&self) -> CalendarSpec {
        let texts = |day: usize| {
            Some(self.weekly[day].iter().map(window_text).collect())
        };
        CalendarSpec {
            time_zone: self.zone.to_owned(),
            hours: HoursSpec::Weekly(WeeklyHours {
                mon: texts(0),
                tue: texts(1),
                wed: texts(2),
                thu: texts(3),
                fri: texts(4),
                sat: texts(5),
                sun: texts(6),
            }),
            holidays: self
                .holidays
                .iter()
                .map(|&d| {
                    HolidaySpec::Date(
                        self.day(d).format("%Y-%m-%d").to_string(),
                    )
                })
                .collect(),
            recurring_holidays: Vec::new(),
            date_overrides: self
                .override_day
                .iter()
                .map(|(d, w)| {
                    (
                        self.day(*d).format("%Y-%m-%d").to_string(),
                        w.iter().map(window_text).collect(),
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        }
    }
}

/// The minute-stepping model over `[start, start + 60 * open.len())`.
struct Model {
    start: i64,
    open: Vec<bool>,
    paused: Vec<bool>,
}

impl Model {
    fn new(setup: &Setup) -> Model {
        let zone: chrono_tz::Tz = setup.zone.parse().unwrap();
        let centre = setup
            .centre_date()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        let start = centre - 8 * 86_400;
        let minutes = 17 * 1440;
        let reading: Vec<i64> = (0..minutes)
            .map(|i| {
                let t = start + 60 * i as i64;
                let utc = chrono::DateTime::from_timestamp(t, 0)
                    .unwrap()
                    .naive_utc();
                zone.from_utc_datetime(&utc)
                    .naive_local()
                    .and_utc()
                    .timestamp()
            })
            .collect();

        let mut open = vec![false; minutes];
        for offset in -9..10 {
            let date = setup.day(offset);
            let holiday = setup.holidays.iter().any(|&d| setup.day(d) == date);
            let windows = match &setup.override_day {
                _ if holiday => Vec::new(),
                Some((d, w)) if setup.day(*d) == date => w.clone(),
                _ => setup.weekly
                    [date.weekday().num_days_from_monday() as usize]
                    .clone(),
            };
            let midnight =
                date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
            for (q_open, length) in windows {
                let x_open = midnight + i64::from(q_open) * 900;
                let x_close = x_open + i64::from(length) * 900;
                // First minute whose reading is at or past the opening.
                let Some(first) = reading.iter().position(|&r| r >= x_open)
                else {
                    continue;
                };
                // First minute after which the reading stays at or past
                // the closing.
                let Some(last_below) =
                    reading.iter().rposition(|&r| r < x_close)
                else {
                    continue;
                };
                if first == 0 || last_below + 1 >= minutes {
                    continue;
                }
                for slot in &mut open[first..=last_below] {
                    *slot = true;
                }
            }
        }
        let mut paused = vec![false; minutes];
        for &(s, len) in &setup.pauses {
            let s = centre + s * 60;
            for t in (s..s + len * 60).step_by(60) {
                if let Some(i) = index(start, minutes, t) {
                    paused[i] = true;
                }
            }
        }
        Model { start, open, paused }
    }

    fn counts(&self, i: usize, pauses: bool) -> bool {
        self.open[i] && !(pauses && self.paused[i])
    }

    fn between(&self, a: i64, b: i64, pauses: bool) -> Option<i64> {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let (i, j) = (self.index(lo)?, self.index(hi)?);
        Some(
            sign * 60
                * (i..j).filter(|&k| self.counts(k, pauses)).count() as i64,
        )
    }

    fn add(&self, t: i64, minutes: i64, pauses: bool) -> Option<i64> {
        let mut i = self.index(t)?;
        let mut left = minutes.abs();
        while left > 0 {
            if minutes > 0 {
                if self.counts(i, pauses) {
                    left -= 1;
                }
                i += 1;
                // Stay a day clear of the ends, where the model leaves out
                // windows it cannot place.
                if i + 1440 >= self.open.len() {
                    return None;
                }
            } else {
                i = i.checked_sub(1).filter(|&i| i >= 1440)?;
                if self.counts(i, pauses) {
                    left -= 1;
                }
            }
        }
        Some(self.start + 60 * i as i64)
    }

    fn index(&self, t: i64) -> Option<usize> {
        index(self.start, self.open.len(), t)
    }
}

fn index(start: i64, len: usize, t: i64) -> Option<usize> {
    let i = usize::try_from((t - start) / 60).ok()?;
    (i < len && (t - start) % 60 == 0).then_some(i)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    })]

    #[test]
    fn engine_agrees_with_minute_model(setup in setup()) {
        check(&setup)?;
    }
}

/// One random calendar, its pauses and its queries, engine against model.
fn check(setup: &Setup) -> Result<(), TestCaseError> {
    let spec = setup.spec();
    let never_open = setup.weekly.iter().all(Vec::is_empty)
        && setup.override_day.as_ref().is_none_or(|(_, w)| w.is_empty());
    let calendar = match Calendar::compile(&spec) {
        Ok(calendar) => calendar,
        Err(errors) => {
            let messages: Vec<String> =
                errors.iter().map(ToString::to_string).collect();
            prop_assert!(never_open, "{:?}", messages);
            prop_assert_eq!(messages, ["hours: the calendar is never open"]);
            return Ok(());
        }
    };
    let model = Model::new(setup);
    let pauses = Pauses::new(setup.pauses.iter().map(|&(s, len)| {
        let s = model.start + 8 * 86_400 + s * 60;
        (s, s + len * 60)
    }));
    let centre = model.start + 8 * 86_400;

    for &(a, b, minutes) in &setup.queries {
        let (a, b) = (centre + a * 60, centre + b * 60);
        let i = model.index(a).unwrap();
        prop_assert_eq!(
            calendar.is_open(a),
            Ok(model.open[i]),
            "is_open {}",
            a
        );
        prop_assert_eq!(
            calendar.business_seconds_between(a, b).ok(),
            model.between(a, b, false),
            "between {} {}",
            a,
            b
        );
        prop_assert_eq!(
            calendar.business_seconds_between_excluding(a, b, &pauses).ok(),
            model.between(a, b, true),
            "between excluding {} {}",
            a,
            b
        );
        if let Some(want) = model.add(a, minutes, false) {
            prop_assert_eq!(
                calendar.add_business_time(a, minutes * 60),
                Ok(want),
                "add {} {}m",
                a,
                minutes
            );
        }
        if let Some(want) = model.add(a, minutes, true) {
            prop_assert_eq!(
                calendar.add_business_time_excluding(a, minutes * 60, &pauses),
                Ok(want),
                "add excluding {} {}m",
                a,
                minutes
            );
        }
    }
    Ok(())
}
