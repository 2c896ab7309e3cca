//! The `bpi2014` reader: the Rabobank incident records of the BPI
//! Challenge 2014 (HP Service Manager), one row per incident, optionally
//! enriched from the activity log.
//!
//! The incident record gives the final impact, urgency and priority (1 to
//! 5), the opening, last reopen, last resolution and closure times and the
//! number of reassignments. The activity log, which is not sorted, is
//! loaded first by [`load_bpi2014_activity`] into a map by incident; the
//! reader takes each incident's activities out of the map as it meets the
//! incident, so the map shrinks as the input is read. Timestamps are
//! `YYYY-MM-DD HH:MM:SS` wall-clock times in the source zone (Dutch local
//! time for the real data). `docs/input.md` explains each choice:
//!
//! - the status history is `Open` at `open_time`, `Resolved` at
//!   `resolved_time` and `Closed` at `close_time`, and from the activity
//!   log also `Closed` and `Resolved` at each such activity and `Reopened`
//!   at each reopen, so that time spent closed before a reopen can be left
//!   out of the resolve clock; `Status Change` activities do not say which
//!   status was entered, so they add none;
//! - reopens are the `Reopen` activities when the log has any for the
//!   incident, else `reopen_time`, which holds only the last one;
//! - the first response is the first activity in which an operator acted
//!   on the incident or told the customer something (`Status Change`,
//!   `Operator Update`, `Analysis/Research`, `Communication with
//!   customer`, `Mail to Customer`), counted only for incidents whose
//!   `Open` activity is in the log, since for the others the log starts
//!   after their first days;
//! - public updates are the activities that reached the customer
//!   (`Communication with customer`, `Mail to Customer`);
//! - the group is the assignment group of the last activity, the team
//!   that held the incident when it closed;
//! - an activity stamped before `open_time` (16 incidents of the sample
//!   have their `Open` activity one or two hours early) is taken to happen
//!   at `open_time`;
//! - `Impact Change` and `Urgency Change` activities do not carry the new
//!   values, so no priority change is made: the record's final values are
//!   taken to hold from the start.

use std::collections::HashMap;
use std::io::BufRead;

use ::csv::ByteRecord;
use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::incident::IncidentInput;
use crate::incident::StatusChangeInput;
use crate::time::format_instant;

use super::text::{
    CsvRows, check_header, length_problem, local_seconds, year_month_day,
};
use super::{SourceError, SourceOptions, SourceRecord};

/// Columns every incident export must have.
const REQUIRED: [&str; 10] = [
    "incident_id",
    "impact",
    "urgency",
    "priority",
    "category",
    "x_reassignments",
    "open_time",
    "reopen_time",
    "resolved_time",
    "close_time",
];

/// Columns kept as attributes when present.
const ATTRIBUTES: [&str; 7] = [
    "ci_name_aff",
    "ci_type_aff",
    "ci_subtype_aff",
    "closure_code",
    "km_number",
    "alert_status",
    "ci_name_cby",
];

/// Columns the activity log must have.
const ACTIVITY_REQUIRED: [&str; 5] = [
    "incident_id",
    "data_stamp",
    "incident_activity_number",
    "incident_activity_type",
    "assignment_group",
];

/// Activities in which an operator acted on the incident or answered the
/// customer: the first of them is the first response.
const RESPONSES: [&str; 5] = [
    "Status Change",
    "Operator Update",
    "Analysis/Research",
    "Communication with customer",
    "Mail to Customer",
];

/// Activities that reached the customer: the public updates.
const UPDATES: [&str; 2] = ["Communication with customer", "Mail to Customer"];

/// One activity of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Activity {
    /// Local wall-clock time; turned into an instant in the source zone
    /// only when the incident is read.
    at: NaiveDateTime,
    /// As written, kept for error messages.
    at_text: String,
    /// The activity number, which breaks ties between equal stamps.
    number: String,
    kind: String,
    group: Option<String>,
    line: u64,
}

