//! Writing answers for people and for other programs: evaluations as JSON
//! lines or CSV rows, and the KPI report as a table, JSON or CSV.
//!
//! The JSON forms are the boundary's own serde shapes, unchanged, so that
//! what the command writes is what the module answered. The table is for
//! a desk lead reading a terminal: each figure beside its target with the
//! word `met` or `missed`.

use std::fmt::Write as _;

use incident_rules_core::evaluate::{Evaluation, TargetStatus};
use incident_rules_core::kpi::{Judged, KpiFigures, KpiReport};

/// The CSV columns of one evaluation.
pub const EVALUATION_COLUMNS: &[&str] = &[
    "id",
    "priority",
    "priority_source",
    "priority_reported",
    "priority_mismatch",
    "sla",
    "acknowledge_due",
    "acknowledge_state",
    "acknowledge_completed_at",
    "acknowledge_percent",
    "respond_due",
    "respond_state",
    "respond_completed_at",
    "respond_percent",
    "resolve_due",
    "resolve_state",
    "resolve_completed_at",
    "resolve_percent",
    "resolve_breached_at",
    "updates_next_due",
    "updates_missed",
    "is_major",
    "major_reasons",
];

fn target_cells(
    target: Option<&TargetStatus>,
    with_breach: bool,
) -> Vec<String> {
    let mut cells = match target {
        Some(target) => vec![
            target.due.clone(),
            target.state.as_str().to_owned(),
            target.completed_at.clone().unwrap_or_default(),
            format!("{:.1}", target.percent),
        ],
        None => vec![String::new(); 4],
    };
    if with_breach {
        cells.push(
            target.and_then(|t| t.breached_at.clone()).unwrap_or_default(),
        );
    }
    cells
}

/// One evaluation as CSV cells, in [`EVALUATION_COLUMNS`] order.
pub fn evaluation_row(evaluation: &Evaluation) -> Vec<String> {
    let mut row = vec![
        evaluation.id.clone(),
        evaluation.priority.clone(),
        evaluation.priority_source.clone(),
        evaluation.priority_reported.clone().unwrap_or_default(),
        evaluation
            .priority_mismatch
            .as_ref()
            .map(|m| {
                format!("stated {} > supported {}", m.stated, m.supported)
            })
            .unwrap_or_default(),
        evaluation.sla.clone(),
    ];
    let targets = &evaluation.targets;
    row.extend(target_cells(targets.acknowledge.as_ref(), false));
    row.extend(target_cells(targets.respond.as_ref(), false));
    row.extend(target_cells(targets.resolve.as_ref(), true));
    let updates = evaluation.updates.as_ref();
    row.push(updates.and_then(|u| u.next_due.clone()).unwrap_or_default());
    row.push(updates.map(|u| u.missed.to_string()).unwrap_or_default());
    row.push(evaluation.major.is_major.to_string());
    row.push(
        evaluation
            .major
            .reasons
            .iter()
            .map(|reason| reason.criterion.as_str())
            .collect::<Vec<_>>()
            .join(";"),
    );
    row
}

fn status(judged: &Judged) -> &'static str {
    match (judged.met, &judged.target, judged.value) {
        (Some(true), _, _) => "met",
        (Some(false), _, _) => "missed",
        (None, Some(_), None) => "no data",
        (None, _, _) => "",
    }
}

fn value(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(value) => format!("{value:.1}{unit}"),
        None => "n/a".to_owned(),
    }
}

