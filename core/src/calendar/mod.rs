//! Business-hours calendars and the arithmetic on them.
//!
//! A policy writes a calendar as a [`CalendarSpec`]: a time zone, weekly
//! windows of wall-clock hours, holidays and per-date overrides.
//! [`Calendar::compile`] checks it (reporting every problem at once) and
//! returns a [`Calendar`], which answers the questions an SLA clock asks:
//! is it open at `t`, what instant is `n` business seconds after (or
//! before) `t`, how many business seconds lie between two instants, where
//! are the next opening and closing, and the same with [`Pauses`] taken
//! out. What a target or a pause *is* for an incident is left to the SLA
//! evaluation; this module only counts.
//!
//! Instants are `i64` Unix seconds and durations `i64` seconds (see
//! [`crate::time`]). The rules, each pinned by a named test and worked
//! through in `docs/semantics.md`:
//!
//! 1. Windows are wall-clock times in the calendar's zone, half-open
//!    `[open, close)`; weekday and holiday are read in that zone, whatever
//!    offset an input was written in.
//! 2. Durations are real elapsed time. In an autumn fold both passes of
//!    the repeated hour count (a window opens at the first pass of its
//!    opening reading and closes at the second pass of its closing
//!    reading); in a spring gap the missing readings never happen, and a
//!    window opening or closing inside the gap does so when the gap ends.
//! 3. Adding forward returns the earliest instant at which the duration is
//!    used up, so a target used up at a closing time is that closing time,
//!    not the next opening. Adding backward returns the latest instant,
//!    so landing on an opening gives that opening.
//! 4. A holiday closes every window that opens on that local date. A
//!    window whose end is not after its start (`22:00-06:00`) runs past
//!    midnight and belongs to the day it opens on; `24:00` is the next
//!    midnight.
//! 5. Pauses are absolute intervals; overlapping pauses count once, and a
//!    pause stops the clock whether or not the calendar is open.
//!
//! Supported range: instants in the local years 1900 to 2199. Outside it
//! the operations return [`BusinessTimeError::OutOfRange`] instead of
//! walking day by day (a 24x7 calendar, which is pure arithmetic, has no
//! such limit). Searches give up with [`BusinessTimeError::NotFound`]
//! after [`HORIZON_YEARS`] years without the business time or boundary
//! they look for.
//!
//! # Cost
//!
//! Each local year is turned, the first time it is needed, into a table
//! of its open intervals in absolute seconds with running totals
//! (`table.rs`). After that every operation is a binary search in one
//! table, plus one step per year crossed, so the cost of adding 1,000
//! business hours is close to that of adding one.

mod pauses;
mod spec;
mod table;

use std::fmt;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use chrono_tz::Tz;

pub use pauses::Pauses;
pub use spec::{
    CalendarError, CalendarSpec, HolidaySpec, HoursSpec, NamedHoliday,
    WeeklyHours,
};

use crate::time::format_instant;
use spec::Rules;
use table::{Edge, YearTable};

/// First local year the tables cover.
const FIRST_YEAR: i32 = 1900;
/// Last local year the tables cover.
const LAST_YEAR: i32 = 2199;
/// How many years a search goes on without finding what it looks for
/// before it reports [`BusinessTimeError::NotFound`].
pub const HORIZON_YEARS: usize = 20;

/// A compiled business-hours calendar.
///
/// Cheap to clone (the tables are shared) and safe to share between
/// threads. Year tables are built lazily on first use, so the first
/// question about a given year costs a few hundred microseconds and later
/// ones a binary search.
#[derive(Clone)]
pub struct Calendar {
    inner: Arc<Inner>,
}

struct Inner {
    rules: Rules,
    /// Instants of local new year for `FIRST_YEAR..=LAST_YEAR + 1`.
    year_starts: Vec<i64>,
    /// One lazily built table per year of `FIRST_YEAR..=LAST_YEAR`.
    tables: Vec<OnceLock<YearTable>>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules = &self.inner.rules;
        f.debug_struct("Calendar")
            .field("time_zone", &rules.zone.name())
            .field("always_open", &rules.weekly.is_none())
            .field("holidays", &rules.holidays.len())
            .field("date_overrides", &rules.overrides.len())
            .finish_non_exhaustive()
    }
}