/// The BPI 2014 activity log, by incident id.
///
/// A row that cannot be read is kept as a problem of its incident, which
/// is then rejected with the row's line when it is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bpi2014Activity {
    incidents: HashMap<String, Result<Vec<Activity>, String>>,
    rows: u64,
}

impl Bpi2014Activity {
    /// How many incidents have activities (or problems) in the log.
    pub fn incidents(&self) -> usize {
        self.incidents.len()
    }

    /// How many activity rows were loaded.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn add(&mut self, id: &str, activity: Result<Activity, String>) {
        self.rows += 1;
        let entry =
            self.incidents.entry(id.to_owned()).or_insert(Ok(Vec::new()));
        match (entry, activity) {
            (Ok(activities), Ok(activity)) => activities.push(activity),
            (entry @ Ok(_), Err(problem)) => *entry = Err(problem),
            (Err(problems), Err(problem)) => {
                problems.push_str("; ");
                problems.push_str(&problem);
            }
            (Err(_), Ok(_)) => {}
        }
    }
}

/// Loads the BPI 2014 activity log (`bpic2014_incident_activity_sample.csv`
/// or the same columns) into a map by incident.
///
/// # Errors
///
/// [`SourceError::Activity`] for an empty log, a header without the
/// columns needed, a failing read, or a row whose incident cannot be told
/// (too short, or an `incident_id` that is empty or not UTF-8); any other
/// bad row rejects only its incident.
pub fn load_bpi2014_activity<R: BufRead>(
    input: R,
) -> Result<Bpi2014Activity, SourceError> {
    let in_log = |error: SourceError| match error {
        SourceError::Header { message } => {
            SourceError::Activity { line: 1, message }
        }
        SourceError::Read { line, message } => {
            SourceError::Activity { line, message }
        }
        other => other,
    };
    let mut rows = CsvRows::new(input);
    let names = rows.header().map_err(in_log)?;
    check_header(&names, &ACTIVITY_REQUIRED).map_err(in_log)?;
    let at = |wanted: &str| {
        names.iter().position(|name| name == wanted).unwrap_or(0)
    };
    let (id, stamp, number, kind, group) = (
        at("incident_id"),
        at("data_stamp"),
        at("incident_activity_number"),
        at("incident_activity_type"),
        at("assignment_group"),
    );

    let mut log = Bpi2014Activity::default();
    while let Some(row) = rows.next_row() {
        let (line, row) = row.map_err(in_log)?;
        let Some(incident) = row
            .get(id)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .map(str::trim)
            .filter(|incident| !incident.is_empty())
        else {
            let message = length_problem(row.len(), names.len())
                .unwrap_or_else(|| {
                    "`incident_id` is empty or not valid UTF-8".to_owned()
                });
            return Err(SourceError::Activity { line, message });
        };
        let activity =
            activity(&row, line, names.len(), [stamp, number, kind, group]);
        log.add(incident, activity);
    }
    Ok(log)
}

/// Reads one activity row.
fn activity(
    row: &ByteRecord,
    line: u64,
    width: usize,
    [stamp, number, kind, group]: [usize; 4],
) -> Result<Activity, String> {
    let problem = |text: String| format!("activity log line {line}: {text}");
    if let Some(text) = length_problem(row.len(), width) {
        return Err(problem(text));
    }
    let cell = |column: usize, name: &str| {
        let bytes = row.get(column).unwrap_or_default();
        std::str::from_utf8(bytes)
            .map(str::trim)
            .map_err(|_| problem(format!("`{name}` is not valid UTF-8")))
    };
    let at_text = cell(stamp, "data_stamp")?;
    let at = year_month_day(at_text).ok_or_else(|| {
        problem(format!(
            "`data_stamp` `{at_text}` is not a `YYYY-MM-DD HH:MM:SS` \
             timestamp"
        ))
    })?;
    let group = cell(group, "assignment_group")?;
    Ok(Activity {
        at,
        at_text: at_text.to_owned(),
        number: cell(number, "incident_activity_number")?.to_owned(),
        kind: cell(kind, "incident_activity_type")?.to_owned(),
        group: (!group.is_empty()).then(|| group.to_owned()),
        line,
    })
}

