//! The `jsonl` reader: one [`IncidentInput`] JSON object per line.
//!
//! Lines are read as bytes so that invalid UTF-8 rejects its line only.
//! Blank lines are skipped and counted nowhere. A line that is not a valid
//! incident becomes a rejected record whose reason is serde's message,
//! located by column; the line number is the record's. Zone-less
//! timestamps are read in the source zone; everything else is left to
//! [`Incident::from_input`](crate::incident::Incident::from_input).

use std::io::BufRead;

use chrono_tz::Tz;

use crate::incident::IncidentInput;

use super::text::localize;
use super::{SourceError, SourceRecord};

/// Reads records line by line.
pub(super) struct JsonlRecords<R: BufRead> {
    input: R,
    zone: Tz,
    line: u64,
    buffer: Vec<u8>,
}

impl<R: BufRead> JsonlRecords<R> {
    pub(super) fn new(input: R, zone: Tz) -> JsonlRecords<R> {
        JsonlRecords { input, zone, line: 0, buffer: Vec::new() }
    }

    pub(super) fn next(
        &mut self,
    ) -> Option<Result<SourceRecord, SourceError>> {
        loop {
            self.buffer.clear();
            match self.input.read_until(b'\n', &mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => self.line += 1,
                Err(error) => {
                    return Some(Err(SourceError::Read {
                        line: self.line + 1,
                        message: error.to_string(),
                    }));
                }
            }
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(self.record()));
        }
    }

    fn record(&self) -> SourceRecord {
        let line = self.line;
        // The line end is no part of the object: without it, serde's
        // positions all fall on its line 1.
        let bytes = self.buffer.strip_suffix(b"\n").unwrap_or(&self.buffer);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                return SourceRecord {
                    line,
                    id: None,
                    result: Err(format!(
                        "the line is not valid UTF-8 (bad byte at offset {})",
                        error.valid_up_to()
                    )),
                };
            }
        };
        match serde_json::from_str::<IncidentInput>(text) {
            Ok(mut input) => {
                let id = Some(input.id.clone());
                let result = localize(&mut input, self.zone).map(|()| input);
                SourceRecord { line, id, result }
            }
            // A line that is JSON but not an object (an array, a number)
            // is named for what it is, not by serde's first mismatch.
            Err(_)
                if !text.trim_start().starts_with('{')
                    && serde_json::from_str::<serde_json::Value>(text)
                        .is_ok() =>
            {
                SourceRecord {
                    line,
                    id: None,
                    result: Err("the line is JSON but not an object: an \
                                 incident is one `{...}` per line"
                        .to_owned()),
                }
            }
            Err(error) => SourceRecord {
                line,
                id: id_of(text),
                result: Err(json_reason(&error)),
            },
        }
    }
}

/// The `id` of a line that is JSON but not a valid incident, so that the
/// rejection can name the incident.
fn id_of(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id")?.as_str().map(str::to_owned)
}

/// serde's message with its position given as a column only: the record
/// already carries the line, and serde counts lines within this one.
fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let suffix =
        format!(" at line {} column {}", error.line(), error.column());
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    if error.column() == 0 {
        message.to_owned()
    } else {
        format!("column {}: {message}", error.column())
    }
}

#[cfg(test)]
mod tests {
    use crate::sources::{SourceFormat, SourceOptions, read};

    fn reasons(
        text: &[u8],
    ) -> Vec<(u64, Option<String>, Result<String, String>)> {
        let records =
            read(SourceFormat::Jsonl, text, SourceOptions::default());
        records
            .into_iter()
            .flatten()
            .flatten()
            .map(|record| {
                (
                    record.line,
                    record.id,
                    record.result.map(|input| input.created_at),
                )
            })
            .collect()
    }

    #[test]
    fn lines_blank_lines_and_rejections() {
        let text = b"{\"id\":\"A\",\"created_at\":\"2026-03-02T09:00:00Z\"}\n\
                     \n   \r\n\
                     {\"id\":\"B\",\"created_at\":\"2026-03-02 09:00\"}\r\n\
                     {\"id\":\"C\",\"created_at\":1}\n\
                     {\"id\":\"D\",\"created_at\":\"x\",\"colour\":\"red\"}\n\
                     not json\n\
                     {\"id\":\"\xff\"}\n\
                     {\"id\":\"E\",\"created_at\":\"2026-03-02T09:00:00Z\"}";
        assert_eq!(
            reasons(text),
            [
                (1, Some("A".into()), Ok("2026-03-02T09:00:00Z".into())),
                (4, Some("B".into()), Ok("2026-03-02T09:00:00Z".into())),
                (
                    5,
                    Some("C".into()),
                    Err("column 24: invalid type: integer `1`, expected a \
                         string"
                        .into())
                ),
                (
                    6,
                    Some("D".into()),
                    Err("column 35: unknown field `colour`, expected one of \
                         `id`, `created_at`, `impact`, `urgency`, \
                         `priority`, `scope`, `category`, `service`, \
                         `group`, `attributes`, `affected_users`, \
                         `revenue_loss_per_hour`, `core_process_down`, \
                         `security_incident`, `data_breach`, \
                         `status_history`, `priority_changes`, \
                         `acknowledged_at`, `first_response_at`, \
                         `resolved_at`, `closed_at`, `updates`, \
                         `reopened_at`, `reassignment_count`, `csat`, \
                         `first_contact_resolution`"
                        .into())
                ),
                (7, None, Err("column 2: expected ident".into())),
                (
                    8,
                    None,
                    Err("the line is not valid UTF-8 (bad byte at offset 7)"
                        .into())
                ),
                (9, Some("E".into()), Ok("2026-03-02T09:00:00Z".into())),
            ]
        );
    }
}
