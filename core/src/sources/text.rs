//! Small readings shared by the source readers: cells as text, local
//! wall-clock times turned into instants, and the CSV plumbing.
//!
//! Everything here answers with a reason string rather than an error
//! type, because a reason ends up in a [`SourceRecord`](super::SourceRecord)
//! and is only ever shown to a person.

use std::collections::VecDeque;
use std::io::{BufRead, Read};

use chrono::{LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::incident::IncidentInput;
use crate::time::{format_instant, parse_instant};

use super::SourceError;

/// The bytes of a cell as text, or why they are not.
pub(super) fn utf8<'a>(
    column: &str,
    bytes: &'a [u8],
) -> Result<&'a str, String> {
    std::str::from_utf8(bytes).map_err(|error| {
        format!(
            "`{column}` is not valid UTF-8 (bad byte at offset {})",
            error.valid_up_to()
        )
    })
}

/// A local wall-clock time in `zone` as Unix seconds.
///
/// The rule for the two daylight-saving ambiguities: a time that occurs
/// twice (the hour repeated when clocks go back) is the earlier of the two
/// instants, the way a clock on the wall reads it first; a time that never
/// occurs (the hour skipped when clocks go forward) is refused, because
/// any instant chosen for it would be a guess.
pub(super) fn local_seconds(
    text: &str,
    local: NaiveDateTime,
    zone: Tz,
) -> Result<i64, String> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => {
            Ok(at.timestamp())
        }
        LocalResult::None => Err(format!(
            "`{text}` does not exist in `{}`: the clocks skipped it \
             (daylight saving)",
            zone.name()
        )),
    }
}

/// A local wall-clock time in `zone` as an RFC 3339 timestamp in that
/// zone's offset; [`local_seconds`] gives the rule for gaps and folds.
pub(super) fn local_instant(
    text: &str,
    local: NaiveDateTime,
    zone: Tz,
) -> Result<String, String> {
    local_seconds(text, local, zone).map(|at| format_instant(at, zone))
}

