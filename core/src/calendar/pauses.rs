//! Pauses: absolute intervals during which an SLA clock does not run.
//!
//! This module only normalizes the intervals (drop empty ones, merge the
//! rest); the arithmetic that skips them is on
//! [`Calendar`](super::Calendar), next to the arithmetic it extends.

/// A set of absolute intervals `[start, end)` in Unix seconds during which
/// the clock is stopped, whether or not the calendar is open.
///
/// Built from any list: intervals with `end <= start` are dropped (a
/// reversed pause is taken to be no pause rather than an error, because a
/// pause whose end was recorded before its start stopped no clock), and
/// overlapping or touching ones are merged so that time paused twice
/// counts once.
///
/// # Example
///
/// ```
/// use incident_rules_core::calendar::Pauses;
///
/// let pauses = Pauses::new([(100, 200), (150, 300), (300, 310), (50, 40)]);
/// assert_eq!(pauses.intervals(), &[(100, 310)]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pauses {
    /// INVARIANT: sorted, each `start < end`, and each `end` strictly
    /// before the next `start`.
    intervals: Vec<(i64, i64)>,
}

impl Pauses {
    /// Normalizes a list of `(start, end)` intervals.
    pub fn new(intervals: impl IntoIterator<Item = (i64, i64)>) -> Self {
        let mut sorted: Vec<(i64, i64)> =
            intervals.into_iter().filter(|(start, end)| start < end).collect();
        sorted.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(sorted.len());
        for (start, end) in sorted {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Pauses { intervals: merged }
    }

    /// The merged intervals, ascending.
    pub fn intervals(&self) -> &[(i64, i64)] {
        &self.intervals
    }

    /// Whether there is no pause at all.
    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// Whether the clock is stopped at `t`.
    pub fn is_paused(&self, t: i64) -> bool {
        let k = self.intervals.partition_point(|&(start, _)| start <= t);
        k.checked_sub(1)
            .and_then(|k| self.intervals.get(k))
            .is_some_and(|&(_, end)| t < end)
    }

    /// Index of the first interval that ends after `t`.
    pub(crate) fn first_ending_after(&self, t: i64) -> usize {
        self.intervals.partition_point(|&(_, end)| end <= t)
    }

    /// Number of intervals that start before `t`.
    pub(crate) fn count_starting_before(&self, t: i64) -> usize {
        self.intervals.partition_point(|&(start, _)| start < t)
    }

    pub(crate) fn get(&self, index: usize) -> Option<(i64, i64)> {
        self.intervals.get(index).copied()
    }
}
