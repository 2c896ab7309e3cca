//! The `servicenow` reader: the ServiceNow incident audit log published
//! by UCI (Amaral, Fantinato, Peres 2018), one row per update.
//!
//! Rows of one incident are contiguous; they are gathered, ordered by
//! `sys_mod_count` (file order among equal counts) and folded into one
//! [`IncidentInput`]. Timestamps are `d/m/yyyy HH:MM` wall-clock times in
//! the source zone; `?` is a missing value. `docs/input.md` lists the
//! mapping; the choices that need a rule are these:
//!
//! - the status history is the sequence of `incident_state` changes, each
//!   at the `sys_updated_at` of the row that shows it; `-100` (a bogus
//!   state on 5 rows) and `?` are no status: the incident stays in the
//!   status it had, while the row's other columns still count;
//! - the first response is the first update whose state is no longer
//!   `New` (nor `-100`): the moment an analyst took the incident on;
//! - a reopen is an update at which `reopen_count` rises, once per unit;
//! - an update stamped before `opened_at` (5 incidents of the UCI log,
//!   opened by hand after the record was created) is taken to happen at
//!   `opened_at`, since nothing can happen to an incident before it
//!   exists; `resolved_at` and `closed_at` are not moved, so the checking
//!   still rejects a resolution before creation;
//! - a local time the zone skips (the spring gap) rejects its incident;
//!   a repeated one is the earlier instant.

use std::collections::VecDeque;
use std::io::BufRead;

use ::csv::ByteRecord;
use chrono_tz::Tz;

use crate::incident::{IncidentInput, PriorityChangeInput, StatusChangeInput};
use crate::time::format_instant;

use super::text::{
    CsvRows, check_header, day_month_year, length_problem, local_seconds,
};
use super::{SourceError, SourceRecord};

/// Columns every export must have.
const REQUIRED: [&str; 18] = [
    "number",
    "incident_state",
    "reassignment_count",
    "reopen_count",
    "sys_mod_count",
    "made_sla",
    "opened_at",
    "sys_updated_at",
    "contact_type",
    "location",
    "category",
    "subcategory",
    "impact",
    "urgency",
    "priority",
    "assignment_group",
    "resolved_at",
    "closed_at",
];

/// Columns kept as attributes (from the last row) when present.
const ATTRIBUTES: [&str; 9] = [
    "subcategory",
    "contact_type",
    "location",
    "made_sla",
    "u_symptom",
    "cmdb_ci",
    "closed_code",
    "knowledge",
    "u_priority_confirmation",
];

/// The missing value of the export.
const MISSING: &str = "?";

/// The state of an incident nobody has taken on yet.
const NEW: &str = "New";

/// The bogus state of a few rows.
const BOGUS_STATE: &str = "-100";

/// More reopens than this in one update is a broken count, not a fact,
/// and would only make the reader allocate without bound.
const MAX_REOPENS_PER_UPDATE: i64 = 100;

/// Column positions, found from the header.
#[derive(Clone, Debug)]
struct Columns {
    number: usize,
    state: usize,
    reassignments: usize,
    reopens: usize,
    mod_count: usize,
    opened_at: usize,
    updated_at: usize,
    category: usize,
    impact: usize,
    urgency: usize,
    priority: usize,
    group: usize,
    resolved_at: usize,
    closed_at: usize,
    attributes: Vec<(&'static str, usize)>,
}

impl Columns {
    fn find(names: &[String]) -> Result<Columns, SourceError> {
        check_header(names, &REQUIRED)?;
        let at = |wanted: &str| {
            names.iter().position(|name| name == wanted).unwrap_or(0)
        };
        Ok(Columns {
            number: at("number"),
            state: at("incident_state"),
            reassignments: at("reassignment_count"),
            reopens: at("reopen_count"),
            mod_count: at("sys_mod_count"),
            opened_at: at("opened_at"),
            updated_at: at("sys_updated_at"),
            category: at("category"),
            impact: at("impact"),
            urgency: at("urgency"),
            priority: at("priority"),
            group: at("assignment_group"),
            resolved_at: at("resolved_at"),
            closed_at: at("closed_at"),
            attributes: ATTRIBUTES
                .iter()
                .filter_map(|wanted| {
                    let index = names.iter().position(|name| name == wanted);
                    index.map(|index| (*wanted, index))
                })
                .collect(),
        })
    }
}

/// Reads records incident by incident.
pub(super) struct ServiceNowRecords<R: BufRead> {
    rows: CsvRows<R>,
    width: usize,
    columns: Columns,
    zone: Tz,
    /// The `number` of the incident being gathered, as bytes.
    key: Vec<u8>,
    /// Its rows with their lines.
    gathered: Vec<(u64, ByteRecord)>,
    /// Rows without a `number`, held back until the incident they
    /// interrupt is done so that records come out in line order.
    orphans: Vec<SourceRecord>,
    ready: VecDeque<SourceRecord>,
    ended: bool,
}

impl<R: BufRead> ServiceNowRecords<R> {
    pub(super) fn new(
        input: R,
        zone: Tz,
    ) -> Result<ServiceNowRecords<R>, SourceError> {
        let mut rows = CsvRows::new(input);
        let names = rows.header()?;
        let columns = Columns::find(&names)?;
        Ok(ServiceNowRecords {
            rows,
            width: names.len(),
            columns,
            zone,
            key: Vec::new(),
            gathered: Vec::new(),
            orphans: Vec::new(),
            ready: VecDeque::new(),
            ended: false,
        })
    }

