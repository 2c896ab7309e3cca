//! The calendar as a policy writes it, and its checking.
//!
//! [`CalendarSpec`] is the serde shape of one entry of `[calendars]` (TOML,
//! or the same shape in JSON). [`check`] turns it into [`Rules`], the
//! validated weekly hours, holidays and overrides, collecting every
//! problem as a [`CalendarError`] instead of stopping at the first. What
//! the rules mean in absolute time is left to the year tables in
//! `table.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One business-hours calendar as written in a policy.
///
/// ```toml
/// time_zone = "Asia/Seoul"
/// hours = { mon = ["09:00-18:00"], tue = ["09:00-12:00", "13:00-18:00"] }
/// holidays = ["2026-01-01", { date = "2026-02-16", name = "Seollal" }]
/// recurring_holidays = ["12-25"]
/// date_overrides = { "2026-12-31" = ["09:00-13:00"] }
/// ```
///
/// Nothing is checked while reading beyond the shape; names, dates and
/// windows are checked by [`Calendar::compile`](super::Calendar::compile),
/// which reports every problem at once.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA time zone whose wall clock the hours are read in, e.g.
    /// `Asia/Seoul`.
    pub time_zone: String,
    /// The weekly hours, or `"24x7"`.
    pub hours: HoursSpec,
    /// Whole local dates (`YYYY-MM-DD`) on which no window opens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<HolidaySpec>,
    /// Dates closed every year, as `MM-DD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recurring_holidays: Vec<String>,
    /// Hours that replace the weekly hours on one local date
    /// (`YYYY-MM-DD` to a list of windows; an empty list closes the date).
    /// A holiday on the same date wins.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub date_overrides: BTreeMap<String, Vec<String>>,
}

/// The `hours` of a calendar: always open, or a table of weekdays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoursSpec {
    /// Written `"24x7"`: open at every instant, holidays included.
    AlwaysOpen,
    /// Windows per weekday.
    Weekly(WeeklyHours),
}

/// Windows per weekday, each written `HH:MM-HH:MM` in the calendar's zone.
///
/// A missing weekday and an empty list both mean closed. A window whose
/// end is not after its start (`22:00-06:00`) runs past midnight and
/// belongs to the day it opens on; `24:00` closes at the next midnight.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mon: Option<Vec<String>>,
    /// Tuesday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tue: Option<Vec<String>>,
    /// Wednesday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wed: Option<Vec<String>>,
    /// Thursday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thu: Option<Vec<String>>,
    /// Friday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fri: Option<Vec<String>>,
    /// Saturday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sat: Option<Vec<String>>,
    /// Sunday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sun: Option<Vec<String>>,
}

impl WeeklyHours {
    /// The seven days from Monday, with their field names.
    fn days(&self) -> [(&'static str, Option<&Vec<String>>); 7] {
        [
            ("mon", self.mon.as_ref()),
            ("tue", self.tue.as_ref()),
            ("wed", self.wed.as_ref()),
            ("thu", self.thu.as_ref()),
            ("fri", self.fri.as_ref()),
            ("sat", self.sat.as_ref()),
            ("sun", self.sun.as_ref()),
        ]
    }
}

/// The text that selects [`HoursSpec::AlwaysOpen`].
const ALWAYS_OPEN: &str = "24x7";

impl Serialize for HoursSpec {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        match self {
            HoursSpec::AlwaysOpen => out.serialize_str(ALWAYS_OPEN),
            HoursSpec::Weekly(weekly) => weekly.serialize(out),
        }
    }
}

impl<'de> Deserialize<'de> for HoursSpec {
    fn deserialize<D: Deserializer<'de>>(input: D) -> Result<Self, D::Error> {
        // A hand-written visitor rather than `untagged`, so that a typo
        // such as `"24/7"` is named in the message.
        struct HoursVisitor;

        impl<'de> Visitor<'de> for HoursVisitor {
            type Value = HoursSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`\"24x7\"` or a table of weekdays")
            }

