//! Year tables: a calendar's open intervals as absolute seconds.
//!
//! The absolute time line is cut at each local new year (the instant of
//! local `YYYY-01-01T00:00`). Every window that opens on a local date is
//! turned into an absolute interval, clipped to the year it falls in, and
//! the intervals of one year are sorted, merged where they overlap or
//! touch, and given prefix sums of business seconds. With those, "how much
//! business time before t" and "where does the n-th business second fall"
//! are binary searches, whatever the length of the target.
//!
//! This module also owns the one rule for turning a wall-clock reading into
//! an instant around daylight-saving transitions ([`Edge`]). What the
//! intervals are used for is left to `mod.rs`.

use chrono::LocalResult;
use chrono::{DateTime, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;

use super::spec::{Rules, Window};

const DAY: i64 = 86_400;

/// Which side of a window a wall-clock reading is, which decides how a
/// reading that happens twice or never is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// An opening: in a fold the window opens at the first pass; in a gap
    /// it opens when the gap ends.
    Open,
    /// A closing: in a fold the window closes at the last instant the
    /// wall clock rises to the closing reading, so both passes of a
    /// repeated hour inside the window count, while a window that closes
    /// exactly where the repeated hour begins closes at its first pass
    /// (the wall clock never rises to that reading again); in a gap it
    /// closes when the gap ends.
    Close,
}

/// The instant at which `zone`'s wall clock reads `local` (seconds since
/// the epoch as if the wall clock were UTC), placed by `edge` when the
/// reading happens twice or never.
///
/// Returns `None` only outside the range of the date library.
pub(crate) fn instant_of_local(
    zone: Tz,
    local: i64,
    edge: Edge,
) -> Option<i64> {
    let naive = DateTime::from_timestamp(local, 0)?.naive_utc();
    match zone.offset_from_local_datetime(&naive) {
        LocalResult::Single(offset) => Some(local - seconds_of(offset)),
        LocalResult::Ambiguous(first, second) => {
            // Placing an opening at its first pass and a closing at its
            // second makes every pass of the repeated readings count.
            let (first, second) =
                (local - seconds_of(first), local - seconds_of(second));
            let (early, late) = (first.min(second), first.max(second));
            Some(match edge {
                Edge::Open => early,
                // At the second pass the clock must come up to the reading
                // from just below it; when the reading is the first one
                // repeated, the clock jumps back onto it from above, and
                // the window was already closed at the first pass.
                Edge::Close
                    if local_of_instant(zone, late - 1) == Some(local - 1) =>
                {
                    late
                }
                Edge::Close => early,
            })
        }
        LocalResult::None => gap_end(zone, local),
    }
}

fn seconds_of(offset: <Tz as TimeZone>::Offset) -> i64 {
    i64::from(offset.fix().local_minus_utc())
}

/// The wall-clock reading of `zone` at instant `t`, as seconds.
pub(crate) fn local_of_instant(zone: Tz, t: i64) -> Option<i64> {
    let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
    Some(t + seconds_of(zone.offset_from_utc_datetime(&utc)))
}

/// The local date of instant `t` in `zone`.
pub(crate) fn local_date(zone: Tz, t: i64) -> Option<NaiveDate> {
    let local = local_of_instant(zone, t)?;
    Some(DateTime::from_timestamp(local, 0)?.date_naive())
}