/// Why a question about business time has no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BusinessTimeError {
    /// An input instant lies outside the local years 1900 to 2199.
    #[error(
        "instant `{instant}` is outside the years {FIRST_YEAR} to \
         {LAST_YEAR} that calendars cover"
    )]
    OutOfRange {
        /// The instant, in the calendar's zone.
        instant: String,
    },
    /// The count or search ran past the years the calendars cover.
    #[error(
        "counting from `{from}` runs past the years {FIRST_YEAR} to \
         {LAST_YEAR} that calendars cover"
    )]
    RunsOutOfRange {
        /// Where the count started, in the calendar's zone.
        from: String,
    },
    /// No business time, opening or closing within the horizon.
    #[error("no {what} within {years} years {direction} `{from}`")]
    NotFound {
        /// `business time`, `opening` or `closing`.
        what: &'static str,
        /// `after` or `before`.
        direction: &'static str,
        /// Where the search started, in the calendar's zone.
        from: String,
        /// The horizon, [`HORIZON_YEARS`].
        years: usize,
    },
    /// A 24x7 calendar was asked for an opening or a closing.
    #[error("the calendar is open 24x7, so it has no {what}")]
    AlwaysOpen {
        /// `opening` or `closing`.
        what: &'static str,
    },
    /// A 24x7 result or count does not fit in `i64` seconds.
    #[error("business time from `{from}` overflows 64-bit seconds")]
    Overflow {
        /// The start, in the calendar's zone.
        from: String,
    },
}

