//! Readers that turn incident exports into [`IncidentInput`] values.
//!
//! Four formats are read: the product's own `jsonl` and `csv`, the
//! ServiceNow audit log published by UCI (`servicenow`) and the Rabobank
//! incident records of the BPI Challenge 2014 (`bpi2014`). A reader works
//! over any [`BufRead`] and yields one [`SourceRecord`] per incident as it
//! goes, holding at most one incident's rows, so memory stays flat however
//! long the input is. Opening files, decompressing and reading standard
//! input are the host's business; checking an incident against a policy
//! is [`Incident::from_input`]'s, so that every source is held to the same
//! rules. `docs/input.md` describes each format and every choice made in
//! mapping the real exports onto the product's schema.
//!
//! Every input record comes out, either as an incident or as the reason it
//! could not be read together with its line: nothing is dropped silently,
//! and no bytes make a reader panic. Only what concerns the whole input (a
//! header that lacks columns, a failing read) is a [`SourceError`].
//!
//! # Example
//!
//! ```
//! use incident_rules_core::sources::{read, SourceFormat, SourceOptions};
//!
//! let text = "id,created_at,priority\nINC1,2026-03-02 09:00,P2\n";
//! let options = SourceOptions {
//!     zone: chrono_tz::Asia::Seoul,
//!     ..SourceOptions::default()
//! };
//! let mut records = read(SourceFormat::Csv, text.as_bytes(), options)?;
//! let record = records.next().transpose()?;
//! let incident = record.and_then(|record| record.result.ok());
//! assert_eq!(
//!     incident.map(|incident| incident.created_at),
//!     Some("2026-03-02T09:00:00+09:00".to_owned()),
//! );
//! # Ok::<(), incident_rules_core::sources::SourceError>(())
//! ```
//!
//! [`Incident::from_input`]: crate::incident::Incident::from_input

mod bpi2014;
mod csv;
mod jsonl;
mod servicenow;
mod text;

use std::fmt;
use std::io::BufRead;
use std::str::FromStr;

use chrono_tz::Tz;

use crate::incident::IncidentInput;

pub use bpi2014::{Bpi2014Activity, load_bpi2014_activity};
pub use csv::CSV_COLUMNS;

/// The formats an input can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// One [`IncidentInput`] JSON object per line.
    Jsonl,
    /// The product's flat CSV schema, one incident per row.
    Csv,
    /// The ServiceNow incident audit log (UCI ML Repository no. 498), one
    /// row per update.
    ServiceNow,
    /// The Rabobank incident records of the BPI Challenge 2014, one row
    /// per incident, with an optional activity log.
    Bpi2014,
}

impl SourceFormat {
    /// Every format with its name on the command line.
    pub const ALL: [(&'static str, SourceFormat); 4] = [
        ("jsonl", SourceFormat::Jsonl),
        ("csv", SourceFormat::Csv),
        ("servicenow", SourceFormat::ServiceNow),
        ("bpi2014", SourceFormat::Bpi2014),
    ];

    /// The format's name, e.g. `servicenow`.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Jsonl => "jsonl",
            SourceFormat::Csv => "csv",
            SourceFormat::ServiceNow => "servicenow",
            SourceFormat::Bpi2014 => "bpi2014",
        }
    }

    /// A format by name, ignoring case and surrounding blanks.
    pub fn from_name(name: &str) -> Option<SourceFormat> {
        SourceFormat::ALL
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name.trim()))
            .map(|(_, format)| *format)
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SourceFormat {
    type Err = SourceError;

    fn from_str(name: &str) -> Result<SourceFormat, SourceError> {
        SourceFormat::from_name(name)
            .ok_or_else(|| SourceError::UnknownFormat(name.to_owned()))
    }
}

/// How to read an input.
#[derive(Clone, Debug)]
pub struct SourceOptions {
    /// The zone of timestamps written without an offset (every timestamp
    /// of `servicenow` and `bpi2014`, and zone-less ones in `jsonl` and
    /// `csv`). UTC unless set.
    pub zone: Tz,
    /// For `bpi2014`: the activity log, loaded with
    /// [`load_bpi2014_activity`]. Ignored by the other formats.
    pub activity: Option<Bpi2014Activity>,
}

impl Default for SourceOptions {
    fn default() -> SourceOptions {
        SourceOptions { zone: chrono_tz::UTC, activity: None }
    }
}

/// One input record: an incident, or why it could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRecord {
    /// The first input line of the record, 1-based; a header is line 1.
    pub line: u64,
    /// The incident's id, when it could be read.
    pub id: Option<String>,
    /// The incident, or the reason it was rejected, e.g. ``line 7:
    /// `sys_updated_at`: `31/2/2016 10:00` is not a `d/m/yyyy HH:MM`
    /// timestamp``.
    pub result: Result<IncidentInput, String>,
}