/// Reads digits only: `str::parse` alone would accept a sign.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Reads `HH:MM` or `HH:MM:SS`.
fn clock(text: &str) -> Option<NaiveTime> {
    let mut parts = text.split(':');
    let hour = number(parts.next()?)?;
    let minute = number(parts.next()?)?;
    let second = match parts.next() {
        Some(second) => number(second)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// Reads the ServiceNow export's `d/m/yyyy HH:MM` (seconds allowed).
pub(super) fn day_month_year(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.trim().split_once(' ')?;
    let mut parts = date.split('/');
    let day = number(parts.next()?)?;
    let month = number(parts.next()?)?;
    let year = i32::try_from(number(parts.next()?)?).ok()?;
    if parts.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(date.and_time(clock(time.trim())?))
}

/// Reads `YYYY-MM-DD HH:MM[:SS]`, with a space or a `T` between date and
/// time and no offset.
pub(super) fn year_month_day(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    let (date, time) =
        text.split_once(' ').or_else(|| text.split_once(['T', 't']))?;
    let mut parts = date.split('-');
    let year = i32::try_from(number(parts.next()?)?).ok()?;
    let month = number(parts.next()?)?;
    let day = number(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    // A fraction of a second is dropped, as `parse_instant` does.
    let time = time.split_once('.').map_or(time, |(whole, _)| whole);
    Some(date.and_time(clock(time.trim())?))
}

/// A timestamp of the product's own formats with its zone made explicit.
///
/// Text with an offset is kept as it is, and so is text that is no
/// timestamp at all: checking it is [`Incident::from_input`]'s job, which
/// names the field. Only a well-formed local time (`YYYY-MM-DD HH:MM`,
/// seconds and a `T` allowed) is rewritten, read in `zone`.
///
/// [`Incident::from_input`]: crate::incident::Incident::from_input
fn explicit_zone(text: &str, zone: Tz) -> Result<Option<String>, String> {
    if parse_instant(text).is_ok() {
        return Ok(None);
    }
    match year_month_day(text) {
        Some(local) => local_instant(text, local, zone).map(Some),
        None => Ok(None),
    }
}

/// Rewrites every zone-less timestamp of `input` in `zone`.
///
/// # Errors
///
/// Every timestamp that names a local time the zone skipped, with its
/// field, joined by `; `.
pub(super) fn localize(
    input: &mut IncidentInput,
    zone: Tz,
) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut fix =
        |field: String, text: &mut String| match explicit_zone(text, zone) {
            Ok(Some(explicit)) => *text = explicit,
            Ok(None) => {}
            Err(reason) => problems.push(format!("`{field}`: {reason}")),
        };

    fix("created_at".to_owned(), &mut input.created_at);
    let singles = [
        ("acknowledged_at", &mut input.acknowledged_at),
        ("first_response_at", &mut input.first_response_at),
        ("resolved_at", &mut input.resolved_at),
        ("closed_at", &mut input.closed_at),
    ];
    for (field, text) in singles {
        if let Some(text) = text {
            fix(field.to_owned(), text);
        }
    }
    for (index, change) in input.status_history.iter_mut().enumerate() {
        fix(format!("status_history[{index}].at"), &mut change.at);
    }
    for (index, change) in input.priority_changes.iter_mut().enumerate() {
        fix(format!("priority_changes[{index}].at"), &mut change.at);
    }
    for (index, text) in input.updates.iter_mut().enumerate() {
        fix(format!("updates[{index}]"), text);
    }
    for (index, text) in input.reopened_at.iter_mut().enumerate() {
        fix(format!("reopened_at[{index}]"), text);
    }

    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// A CSV input read row by row as bytes, so that no byte sequence stops
/// the reading: invalid UTF-8 is found per cell, and row lengths are
/// checked against the header by the reader of each format.
pub(super) struct CsvRows<R: BufRead> {
    reader: ::csv::Reader<LineCounter<R>>,
    /// Bytes and fields of the last row: a new row starts with room for
    /// as much, instead of growing step by step.
    room: (usize, usize),
}

impl<R: BufRead> CsvRows<R> {
    /// Starts reading; nothing is read yet.
    pub(super) fn new(input: R) -> CsvRows<R> {
        let reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineCounter::new(input));
        CsvRows { reader, room: (0, 0) }
    }

    /// The next row and the line it starts on (1-based).
    pub(super) fn next_row(
        &mut self,
    ) -> Option<Result<(u64, ::csv::ByteRecord), SourceError>> {
        let mut row =
            ::csv::ByteRecord::with_capacity(self.room.0, self.room.1);
        match self.reader.read_byte_record(&mut row) {
            Ok(false) => None,
            Ok(true) => {
                self.room = (row.as_slice().len(), row.len());
                let start = row.position().map_or(0, ::csv::Position::byte);
                let line = self.reader.get_mut().line_of_record_at(start);
                Some(Ok((line, row)))
            }
            Err(error) => {
                let line = error.position().map_or(0, ::csv::Position::line);
                Some(Err(SourceError::Read {
                    line,
                    message: error.to_string(),
                }))
            }
        }
    }

    /// Reads the header row: column names, trimmed, a byte-order mark
    /// removed from the first.
    ///
    /// # Errors
    ///
    /// An empty input, a read error or a name that is not UTF-8.
    pub(super) fn header(&mut self) -> Result<Vec<String>, SourceError> {
        let Some(row) = self.next_row() else {
            return Err(SourceError::Header {
                message: "the input is empty: expected a header row"
                    .to_owned(),
            });
        };
        let (_, row) = row?;
        let mut names = Vec::with_capacity(row.len());
        for (index, bytes) in row.iter().enumerate() {
            let bytes = if index == 0 {
                bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
            } else {
                bytes
            };
            let name = std::str::from_utf8(bytes).map_err(|_| {
                SourceError::Header {
                    message: format!(
                        "column {} has a name that is not valid UTF-8",
                        index + 1
                    ),
                }
            })?;
            names.push(name.trim().to_owned());
        }
        Ok(names)
    }
}

/// Counts lines under the CSV parser, which skips empty lines and then
/// gives a record the position where it started looking, before them.
///
/// It hands the input to the parser a line at a time and notes where each
/// line feed is, with the start of the run of `\r`/`\n` bytes that holds
/// it. Given the offset a record's read started at, the line feeds before
/// it and those of the empty lines it skipped are exactly the noted ones
/// that are earlier, or in the same run of line ends. Notes are dropped
/// once counted, so what is kept is bounded by how far the parser reads
/// ahead, plus the line feeds inside the one record being read. Lines are
/// found with `read_until`, whose search runs at optimized speed even in
/// an unoptimized build, where a loop over every byte would not.
pub(super) struct LineCounter<R: BufRead> {
    input: R,
    /// The line being handed over, and how much of it has been.
    line: Vec<u8>,
    handed: usize,
    /// The offset of the first byte of `line`.
    line_offset: u64,
    /// Where the run of line-end bytes that ends the previous line
    /// started.
    run_start: u64,
    /// `(offset, start of its run)` of line feeds not yet counted.
    feeds: VecDeque<(u64, u64)>,
    /// Line feeds counted.
    counted: u64,
}

impl<R: BufRead> LineCounter<R> {
    fn new(input: R) -> LineCounter<R> {
        LineCounter {
            input,
            line: Vec::new(),
            handed: 0,
            line_offset: 0,
            run_start: 0,
            feeds: VecDeque::new(),
            counted: 0,
        }
    }

    /// The 1-based line of the first byte of a record whose read started
    /// at byte `start`. Records must be asked for in input order.
    fn line_of_record_at(&mut self, start: u64) -> u64 {
        while let Some(&(at, run)) = self.feeds.front() {
            if at >= start && run > start {
                break;
            }
            self.feeds.pop_front();
            self.counted += 1;
        }
        self.counted + 1
    }

    /// Reads the next line into `line` and notes its line feed.
    fn next_line(&mut self) -> std::io::Result<()> {
        self.line_offset += self.line.len() as u64;
        self.line.clear();
        self.handed = 0;
        self.input.read_until(b'\n', &mut self.line)?;
        if self.line.last() != Some(&b'\n') {
            return Ok(());
        }
        // The run of line ends at the end of this line; if the whole line
        // is line ends, the run began on an earlier line.
        let ends = self
            .line
            .iter()
            .rev()
            .take_while(|byte| matches!(byte, b'\r' | b'\n'))
            .count();
        let end = self.line_offset + self.line.len() as u64;
        if ends < self.line.len() {
            self.run_start = end - ends as u64;
        }
        self.feeds.push_back((end - 1, self.run_start));
        Ok(())
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.handed == self.line.len() {
            self.next_line()?;
        }
        let rest = self.line.get(self.handed..).unwrap_or_default();
        let count = rest.len().min(buffer.len());
        let (Some(source), Some(target)) =
            (rest.get(..count), buffer.get_mut(..count))
        else {
            return Ok(0);
        };
        target.copy_from_slice(source);
        self.handed += count;
        Ok(count)
    }
}

/// Checks a header against the columns a format needs.
///
/// # Errors
///
/// A message listing every missing required column, and every duplicated
/// one, so one look at the message is enough to fix the export.
pub(super) fn check_header(
    names: &[String],
    required: &[&str],
) -> Result<(), SourceError> {
    let missing: Vec<String> = required
        .iter()
        .filter(|wanted| !names.iter().any(|name| name == *wanted))
        .map(|name| format!("`{name}`"))
        .collect();
    let mut duplicated: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(index, name)| {
            names.get(..*index).is_some_and(|before| before.contains(name))
        })
        .map(|(_, name)| format!("`{name}`"))
        .collect();
    duplicated.dedup();

    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("missing columns {}", missing.join(", ")));
    }
    if !duplicated.is_empty() {
        problems.push(format!("repeated columns {}", duplicated.join(", ")));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SourceError::Header { message: problems.join("; ") })
    }
}