            fn visit_str<E: de::Error>(
                self,
                text: &str,
            ) -> Result<HoursSpec, E> {
                if text == ALWAYS_OPEN {
                    Ok(HoursSpec::AlwaysOpen)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(text), &self))
                }
            }

            fn visit_map<M: MapAccess<'de>>(
                self,
                map: M,
            ) -> Result<Self::Value, M::Error> {
                let weekly = WeeklyHours::deserialize(
                    de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(HoursSpec::Weekly(weekly))
            }
        }

        input.deserialize_any(HoursVisitor)
    }
}

/// A holiday: a bare date, or a date with a name for people to read.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(
    untagged,
    expecting = "a date `YYYY-MM-DD` or a table with `date` and `name`"
)]
pub enum HolidaySpec {
    /// `"2026-01-01"`.
    Date(String),
    /// `{ date = "2026-02-16", name = "Seollal" }`.
    Named(NamedHoliday),
}

/// A holiday with a name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NamedHoliday {
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    /// What the day is, for people; the engine ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A problem in a calendar, naming the field (relative to the calendar)
/// and what is wrong with its value.
///
/// Displayed as ``hours.mon[0]: `25:00-18:00`: hour out of range``. The
/// policy layer prefixes the calendar's name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CalendarError {
    field: String,
    message: String,
}

impl CalendarError {
    pub(crate) fn new(
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        CalendarError { field: field.into(), message: message.into() }
    }

    /// The field at fault, relative to the calendar, e.g. `hours.mon[0]`
    /// or `time_zone`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong, with the value quoted, e.g. ``
    /// `25:00-18:00`: hour out of range``.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// One window of a day, in minutes from the local midnight that starts the
/// day it opens on. `close` is above 1440 for a window that runs past
/// midnight.
///
/// INVARIANT: `open < close`, `open < 1440` and `close <= 2880`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) open: u32,
    pub(crate) close: u32,
}

/// A checked calendar: everything the engine needs, in plain values.
#[derive(Clone, Debug)]
pub(crate) struct Rules {
    pub(crate) zone: Tz,
    /// `None` for `24x7`.
    pub(crate) weekly: Option<[Vec<Window>; 7]>,
    pub(crate) holidays: BTreeSet<NaiveDate>,
    /// (month, day) pairs.
    pub(crate) recurring: BTreeSet<(u32, u32)>,
    pub(crate) overrides: BTreeMap<NaiveDate, Vec<Window>>,
}

impl Rules {
    /// The windows that open on local `date`, after holidays and
    /// overrides. Empty for a 24x7 calendar, which has no windows.
    pub(crate) fn windows_on(&self, date: NaiveDate) -> &[Window] {
        let Some(weekly) = &self.weekly else { return &[] };
        if self.holidays.contains(&date)
            || self.recurring.contains(&(date.month(), date.day()))
        {
            return &[];
        }
        if let Some(windows) = self.overrides.get(&date) {
            return windows;
        }
        let weekday = date.weekday().num_days_from_monday() as usize;
        weekly.get(weekday).map_or(&[], Vec::as_slice)
    }
}