    pub(super) fn next(
        &mut self,
    ) -> Option<Result<SourceRecord, SourceError>> {
        loop {
            if let Some(record) = self.ready.pop_front() {
                return Some(Ok(record));
            }
            if self.ended {
                return None;
            }
            match self.rows.next_row() {
                None => {
                    self.ended = true;
                    self.finish_incident();
                }
                Some(Err(error)) => return Some(Err(error)),
                Some(Ok((line, row))) => self.take(line, row),
            }
        }
    }

    fn take(&mut self, line: u64, row: ByteRecord) {
        let key = row
            .get(self.columns.number)
            .map(<[u8]>::trim_ascii)
            .filter(|key| !key.is_empty() && *key != MISSING.as_bytes());
        let Some(key) = key else {
            let reason = length_problem(row.len(), self.width)
                .unwrap_or_else(|| "the row has no `number`".to_owned());
            let record = SourceRecord { line, id: None, result: Err(reason) };
            if self.gathered.is_empty() {
                self.ready.push_back(record);
            } else {
                self.orphans.push(record);
            }
            return;
        };
        if key != self.key.as_slice() {
            self.finish_incident();
            self.key = key.to_vec();
        }
        self.gathered.push((line, row));
    }

    fn finish_incident(&mut self) {
        let Some((line, _)) = self.gathered.first() else {
            return;
        };
        let line = *line;
        let id = std::str::from_utf8(&self.key).ok().map(str::to_owned);
        let result = match &id {
            Some(id) => self.fold(id),
            None => Err(format!("line {line}: `number` is not valid UTF-8")),
        };
        self.gathered.clear();
        self.ready.push_back(SourceRecord { line, id, result });
        self.ready.extend(self.orphans.drain(..));
    }