/// Column positions of the incident records, found from the header.
struct Columns {
    id: usize,
    impact: usize,
    urgency: usize,
    priority: usize,
    category: usize,
    reassignments: usize,
    open: usize,
    reopen: usize,
    resolved: usize,
    close: usize,
    service: Option<usize>,
    attributes: Vec<(&'static str, usize)>,
}

/// Reads records row by row.
pub(super) struct Bpi2014Records<R: BufRead> {
    rows: CsvRows<R>,
    width: usize,
    columns: Columns,
    zone: Tz,
    activity: Option<Bpi2014Activity>,
}

impl<R: BufRead> Bpi2014Records<R> {
    pub(super) fn new(
        input: R,
        options: SourceOptions,
    ) -> Result<Bpi2014Records<R>, SourceError> {
        let mut rows = CsvRows::new(input);
        let names = rows.header()?;
        check_header(&names, &REQUIRED)?;
        let find = |wanted: &str| names.iter().position(|name| name == wanted);
        let at = |wanted: &str| find(wanted).unwrap_or(0);
        let columns = Columns {
            id: at("incident_id"),
            impact: at("impact"),
            urgency: at("urgency"),
            priority: at("priority"),
            category: at("category"),
            reassignments: at("x_reassignments"),
            open: at("open_time"),
            reopen: at("reopen_time"),
            resolved: at("resolved_time"),
            close: at("close_time"),
            service: find("service_component_wbs_aff"),
            attributes: ATTRIBUTES
                .iter()
                .filter_map(|wanted| {
                    find(wanted).map(|index| (*wanted, index))
                })
                .collect(),
        };
        Ok(Bpi2014Records {
            rows,
            width: names.len(),
            columns,
            zone: options.zone,
            activity: options.activity,
        })
    }

    pub(super) fn next(
        &mut self,
    ) -> Option<Result<SourceRecord, SourceError>> {
        let (line, row) = match self.rows.next_row()? {
            Ok(row) => row,
            Err(error) => return Some(Err(error)),
        };
        let id = row
            .get(self.columns.id)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned);
        let activities = match (&mut self.activity, &id) {
            (Some(log), Some(id)) => {
                Some(log.incidents.remove(id).unwrap_or(Ok(Vec::new())))
            }
            _ => None,
        };
        let result = self.incident(&row, activities);
        Some(Ok(SourceRecord { line, id, result }))
    }

