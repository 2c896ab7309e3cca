//! The `csv` reader: the product's own flat schema, one incident per row.
//!
//! Every scalar field of [`IncidentInput`] is a column of the same name;
//! `attr.NAME` columns are attributes. List fields hold their items
//! separated by `;`:
//!
//! - `updates`, `reopened_at`: `AT;AT;...`
//! - `status_history`: `AT=STATUS;AT=STATUS;...`
//! - `priority_changes`: `AT=KEY:VALUE,KEY:VALUE;...` with keys
//!   `priority`, `impact` and `urgency`.
//!
//! An empty cell is an absent field. Only `id` and `created_at` are
//! required in the header; any other column may be left out, but a column
//! the schema does not know is an error for the whole input, since it
//! would otherwise be lost without a word. Cells that do not fit their
//! column's type reject their row; everything else is checked by
//! [`Incident::from_input`](crate::incident::Incident::from_input).

use std::io::BufRead;

use chrono_tz::Tz;

use crate::incident::{IncidentInput, PriorityChangeInput, StatusChangeInput};

use super::text::{CsvRows, check_header, length_problem, localize, utf8};
use super::{SourceError, SourceRecord};

/// The columns of the `csv` schema, besides `attr.NAME`.
pub const CSV_COLUMNS: [&str; 25] = [
    "id",
    "created_at",
    "impact",
    "urgency",
    "priority",
    "scope",
    "category",
    "service",
    "group",
    "affected_users",
    "revenue_loss_per_hour",
    "core_process_down",
    "security_incident",
    "data_breach",
    "status_history",
    "priority_changes",
    "acknowledged_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "updates",
    "reopened_at",
    "reassignment_count",
    "csat",
    "first_contact_resolution",
];

/// The prefix of attribute columns.
const ATTRIBUTE_PREFIX: &str = "attr.";

/// Reads records row by row.
pub(super) struct CsvRecords<R: BufRead> {
    rows: CsvRows<R>,
    names: Vec<String>,
    id_column: Option<usize>,
    zone: Tz,
}

impl<R: BufRead> CsvRecords<R> {
    pub(super) fn new(
        input: R,
        zone: Tz,
    ) -> Result<CsvRecords<R>, SourceError> {
        let mut rows = CsvRows::new(input);
        let names = rows.header()?;

        let unknown: Vec<String> = names
            .iter()
            .filter(|name| {
                let attribute = name
                    .strip_prefix(ATTRIBUTE_PREFIX)
                    .is_some_and(|key| !key.is_empty());
                !attribute && !CSV_COLUMNS.contains(&name.as_str())
            })
            .map(|name| format!("`{name}`"))
            .collect();
        let checked = check_header(&names, &["id", "created_at"]);
        match (checked, unknown.is_empty()) {
            (Ok(()), true) => {}
            (Ok(()), false) => {
                return Err(SourceError::Header {
                    message: format!("unknown columns {}", unknown.join(", ")),
                });
            }
            (Err(SourceError::Header { message }), false) => {
                return Err(SourceError::Header {
                    message: format!(
                        "{message}; unknown columns {}",
                        unknown.join(", ")
                    ),
                });
            }
            (Err(error), _) => return Err(error),
        }

        let id_column = names.iter().position(|name| name == "id");
        Ok(CsvRecords { rows, names, id_column, zone })
    }

    pub(super) fn next(
        &mut self,
    ) -> Option<Result<SourceRecord, SourceError>> {
        let (line, row) = match self.rows.next_row()? {
            Ok(row) => row,
            Err(error) => return Some(Err(error)),
        };
        let id = self
            .id_column
            .and_then(|column| row.get(column))
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .map(|id| id.trim().to_owned());
        let result = self.incident(&row);
        Some(Ok(SourceRecord { line, id, result }))
    }