/// A problem with a whole input, after which nothing more is read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A format name that is not one of [`SourceFormat::ALL`].
    #[error(
        "unknown input format `{0}`: expected `jsonl`, `csv`, `servicenow` \
         or `bpi2014`"
    )]
    UnknownFormat(String),
    /// The header row is missing or lacks columns the format needs.
    #[error("header: {message}")]
    Header {
        /// What is wrong, naming every column concerned.
        message: String,
    },
    /// The input could not be read further.
    #[error("line {line}: {message}")]
    Read {
        /// The line reached (1-based; 0 when unknown).
        line: u64,
        /// What the reader reported.
        message: String,
    },
    /// The BPI 2014 activity log could not be loaded.
    #[error("activity log line {line}: {message}")]
    Activity {
        /// The line of the activity log (1-based).
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// The records of one input, in input order.
///
/// After an `Err` item (a failing read) the iterator ends.
pub struct Records<R: BufRead> {
    inner: Inner<R>,
    finished: bool,
}

enum Inner<R: BufRead> {
    Jsonl(jsonl::JsonlRecords<R>),
    Csv(csv::CsvRecords<R>),
    ServiceNow(servicenow::ServiceNowRecords<R>),
    Bpi2014(bpi2014::Bpi2014Records<R>),
}

impl<R: BufRead> fmt::Debug for Records<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.inner {
            Inner::Jsonl(_) => SourceFormat::Jsonl,
            Inner::Csv(_) => SourceFormat::Csv,
            Inner::ServiceNow(_) => SourceFormat::ServiceNow,
            Inner::Bpi2014(_) => SourceFormat::Bpi2014,
        };
        f.debug_struct("Records")
            .field("format", &format)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<SourceRecord, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let next = match &mut self.inner {
            Inner::Jsonl(records) => records.next(),
            Inner::Csv(records) => records.next(),
            Inner::ServiceNow(records) => records.next(),
            Inner::Bpi2014(records) => records.next(),
        };
        if !matches!(next, Some(Ok(_))) {
            self.finished = true;
        }
        next
    }
}

/// Starts reading `input` in `format`.
///
/// The header of the CSV formats is read and checked here; records are
/// read as the iterator is advanced.
///
/// # Errors
///
/// [`SourceError::Header`] when a CSV input is empty or its header lacks
/// a column the format needs (the message names every missing column) or,
/// for `csv`, has one the schema does not know; [`SourceError::Read`] when
/// the header cannot be read.
///
/// # Example
///
/// ```
/// use incident_rules_core::sources::{read, SourceFormat, SourceOptions};
///
/// let line = r#"{"id": "A", "created_at": "2026-03-02T09:00:00Z"}"#;
/// let records = read(SourceFormat::Jsonl, line.as_bytes(),
///     SourceOptions::default())?;
/// let ids: Vec<_> = records
///     .map(|record| record.map(|record| record.id))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(ids, [Some("A".to_owned())]);
/// # Ok::<(), incident_rules_core::sources::SourceError>(())
/// ```
pub fn read<R: BufRead>(
    format: SourceFormat,
    input: R,
    options: SourceOptions,
) -> Result<Records<R>, SourceError> {
    let inner = match format {
        SourceFormat::Jsonl => {
            Inner::Jsonl(jsonl::JsonlRecords::new(input, options.zone))
        }
        SourceFormat::Csv => {
            Inner::Csv(csv::CsvRecords::new(input, options.zone)?)
        }
        SourceFormat::ServiceNow => Inner::ServiceNow(
            servicenow::ServiceNowRecords::new(input, options.zone)?,
        ),
        SourceFormat::Bpi2014 => {
            Inner::Bpi2014(bpi2014::Bpi2014Records::new(input, options)?)
        }
    };
    Ok(Records { inner, finished: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for (name, format) in SourceFormat::ALL {
            assert_eq!(format.name(), name);
            assert_eq!(SourceFormat::from_name(name), Some(format));
            assert_eq!(name.parse::<SourceFormat>(), Ok(format));
        }
        assert_eq!(
            SourceFormat::from_name(" ServiceNow "),
            Some(SourceFormat::ServiceNow)
        );
        assert_eq!(
            "xml".parse::<SourceFormat>().map_err(|e| e.to_string()),
            Err("unknown input format `xml`: expected `jsonl`, `csv`, \
                 `servicenow` or `bpi2014`"
                .to_owned())
        );
    }

    #[test]
    fn empty_inputs() {
        let jsonl =
            read(SourceFormat::Jsonl, &b""[..], SourceOptions::default());
        assert_eq!(jsonl.map(|records| records.count()).ok(), Some(0));
        for format in [
            SourceFormat::Csv,
            SourceFormat::ServiceNow,
            SourceFormat::Bpi2014,
        ] {
            let error = read(format, &b""[..], SourceOptions::default())
                .map(|_| ())
                .map_err(|error| error.to_string());
            assert_eq!(
                error,
                Err("header: the input is empty: expected a header row"
                    .to_owned()),
                "{format}"
            );
        }
    }
}