    /// Folds the gathered rows into one incident.
    fn fold(&self, id: &str) -> Result<IncidentInput, String> {
        let mut problems = Vec::new();
        let mut rows: Vec<Row<'_>> = Vec::with_capacity(self.gathered.len());
        for (line, record) in &self.gathered {
            match Row::read(
                *line,
                record,
                self.width,
                &self.columns,
                self.zone,
            ) {
                Ok(row) => rows.push(row),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        rows.sort_by_key(|row| row.mod_count);
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Err("the incident has no rows".to_owned());
        };

        let cell = |row: &Row<'_>, column| row.cell(column);
        let instant =
            |row: &Row<'_>, column, name| row.instant(column, name, self.zone);
        let created = instant(first, self.columns.opened_at, "opened_at")?
            .ok_or_else(|| {
                format!("line {}: `opened_at` is missing", first.line)
            })?;
        let resolved = instant(last, self.columns.resolved_at, "resolved_at")?;
        let closed = instant(last, self.columns.closed_at, "closed_at")?;
        let stamp = |at: i64| format_instant(at.max(created), self.zone);

        let mut input = IncidentInput {
            id: id.to_owned(),
            created_at: format_instant(created, self.zone),
            impact: cell(first, self.columns.impact),
            urgency: cell(first, self.columns.urgency),
            priority: cell(first, self.columns.priority),
            category: cell(last, self.columns.category),
            group: cell(last, self.columns.group),
            resolved_at: resolved.map(|at| format_instant(at, self.zone)),
            closed_at: closed.map(|at| format_instant(at, self.zone)),
            reassignment_count: last.reassignments,
            ..IncidentInput::default()
        };
        for (name, column) in &self.columns.attributes {
            if let Some(value) = cell(last, *column) {
                input.attributes.insert((*name).to_owned(), value);
            }
        }

        let mut status: Option<&str> = None;
        let mut reopens = 0;
        let mut matrix = first.matrix(&self.columns);
        for row in &rows {
            // Formatting an instant is the costly step of the fold, so it
            // is done only for rows that change something.
            let at = || stamp(row.updated_at);
            if let Some(state) =
                row.state.filter(|state| Some(*state) != status)
            {
                input.status_history.push(StatusChangeInput {
                    at: at(),
                    status: state.to_owned(),
                });
                status = Some(state);
                if state != NEW && input.first_response_at.is_none() {
                    input.first_response_at = Some(at());
                }
            }

            // A count that goes down is a correction, not an un-reopen: the
            // highest count seen so far is what later rises are measured
            // from.
            let count = row.reopens.unwrap_or(reopens);
            let rise = count.saturating_sub(reopens);
            if rise > MAX_REOPENS_PER_UPDATE {
                return Err(format!(
                    "line {}: `reopen_count` rises from `{reopens}` to \
                     `{count}` in one update",
                    row.line
                ));
            }
            for _ in 0..rise {
                input.reopened_at.push(at());
            }
            reopens = reopens.max(count);

            let now = row.matrix(&self.columns);
            if now != matrix {
                let [impact, urgency, priority] =
                    now.map(|value| value.map(str::to_owned));
                input.priority_changes.push(PriorityChangeInput {
                    at: at(),
                    priority,
                    impact,
                    urgency,
                });
                matrix = now;
            }
        }
        Ok(input)
    }
}

/// One row, read.
struct Row<'a> {
    line: u64,
    record: &'a ByteRecord,
    mod_count: i64,
    /// The state, when it is a status (not `?` or `-100`).
    state: Option<&'a str>,
    updated_at: i64,
    reassignments: Option<i64>,
    reopens: Option<i64>,
}

impl<'a> Row<'a> {
    /// Reads what every row must have; the rest is read on demand.
    fn read(
        line: u64,
        record: &'a ByteRecord,
        width: usize,
        columns: &Columns,
        zone: Tz,
    ) -> Result<Row<'a>, String> {
        if let Some(problem) = length_problem(record.len(), width) {
            return Err(format!("line {line}: {problem}"));
        }
        // INVARIANT: every cell is UTF-8 from here on, so that `cell`
        // can read any of them without a second check.
        if let Some(index) =
            record.iter().position(|bytes| std::str::from_utf8(bytes).is_err())
        {
            return Err(format!(
                "line {line}: the cell in column {} is not valid UTF-8",
                index + 1
            ));
        }
        let mut row = Row {
            line,
            record,
            mod_count: 0,
            state: None,
            updated_at: 0,
            reassignments: None,
            reopens: None,
        };
        row.mod_count =
            row.count(columns.mod_count, "sys_mod_count")?.ok_or_else(
                || format!("line {line}: `sys_mod_count` is missing"),
            )?;
        row.updated_at = row
            .instant(columns.updated_at, "sys_updated_at", zone)?
            .ok_or_else(|| {
                format!("line {line}: `sys_updated_at` is missing")
            })?;
        row.reassignments =
            row.count(columns.reassignments, "reassignment_count")?;
        row.reopens = row.count(columns.reopens, "reopen_count")?;
        row.state =
            row.text(columns.state).filter(|state| *state != BOGUS_STATE);
        Ok(row)
    }

    /// The trimmed text of a cell, `None` when missing.
    fn text(&self, column: usize) -> Option<&'a str> {
        self.record
            .get(column)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .map(str::trim)
            .filter(|text| !text.is_empty() && *text != MISSING)
    }

    fn cell(&self, column: usize) -> Option<String> {
        self.text(column).map(str::to_owned)
    }

    fn count(&self, column: usize, name: &str) -> Result<Option<i64>, String> {
        self.text(column)
            .map(|text| {
                text.parse().map_err(|_| {
                    format!(
                        "line {}: `{name}` `{text}` is not a whole number",
                        self.line
                    )
                })
            })
            .transpose()
    }

    fn instant(
        &self,
        column: usize,
        name: &str,
        zone: Tz,
    ) -> Result<Option<i64>, String> {
        let Some(text) = self.text(column) else {
            return Ok(None);
        };
        let local = day_month_year(text).ok_or_else(|| {
            format!(
                "line {}: `{name}` `{text}` is not a `d/m/yyyy HH:MM` \
                 timestamp",
                self.line
            )
        })?;
        local_seconds(text, local, zone).map(Some).map_err(|reason| {
            format!("line {}: `{name}`: {reason}", self.line)
        })
    }

    /// Impact, urgency and priority.
    fn matrix(&self, columns: &Columns) -> [Option<&'a str>; 3] {
        [columns.impact, columns.urgency, columns.priority]
            .map(|column| self.text(column))
    }
}

