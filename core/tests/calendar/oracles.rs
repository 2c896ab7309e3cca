//! Other libraries' test suites as oracles: every case of every
//! `shared/oracles/*.json` file (`bh-oracle/1`) run through our engine and
//! classified as a pass or as a difference explained by one of the named
//! conventions below, which the library's own `semantics` block states
//! and whose claim is checked case by case.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use incident_rules_core::calendar::{
    BusinessTimeError, Calendar, CalendarSpec, HolidaySpec, HoursSpec,
    WeeklyHours,
};
use incident_rules_core::time::parse_instant;
use serde_json::Value;

/// Where the oracle files live: `shared/` is a sibling of the repository.
fn oracle_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/oracles"))
        .to_path_buf()
}

/// A way in which a library's answer differs from ours on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Convention {
    /// The library treats the closing instant as open (`[open, close]`).
    ClosedIntervalIsOpen,
    /// A forward add that lands exactly on a closing time moves on to the
    /// next opening (ours stops at the closing, rule 3).
    CloseRollsToNextOpen,
    /// Adding zero to a closed instant first rolls it to the next opening
    /// (forward) or previous closing (backward); ours returns the instant.
    ZeroRollsStart,
    /// Arithmetic on the local wall clock across a DST transition, so an
    /// hour skipped or repeated is not counted as elapsed (rule 2).
    WallClockDst,
    /// Business seconds counted with the end second included.
    InclusiveEndSecond,
    /// A reversed span counts zero rather than negative.
    ReversedBetweenIsZero,
    /// Rolling backward treats an opening instant as closed, `(open,
    /// close]`.
    RollBackwardExcludesOpening,
    /// `add_business_days` is not an operation of ours.
    BusinessDayOpsUnsupported,
    /// A window opening in a spring-forward gap opens one hour later
    /// (and vanishes if that is past its close); ours opens when the gap
    /// ends (rule 2).
    GapShiftsOneHour,
}

impl Convention {
    fn name(self) -> &'static str {
        match self {
            Convention::ClosedIntervalIsOpen => "closed-interval-is-open",
            Convention::CloseRollsToNextOpen => "close-rolls-to-next-open",
            Convention::ZeroRollsStart => "zero-rolls-start",
            Convention::WallClockDst => "wall-clock-dst",
            Convention::InclusiveEndSecond => "inclusive-end-second",
            Convention::ReversedBetweenIsZero => "reversed-between-is-zero",
            Convention::RollBackwardExcludesOpening => {
                "roll-backward-excludes-opening"
            }
            Convention::BusinessDayOpsUnsupported => {
                "business-day-ops-unsupported"
            }
            Convention::GapShiftsOneHour => "gap-shifts-one-hour",
        }
    }
}

/// An oracle file, loaded.
struct Oracle {
    file: String,
    library: String,
    semantics: BTreeMap<String, String>,
    calendars: HashMap<String, (Calendar, Calendar)>,
    cases: Vec<Value>,
}

fn load(path: &Path) -> Oracle {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    assert_eq!(json["format"], "bh-oracle/1", "{}", path.display());
    let semantics = json["semantics"]
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let calendars = json["calendars"]
        .as_object()
        .expect("calendars")
        .iter()
        .map(|(id, cal)| {
            let spec = to_spec(cal);
            let mut wall = spec.clone();
            wall.time_zone = "UTC".into();
            let compile = |spec: &CalendarSpec| {
                Calendar::compile(spec).unwrap_or_else(|e| {
                    panic!("calendar {id} of {}: {e:?}", path.display())
                })
            };
            (id.clone(), (compile(&spec), compile(&wall)))
        })
        .collect();
    Oracle {
        file: path.file_name().unwrap().to_string_lossy().into_owned(),
        library: json["library"].as_str().expect("library").to_owned(),
        semantics,
        calendars,
        cases: json["cases"].as_array().expect("cases").clone(),
    }
}

/// Minutes after midnight of `HH:MM`.
fn minutes(text: &str) -> u32 {
    let (h, m) = text.split_once(':').expect("HH:MM");
    h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
}

fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Oracle intervals as (open, close) minutes, overnight ones with close
/// past 1440; zero-length intervals mean no hours and are dropped.
fn intervals(value: &Value) -> Vec<(u32, u32)> {
    value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|pair| {
                    let open = minutes(pair[0].as_str().unwrap());
                    let close = minutes(pair[1].as_str().unwrap());
                    match close.cmp(&open) {
                        std::cmp::Ordering::Equal => None,
                        std::cmp::Ordering::Less => Some((open, close + 1440)),
                        std::cmp::Ordering::Greater => Some((open, close)),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn window_texts(windows: &[(u32, u32)]) -> Vec<String> {
    windows
        .iter()
        .map(|&(open, close)| {
            let close = if close > 1440 { close - 1440 } else { close };
            format!("{}-{}", clock(open), clock(close))
        })
        .collect()
}

/// Converts an oracle calendar to our spec. Breaks become a date override
/// holding that date's hours with the breaks cut out.
fn to_spec(cal: &Value) -> CalendarSpec {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let weekly: Vec<Vec<(u32, u32)>> =
        DAYS.iter().map(|day| intervals(&cal["weekly"][day])).collect();
    let texts = |day: usize| Some(window_texts(&weekly[day]));
    let hours = WeeklyHours {
        mon: texts(0),
        tue: texts(1),
        wed: texts(2),
        thu: texts(3),
        fri: texts(4),
        sat: texts(5),
        sun: texts(6),
    };
    let strings = |key: &str| -> Vec<String> {
        cal[key]
            .as_array()
            .map(|l| {
                l.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
            })
            .unwrap_or_default()
    };

    let mut overrides: BTreeMap<String, Vec<(u32, u32)>> =
        cal["date_overrides"]
            .as_object()
            .map(|map| {
                map.iter()
                    .map(|(date, hours)| (date.clone(), intervals(hours)))
                    .collect()
            })
            .unwrap_or_default();
    if let Some(breaks) = cal["breaks"].as_object() {
        for (date, cut) in breaks {
            let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .expect("break date");
            let weekday =
                chrono::Datelike::weekday(&day).num_days_from_monday();
            let base = overrides
                .get(date)
                .cloned()
                .unwrap_or_else(|| weekly[weekday as usize].clone());
            let mut pieces = base;
            for (cut_open, cut_close) in intervals(cut) {
                pieces = pieces
                    .into_iter()
                    .flat_map(|(open, close)| {
                        let mut kept = Vec::new();
                        if open < cut_open.min(close) {
                            kept.push((open, cut_open.min(close)));
                        }
                        if cut_close.max(open) < close {
                            kept.push((cut_close.max(open), close));
                        }
                        kept
                    })
                    .collect();
            }
            overrides.insert(date.clone(), pieces);
        }
    }

    CalendarSpec {
        time_zone: cal["time_zone"].as_str().expect("time_zone").to_owned(),
        hours: HoursSpec::Weekly(hours),
        holidays: strings("holidays")
            .into_iter()
            .map(HolidaySpec::Date)
            .collect(),
        recurring_holidays: strings("recurring_holidays"),
        date_overrides: overrides
            .into_iter()
            .map(|(date, windows)| (date, window_texts(&windows)))
            .collect(),
    }
}

/// An instant field of a case.
fn instant(case: &Value, key: &str) -> i64 {
    let text = case[key].as_str().unwrap_or_else(|| panic!("{key} in {case}"));
    parse_instant(text).unwrap_or_else(|e| panic!("{e} in {case}"))
}

/// Our answer to a case, as JSON comparable with `expected`.
fn ours(cal: &Calendar, case: &Value) -> Result<Value, BusinessTimeError> {
    let at = |key| instant(case, key);
    let stamp = |t: i64| Value::from(t);
    Ok(match case["op"].as_str().unwrap() {
        "add" => {
            // Fractions of a second are dropped toward negative infinity.
            let secs =
                case["duration_seconds"].as_f64().unwrap().floor() as i64;
            stamp(cal.add_business_time(at("start"), secs)?)
        }
        "between" => {
            Value::from(cal.business_seconds_between(at("from"), at("to"))?)
        }
        "is_open" => Value::from(cal.is_open(at("at"))?),
        "roll_forward" => stamp(roll_forward(cal, at("at"))?),
        "roll_backward" => stamp(roll_backward(cal, at("at"))?),
        "next_opening_at_or_after" => {
            stamp(cal.next_opening_at_or_after(at("at"))?)
        }
        "prev_opening_at_or_before" => {
            stamp(cal.previous_opening_at_or_before(at("at"))?)
        }
        "next_opening_after" => stamp(cal.next_opening_after(at("at"))?),
        "next_closing_after" => stamp(cal.next_closing_after(at("at"))?),
        "opening_of_day" | "closing_of_day" => {
            let date = cal.local_date(at("at"))?;
            let segments = cal.open_segments_on(date)?;
            let pick = if case["op"] == "opening_of_day" {
                segments.first().map(|s| s.0)
            } else {
                segments.last().map(|s| s.1)
            };
            pick.map_or(Value::Null, stamp)
        }
        "periods_after" => periods(cal, at("origin"), case, true)?,
        "periods_before" => periods(cal, at("origin"), case, false)?,
        _ => Value::Null,
    })
}

/// `t` if open, else the next opening.
fn roll_forward(cal: &Calendar, t: i64) -> Result<i64, BusinessTimeError> {
    if cal.is_open(t)? { Ok(t) } else { cal.next_opening_at_or_after(t) }
}

/// `t` if open, else the previous closing.
fn roll_backward(cal: &Calendar, t: i64) -> Result<i64, BusinessTimeError> {
    if cal.is_open(t)? { Ok(t) } else { cal.previous_closing_at_or_before(t) }
}

/// Open segments from `origin`, forward or backward, the first clipped at
/// the origin.
fn periods(
    cal: &Calendar,
    origin: i64,
    case: &Value,
    forward: bool,
) -> Result<Value, BusinessTimeError> {
    let count = case["count"].as_u64().unwrap();
    let mut list = Vec::new();
    let mut cursor = origin;
    for _ in 0..count {
        let (start, end) = if forward {
            let start = roll_forward(cal, cursor)?;
            (start, cal.next_closing_after(start)?)
        } else {
            let end = if cal.is_open(cursor - 1)? {
                cursor
            } else {
                cal.previous_closing_at_or_before(cursor)?
            };
            (cal.previous_opening_at_or_before(end - 1)?, end)
        };
        list.push(Value::from(vec![start, end]));
        cursor = if forward { end } else { start };
    }
    Ok(Value::from(list))
}

/// The expected answer in the same shape as [`ours`].
fn expected(case: &Value) -> Value {
    let value = if case.get("expected_seconds").is_some() {
        &case["expected_seconds"]
    } else {
        &case["expected"]
    };
    to_seconds(value)
}

fn to_seconds(value: &Value) -> Value {
    match value {
        Value::String(text) => parse_instant(text)
            .map(Value::from)
            .unwrap_or_else(|_| value.clone()),
        Value::Array(list) => {
            Value::from(list.iter().map(to_seconds).collect::<Vec<_>>())
        }
        Value::Number(n) if n.is_f64() => {
            Value::from(n.as_f64().unwrap().floor() as i64)
        }
        other => other.clone(),
    }
}

/// The conventions each library's `semantics` block states: the key of
/// the block and a phrase of it that says so.
fn conventions_of(
    library: &str,
) -> &'static [(Convention, &'static str, &'static str)] {
    use Convention::*;
    match library {
        "pandas" => &[
            (ClosedIntervalIsOpen, "is_open", "closed interval [open, close]"),
            (CloseRollsToNextOpen, "add", "it is moved to the next opening"),
        ],
        "pandas_probes" => &[
            (ClosedIntervalIsOpen, "is_open", "closed interval [open, close]"),
            (CloseRollsToNextOpen, "add", "it is moved to the next opening"),
            (ZeroRollsStart, "add", "A start outside hours is first rolled"),
            (WallClockDst, "time_model", "local wall clock"),
        ],
        "biz" => &[
            (
                CloseRollsToNextOpen,
                "add",
                "the result is the NEXT period's start",
            ),
            (ZeroRollsStart, "zero", "else next opening"),
            (ReversedBetweenIsZero, "between", "never negative"),
            (BusinessDayOpsUnsupported, "add_business_days", "time(n, :days)"),
            (GapShiftsOneHour, "dst", "is taken one hour later"),
        ],
        "business_time" => {
            &[(ZeroRollsStart, "zero", "(weekend) = next opening")]
        }
        "perl_business_hours" => &[
            (InclusiveEndSecond, "between", "(e inclusive)"),
            (
                CloseRollsToNextOpen,
                "add",
                "exactly on a close yields the next opening",
            ),
        ],
        "working_hours" => &[
            (RollBackwardExcludesOpening, "roll_backward", "in (open, close]"),
            (WallClockDst, "dst", "counts 24h (wall-clock)"),
            (BusinessDayOpsUnsupported, "add_business_days", "add_days"),
        ],
        _ => &[],
    }
}

/// What a case needs to check a convention's claim.
struct Checked<'a> {
    cal: &'a Calendar,
    /// The same calendar in UTC, for arithmetic on wall-clock readings.
    wall: &'a Calendar,
    case: &'a Value,
    ours: &'a Value,
    expected: &'a Value,
}

impl Checked<'_> {
    fn at(&self, key: &str) -> i64 {
        instant(self.case, key)
    }

    fn duration(&self) -> i64 {
        self.case["duration_seconds"].as_f64().unwrap().floor() as i64
    }

    fn forward(&self) -> bool {
        let d = self.duration();
        d > 0 || (d == 0 && self.case["direction"] != "backward")
    }

    fn is_closing(&self, t: i64) -> bool {
        self.cal.previous_closing_at_or_before(t).ok() == Some(t)
    }

    fn is_opening(&self, t: i64) -> bool {
        self.cal.is_open(t) == Ok(true) && self.cal.is_open(t - 1) == Ok(false)
    }

    /// The wall-clock reading of `t`, as seconds.
    fn local(&self, t: i64) -> i64 {
        use chrono::TimeZone;
        let utc = chrono::DateTime::from_timestamp(t, 0).unwrap().naive_utc();
        let local = self.cal.time_zone().from_utc_datetime(&utc);
        local.naive_local().and_utc().timestamp()
    }

    /// Whether the zone's offset differs between `a` and `b`.
    fn offset_changes(&self, a: i64, b: i64) -> bool {
        self.local(a) - a != self.local(b) - b
    }

    /// Whether the convention explains this case: its claim is checked.
    fn explains(&self, convention: Convention) -> bool {
        let op = self.case["op"].as_str().unwrap();
        let ours = self.ours.as_i64();
        let expected = self.expected.as_i64();
        match (convention, op) {
            (Convention::ClosedIntervalIsOpen, "is_open") => {
                *self.expected == Value::Bool(true)
                    && *self.ours == Value::Bool(false)
                    && self.is_closing(self.at("at"))
            }
            (Convention::ClosedIntervalIsOpen, "roll_forward") => {
                expected == Some(self.at("at"))
                    && self.is_closing(self.at("at"))
            }
            // In a closed-interval model an opening and the closing just
            // before it are the same moment of business time.
            (Convention::ClosedIntervalIsOpen, "add") => {
                let (Some(ours), Some(expected)) = (ours, expected) else {
                    return false;
                };
                !self.forward()
                    && self.is_opening(ours)
                    && self.cal.previous_closing_at_or_before(ours)
                        == Ok(expected)
            }
            (Convention::CloseRollsToNextOpen, "add") => {
                let (Some(ours), Some(expected)) = (ours, expected) else {
                    return false;
                };
                self.forward()
                    && self.is_closing(ours)
                    && self.cal.next_opening_at_or_after(ours) == Ok(expected)
            }
            (Convention::ZeroRollsStart, "add") => {
                let start = self.at("start");
                let rolled = if self.forward() {
                    self.cal.next_opening_at_or_after(start)
                } else {
                    self.cal.previous_closing_at_or_before(start)
                };
                self.duration() == 0
                    && ours == Some(start)
                    && self.cal.is_open(start) == Ok(false)
                    && rolled.ok() == expected
            }
            (Convention::WallClockDst, "add") => {
                let (start, Some(expected)) = (self.at("start"), expected)
                else {
                    return false;
                };
                let wall = self
                    .wall
                    .add_business_time(self.local(start), self.duration());
                self.offset_changes(start, expected)
                    && wall == Ok(self.local(expected))
            }
            (Convention::WallClockDst, "between") => {
                let (from, to) = (self.at("from"), self.at("to"));
                let wall = self.wall.business_seconds_between(
                    self.local(from),
                    self.local(to),
                );
                self.offset_changes(from, to) && wall.ok() == expected
            }
            (Convention::InclusiveEndSecond, "between") => {
                let (from, to) = (self.at("from"), self.at("to"));
                self.cal.business_seconds_between(from, to + 1).ok()
                    == expected
            }
            (Convention::ReversedBetweenIsZero, "between") => {
                self.at("to") < self.at("from") && expected == Some(0)
            }
            (Convention::RollBackwardExcludesOpening, "roll_backward") => {
                let at = self.at("at");
                self.is_opening(at)
                    && self.cal.previous_closing_at_or_before(at).ok()
                        == expected
            }
            (Convention::BusinessDayOpsUnsupported, "add_business_days") => {
                true
            }
            (Convention::GapShiftsOneHour, "periods_after") => {
                // Ours has one more period: a short one starting where a
                // gap ends, which the library's rule empties.
                let mut longer = self.case.clone();
                longer["count"] =
                    Value::from(self.case["count"].as_u64().unwrap() + 1);
                let Ok(Value::Array(list)) = ours_value(self.cal, &longer)
                else {
                    return false;
                };
                let Some(first) = list.first().and_then(Value::as_array)
                else {
                    return false;
                };
                let (start, end) =
                    (first[0].as_i64().unwrap(), first[1].as_i64().unwrap());
                let gap = (self.local(start) - start)
                    - (self.local(start - 1) - (start - 1));
                gap > 0
                    && end - start < gap
                    && list[1..] == self.expected.as_array().unwrap()[..]
            }
            _ => false,
        }
    }
}

