//! Instants and durations as the rest of the crate sees them.
//!
//! Inside the core an instant is an `i64` count of seconds since the Unix
//! epoch (UTC) and a duration is an `i64` count of seconds. This module
//! owns the text forms of both: RFC 3339 timestamps with an explicit offset
//! and short durations such as `1h30m`. Calendars, and what an hour of
//! *business* time means, live in [`crate::calendar`].
//!
//! Resolution is one second. A fraction of a second in a timestamp is
//! dropped toward negative infinity: `10:00:00.9Z` is `10:00:00Z`, and
//! since the fraction of an RFC 3339 timestamp always counts forward from
//! the whole second written, dropping it never moves an instant later.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;

/// Seconds in a minute, an hour and a day, spelled once.
const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A timestamp or duration that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The text is not an RFC 3339 timestamp, or names a date or time that
    /// does not exist.
    #[error("invalid timestamp `{text}`: {reason}")]
    InvalidInstant {
        /// The text as given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The timestamp is well formed but says nothing of its offset, so the
    /// instant it names is unknown.
    #[error("timestamp `{text}` has no offset")]
    MissingOffset {
        /// The text as given.
        text: String,
    },
    /// The text is not a duration such as `15m` or `1h30m`.
    #[error("invalid duration `{text}`: {reason}")]
    InvalidDuration {
        /// The text as given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Reads an RFC 3339 timestamp with an explicit offset into Unix seconds.
///
/// Accepted: `2026-03-02T09:00:00+09:00`, `2026-03-02T00:00:00Z`, a
/// lower-case `t`/`z` or a space between date and time, and a fraction of
/// a second of any length, which is dropped (see the module doc). The
/// offset may carry seconds (`+08:27:52`) so that what
/// [`format_instant`] writes for old local-mean-time offsets reads back.
/// Leap seconds (`:60`) are rejected.
///
/// # Errors
///
/// [`TimeError::MissingOffset`] when the text is a local date-time without
/// an offset, [`TimeError::InvalidInstant`] for anything else that is not
/// a valid timestamp.
///
/// # Example
///
/// ```
/// use incident_rules_core::time::parse_instant;
///
/// let t = parse_instant("2026-03-02T09:00:00+09:00")?;
/// assert_eq!(t, parse_instant("2026-03-02T00:00:00Z")?);
/// assert_eq!(t, parse_instant("2026-03-02T00:00:00.999Z")?);
/// # Ok::<(), incident_rules_core::time::TimeError>(())
/// ```
pub fn parse_instant(text: &str) -> Result<i64, TimeError> {
    let invalid = |reason: &str| TimeError::InvalidInstant {
        text: text.to_owned(),
        reason: reason.to_owned(),
    };
    let mut cursor = Cursor { rest: text.as_bytes() };

    // Date part: YYYY-MM-DD.
    let year = cursor.digits(4).ok_or_else(|| invalid("expected a year"))?;
    cursor.literal(b'-').ok_or_else(|| invalid("expected `-`"))?;
    let month = cursor.digits(2).ok_or_else(|| invalid("expected a month"))?;
    cursor.literal(b'-').ok_or_else(|| invalid("expected `-`"))?;
    let day = cursor.digits(2).ok_or_else(|| invalid("expected a day"))?;
    if !(1..=12).contains(&month) {
        return Err(invalid("month out of range"));
    }
    let date = NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .ok_or_else(|| invalid("day out of range"))?;

    // Time part: THH:MM:SS with an optional fraction.
    match cursor.next() {
        Some(b'T' | b't' | b' ') => {}
        None => return Err(TimeError::MissingOffset { text: text.into() }),
        Some(_) => return Err(invalid("expected `T` after the date")),
    }
    let hour = cursor.digits(2).ok_or_else(|| invalid("expected an hour"))?;
    cursor.literal(b':').ok_or_else(|| invalid("expected `:`"))?;
    let minute =
        cursor.digits(2).ok_or_else(|| invalid("expected minutes"))?;
    // RFC 3339 requires seconds; being strict keeps `2026-03-02 09:00`
    // from passing as a timestamp with a misread offset.
    let second = match cursor.peek() {
        Some(b':') => {
            cursor.next();
            cursor.digits(2).ok_or_else(|| invalid("expected seconds"))?
        }
        None => return Err(TimeError::MissingOffset { text: text.into() }),
        Some(_) => return Err(invalid("expected seconds")),
    };
    if hour > 23 {
        return Err(invalid("hour out of range"));
    }
    if minute > 59 {
        return Err(invalid("minute out of range"));
    }
    if second > 59 {
        return Err(invalid("second out of range"));
    }
    if cursor.peek() == Some(b'.') {
        cursor.next();
        if cursor.skip_digits() == 0 {
            return Err(invalid("expected digits after `.`"));
        }
    }

    // Offset: Z or +HH:MM(:SS).
    let offset = match cursor.next() {
        None => return Err(TimeError::MissingOffset { text: text.into() }),
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh = cursor
                .digits(2)
                .ok_or_else(|| invalid("expected offset hours"))?;
            cursor.literal(b':').ok_or_else(|| invalid("expected `:`"))?;
            let om = cursor
                .digits(2)
                .ok_or_else(|| invalid("expected offset minutes"))?;
            let os = if cursor.peek() == Some(b':') {
                cursor.next();
                cursor
                    .digits(2)
                    .ok_or_else(|| invalid("expected offset seconds"))?
            } else {
                0
            };
            if oh > 23 || om > 59 || os > 59 {
                return Err(invalid("offset out of range"));
            }
            let magnitude = i64::from(oh * 3600 + om * 60 + os);
            if sign == b'-' { -magnitude } else { magnitude }
        }
        Some(_) => return Err(invalid("expected an offset")),
    };
    if !cursor.rest.is_empty() {
        return Err(invalid("unexpected text after the offset"));
    }

    let days = i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE;
    let local = days * DAY
        + i64::from(hour) * HOUR
        + i64::from(minute) * MINUTE
        + i64::from(second);
    Ok(local - offset)
}

/// Days from 0001-01-01 (day 1) to 1970-01-01, as chrono counts them.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// A byte cursor for [`parse_instant`]; every read is bounds-checked.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn next(&mut self) -> Option<u8> {
        let (&first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(first)
    }

    fn literal(&mut self, want: u8) -> Option<()> {
        if self.peek()? != want {
            return None;
        }
        self.next().map(drop)
    }

    /// Reads exactly `count` ASCII digits.
    fn digits(&mut self, count: usize) -> Option<i32> {
        let (head, rest) = self.rest.split_at_checked(count)?;
        let mut value = 0i32;
        for &byte in head {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i32::from(byte - b'0');
        }
        self.rest = rest;
        Some(value)
    }

    /// Skips any run of ASCII digits and says how many there were.
    fn skip_digits(&mut self) -> usize {
        let count =
            self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        self.rest = self.rest.get(count..).unwrap_or_default();
        count
    }
}