impl Calendar {
    /// Checks a spec and builds the calendar.
    ///
    /// # Errors
    ///
    /// Every problem in the spec, each naming its field relative to the
    /// calendar, e.g. ``hours.mon[0]: `25:00-18:00`: hour out of range``
    /// or ``time_zone: unknown time zone `Asia/Seul` ``.
    ///
    /// # Example
    ///
    /// ```
    /// use incident_rules_core::calendar::{Calendar, CalendarSpec};
    ///
    /// let spec: CalendarSpec = toml::from_str(
    ///     r#"
    ///     time_zone = "Asia/Seoul"
    ///     hours = { mon = ["09:00-18:00"], tue = ["25:00-18:00"] }
    ///     holidays = ["2026-02-30"]
    ///     "#,
    /// )?;
    /// let errors = Calendar::compile(&spec).unwrap_err();
    /// let messages: Vec<String> =
    ///     errors.iter().map(ToString::to_string).collect();
    /// assert_eq!(
    ///     messages,
    ///     [
    ///         "hours.tue[0]: `25:00-18:00`: hour out of range",
    ///         "holidays[0]: `2026-02-30`: not a date (YYYY-MM-DD)",
    ///     ],
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compile(spec: &CalendarSpec) -> Result<Self, Vec<CalendarError>> {
        let rules = spec::check(spec)?;

        // Cutting the time line at local new year keeps every table one
        // calendar year of windows; the cut is placed like an opening.
        let mut year_starts = Vec::new();
        for year in FIRST_YEAR..=LAST_YEAR + 1 {
            let start = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| {
                let midnight = table::midnight_of(d);
                table::instant_of_local(rules.zone, midnight, Edge::Open)
            });
            match start {
                Some(start) => year_starts.push(start),
                None => {
                    return Err(vec![CalendarError::new(
                        "time_zone",
                        format!(
                            "`{}`: cannot place new year {year}",
                            rules.zone.name()
                        ),
                    )]);
                }
            }
        }
        let tables = (FIRST_YEAR..=LAST_YEAR).map(|_| OnceLock::new());
        let inner = Inner { rules, year_starts, tables: tables.collect() };
        Ok(Calendar { inner: Arc::new(inner) })
    }

    /// The zone whose wall clock the calendar's hours are read in.
    pub fn time_zone(&self) -> Tz {
        self.inner.rules.zone
    }

    /// Whether the calendar is `24x7`.
    pub fn is_always_open(&self) -> bool {
        self.inner.rules.weekly.is_none()
    }

    /// The local date of `t` in the calendar's zone.
    ///
    /// # Errors
    ///
    /// [`BusinessTimeError::OutOfRange`] for an instant the date library
    /// cannot represent.
    pub fn local_date(&self, t: i64) -> Result<NaiveDate, BusinessTimeError> {
        table::local_date(self.time_zone(), t)
            .ok_or_else(|| self.out_of_range(t))
    }

    /// Whether the calendar is open at `t` (windows are `[open, close)`).
    ///
    /// # Errors
    ///
    /// [`BusinessTimeError::OutOfRange`] outside the supported years.
    ///
    /// # Example
    ///
    /// ```
    /// use incident_rules_core::calendar::{Calendar, CalendarSpec};
    /// use incident_rules_core::time::parse_instant;
    ///
    /// let spec: CalendarSpec = toml::from_str(
    ///     r#"
    ///     time_zone = "Asia/Seoul"
    ///     hours = { mon = ["09:00-18:00"] }
    ///     "#,
    /// )?;
    /// let calendar = Calendar::compile(&spec).map_err(|e| format!("{e:?}"))?;
    /// let open = |text| -> Result<bool, Box<dyn std::error::Error>> {
    ///     Ok(calendar.is_open(parse_instant(text)?)?)
    /// };
    /// assert!(open("2026-03-02T09:00:00+09:00")?);
    /// assert!(!open("2026-03-02T18:00:00+09:00")?);
    /// // Monday 01:00 in Seoul is still Sunday in UTC: the zone decides.
    /// assert!(!open("2026-03-01T16:00:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_open(&self, t: i64) -> Result<bool, BusinessTimeError> {
        if self.is_always_open() {
            return Ok(true);
        }
        let index = self.year_index(t)?;
        Ok(self.table(index, t)?.is_open(t))
    }

    /// Adds `secs` of business time to `t`: forward when `secs >= 0`,
    /// backward when negative.
    ///
    /// Forward, the result is the earliest instant `u >= t` with
    /// `business_seconds_between(t, u) >= secs`; backward, the latest
    /// `u <= t` with `business_seconds_between(u, t) >= -secs`. So adding
    /// zero returns `t` (open or not), a target used up at a closing time
    /// is that closing time, and going back onto an opening gives that
    /// opening.
    ///
    /// # Errors
    ///
    /// [`BusinessTimeError::OutOfRange`] for `t` outside the supported
    /// years, [`BusinessTimeError::RunsOutOfRange`] when the count leaves
    /// them, [`BusinessTimeError::NotFound`] when [`HORIZON_YEARS`]
    /// consecutive years have no business time, and
    /// [`BusinessTimeError::Overflow`] when a 24x7 result does not fit.
    ///
    /// # Example
    ///
    /// ```
    /// use incident_rules_core::calendar::{Calendar, CalendarSpec};
    /// use incident_rules_core::time::{format_instant, parse_instant};
    ///
    /// let spec: CalendarSpec = toml::from_str(
    ///     r#"
    ///     time_zone = "Asia/Seoul"
    ///     hours = { mon = ["09:00-18:00"], tue = ["09:00-18:00"] }
    ///     "#,
    /// )?;
    /// let calendar = Calendar::compile(&spec).map_err(|e| format!("{e:?}"))?;
    /// let due = |start, secs| -> Result<String, Box<dyn std::error::Error>> {
    ///     let t = calendar.add_business_time(parse_instant(start)?, secs)?;
    ///     Ok(format_instant(t, calendar.time_zone()))
    /// };
    /// // Four hours from Monday 16:00: two on Monday, two on Tuesday.
    /// assert_eq!(
    ///     due("2026-03-02T16:00:00+09:00", 4 * 3600)?,
    ///     "2026-03-03T11:00:00+09:00",
    /// );
    /// // Two hours from Monday 16:00 end exactly at the closing time.
    /// assert_eq!(
    ///     due("2026-03-02T16:00:00+09:00", 2 * 3600)?,
    ///     "2026-03-02T18:00:00+09:00",
    /// );
    /// // Back one hour from Tuesday 10:00 is the opening.
    /// assert_eq!(
    ///     due("2026-03-03T10:00:00+09:00", -3600)?,
    ///     "2026-03-03T09:00:00+09:00",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_business_time(
        &self,
        t: i64,
        secs: i64,
    ) -> Result<i64, BusinessTimeError> {
        if self.is_always_open() {
            return t.checked_add(secs).ok_or_else(|| self.overflow(t));
        }
        if secs == 0 {
            // Range-check all the same so that zero is not the one
            // duration that accepts any instant.
            self.year_index(t)?;
            return Ok(t);
        }
        if secs > 0 {
            self.add_forward(t, secs)
        } else {
            self.add_backward(t, secs)
        }
    }

    fn add_forward(
        &self,
        t: i64,
        secs: i64,
    ) -> Result<i64, BusinessTimeError> {
        let mut index = self.year_index(t)?;
        let (mut from, mut left, mut idle_years) = (t, secs, 0);
        loop {
            let table = self.table(index, t)?;
            let before = table.before(from);
            let remaining = table.total() - before;
            if left <= remaining {
                return Ok(table.forward_to(before + left));
            }
            left -= remaining;
            idle_years = if remaining == 0 { idle_years + 1 } else { 0 };
            if idle_years >= HORIZON_YEARS {
                return Err(self.not_found("business time", "after", t));
            }
            (index, from) = (index + 1, table.end);
        }
    }

    fn add_backward(
        &self,
        t: i64,
        secs: i64,
    ) -> Result<i64, BusinessTimeError> {
        let mut index = self.year_index(t)?;
        let mut left = secs.checked_neg().ok_or_else(|| self.overflow(t))?;
        let (mut to, mut idle_years) = (t, 0);
        loop {
            let table = self.table(index, t)?;
            let before = table.before(to);
            if left <= before {
                return Ok(table.backward_to(before - left));
            }
            left -= before;
            idle_years = if before == 0 { idle_years + 1 } else { 0 };
            if idle_years >= HORIZON_YEARS {
                return Err(self.not_found("business time", "before", t));
            }
            let Some(previous) = index.checked_sub(1) else {
                return Err(self.runs_out_of_range(t));
            };
            (index, to) = (previous, table.start);
        }
    }

    /// Business seconds from `from` to `to`: positive when `to` is later,
    /// negative when earlier, zero when equal.
    ///
    /// # Errors
    ///
    /// [`BusinessTimeError::OutOfRange`] when either instant is outside
    /// the supported years (not for a 24x7 calendar).
    ///
    /// # Example
    ///
    /// ```
    /// use incident_rules_core::calendar::{Calendar, CalendarSpec};
    /// use incident_rules_core::time::parse_instant;
    ///
    /// let spec: CalendarSpec = toml::from_str(
    ///     r#"
    ///     time_zone = "Asia/Seoul"
    ///     hours = { mon = ["09:00-18:00"], tue = ["09:00-18:00"] }
    ///     "#,
    /// )?;
    /// let calendar = Calendar::compile(&spec).map_err(|e| format!("{e:?}"))?;
    /// let monday = parse_instant("2026-03-02T17:00:00+09:00")?;
    /// let tuesday = parse_instant("2026-03-03T10:30:00+09:00")?;
    /// assert_eq!(calendar.business_seconds_between(monday, tuesday)?, 9000);
    /// assert_eq!(calendar.business_seconds_between(tuesday, monday)?, -9000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn business_seconds_between(
        &self,
        from: i64,
        to: i64,
    ) -> Result<i64, BusinessTimeError> {
        if to < from {
            return Ok(-self.business_seconds_between(to, from)?);
        }
        if self.is_always_open() {
            return to.checked_sub(from).ok_or_else(|| self.overflow(from));
        }
        let (first, last) = (self.year_index(from)?, self.year_index(to)?);
        let first_table = self.table(first, from)?;
        if first == last {
            return Ok(first_table.before(to) - first_table.before(from));
        }
        let mut total = first_table.total() - first_table.before(from);
        for index in first + 1..last {
            total += self.table(index, from)?.total();
        }
        Ok(total + self.table(last, from)?.before(to))
    }

    /// Like [`add_business_time`](Self::add_business_time), with the
    /// clock stopped during `pauses`, whether or not the calendar is open
    /// then.
    ///
    /// Forward, the earliest `u >= t` with
    /// `business_seconds_between_excluding(t, u, pauses) >= secs`;
    /// backward, the latest `u <= t` with the count from `u` to `t` at
    /// least `-secs`.
    ///
    /// # Errors
    ///
    /// As [`add_business_time`](Self::add_business_time).
    ///
    /// # Example
    ///
    /// ```
    /// use incident_rules_core::calendar::{Calendar, CalendarSpec, Pauses};
    /// use incident_rules_core::time::parse_instant;
    ///
    /// let spec: CalendarSpec = toml::from_str(
    ///     r#"
    ///     time_zone = "UTC"
    ///     hours = { mon = ["09:00-18:00"] }
    ///     "#,
    /// )?;
    /// let calendar = Calendar::compile(&spec).map_err(|e| format!("{e:?}"))?;
    /// let at = |text| parse_instant(text);
    /// // Waiting on the customer from 10:00 to 11:30.
    /// let pauses = Pauses::new([(
    ///     at("2026-03-02T10:00:00Z")?,
    ///     at("2026-03-02T11:30:00Z")?,
    /// )]);
    /// let due = calendar.add_business_time_excluding(
    ///     at("2026-03-02T09:00:00Z")?,
    ///     4 * 3600,
    ///     &pauses,
    /// )?;
    /// assert_eq!(due, at("2026-03-02T14:30:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_business_time_excluding(
        &self,
        t: i64,
        secs: i64,
        pauses: &Pauses,
    ) -> Result<i64, BusinessTimeError> {
        if secs == 0 || pauses.is_empty() {
            return self.add_business_time(t, secs);
        }
        if secs > 0 {
            // Spend what each stretch between pauses offers, from `from`.
            let (mut from, mut left) = (t, secs);
            let mut next = pauses.first_ending_after(t);
            while let Some((start, end)) = pauses.get(next) {
                next += 1;
                if start > from {
                    let available =
                        self.business_seconds_between(from, start)?;
                    if left <= available {
                        break;
                    }
                    left -= available;
                }
                from = end;
            }
            self.add_business_time(from, left)
        } else {
            let mut left =
                secs.checked_neg().ok_or_else(|| self.overflow(t))?;
            let mut to = t;
            let mut count = pauses.count_starting_before(t);
            while let Some((start, end)) =
                count.checked_sub(1).and_then(|k| pauses.get(k))
            {
                count -= 1;
                if end < to {
                    let available = self.business_seconds_between(end, to)?;
                    if left <= available {
                        break;
                    }
                    left -= available;
                }
                to = start;
            }
            self.add_business_time(to, -left)
        }
    }

    /// Business seconds from `from` to `to` with the time inside `pauses`
    /// left out; signed as
    /// [`business_seconds_between`](Self::business_seconds_between).
    ///
    /// # Errors
    ///
    /// As [`business_seconds_between`](Self::business_seconds_between).
    pub fn business_seconds_between_excluding(
        &self,
        from: i64,
        to: i64,
        pauses: &Pauses,
    ) -> Result<i64, BusinessTimeError> {
        if to < from {
            return Ok(
                -self.business_seconds_between_excluding(to, from, pauses)?
            );
        }
        let mut total = self.business_seconds_between(from, to)?;
        let mut next = pauses.first_ending_after(from);
        while let Some((start, end)) = pauses.get(next) {
            if start >= to {
                break;
            }
            total -=
                self.business_seconds_between(start.max(from), end.min(to))?;
            next += 1;
        }
        Ok(total)
    }

    /// The first opening at or after `t`: `t` itself if a window opens
    /// exactly then. An instant where one window closes and the next opens
    /// is not an opening (the calendar stays open).
    ///
    /// # Errors
    ///
    /// [`BusinessTimeError::AlwaysOpen`] for a 24x7 calendar,
    /// [`BusinessTimeError::NotFound`] beyond the horizon, and the range
    /// errors.
    pub fn next_opening_at_or_after(
        &self,
        t: i64,
    ) -> Result<i64, BusinessTimeError> {
        self.require_windows("opening")?;
        let first_index = self.year_index(t)?;
        for index in first_index..=first_index + HORIZON_YEARS {
            let table = self.table(index, t)?;
            let first = table.opens.partition_point(|&open| open < t);
            for (k, &open) in table.opens.iter().enumerate().skip(first) {
                if k > 0 || !self.closes_at(index.checked_sub(1), open) {
                    return Ok(open);
                }
            }
        }
        Err(self.not_found("opening", "after", t))
    }

    /// The first opening strictly after `t`.
    ///
    /// # Errors
    ///
    /// As [`next_opening_at_or_after`](Self::next_opening_at_or_after).
    pub fn next_opening_after(
        &self,
        t: i64,
    ) -> Result<i64, BusinessTimeError> {
        let later = t.checked_add(1).ok_or_else(|| self.out_of_range(t))?;
        self.next_opening_at_or_after(later)
    }

    /// The last opening at or before `t`.
    ///
    /// # Errors
    ///
    /// As [`next_opening_at_or_after`](Self::next_opening_at_or_after).
    pub fn previous_opening_at_or_before(
        &self,
        t: i64,
    ) -> Result<i64, BusinessTimeError> {
        self.require_windows("opening")?;
        let mut index = self.year_index(t)?;
        for _ in 0..=HORIZON_YEARS {
            let table = self.table(index, t)?;
            let count = table.opens.partition_point(|&open| open <= t);
            let opens = table.opens.iter().enumerate().take(count).rev();
            for (k, &open) in opens {
                if k > 0 || !self.closes_at(index.checked_sub(1), open) {
                    return Ok(open);
                }
            }
            index = index
                .checked_sub(1)
                .ok_or_else(|| self.runs_out_of_range(t))?;
        }
        Err(self.not_found("opening", "before", t))
    }

    /// The first closing strictly after `t`. An instant where one window
    /// closes and the next opens is not a closing.
    ///
    /// # Errors
    ///
    /// As [`next_opening_at_or_after`](Self::next_opening_at_or_after).
    pub fn next_closing_after(
        &self,
        t: i64,
    ) -> Result<i64, BusinessTimeError> {
        self.require_windows("closing")?;
        let first_index = self.year_index(t)?;
        for index in first_index..=first_index + HORIZON_YEARS {
            let table = self.table(index, t)?;
            let first = table.closes.partition_point(|&close| close <= t);
            for &close in table.closes.iter().skip(first) {
                if close < table.end || !self.opens_at(index + 1, close) {
                    return Ok(close);
                }
            }
        }
        Err(self.not_found("closing", "after", t))
    }

    /// The last closing at or before `t`.
    ///
    /// # Errors
    ///
    /// As [`next_opening_at_or_after`](Self::next_opening_at_or_after).
    pub fn previous_closing_at_or_before(
        &self,
        t: i64,
    ) -> Result<i64, BusinessTimeError> {
        self.require_windows("closing")?;
        let mut index = self.year_index(t)?;
        for _ in 0..=HORIZON_YEARS {
            let table = self.table(index, t)?;
            let count = table.closes.partition_point(|&close| close <= t);
            for &close in table.closes.iter().take(count).rev() {
                if close < table.end || !self.opens_at(index + 1, close) {
                    return Ok(close);
                }
            }
            index = index
                .checked_sub(1)
                .ok_or_else(|| self.runs_out_of_range(t))?;
        }
        Err(self.not_found("closing", "before", t))
    }

    /// The open segments of local `date`: the windows that open on that
    /// date (after holidays and overrides) as absolute `(open, close)`
    /// pairs, ascending, merged where they touch. An overnight window is
    /// listed whole, including its part on the next date. A 24x7 calendar
    /// gives the whole local day.
    ///
    /// # Errors
    ///
    /// [`BusinessTimeError::OutOfRange`] for a date the date library cannot
    /// place.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use incident_rules_core::calendar::{Calendar, CalendarSpec};
    /// use incident_rules_core::time::parse_instant;
    ///
    /// let spec: CalendarSpec = toml::from_str(
    ///     r#"
    ///     time_zone = "Asia/Seoul"
    ///     hours = { tue = ["09:00-12:00", "13:00-18:00"] }
    ///     "#,
    /// )?;
    /// let calendar = Calendar::compile(&spec).map_err(|e| format!("{e:?}"))?;
    /// let tuesday = NaiveDate::from_ymd_opt(2026, 3, 3).ok_or("date")?;
    /// assert_eq!(
    ///     calendar.open_segments_on(tuesday)?,
    ///     [
    ///         (
    ///             parse_instant("2026-03-03T09:00:00+09:00")?,
    ///             parse_instant("2026-03-03T12:00:00+09:00")?,
    ///         ),
    ///         (
    ///             parse_instant("2026-03-03T13:00:00+09:00")?,
    ///             parse_instant("2026-03-03T18:00:00+09:00")?,
    ///         ),
    ///     ],
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_segments_on(
        &self,
        date: NaiveDate,
    ) -> Result<Vec<(i64, i64)>, BusinessTimeError> {
        let zone = self.time_zone();
        let midnight = table::midnight_of(date);
        let out_of_range = || self.out_of_range(midnight);
        if self.is_always_open() {
            let open = table::instant_of_local(zone, midnight, Edge::Open);
            let next = midnight + 86_400;
            let close = table::instant_of_local(zone, next, Edge::Open);
            return Ok(vec![(
                open.ok_or_else(out_of_range)?,
                close.ok_or_else(out_of_range)?,
            )]);
        }

        let mut spans = Vec::new();
        for &window in self.inner.rules.windows_on(date) {
            let (open, close) = table::window_instants(zone, date, window)
                .ok_or_else(out_of_range)?;
            if open < close {
                spans.push((open, close));
            }
        }
        spans.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
        for (open, close) in spans {
            match merged.last_mut() {
                Some(last) if open <= last.1 => last.1 = last.1.max(close),
                _ => merged.push((open, close)),
            }
        }
        Ok(merged)
    }

    /// Index of the year table whose range holds `t`.
    fn year_index(&self, t: i64) -> Result<usize, BusinessTimeError> {
        let starts = &self.inner.year_starts;
        let count = starts.partition_point(|&start| start <= t);
        match count.checked_sub(1) {
            Some(index) if count < starts.len() => Ok(index),
            _ => Err(self.out_of_range(t)),
        }
    }

    /// The table at `index`, built on first use; `from` names the start
    /// of the count in the error when `index` is past the range.
    fn table(
        &self,
        index: usize,
        from: i64,
    ) -> Result<&YearTable, BusinessTimeError> {
        let inner = &*self.inner;
        let starts = &inner.year_starts;
        let found = (
            inner.tables.get(index),
            starts.get(index),
            starts.get(index + 1),
            i32::try_from(index).ok(),
        );
        let (Some(lock), Some(&start), Some(&end), Some(offset)) = found
        else {
            return Err(self.runs_out_of_range(from));
        };
        let year = FIRST_YEAR + offset;
        Ok(lock
            .get_or_init(|| YearTable::build(&inner.rules, year, start, end)))
    }

    /// Whether the table at `index` ends with a closing at `t`, i.e. an
    /// opening at `t` in the following table only continues it.
    fn closes_at(&self, index: Option<usize>, t: i64) -> bool {
        index
            .and_then(|index| self.table(index, t).ok())
            .and_then(|table| table.closes.last())
            .is_some_and(|&close| close == t)
    }

    /// Whether the table at `index` starts with an opening at `t`.
    fn opens_at(&self, index: usize, t: i64) -> bool {
        self.table(index, t)
            .ok()
            .and_then(|table| table.opens.first())
            .is_some_and(|&open| open == t)
    }

    fn require_windows(
        &self,
        what: &'static str,
    ) -> Result<(), BusinessTimeError> {
        if self.is_always_open() {
            return Err(BusinessTimeError::AlwaysOpen { what });
        }
        Ok(())
    }

    fn show(&self, t: i64) -> String {
        format_instant(t, self.time_zone())
    }

    fn out_of_range(&self, t: i64) -> BusinessTimeError {
        BusinessTimeError::OutOfRange { instant: self.show(t) }
    }

    fn runs_out_of_range(&self, from: i64) -> BusinessTimeError {
        BusinessTimeError::RunsOutOfRange { from: self.show(from) }
    }

    fn not_found(
        &self,
        what: &'static str,
        direction: &'static str,
        from: i64,
    ) -> BusinessTimeError {
        BusinessTimeError::NotFound {
            what,
            direction,
            from: self.show(from),
            years: HORIZON_YEARS,
        }
    }

    fn overflow(&self, from: i64) -> BusinessTimeError {
        BusinessTimeError::Overflow { from: self.show(from) }
    }
}