    fn incident(
        &self,
        row: &::csv::ByteRecord,
    ) -> Result<IncidentInput, String> {
        if let Some(problem) = length_problem(row.len(), self.names.len()) {
            return Err(problem);
        }
        let mut input = IncidentInput::default();
        let mut problems = Vec::new();
        for (name, bytes) in self.names.iter().zip(row.iter()) {
            let cell = match utf8(name, bytes) {
                Ok(cell) => cell.trim(),
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            if cell.is_empty() {
                continue;
            }
            if let Err(problem) = set(&mut input, name, cell) {
                problems.push(format!("`{name}`: {problem}"));
            }
        }
        if problems.is_empty() {
            localize(&mut input, self.zone)?;
            Ok(input)
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Sets the field of column `name` from a non-empty cell.
fn set(
    input: &mut IncidentInput,
    name: &str,
    cell: &str,
) -> Result<(), String> {
    let text = || Some(cell.to_owned());
    match name {
        "id" => input.id = cell.to_owned(),
        "created_at" => input.created_at = cell.to_owned(),
        "impact" => input.impact = text(),
        "urgency" => input.urgency = text(),
        "priority" => input.priority = text(),
        "scope" => input.scope = text(),
        "category" => input.category = text(),
        "service" => input.service = text(),
        "group" => input.group = text(),
        "affected_users" => input.affected_users = Some(integer(cell)?),
        "reassignment_count" => {
            input.reassignment_count = Some(integer(cell)?);
        }
        "revenue_loss_per_hour" => {
            input.revenue_loss_per_hour = Some(decimal(cell)?);
        }
        "csat" => input.csat = Some(decimal(cell)?),
        "core_process_down" => input.core_process_down = Some(flag(cell)?),
        "security_incident" => input.security_incident = Some(flag(cell)?),
        "data_breach" => input.data_breach = Some(flag(cell)?),
        "first_contact_resolution" => {
            input.first_contact_resolution = Some(flag(cell)?);
        }
        "acknowledged_at" => input.acknowledged_at = text(),
        "first_response_at" => input.first_response_at = text(),
        "resolved_at" => input.resolved_at = text(),
        "closed_at" => input.closed_at = text(),
        "updates" => input.updates = items(cell).map(str::to_owned).collect(),
        "reopened_at" => {
            input.reopened_at = items(cell).map(str::to_owned).collect();
        }
        "status_history" => {
            input.status_history =
                items(cell).map(status_change).collect::<Result<_, _>>()?;
        }
        "priority_changes" => {
            input.priority_changes =
                items(cell).map(priority_change).collect::<Result<_, _>>()?;
        }
        _ => {
            // INVARIANT: the header admits only known columns and
            // `attr.NAME`, so anything else here is an attribute.
            let key = name.strip_prefix(ATTRIBUTE_PREFIX).unwrap_or(name);
            input.attributes.insert(key.to_owned(), cell.to_owned());
        }
    }
    Ok(())
}

/// The items of a list cell: `;`-separated, trimmed, empty ones skipped
/// so that a trailing `;` is harmless.
fn items(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|item| !item.is_empty())
}

fn integer(cell: &str) -> Result<i64, String> {
    cell.parse().map_err(|_| format!("`{cell}` is not a whole number"))
}

fn decimal(cell: &str) -> Result<f64, String> {
    cell.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or_else(|| format!("`{cell}` is not a number"))
}

fn flag(cell: &str) -> Result<bool, String> {
    if cell.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if cell.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(format!("`{cell}` is neither `true` nor `false`"))
    }
}

/// Reads `AT=STATUS`.
fn status_change(item: &str) -> Result<StatusChangeInput, String> {
    let (at, status) = item
        .split_once('=')
        .map(|(at, status)| (at.trim(), status.trim()))
        .filter(|(at, status)| !at.is_empty() && !status.is_empty())
        .ok_or_else(|| format!("`{item}` is not `AT=STATUS`"))?;
    Ok(StatusChangeInput { at: at.to_owned(), status: status.to_owned() })
}

/// Reads `AT=KEY:VALUE,KEY:VALUE`.
fn priority_change(item: &str) -> Result<PriorityChangeInput, String> {
    let shape = || {
        format!(
            "`{item}` is not `AT=KEY:VALUE,...` with keys `priority`, \
                 `impact` and `urgency`"
        )
    };
    let (at, body) = item.split_once('=').ok_or_else(shape)?;
    let mut change =
        PriorityChangeInput { at: at.trim().to_owned(), ..Default::default() };
    for pair in body.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once(':')
            .map(|(key, value)| (key.trim(), value.trim().to_owned()))
            .filter(|(_, value)| !value.is_empty())
            .ok_or_else(shape)?;
        let slot = match key {
            "priority" => &mut change.priority,
            "impact" => &mut change.impact,
            "urgency" => &mut change.urgency,
            _ => return Err(format!("`{item}`: unknown key `{key}`")),
        };
        if slot.replace(value).is_some() {
            return Err(format!("`{item}`: `{key}` is given twice"));
        }
    }
    if change.at.is_empty() {
        return Err(shape());
    }
    Ok(change)
}

#[cfg(test)]
mod tests {
    use crate::incident::{
        IncidentInput, PriorityChangeInput, StatusChangeInput,
    };
    use crate::sources::{SourceFormat, SourceOptions, read};

    /// Line and outcome of each record.
    type Outcomes = Vec<(u64, Result<IncidentInput, String>)>;

    fn records(text: &str) -> Result<Outcomes, String> {
        let options = SourceOptions {
            zone: chrono_tz::Asia::Seoul,
            ..SourceOptions::default()
        };
        let records = read(SourceFormat::Csv, text.as_bytes(), options)
            .map_err(|error| error.to_string())?;
        records
            .map(|record| {
                record
                    .map(|record| (record.line, record.result))
                    .map_err(|error| error.to_string())
            })
            .collect()
    }