/// Writes `t` as an RFC 3339 timestamp in `zone`'s offset at `t`, to the
/// second.
///
/// The offset is written `Z` only when `zone` is UTC itself (`UTC`,
/// `Etc/UTC` and their aliases); a zone that merely has offset zero at `t`,
/// such as `Europe/London` in winter, is written `+00:00`, so the reader
/// can tell a calendar in London from one in UTC. Offsets that are not a
/// whole minute (local mean time before about 1900) are written with
/// seconds, `+08:27:52`, which [`parse_instant`] reads back. An instant
/// too far from the present for the date library (beyond about ±262,000
/// years) is written as `@` and the number of seconds.
///
/// # Example
///
/// ```
/// use incident_rules_core::time::{format_instant, parse_instant};
///
/// let t = parse_instant("2026-03-02T00:15:00Z")?;
/// assert_eq!(
///     format_instant(t, chrono_tz::Asia::Seoul),
///     "2026-03-02T09:15:00+09:00",
/// );
/// assert_eq!(format_instant(t, chrono_tz::UTC), "2026-03-02T00:15:00Z");
/// # Ok::<(), incident_rules_core::time::TimeError>(())
/// ```
pub fn format_instant(t: i64, zone: Tz) -> String {
    let Some(utc) = DateTime::from_timestamp(t, 0) else {
        return format!("@{t}");
    };
    let local = zone.from_utc_datetime(&utc.naive_utc());
    let offset = local.offset().fix().local_minus_utc();
    let stamp = local.naive_local().format("%Y-%m-%dT%H:%M:%S");
    if is_utc_zone(zone) {
        return format!("{stamp}Z");
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let magnitude = offset.unsigned_abs();
    let (hours, minutes, seconds) =
        (magnitude / 3600, magnitude / 60 % 60, magnitude % 60);
    if seconds == 0 {
        format!("{stamp}{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{stamp}{sign}{hours:02}:{minutes:02}:{seconds:02}")
    }
}

/// Whether `zone` is UTC under one of its names (not merely offset zero).
fn is_utc_zone(zone: Tz) -> bool {
    matches!(
        zone.name(),
        "UTC"
            | "Etc/UTC"
            | "Etc/UCT"
            | "UCT"
            | "Etc/Universal"
            | "Universal"
            | "Etc/Zulu"
            | "Zulu"
    )
}

/// Reads a duration such as `15m`, `4h`, `1h30m`, `90s` or `2d` into
/// seconds.
///
/// A duration is one or more `<digits><unit>` parts with the units `d`,
/// `h`, `m`, `s`, each at most once and from the largest down (`1h30m`,
/// not `30m1h`). `d` is 24 hours; on a business calendar it is 24 hours of
/// *business* time, not a business day: `1d` on a 09:00-18:00 calendar
/// takes a little under three working days. Zero (`0m`) is allowed;
/// negative durations are not (there is no sign).
///
/// # Errors
///
/// [`TimeError::InvalidDuration`] when the text is empty, has a sign, a
/// part without a unit, an unknown or repeated unit, or a value too large
/// for `i64` seconds.
///
/// # Example
///
/// ```
/// use incident_rules_core::time::parse_duration;
///
/// assert_eq!(parse_duration("1h30m")?, 5400);
/// assert_eq!(parse_duration("2d")?, 2 * 24 * 3600);
/// assert!(parse_duration("-5m").is_err());
/// # Ok::<(), incident_rules_core::time::TimeError>(())
/// ```
pub fn parse_duration(text: &str) -> Result<i64, TimeError> {
    let invalid = |reason: String| TimeError::InvalidDuration {
        text: text.to_owned(),
        reason,
    };
    if text.is_empty() {
        return Err(invalid("empty".into()));
    }
    if text.starts_with('-') || text.starts_with('+') {
        return Err(invalid("durations have no sign".into()));
    }

    let mut total: i64 = 0;
    // Index into UNITS of the last unit used, to force largest-first order.
    let mut last_unit: Option<usize> = None;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, after) = rest.split_at(digits);
        if number.is_empty() {
            return Err(invalid(format!("expected a number at `{rest}`")));
        }
        let mut chars = after.chars();
        let Some(unit) = chars.next() else {
            return Err(invalid(format!("`{number}` has no unit")));
        };
        let Some(index) = UNITS.iter().position(|&(name, _)| name == unit)
        else {
            return Err(invalid(format!(
                "unknown unit `{unit}`; use d, h, m or s"
            )));
        };
        if last_unit.is_some_and(|last| index <= last) {
            return Err(invalid(format!(
                "unit `{unit}` repeated or out of order; write the largest \
                 unit first, as in `1h30m`"
            )));
        }
        last_unit = Some(index);

        let scale = UNITS.get(index).map_or(1, |&(_, scale)| scale);
        let part = number
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(scale))
            .and_then(|part| total.checked_add(part));
        total = part.ok_or_else(|| invalid("too large".into()))?;
        rest = chars.as_str();
    }
    Ok(total)
}