    fn incident(
        &self,
        row: &ByteRecord,
        activities: Option<Result<Vec<Activity>, String>>,
    ) -> Result<IncidentInput, String> {
        if let Some(problem) = length_problem(row.len(), self.width) {
            return Err(problem);
        }
        let mut problems = Vec::new();
        let mut cell = |column: usize, name: &str| -> Option<String> {
            let bytes = row.get(column).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    let text = text.trim();
                    (!text.is_empty()).then(|| text.to_owned())
                }
                Err(_) => {
                    problems.push(format!("`{name}` is not valid UTF-8"));
                    None
                }
            }
        };
        let c = &self.columns;
        let id = cell(c.id, "incident_id");
        let impact = cell(c.impact, "impact");
        let urgency = cell(c.urgency, "urgency");
        let priority = cell(c.priority, "priority");
        let category = cell(c.category, "category");
        let reassignments = cell(c.reassignments, "x_reassignments");
        let times = [
            cell(c.open, "open_time"),
            cell(c.reopen, "reopen_time"),
            cell(c.resolved, "resolved_time"),
            cell(c.close, "close_time"),
        ];
        let service = c
            .service
            .and_then(|column| cell(column, "service_component_wbs_aff"));
        let attributes: Vec<(String, String)> = c
            .attributes
            .iter()
            .filter_map(|(name, column)| {
                cell(*column, name).map(|value| ((*name).to_owned(), value))
            })
            .collect();

        let names =
            ["open_time", "reopen_time", "resolved_time", "close_time"];
        let mut instants = [None; 4];
        for ((slot, text), name) in instants.iter_mut().zip(&times).zip(names)
        {
            if let Some(text) = text {
                match self.instant(text) {
                    Ok(at) => *slot = Some(at),
                    Err(reason) => {
                        problems.push(format!("`{name}`: {reason}"))
                    }
                }
            }
        }
        let reassignment_count = match reassignments.as_deref() {
            Some(text) => match text.parse::<i64>() {
                Ok(count) => Some(count),
                Err(_) => {
                    problems.push(format!(
                        "`x_reassignments` `{text}` is not a whole number"
                    ));
                    None
                }
            },
            None => None,
        };
        let activities = match activities.transpose() {
            Ok(activities) => activities,
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let [open, reopen, resolved, close] = instants;
        let created = match (open, times.first()) {
            (Some(created), _) => Some(created),
            (None, Some(None)) => {
                problems.push("`open_time` is missing".to_owned());
                None
            }
            // A bad `open_time` has been reported above.
            (None, _) => None,
        };
        let (Some(created), true) = (created, problems.is_empty()) else {
            return Err(problems.join("; "));
        };

        let stamp = |at: i64| format_instant(at, self.zone);
        let status = |at: i64, status: &str| StatusChangeInput {
            at: stamp(at),
            status: status.to_owned(),
        };
        let mut input = IncidentInput {
            id: id.unwrap_or_default(),
            created_at: stamp(created),
            impact,
            urgency,
            priority,
            category,
            service,
            attributes: attributes.into_iter().collect(),
            resolved_at: resolved.map(stamp),
            closed_at: close.map(stamp),
            reassignment_count,
            ..IncidentInput::default()
        };
        input.status_history.push(status(created, "Open"));
        input.status_history.extend(resolved.map(|at| status(at, "Resolved")));
        input.status_history.extend(close.map(|at| status(at, "Closed")));

        let Some(mut activities) = activities else {
            input.reopened_at.extend(reopen.map(stamp));
            input
                .status_history
                .extend(reopen.map(|at| status(at, "Reopened")));
            return Ok(input);
        };
        activities.sort_by(|a, b| (a.at, &a.number).cmp(&(b.at, &b.number)));
        let mut timed = Vec::with_capacity(activities.len());
        for activity in &activities {
            let at = local_seconds(&activity.at_text, activity.at, self.zone)
                .map_err(|reason| {
                    format!("activity log line {}: {reason}", activity.line)
                })?;
            timed.push((at.max(created), activity));
        }
        self.enrich(&mut input, &timed, reopen);
        Ok(input)
    }

    /// Adds what the activity log tells.
    fn enrich(
        &self,
        input: &mut IncidentInput,
        timed: &[(i64, &Activity)],
        reopen: Option<i64>,
    ) {
        let stamp = |at: i64| format_instant(at, self.zone);
        let of_kind = |kinds: &'static [&'static str]| {
            timed
                .iter()
                .filter(move |(_, activity)| {
                    kinds.contains(&activity.kind.as_str())
                })
                .map(|(at, _)| *at)
        };

        let mut reopens: Vec<i64> = of_kind(&["Reopen"]).collect();
        if reopens.is_empty() {
            reopens.extend(reopen);
        }
        for (at, activity) in timed {
            let status = match activity.kind.as_str() {
                "Closed" => "Closed",
                "Resolved" => "Resolved",
                _ => continue,
            };
            input.status_history.push(StatusChangeInput {
                at: stamp(*at),
                status: status.to_owned(),
            });
        }
        for at in &reopens {
            input.status_history.push(StatusChangeInput {
                at: stamp(*at),
                status: "Reopened".to_owned(),
            });
        }
        input.reopened_at = reopens.into_iter().map(stamp).collect();

        let opened_in_log =
            timed.iter().any(|(_, activity)| activity.kind == "Open");
        if opened_in_log {
            input.first_response_at = of_kind(&RESPONSES).next().map(stamp);
        }
        input.updates = of_kind(&UPDATES).map(stamp).collect();
        input.group = timed
            .iter()
            .rev()
            .find_map(|(_, activity)| activity.group.clone());
    }

    fn instant(&self, text: &str) -> Result<i64, String> {
        let local = year_month_day(text).ok_or_else(|| {
            format!("`{text}` is not a `YYYY-MM-DD HH:MM:SS` timestamp")
        })?;
        local_seconds(text, local, self.zone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{SourceFormat, read};

    const HEADER: &str = "ci_name_aff,ci_type_aff,ci_subtype_aff,\
        service_component_wbs_aff,incident_id,status,impact,urgency,\
        priority,category,km_number,alert_status,x_reassignments,open_time,\
        reopen_time,resolved_time,close_time,handle_time_hours,closure_code,\
        x_related_interactions,related_interaction,x_related_incidents,\
        x_related_changes,related_change,ci_name_cby,ci_type_cby,\
        ci_subtype_cby,servicecomp_wbs_cby";

    const IM48: &str = "SBA000662,application,Server Based Application,\
        WBS000071,IM0000048,Closed,5,5,5,request for information,KM0000524,\
        closed,0,2013-02-06 14:07:43,2013-10-17 12:22:40,\
        2013-10-17 14:00:26,2013-10-17 14:00:29,3.885555556,\
        No error - works as designed,2,#MULTIVALUE,,,,WSR000394,computer,\
        Windows Server,";

    const ACTIVITY: &str = "incident_id,data_stamp,incident_activity_number,\
        incident_activity_type,assignment_group,km_number,interaction_id,\
        lifecycle\n\
        IM0000048,2013-10-17 14:00:31,001A5711681,Closed,TEAM0013,,,complete\n\
        IM0000048,2013-02-06 13:07:45,001A3926336,Open,TEAM9999,,,complete\n\
        IM0000048,2013-02-06 13:10:52,001A3926349,Status Change,TEAM9999,,,complete\n\
        IM0000048,2013-02-06 15:23:11,001A3926696,Closed,TEAM9999,,,complete\n\
        IM0000048,2013-10-17 12:22:44,001A5709035,Reopen,TEAM0013,,,complete\n\
        IM0000048,2013-10-17 12:30:00,001A5709040,Mail to Customer,TEAM0013,,,complete\n\
        IM0000099,2013-10-17 12:22,001,Open,TEAM0001,,,complete\n\
        IM0000099,yesterday,002,Closed,TEAM0001,,,complete\n";

    fn read_one(
        row: &str,
        activity: Option<Bpi2014Activity>,
    ) -> Option<SourceRecord> {
        let text = format!("{HEADER}\n{row}\n");
        let options = SourceOptions { zone: chrono_tz::UTC, activity };
        read(SourceFormat::Bpi2014, text.as_bytes(), options)
            .ok()?
            .next()?
            .ok()
    }

    fn status(at: &str, status: &str) -> StatusChangeInput {
        StatusChangeInput { at: at.into(), status: status.into() }
    }

    fn record_only() -> IncidentInput {
        let attributes = [
            ("alert_status", "closed"),
            ("ci_name_aff", "SBA000662"),
            ("ci_name_cby", "WSR000394"),
            ("ci_subtype_aff", "Server Based Application"),
            ("ci_type_aff", "application"),
            ("closure_code", "No error - works as designed"),
            ("km_number", "KM0000524"),
        ]
        .map(|(key, value)| (key.to_owned(), value.to_owned()));
        IncidentInput {
            id: "IM0000048".into(),
            created_at: "2013-02-06T14:07:43Z".into(),
            impact: Some("5".into()),
            urgency: Some("5".into()),
            priority: Some("5".into()),
            category: Some("request for information".into()),
            service: Some("WBS000071".into()),
            attributes: attributes.into(),
            resolved_at: Some("2013-10-17T14:00:26Z".into()),
            closed_at: Some("2013-10-17T14:00:29Z".into()),
            reassignment_count: Some(0),
            status_history: vec![
                status("2013-02-06T14:07:43Z", "Open"),
                status("2013-10-17T14:00:26Z", "Resolved"),
                status("2013-10-17T14:00:29Z", "Closed"),
            ],
            ..IncidentInput::default()
        }
    }

    #[test]
    fn the_record_alone() {
        let mut expected = record_only();
        expected.reopened_at = vec!["2013-10-17T12:22:40Z".into()];
        expected
            .status_history
            .push(status("2013-10-17T12:22:40Z", "Reopened"));
        let record = read_one(IM48, None);
        assert_eq!(
            record.map(|r| (r.line, r.result)),
            Some((2, Ok(expected)))
        );
    }

    #[test]
    fn the_record_with_its_activities() {
        let log = load_bpi2014_activity(ACTIVITY.as_bytes());
        assert_eq!(
            log.as_ref().map(|log| (log.rows(), log.incidents())),
            Ok((8, 2))
        );
        let mut expected = record_only();
        expected.status_history.extend([
            status("2013-02-06T15:23:11Z", "Closed"),
            status("2013-10-17T14:00:31Z", "Closed"),
            status("2013-10-17T12:22:44Z", "Reopened"),
        ]);
        expected.reopened_at = vec!["2013-10-17T12:22:44Z".into()];
        expected.first_response_at = Some("2013-02-06T14:07:43Z".into());
        expected.updates = vec!["2013-10-17T12:30:00Z".into()];
        expected.group = Some("TEAM0013".into());
        let record = read_one(IM48, log.ok());
        assert_eq!(record.map(|r| r.result), Some(Ok(expected)));
    }

    #[test]
    fn a_bad_activity_rejects_its_incident_only() {
        let row = IM48.replace("IM0000048", "IM0000099");
        let log = load_bpi2014_activity(ACTIVITY.as_bytes()).ok();
        assert_eq!(
            read_one(&row, log).map(|r| r.result.map(|_| ())),
            Some(Err("activity log line 9: `data_stamp` `yesterday` is not \
                      a `YYYY-MM-DD HH:MM:SS` timestamp"
                .to_owned()))
        );
    }

    #[test]
    fn activity_rows_without_an_incident_stop_the_loading() {
        let text = "incident_id,data_stamp,incident_activity_number,\
                    incident_activity_type,assignment_group\n\
                    ,2013-10-17 12:22:44,1,Open,TEAM1\n";
        assert_eq!(
            load_bpi2014_activity(text.as_bytes()).map_err(|e| e.to_string()),
            Err("activity log line 2: `incident_id` is empty or not valid \
                 UTF-8"
                .to_owned())
        );
        assert_eq!(
            load_bpi2014_activity(&b"incident_id\n"[..])
                .map_err(|e| e.to_string()),
            Err("activity log line 1: missing columns `data_stamp`, \
                 `incident_activity_number`, `incident_activity_type`, \
                 `assignment_group`"
                .to_owned())
        );
    }

    #[test]
    fn bad_cells_reject_the_row() {
        let row =
            IM48.replace(",0,2013-02-06 14:07:43,", ",-,2013-02-31 14:07:43,");
        assert_eq!(
            read_one(&row, None).map(|r| r.result.map(|_| ())),
            Some(Err("`open_time`: `2013-02-31 14:07:43` is not a \
                      `YYYY-MM-DD HH:MM:SS` timestamp; `x_reassignments` \
                      `-` is not a whole number"
                .to_owned()))
        );
        assert_eq!(
            read_one("a,b", None).map(|r| r.result.map(|_| ())),
            Some(Err("the row has 2 fields, the header has 28".to_owned()))
        );
    }
}