fn ours_value(
    cal: &Calendar,
    case: &Value,
) -> Result<Value, BusinessTimeError> {
    ours(cal, case)
}

/// Expected number of cases per library (the oracle README's table), so a
/// case cannot go missing.
const CASES: [(&str, usize); 7] = [
    ("biz", 71),
    ("business_time", 65),
    ("businesstime", 29),
    ("pandas", 1028),
    ("pandas_probes", 20),
    ("perl_business_hours", 8),
    ("working_hours", 139),
];

/// The tally as of this writing, pinned so that a change of engine
/// behaviour shows up here as well as in the per-case checks.
const TALLY: &str = "\
biz: business-day-ops-unsupported 10 / close-rolls-to-next-open 1 / \
gap-shifts-one-hour 1 / pass 56 / reversed-between-is-zero 1 / \
zero-rolls-start 2 / total 71
business_time: pass 63 / zero-rolls-start 2 / total 65
businesstime: pass 29 / total 29
pandas: close-rolls-to-next-open 28 / closed-interval-is-open 6 / \
pass 994 / total 1028
pandas_probes: close-rolls-to-next-open 3 / closed-interval-is-open 3 / \
pass 10 / wall-clock-dst 2 / zero-rolls-start 2 / total 20
perl_business_hours: pass 8 / total 8
working_hours: business-day-ops-unsupported 15 / pass 121 / \
roll-backward-excludes-opening 2 / wall-clock-dst 1 / total 139
";