    #[test]
    fn every_column_maps_onto_its_field() {
        let text = "id,created_at,impact,urgency,priority,scope,category,\
            service,group,affected_users,revenue_loss_per_hour,\
            core_process_down,security_incident,data_breach,status_history,\
            priority_changes,acknowledged_at,first_response_at,resolved_at,\
            closed_at,updates,reopened_at,reassignment_count,csat,\
            first_contact_resolution,attr.site\n\
            INC1,2026-03-03 09:00,department,high,P2,department,network,\
            mail,Desk,12,1500.5,false,TRUE,false,\
            2026-03-03T10:00:00+09:00=Awaiting User Info;\
            2026-03-03T11:00:00+09:00=In Progress;,\
            \"2026-03-03T12:00:00+09:00=priority:P1;\
            2026-03-03T13:00:00+09:00=impact:organization,urgency:low\",\
            2026-03-03T09:05:00+09:00,2026-03-03T09:10:00+09:00,\
            2026-03-03T15:00:00+09:00,2026-03-04T15:00:00+09:00,\
            2026-03-03T09:30:00+09:00;2026-03-03T10:30:00+09:00,\
            2026-03-03T16:00:00+09:00,2,4.5,true,Seoul\n";
        let expected = IncidentInput {
            id: "INC1".into(),
            created_at: "2026-03-03T09:00:00+09:00".into(),
            impact: Some("department".into()),
            urgency: Some("high".into()),
            priority: Some("P2".into()),
            scope: Some("department".into()),
            category: Some("network".into()),
            service: Some("mail".into()),
            group: Some("Desk".into()),
            attributes: [("site".to_owned(), "Seoul".to_owned())].into(),
            affected_users: Some(12),
            revenue_loss_per_hour: Some(1500.5),
            core_process_down: Some(false),
            security_incident: Some(true),
            data_breach: Some(false),
            status_history: vec![
                StatusChangeInput {
                    at: "2026-03-03T10:00:00+09:00".into(),
                    status: "Awaiting User Info".into(),
                },
                StatusChangeInput {
                    at: "2026-03-03T11:00:00+09:00".into(),
                    status: "In Progress".into(),
                },
            ],
            priority_changes: vec![
                PriorityChangeInput {
                    at: "2026-03-03T12:00:00+09:00".into(),
                    priority: Some("P1".into()),
                    ..PriorityChangeInput::default()
                },
                PriorityChangeInput {
                    at: "2026-03-03T13:00:00+09:00".into(),
                    impact: Some("organization".into()),
                    urgency: Some("low".into()),
                    ..PriorityChangeInput::default()
                },
            ],
            acknowledged_at: Some("2026-03-03T09:05:00+09:00".into()),
            first_response_at: Some("2026-03-03T09:10:00+09:00".into()),
            resolved_at: Some("2026-03-03T15:00:00+09:00".into()),
            closed_at: Some("2026-03-04T15:00:00+09:00".into()),
            updates: vec![
                "2026-03-03T09:30:00+09:00".into(),
                "2026-03-03T10:30:00+09:00".into(),
            ],
            reopened_at: vec!["2026-03-03T16:00:00+09:00".into()],
            reassignment_count: Some(2),
            csat: Some(4.5),
            first_contact_resolution: Some(true),
        };
        assert_eq!(records(text), Ok(vec![(2, Ok(expected))]));
    }

    #[test]
    fn header_problems_name_every_column() {
        assert_eq!(
            records("identifier,created_at,colour,attr.\n"),
            Err("header: missing columns `id`; unknown columns \
                 `identifier`, `colour`, `attr.`"
                .into())
        );
        assert_eq!(
            records("id,created_at,id\n"),
            Err("header: repeated columns `id`".into())
        );
    }

    #[test]
    fn cells_of_the_wrong_type_reject_their_row() {
        let text = "id,created_at,affected_users,csat,data_breach,\
                    status_history,priority_changes\n\
                    A,2026-03-03T09:00:00Z,many,nan,yes,10:00,\
                    2026-03-03T10:00:00Z=colour:red\n\
                    B,2026-03-03T09:00:00Z\n\
                    C,2026-03-03T09:00:00Z,,,,,\
                    2026-03-03T10:00:00Z=priority:P1\n";
        assert_eq!(
            records(text),
            Ok(vec![
                (
                    2,
                    Err("`affected_users`: `many` is not a whole number; \
                         `csat`: `nan` is not a number; `data_breach`: \
                         `yes` is neither `true` nor `false`; \
                         `status_history`: `10:00` is not `AT=STATUS`; \
                         `priority_changes`: \
                         `2026-03-03T10:00:00Z=colour:red`: unknown key \
                         `colour`"
                        .into())
                ),
                (3, Err("the row has 2 fields, the header has 7".into())),
                (
                    4,
                    Ok(IncidentInput {
                        id: "C".into(),
                        created_at: "2026-03-03T09:00:00Z".into(),
                        priority_changes: vec![PriorityChangeInput {
                            at: "2026-03-03T10:00:00Z".into(),
                            priority: Some("P1".into()),
                            ..PriorityChangeInput::default()
                        }],
                        ..IncidentInput::default()
                    })
                ),
            ])
        );
    }
}