/// The reason given for a row whose length differs from the header's.
pub(super) fn length_problem(row: usize, header: usize) -> Option<String> {
    (row != header)
        .then(|| format!("the row has {row} fields, the header has {header}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_month_year_reads_unpadded_fields() {
        let read = |text| day_month_year(text).map(|t| t.to_string());
        assert_eq!(
            read("29/2/2016 01:16").as_deref(),
            Some("2016-02-29 01:16:00")
        );
        assert_eq!(
            read("5/3/2016 12:00:30").as_deref(),
            Some("2016-03-05 12:00:30")
        );
        assert_eq!(read("29/2/2017 01:16"), None);
        assert_eq!(read("+1/2/2016 01:16"), None);
        assert_eq!(read("1/2/2016"), None);
        assert_eq!(read("1/2/2016 25:00"), None);
        assert_eq!(read(""), None);
    }

    #[test]
    fn year_month_day_reads_both_separators() {
        let read = |text| year_month_day(text).map(|t| t.to_string());
        assert_eq!(
            read("2013-02-06 14:07:43").as_deref(),
            Some("2013-02-06 14:07:43")
        );
        assert_eq!(
            read("2013-02-06T14:07").as_deref(),
            Some("2013-02-06 14:07:00")
        );
        assert_eq!(read("2013-02-30 14:07:43"), None);
        assert_eq!(read("2013-02-06"), None);
    }

    /// DST table: São Paulo skipped 00:00-01:00 on 2016-10-16 and repeated
    /// 23:00-24:00 on 2017-02-18.
    #[test]
    fn local_instant_refuses_gaps_and_takes_the_first_of_a_fold() {
        let zone = chrono_tz::America::Sao_Paulo;
        let cases = [
            ("2016-10-15 23:59", Ok("2016-10-15T23:59:00-03:00")),
            ("2016-10-16 00:30", Err(())),
            ("2016-10-16 01:00", Ok("2016-10-16T01:00:00-02:00")),
            ("2017-02-18 22:59", Ok("2017-02-18T22:59:00-02:00")),
            ("2017-02-18 23:30", Ok("2017-02-18T23:30:00-02:00")),
            ("2017-02-19 00:00", Ok("2017-02-19T00:00:00-03:00")),
        ];
        for (text, expected) in cases {
            let local = year_month_day(text);
            let got = local
                .map(|local| local_instant(text, local, zone))
                .map(|result| result.map_err(|_| ()));
            assert_eq!(
                got,
                Some(expected.map(str::to_owned)),
                "local time {text}"
            );
        }
        let local = year_month_day("2016-10-16 00:30");
        let reason = local.map(|local| local_instant("x", local, zone));
        assert_eq!(
            reason,
            Some(Err("`x` does not exist in `America/Sao_Paulo`: the \
                      clocks skipped it (daylight saving)"
                .to_owned()))
        );
    }

    /// Lines of records after empty lines, CRLF line ends and quoted
    /// fields that span lines.
    #[test]
    fn csv_rows_know_their_first_line() {
        let text = b"\n\na,b\r\n\r\n1,2\r\n\"x\ny\n\n\",3\n\n\n4,5\r\r\n6\n";
        let mut rows = CsvRows::new(&text[..]);
        let mut lines = Vec::new();
        while let Some(Ok((line, row))) = rows.next_row() {
            lines.push((line, row.get(0).map(<[u8]>::to_vec)));
        }
        let expected = [
            (3, b"a".to_vec()),
            (5, b"1".to_vec()),
            (6, b"x\ny\n\n".to_vec()),
            (12, b"4".to_vec()),
            (13, b"6".to_vec()),
        ]
        .map(|(line, first)| (line, Some(first)));
        assert_eq!(lines, expected);
    }

    #[test]
    fn localize_rewrites_only_zone_less_timestamps() {
        let mut input = IncidentInput {
            id: "A".to_owned(),
            created_at: "2026-03-02 09:00:00".to_owned(),
            resolved_at: Some("2026-03-02T10:00:00Z".to_owned()),
            closed_at: Some("not a time".to_owned()),
            ..IncidentInput::default()
        };
        let result = localize(&mut input, chrono_tz::Asia::Seoul);
        assert_eq!(result, Ok(()));
        assert_eq!(input.created_at, "2026-03-02T09:00:00+09:00");
        assert_eq!(input.resolved_at.as_deref(), Some("2026-03-02T10:00:00Z"));
        assert_eq!(input.closed_at.as_deref(), Some("not a time"));
    }
}