/// The KPIs of one set of incidents as labelled rows: name, value, target,
/// status.
fn kpi_rows(figures: &KpiFigures) -> Vec<[String; 4]> {
    let judged = |name: &str, judged: &Judged, unit: &str| {
        [
            name.to_owned(),
            value(judged.value, unit),
            judged.target.clone().unwrap_or_default(),
            status(judged).to_owned(),
        ]
    };
    let mut rows = vec![
        judged("first-contact resolution", &figures.fcr_percent, " %"),
        judged("MTTR, mean", &figures.mttr_hours, " h"),
        [
            "MTTR, median / p90".to_owned(),
            format!(
                "{} / {}",
                value(figures.mttr_median_hours, " h"),
                value(figures.mttr_p90_hours, " h")
            ),
            String::new(),
            String::new(),
        ],
        judged(
            &format!("CSAT ({} responses)", figures.csat_responses),
            &figures.csat,
            "",
        ),
        judged("SLA compliance", &figures.sla_compliance_percent, " %"),
    ];
    for (name, target) in &figures.sla_targets {
        rows.push([
            format!("  {name} met"),
            format!(
                "{} ({} of {})",
                value(target.percent, " %"),
                target.met,
                target.met + target.breached
            ),
            String::new(),
            String::new(),
        ]);
    }
    rows.push(judged(
        &format!(
            "major incidents, worst month ({} in {} months)",
            figures.major_incidents, figures.months
        ),
        &figures.major_per_month,
        "",
    ));
    rows
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> =
        header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (index, cell) in cells.iter().enumerate() {
            let width = widths.get(index).copied().unwrap_or(0);
            if index > 0 {
                text.push_str("  ");
            }
            let _ = write!(text, "{cell:<width$}");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// The KPI report as a table for a terminal.
pub fn kpi_table(report: &KpiReport) -> String {
    let mut out = String::new();
    let overall = &report.overall;
    let _ = writeln!(
        out,
        "KPI report, policy `{}`: {} incidents, {} resolved\n",
        report.policy, overall.incidents, overall.resolved
    );
    let rows: Vec<Vec<String>> =
        kpi_rows(overall).into_iter().map(Vec::from).collect();
    table(&mut out, &["KPI", "value", "target", "status"], &rows);

    for (grouping, groups) in &report.groups {
        let _ = writeln!(out, "\nBy {grouping}");
        let mark = |judged: &Judged, unit: &str| {
            let shown = value(judged.value, unit);
            match judged.met {
                Some(true) => format!("{shown} met"),
                Some(false) => format!("{shown} missed"),
                None => shown,
            }
        };
        let rows: Vec<Vec<String>> = groups
            .iter()
            .map(|(name, figures)| {
                vec![
                    if name.is_empty() {
                        "(none)".to_owned()
                    } else {
                        name.clone()
                    },
                    figures.incidents.to_string(),
                    mark(&figures.fcr_percent, " %"),
                    mark(&figures.mttr_hours, " h"),
                    mark(&figures.csat, ""),
                    mark(&figures.sla_compliance_percent, " %"),
                    figures.major_incidents.to_string(),
                ]
            })
            .collect();
        table(
            &mut out,
            &[grouping, "incidents", "FCR", "MTTR", "CSAT", "SLA", "major"],
            &rows,
        );
    }
    out
}

/// The KPI report as CSV rows: grouping, group, KPI, value, target, met.
pub fn kpi_csv_rows(report: &KpiReport) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut add = |grouping: &str, group: &str, figures: &KpiFigures| {
        let judged = [
            ("fcr_percent", &figures.fcr_percent),
            ("mttr_hours", &figures.mttr_hours),
            ("csat", &figures.csat),
            ("sla_compliance_percent", &figures.sla_compliance_percent),
            ("major_per_month", &figures.major_per_month),
        ];
        rows.push(vec![
            grouping.to_owned(),
            group.to_owned(),
            "incidents".to_owned(),
            figures.incidents.to_string(),
            String::new(),
            String::new(),
        ]);
        for (name, judged) in judged {
            rows.push(vec![
                grouping.to_owned(),
                group.to_owned(),
                name.to_owned(),
                judged.value.map(|v| v.to_string()).unwrap_or_default(),
                judged.target.clone().unwrap_or_default(),
                judged.met.map(|met| met.to_string()).unwrap_or_default(),
            ]);
        }
    };
    add("overall", "", &report.overall);
    for (grouping, groups) in &report.groups {
        for (group, figures) in groups {
            add(grouping, group, figures);
        }
    }
    rows
}