#[test]
fn oracle_cases_pass_or_differ_by_a_named_convention() {
    let dir = oracle_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "oracle folder missing: looked in {} (shared/ must be a \
                 sibling of the repository): {e}",
                dir.display()
            )
        })
        .map(|entry| entry.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let oracles: Vec<Oracle> = files.iter().map(|p| load(p)).collect();
    let pandas_semantics = oracles
        .iter()
        .find(|o| o.library == "pandas")
        .map(|o| o.semantics.clone())
        .expect("pandas.json");

    let mut tally: BTreeMap<String, BTreeMap<&'static str, usize>> =
        BTreeMap::new();
    let mut failures = Vec::new();
    for oracle in &oracles {
        // The probes are observations of pandas itself: pandas' own block
        // applies, with the probes' time model on top.
        let mut semantics = oracle.semantics.clone();
        if oracle.library == "pandas_probes" {
            for (key, text) in &pandas_semantics {
                semantics.entry(key.clone()).or_insert_with(|| text.clone());
            }
        }
        let conventions = conventions_of(&oracle.library);
        for &(convention, key, phrase) in conventions {
            let stated =
                semantics.get(key).is_some_and(|text| text.contains(phrase));
            assert!(
                stated,
                "{}: semantics `{key}` does not state {} (`{phrase}`)",
                oracle.file,
                convention.name()
            );
        }

        let counts = tally.entry(oracle.library.clone()).or_default();
        for case in &oracle.cases {
            let (cal, wall) =
                &oracle.calendars[case["calendar"].as_str().unwrap()];
            let want = expected(case);
            let got = ours(cal, case);
            let verdict = match &got {
                Ok(got) if *got == want => Some("pass"),
                Ok(got) => {
                    let checked = Checked {
                        cal,
                        wall,
                        case,
                        ours: got,
                        expected: &want,
                    };
                    conventions
                        .iter()
                        .find(|(c, _, _)| checked.explains(*c))
                        .map(|(c, _, _)| c.name())
                }
                Err(_) => None,
            };
            match verdict {
                Some(verdict) => *counts.entry(verdict).or_default() += 1,
                None => failures.push(format!(
                    "{} {}: ours {got:?}, expected {want}",
                    oracle.library, case["id"]
                )),
            }
        }
    }

    let mut lines = String::new();
    for (library, counts) in &tally {
        let total: usize = counts.values().sum();
        let parts: Vec<String> =
            counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let line = format!("{library}: {} / total {total}", parts.join(" / "));
        println!("oracle {line}");
        lines.push_str(&line);
        lines.push('\n');
    }
    assert!(
        failures.is_empty(),
        "unexplained cases:\n{}",
        failures.join("\n")
    );
    for (library, count) in CASES {
        let total: usize = tally.get(library).map_or(0, |c| c.values().sum());
        assert_eq!(total, count, "cases of {library}");
    }
    assert_eq!(tally.len(), CASES.len(), "libraries: {:?}", tally.keys());
    assert_eq!(lines, TALLY);
}