#[cfg(test)]
mod tests {
    use crate::incident::{
        IncidentInput, PriorityChangeInput, StatusChangeInput,
    };
    use crate::sources::{SourceFormat, SourceOptions, SourceRecord, read};

    const HEADER: &str = "number,incident_state,active,reassignment_count,\
        reopen_count,sys_mod_count,made_sla,caller_id,opened_by,opened_at,\
        sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,\
        contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,\
        urgency,priority,assignment_group,assigned_to,knowledge,\
        u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,\
        closed_code,resolved_by,resolved_at,closed_at";

    /// A row in the export's shape with the columns that vary.
    fn row(
        number: &str,
        state: &str,
        counts: (u32, u32, u32),
        updated: &str,
        matrix: (&str, &str, &str),
    ) -> String {
        let (reassignments, reopens, mods) = counts;
        let (impact, urgency, priority) = matrix;
        format!(
            "{number},{state},true,{reassignments},{reopens},{mods},true,\
             Caller 1,Opened by 2,1/3/2016 09:00,Created by 3,1/3/2016 09:00,\
             Updated by 4,{updated},Phone,Location 5,Category 6,\
             Subcategory 7,Symptom 8,?,{impact},{urgency},{priority},\
             Group 9,?,false,false,Do Not Notify,?,?,?,?,code 5,\
             Resolved by 10,2/3/2016 12:00,7/3/2016 12:00"
        )
    }

    const MEDIUM: (&str, &str, &str) =
        ("2 - Medium", "2 - Medium", "3 - Moderate");
    const HIGH: (&str, &str, &str) = ("1 - High", "2 - Medium", "2 - High");

    fn records(text: &str, zone: chrono_tz::Tz) -> Vec<SourceRecord> {
        let options = SourceOptions { zone, ..SourceOptions::default() };
        read(SourceFormat::ServiceNow, text.as_bytes(), options)
            .into_iter()
            .flatten()
            .flatten()
            .collect()
    }

    #[test]
    fn rows_fold_into_one_incident_in_sys_mod_count_order() {
        let rows = [
            HEADER.to_owned(),
            row("INC1", "New", (0, 0, 0), "1/3/2016 09:00", MEDIUM),
            // Out of order in the file on purpose.
            row(
                "INC1",
                "Awaiting User Info",
                (1, 0, 2),
                "1/3/2016 11:00",
                HIGH,
            ),
            row("INC1", "Active", (1, 0, 1), "1/3/2016 10:00", MEDIUM),
            row("INC1", "-100", (1, 0, 3), "1/3/2016 11:30", HIGH),
            row("INC1", "Resolved", (1, 0, 4), "2/3/2016 12:00", HIGH),
            row("INC1", "Active", (1, 1, 5), "3/3/2016 08:00", HIGH),
            row("INC1", "Resolved", (2, 1, 6), "3/3/2016 09:00", HIGH),
            row("INC1", "Closed", (2, 1, 7), "7/3/2016 12:00", HIGH),
            row("INC2", "Active", (0, 0, 0), "1/3/2016 09:00", MEDIUM),
        ];
        let text = rows.join("\n");
        let records = records(&text, chrono_tz::UTC);
        let status = |at: &str, status: &str| StatusChangeInput {
            at: at.into(),
            status: status.into(),
        };
        let attributes = [
            ("closed_code", "code 5"),
            ("contact_type", "Phone"),
            ("knowledge", "false"),
            ("location", "Location 5"),
            ("made_sla", "true"),
            ("subcategory", "Subcategory 7"),
            ("u_priority_confirmation", "false"),
            ("u_symptom", "Symptom 8"),
        ]
        .map(|(key, value)| (key.to_owned(), value.to_owned()));
        let expected = IncidentInput {
            id: "INC1".into(),
            created_at: "2016-03-01T09:00:00Z".into(),
            impact: Some("2 - Medium".into()),
            urgency: Some("2 - Medium".into()),
            priority: Some("3 - Moderate".into()),
            category: Some("Category 6".into()),
            group: Some("Group 9".into()),
            attributes: attributes.into(),
            status_history: vec![
                status("2016-03-01T09:00:00Z", "New"),
                status("2016-03-01T10:00:00Z", "Active"),
                status("2016-03-01T11:00:00Z", "Awaiting User Info"),
                status("2016-03-02T12:00:00Z", "Resolved"),
                status("2016-03-03T08:00:00Z", "Active"),
                status("2016-03-03T09:00:00Z", "Resolved"),
                status("2016-03-07T12:00:00Z", "Closed"),
            ],
            priority_changes: vec![PriorityChangeInput {
                at: "2016-03-01T11:00:00Z".into(),
                impact: Some("1 - High".into()),
                urgency: Some("2 - Medium".into()),
                priority: Some("2 - High".into()),
            }],
            first_response_at: Some("2016-03-01T10:00:00Z".into()),
            resolved_at: Some("2016-03-02T12:00:00Z".into()),
            closed_at: Some("2016-03-07T12:00:00Z".into()),
            reopened_at: vec!["2016-03-03T08:00:00Z".into()],
            reassignment_count: Some(2),
            ..IncidentInput::default()
        };
        let got: Vec<_> = records
            .iter()
            .map(|record| (record.line, record.id.as_deref()))
            .collect();
        assert_eq!(got, [(2, Some("INC1")), (10, Some("INC2"))]);
        assert_eq!(records.first().map(|r| &r.result), Some(&Ok(expected)));
    }