/// Duration units from the largest down, with their length in seconds.
const UNITS: [(char, i64); 4] =
    [('d', DAY), ('h', HOUR), ('m', MINUTE), ('s', 1)];

/// Writes a number of seconds as the shortest duration text that
/// [`parse_duration`] reads back to the same value.
///
/// Zero is `0s`. Whole days are written in `d` (`86400` is `1d`, not
/// `24h`). A negative value is written with a leading `-`, which
/// [`parse_duration`] does not accept: it is for display, e.g. of how far
/// past a deadline an incident is.
///
/// # Example
///
/// ```
/// use incident_rules_core::time::format_duration;
///
/// assert_eq!(format_duration(5400), "1h30m");
/// assert_eq!(format_duration(90), "1m30s");
/// assert_eq!(format_duration(0), "0s");
/// assert_eq!(format_duration(-900), "-15m");
/// ```
pub fn format_duration(secs: i64) -> String {
    if secs == 0 {
        return "0s".to_owned();
    }
    let mut text = String::new();
    if secs < 0 {
        text.push('-');
    }
    // unsigned_abs keeps i64::MIN from overflowing.
    let mut rest = secs.unsigned_abs();
    for (unit, scale) in UNITS {
        let scale = scale.unsigned_abs();
        let count = rest / scale;
        if count > 0 {
            text.push_str(&format!("{count}{unit}"));
        }
        rest %= scale;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_messages() {
        let message = |text: &str| match parse_instant(text) {
            Ok(t) => format!("ok {t}"),
            Err(error) => error.to_string(),
        };
        assert_eq!(
            message("2026-13-01T00:00:00Z"),
            "invalid timestamp `2026-13-01T00:00:00Z`: month out of range"
        );
        assert_eq!(
            message("2026-03-02 09:00"),
            "timestamp `2026-03-02 09:00` has no offset"
        );
        assert_eq!(
            message("2026-03-02T09:00:00"),
            "timestamp `2026-03-02T09:00:00` has no offset"
        );
        assert_eq!(
            message("2026-02-30T09:00:00Z"),
            "invalid timestamp `2026-02-30T09:00:00Z`: day out of range"
        );
        assert_eq!(message("1970-01-01T00:00:00Z"), "ok 0");
        assert_eq!(message("1969-12-31T23:59:59.5Z"), "ok -1");
        assert_eq!(message("1970-01-01T09:00:00+09:00"), "ok 0");
        assert_eq!(message("1970-01-01T00:00:00-00:30"), "ok 1800");
    }

    #[test]
    fn format_round_trips() -> Result<(), TimeError> {
        for text in
            ["2026-03-02T09:15:00+09:00", "1900-01-01T00:00:00+08:27:52"]
        {
            let t = parse_instant(text)?;
            let zone = if text.starts_with("1900") {
                chrono_tz::Asia::Macau
            } else {
                chrono_tz::Asia::Seoul
            };
            assert_eq!(parse_instant(&format_instant(t, zone))?, t);
        }
        assert_eq!(
            format_instant(0, chrono_tz::Europe::London),
            "1970-01-01T01:00:00+01:00"
        );
        assert_eq!(
            format_instant(i64::MAX, chrono_tz::UTC),
            "@9223372036854775807"
        );
        Ok(())
    }

    #[test]
    fn duration_forms() -> Result<(), TimeError> {
        for (text, secs) in [
            ("15m", 900),
            ("4h", 14_400),
            ("1h30m", 5400),
            ("24h", 86_400),
            ("90s", 90),
            ("2d", 172_800),
            ("0m", 0),
        ] {
            assert_eq!(parse_duration(text)?, secs, "{text}");
        }
        for secs in [0, 1, 59, 60, 5400, 86_400, 90_061, i64::MAX] {
            assert_eq!(parse_duration(&format_duration(secs))?, secs);
        }
        assert_eq!(format_duration(i64::MIN), "-106751991167300d15h30m8s");
        Ok(())
    }

    #[test]
    fn duration_messages() {
        let message = |text: &str| match parse_duration(text) {
            Ok(secs) => format!("ok {secs}"),
            Err(error) => error.to_string(),
        };
        assert_eq!(message(""), "invalid duration ``: empty");
        assert_eq!(
            message("-5m"),
            "invalid duration `-5m`: durations have no sign"
        );
        assert_eq!(
            message("5w"),
            "invalid duration `5w`: unknown unit `w`; use d, h, m or s"
        );
        assert_eq!(message("15"), "invalid duration `15`: `15` has no unit");
        assert_eq!(
            message("30m1h"),
            "invalid duration `30m1h`: unit `h` repeated or out of order; \
             write the largest unit first, as in `1h30m`"
        );
        assert_eq!(
            message("99999999999999999d"),
            "invalid duration `99999999999999999d`: too large"
        );
        assert_eq!(
            message("h"),
            "invalid duration `h`: expected a number at `h`"
        );
    }
}