/// Checks a spec, reporting every problem.
pub(crate) fn check(spec: &CalendarSpec) -> Result<Rules, Vec<CalendarError>> {
    let mut errors = Vec::new();

    let zone = match spec.time_zone.parse::<Tz>() {
        Ok(zone) => Some(zone),
        Err(_) => {
            errors.push(CalendarError::new(
                "time_zone",
                format!("unknown time zone `{}`", spec.time_zone),
            ));
            None
        }
    };

    let weekly = match &spec.hours {
        HoursSpec::AlwaysOpen => None,
        HoursSpec::Weekly(weekly) => {
            let days = weekly.days().map(|(name, windows)| {
                let windows = windows.map_or(&[][..], Vec::as_slice);
                check_windows(&format!("hours.{name}"), windows, &mut errors)
            });
            Some(days)
        }
    };

    let mut holidays = BTreeSet::new();
    for (index, holiday) in spec.holidays.iter().enumerate() {
        let (field, text) = match holiday {
            HolidaySpec::Date(text) => (format!("holidays[{index}]"), text),
            HolidaySpec::Named(named) => {
                (format!("holidays[{index}].date"), &named.date)
            }
        };
        match parse_date(text) {
            Some(date) => {
                holidays.insert(date);
            }
            None => errors.push(CalendarError::new(
                field,
                format!("`{text}`: not a date (YYYY-MM-DD)"),
            )),
        }
    }

    let mut recurring = BTreeSet::new();
    for (index, text) in spec.recurring_holidays.iter().enumerate() {
        match parse_month_day(text) {
            Some(month_day) => {
                recurring.insert(month_day);
            }
            None => errors.push(CalendarError::new(
                format!("recurring_holidays[{index}]"),
                format!("`{text}`: not a month and day (MM-DD)"),
            )),
        }
    }

    let mut overrides = BTreeMap::new();
    for (text, windows) in &spec.date_overrides {
        let field = format!("date_overrides.{text}");
        let windows = check_windows(&field, windows, &mut errors);
        match parse_date(text) {
            Some(date) => {
                overrides.insert(date, windows);
            }
            None => errors.push(CalendarError::new(
                field,
                format!("`{text}`: not a date (YYYY-MM-DD)"),
            )),
        }
    }

    // A weekly calendar with no window anywhere is certainly a mistake;
    // one open only on override dates is legitimate if odd.
    if let Some(days) = &weekly {
        let weekly_open = days.iter().any(|day| !day.is_empty());
        let override_open = overrides.values().any(|day| !day.is_empty());
        let spelled_out = errors.iter().any(|e| e.field.starts_with("hours."));
        if !weekly_open && !override_open && !spelled_out {
            errors.push(CalendarError::new(
                "hours",
                "the calendar is never open",
            ));
        }
    }

    match zone {
        Some(zone) if errors.is_empty() => {
            Ok(Rules { zone, weekly, holidays, recurring, overrides })
        }
        _ => Err(errors),
    }
}

/// Checks the windows of one day; bad ones are reported and left out.
fn check_windows(
    field: &str,
    texts: &[String],
    errors: &mut Vec<CalendarError>,
) -> Vec<Window> {
    let mut windows = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        match parse_window(text) {
            Ok(window) => windows.push(window),
            Err(reason) => errors.push(CalendarError::new(
                format!("{field}[{index}]"),
                format!("`{text}`: {reason}"),
            )),
        }
    }
    windows
}

/// Reads `HH:MM-HH:MM`.
fn parse_window(text: &str) -> Result<Window, &'static str> {
    const SHAPE: &str = "expected `HH:MM-HH:MM`";
    let (open, close) = text.split_once('-').ok_or(SHAPE)?;
    let open = parse_clock(open.trim())?;
    let close = parse_clock(close.trim())?;
    if open == MINUTES_PER_DAY {
        return Err("`24:00` can only close a window");
    }
    if open == close {
        return Err(
            "opening equals closing; write `00:00-24:00` for a whole day \
             or leave the day empty to close it",
        );
    }
    // A close at or before the open means the window runs past midnight.
    let close = if close <= open { close + MINUTES_PER_DAY } else { close };
    Ok(Window { open, close })
}

pub(crate) const MINUTES_PER_DAY: u32 = 24 * 60;

/// Reads `HH:MM` (00:00 to 24:00) into minutes after midnight.
fn parse_clock(text: &str) -> Result<u32, &'static str> {
    let (hours, minutes) =
        text.split_once(':').ok_or("expected `HH:MM-HH:MM`")?;
    let two_digits = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let hours = two_digits(hours).ok_or("expected `HH:MM-HH:MM`")?;
    let minutes = two_digits(minutes).ok_or("expected `HH:MM-HH:MM`")?;
    if hours > 24 || (hours == 24 && minutes != 0) {
        return Err("hour out of range");
    }
    if minutes > 59 {
        return Err("minute out of range");
    }
    Ok(hours * 60 + minutes)
}

/// Reads `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || year.len() != 4
        || month.len() != 2
        || day.len() != 2
    {
        return None;
    }
    NaiveDate::from_ymd_opt(
        year.parse().ok()?,
        month.parse().ok()?,
        day.parse().ok()?,
    )
}

/// Reads `MM-DD`; `02-29` is allowed and applies in leap years.
fn parse_month_day(text: &str) -> Option<(u32, u32)> {
    let (month, day) = text.split_once('-')?;
    if month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (month, day) = (month.parse().ok()?, day.parse().ok()?);
    // 2000 is a leap year, so every real month-day is a date in it.
    NaiveDate::from_ymd_opt(2000, month, day)?;
    Some((month, day))
}