    #[test]
    fn updates_before_opening_move_to_the_opening() {
        let rows = [
            HEADER.to_owned(),
            row("INC1", "Active", (0, 0, 0), "1/3/2016 08:30", MEDIUM),
            row("INC1", "Closed", (0, 0, 1), "7/3/2016 12:00", MEDIUM),
        ];
        let records = records(&rows.join("\n"), chrono_tz::UTC);
        let input = records.first().and_then(|r| r.result.clone().ok());
        assert_eq!(
            input.and_then(|input| input.first_response_at),
            Some("2016-03-01T09:00:00Z".into())
        );
    }

    #[test]
    fn bad_rows_reject_their_incident_with_the_line() {
        let rows = [
            HEADER.to_owned(),
            row("INC1", "New", (0, 0, 0), "31/2/2016 09:00", MEDIUM),
            "INC1,Closed,false".to_owned(),
            ",,,".to_owned(),
            row("INC2", "New", (0, 0, 0), "16/10/2016 00:30", MEDIUM),
            row("INC3", "New", (0, 0, 0), "1/3/2016 09:00", MEDIUM),
        ];
        // INC3's priority becomes invalid UTF-8.
        let mut text = rows.join("\n").into_bytes();
        let last_m = text.iter().rposition(|byte| *byte == b'M');
        if let Some(byte) = last_m.and_then(|at| text.get_mut(at)) {
            *byte = 0xFF;
        }
        let options = SourceOptions {
            zone: chrono_tz::America::Sao_Paulo,
            ..SourceOptions::default()
        };
        let got: Vec<_> = read(SourceFormat::ServiceNow, &text[..], options)
            .into_iter()
            .flatten()
            .flatten()
            .map(|record| (record.line, record.id, record.result.map(|_| ())))
            .collect();
        assert_eq!(
            got,
            [
                (
                    2,
                    Some("INC1".to_owned()),
                    Err("line 2: `sys_updated_at` `31/2/2016 09:00` is not \
                         a `d/m/yyyy HH:MM` timestamp; line 3: the row has \
                         3 fields, the header has 36"
                        .to_owned())
                ),
                (
                    4,
                    None,
                    Err("the row has 4 fields, the header has 36".into())
                ),
                (
                    5,
                    Some("INC2".to_owned()),
                    Err("line 5: `sys_updated_at`: `16/10/2016 00:30` does \
                         not exist in `America/Sao_Paulo`: the clocks \
                         skipped it (daylight saving)"
                        .to_owned())
                ),
                (
                    6,
                    Some("INC3".to_owned()),
                    Err("line 6: the cell in column 23 is not valid UTF-8"
                        .to_owned())
                ),
            ]
        );
    }

    #[test]
    fn a_header_without_the_needed_columns_is_refused() {
        let error = read(
            SourceFormat::ServiceNow,
            &b"number,incident_state,impact\n"[..],
            SourceOptions::default(),
        )
        .map(|_| ())
        .map_err(|error| error.to_string());
        assert_eq!(
            error,
            Err("header: missing columns `reassignment_count`, \
                 `reopen_count`, `sys_mod_count`, `made_sla`, `opened_at`, \
                 `sys_updated_at`, `contact_type`, `location`, `category`, \
                 `subcategory`, `urgency`, `priority`, `assignment_group`, \
                 `resolved_at`, `closed_at`"
                .to_owned())
        );
    }
}