/// The instant a spring-forward gap ends, for a wall-clock reading `local`
/// that falls inside it: the first instant whose reading is past `local`.
fn gap_end(zone: Tz, local: i64) -> Option<i64> {
    // Offsets lie within -12 h..+14 h and no gap is longer than a day, so
    // the answer is in this range, where the reading is below `local` at
    // `low` and not below it at `high`.
    // INVARIANT: no other transition lies within a day of the gap, so the
    // reading only crosses `local` once in the range.
    let (mut low, mut high) = (local - 40 * 3600, local + 14 * 3600);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if local_of_instant(zone, middle)? < local {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(high)
}

/// Seconds since the epoch, as if UTC, of local midnight starting `date`.
pub(crate) fn midnight_of(date: NaiveDate) -> i64 {
    let epoch = DateTime::UNIX_EPOCH.date_naive();
    (date - epoch).num_days() * DAY
}

/// The absolute interval of `window` on local `date`, empty (`open >=
/// close`) when it falls wholly in a gap.
pub(crate) fn window_instants(
    zone: Tz,
    date: NaiveDate,
    window: Window,
) -> Option<(i64, i64)> {
    let midnight = midnight_of(date);
    let open = midnight + i64::from(window.open) * 60;
    let close = midnight + i64::from(window.close) * 60;
    Some((
        instant_of_local(zone, open, Edge::Open)?,
        instant_of_local(zone, close, Edge::Close)?,
    ))
}

/// One local year's open intervals, absolute, merged, with prefix sums.
#[derive(Debug, Default)]
pub(crate) struct YearTable {
    /// The instant of local new year that starts this table.
    pub(crate) start: i64,
    /// The instant of the next local new year: the table covers
    /// `[start, end)`.
    pub(crate) end: i64,
    /// Openings, ascending.
    pub(crate) opens: Vec<i64>,
    /// Closings; `closes[k]` ends the interval opened at `opens[k]`.
    /// INVARIANT: `opens[k] < closes[k] < opens[k + 1]`, all within
    /// `[start, end]`.
    pub(crate) closes: Vec<i64>,
    /// Business seconds in this table up to `closes[k]`.
    pub(crate) through: Vec<i64>,
}

impl YearTable {
    /// Builds the table of local `year`, cut to `[start, end)`.
    pub(crate) fn build(
        rules: &Rules,
        year: i32,
        start: i64,
        end: i64,
    ) -> Self {
        let mut spans = Vec::new();

        // Windows opening on the last day of the previous year may run
        // past midnight into this one; none reaches further.
        let first = NaiveDate::from_ymd_opt(year - 1, 12, 31);
        let last = NaiveDate::from_ymd_opt(year, 12, 31);
        if let (Some(first), Some(last)) = (first, last) {
            for date in first.iter_days().take_while(|d| *d <= last) {
                for &window in rules.windows_on(date) {
                    let Some((open, close)) =
                        window_instants(rules.zone, date, window)
                    else {
                        continue;
                    };
                    let (open, close) = (open.max(start), close.min(end));
                    if open < close {
                        spans.push((open, close));
                    }
                }
            }
        }

        // Overlapping or touching windows become one open stretch, so an
        // opening always follows a closed moment.
        spans.sort_unstable();
        let mut table = YearTable { start, end, ..YearTable::default() };
        let mut total = 0;
        for (open, close) in spans {
            if let Some(last) = table.closes.last_mut()
                && open <= *last
            {
                if close > *last {
                    total += close - *last;
                    *last = close;
                    if let Some(through) = table.through.last_mut() {
                        *through = total;
                    }
                }
                continue;
            }
            total += close - open;
            table.opens.push(open);
            table.closes.push(close);
            table.through.push(total);
        }
        table
    }

    /// Business seconds in this table.
    pub(crate) fn total(&self) -> i64 {
        self.through.last().copied().unwrap_or(0)
    }

    /// Business seconds in `[start, t)`, for `t` in `[start, end]`.
    pub(crate) fn before(&self, t: i64) -> i64 {
        let count = self.opens.partition_point(|&open| open <= t);
        let Some(k) = count.checked_sub(1) else { return 0 };
        match (self.closes.get(k), self.through.get(k)) {
            (Some(&close), Some(&through)) => through - (close - t).max(0),
            _ => 0,
        }
    }

    /// The earliest instant with `target` business seconds before it, for
    /// `0 < target <= total()`.
    pub(crate) fn forward_to(&self, target: i64) -> i64 {
        let k = self.through.partition_point(|&through| through < target);
        match (self.closes.get(k), self.through.get(k)) {
            (Some(&close), Some(&through)) => close - (through - target),
            _ => self.end,
        }
    }

    /// The latest instant with `target` business seconds before it, for
    /// `0 <= target < total()`.
    pub(crate) fn backward_to(&self, target: i64) -> i64 {
        // The interval holding the target is the first that ends strictly
        // after it; landing on an interval's end means the next opening
        // is the latest instant with that count.
        let k = self.through.partition_point(|&through| through <= target);
        match (self.closes.get(k), self.through.get(k)) {
            (Some(&close), Some(&through)) => close - (through - target),
            _ => self.start,
        }
    }

    /// Whether `t` (within the table) is inside an open interval.
    pub(crate) fn is_open(&self, t: i64) -> bool {
        let count = self.opens.partition_point(|&open| open <= t);
        count
            .checked_sub(1)
            .and_then(|k| self.closes.get(k))
            .is_some_and(|&close| t < close)
    }
}
