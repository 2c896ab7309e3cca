//! KPI aggregation: first-contact resolution, MTTR, CSAT, SLA compliance
//! and major incidents per month, overall and per group, against the
//! policy's targets.
//!
//! A [`KpiAccumulator`] takes evaluated incidents one at a time and can be
//! merged with another, so a batch can be split over threads or over calls
//! into the rules module; it is plain data (serde) so that a host can carry
//! it across such calls. Everything it keeps is an exact count or an
//! integer sum, so the order of merging never changes a figure.
//!
//! Definitions (also in `docs/semantics.md`):
//! - FCR: share of resolved incidents resolved at first contact, by the
//!   source's flag when it has one, else by no reassignment and no reopen
//!   (policy `kpi.fcr_rule`);
//! - MTTR: creation to last resolution, calendar or business time (policy
//!   `kpi.mttr_time`); mean, median (mean of the two middle values for an
//!   even count) and 90th percentile (nearest rank);
//! - CSAT: mean score of incidents that have one;
//! - SLA compliance: share of incidents with at least one decided target
//!   (met or breached) and none breached; per target, met over decided;
//! - major incidents per month: counted in the month of creation, months
//!   cut in `kpi.time_zone`; the target is judged on every month of the
//!   span from the first to the last incident, so the worst month decides.

use std::collections::BTreeMap;

use chrono::{Datelike, TimeZone};
use serde::{Deserialize, Serialize};

use crate::evaluate::{Evaluation, TargetState};
use crate::incident::Incident;
use crate::policy::{Bound, FcrRule, MttrTime, Policy};

/// What a report can be broken down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Month of creation, `YYYY-MM` in the KPI zone.
    Month,
    /// Priority used.
    Priority,
    /// Category.
    Category,
    /// Service.
    Service,
    /// Assignment group.
    Group,
    /// The SLA policy that matched.
    Sla,
}

impl GroupBy {
    /// Every grouping, by name.
    pub const ALL: [(&'static str, GroupBy); 6] = [
        ("month", GroupBy::Month),
        ("priority", GroupBy::Priority),
        ("category", GroupBy::Category),
        ("service", GroupBy::Service),
        ("group", GroupBy::Group),
        ("sla", GroupBy::Sla),
    ];

    /// The grouping's name.
    pub fn name(self) -> &'static str {
        GroupBy::ALL
            .iter()
            .find(|(_, group)| *group == self)
            .map_or("", |(name, _)| name)
    }

    /// A grouping by name.
    pub fn from_name(name: &str) -> Option<GroupBy> {
        GroupBy::ALL
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name.trim()))
            .map(|(_, group)| *group)
    }
}

/// What the KPIs need to know of one evaluated incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiRecord {
    /// Month of creation, `YYYY-MM`.
    pub month: String,
    /// Group values, by grouping name.
    pub groups: BTreeMap<String, String>,
    /// Whether it was resolved (or closed).
    pub resolved: bool,
    /// Resolution time in seconds, when resolved and measurable.
    pub resolve_seconds: Option<i64>,
    /// First-contact resolution, when it can be decided.
    pub first_contact: Option<bool>,
    /// CSAT in thousandths of a point, so that sums are exact.
    pub csat_milli: Option<i64>,
    /// Decided targets: name and whether met.
    pub targets: Vec<(String, bool)>,
    /// Major incident.
    pub is_major: bool,
}

impl KpiRecord {
    /// Extracts what the KPIs need from an incident and its evaluation.
    pub fn new(
        policy: &Policy,
        incident: &Incident,
        evaluation: &Evaluation,
    ) -> KpiRecord {
        let zone = policy.kpi_zone();
        let month = zone
            .timestamp_opt(incident.created_at, 0)
            .single()
            .map_or_else(String::new, |local| {
                format!("{:04}-{:02}", local.year(), local.month())
            });
        let resolution = incident.resolved_at.or(incident.closed_at);
        let resolve_seconds = match policy.mttr_time() {
            MttrTime::Calendar => {
                resolution.map(|at| at - incident.created_at)
            }
            MttrTime::Business => resolution.and(
                evaluation
                    .targets
                    .resolve
                    .as_ref()
                    .filter(|target| target.completed_at.is_some())
                    .map(|target| target.elapsed_seconds),
            ),
        };
        let no_handoffs = incident.reassignment_count.unwrap_or(0) == 0
            && incident.reopened_at.is_empty();
        let first_contact =
            match (policy.fcr_rule(), incident.first_contact_resolution) {
                (_, Some(flag)) => Some(flag),
                (FcrRule::FlagElseNoReassignmentNoReopen, None) => {
                    resolution.map(|_| no_handoffs)
                }
                (FcrRule::FlagOnly, None) => None,
            };
        let targets = evaluation
            .targets
            .iter()
            .filter_map(|(name, target)| match target.state {
                TargetState::Met => Some((name.to_owned(), true)),
                TargetState::Breached => Some((name.to_owned(), false)),
                TargetState::Running | TargetState::Paused => None,
            })
            .collect();

        let mut groups = BTreeMap::new();
        groups.insert("month".to_owned(), month.clone());
        groups.insert("priority".to_owned(), evaluation.priority.clone());
        groups.insert("sla".to_owned(), evaluation.sla.clone());
        for key in ["category", "service", "group"] {
            let value = incident.attributes.get(key).cloned();
            groups.insert(key.to_owned(), value.unwrap_or_default());
        }
        KpiRecord {
            month,
            groups,
            resolved: resolution.is_some(),
            resolve_seconds,
            first_contact,
            csat_milli: incident
                .csat
                .map(|score| (score * 1000.0).round() as i64),
            targets,
            is_major: evaluation.major.is_major,
        }
    }
}

/// Exact counts and sums for one set of incidents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    incidents: u64,
    resolved: u64,
    resolve_seconds: Vec<i64>,
    first_contact_yes: u64,
    first_contact_decided: u64,
    csat_milli_sum: i64,
    csat_responses: u64,
    targets: BTreeMap<String, (u64, u64)>,
    compliant: u64,
    decided: u64,
    majors_by_month: BTreeMap<String, u64>,
    incidents_by_month: BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, record: &KpiRecord) {
        self.incidents += 1;
        self.resolved += u64::from(record.resolved);
        if let Some(seconds) = record.resolve_seconds {
            self.resolve_seconds.push(seconds);
        }
        if let Some(yes) = record.first_contact {
            self.first_contact_decided += 1;
            self.first_contact_yes += u64::from(yes);
        }
        if let Some(score) = record.csat_milli {
            self.csat_milli_sum += score;
            self.csat_responses += 1;
        }
        for (name, met) in &record.targets {
            let entry = self.targets.entry(name.clone()).or_default();
            if *met {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
        if !record.targets.is_empty() {
            self.decided += 1;
            if record.targets.iter().all(|(_, met)| *met) {
                self.compliant += 1;
            }
        }
        *self.incidents_by_month.entry(record.month.clone()).or_default() += 1;
        if record.is_major {
            *self.majors_by_month.entry(record.month.clone()).or_default() +=
                1;
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.incidents += other.incidents;
        self.resolved += other.resolved;
        self.resolve_seconds.extend_from_slice(&other.resolve_seconds);
        self.first_contact_yes += other.first_contact_yes;
        self.first_contact_decided += other.first_contact_decided;
        self.csat_milli_sum += other.csat_milli_sum;
        self.csat_responses += other.csat_responses;
        for (name, (met, breached)) in &other.targets {
            let entry = self.targets.entry(name.clone()).or_default();
            entry.0 += met;
            entry.1 += breached;
        }
        self.compliant += other.compliant;
        self.decided += other.decided;
        for (month, count) in &other.majors_by_month {
            *self.majors_by_month.entry(month.clone()).or_default() += count;
        }
        for (month, count) in &other.incidents_by_month {
            *self.incidents_by_month.entry(month.clone()).or_default() +=
                count;
        }
    }
}

/// Takes evaluated incidents and produces the KPI report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiAccumulator {
    group_by: Vec<GroupBy>,
    overall: Tally,
    groups: BTreeMap<String, BTreeMap<String, Tally>>,
}

impl KpiAccumulator {
    /// An empty accumulator breaking the report down by `group_by`.
    pub fn new(group_by: &[GroupBy]) -> KpiAccumulator {
        let mut group_by = group_by.to_vec();
        group_by.dedup();
        KpiAccumulator { group_by, ..KpiAccumulator::default() }
    }

    /// The groupings of the report.
    pub fn group_by(&self) -> &[GroupBy] {
        &self.group_by
    }

    /// How many incidents were added.
    pub fn incidents(&self) -> u64 {
        self.overall.incidents
    }

    /// Adds one evaluated incident.
    pub fn add(&mut self, record: &KpiRecord) {
        self.overall.add(record);
        for group in &self.group_by {
            let name = group.name();
            let value = record.groups.get(name).cloned().unwrap_or_default();
            self.groups
                .entry(name.to_owned())
                .or_default()
                .entry(value)
                .or_default()
                .add(record);
        }
    }

    /// Adds everything another accumulator holds. Groupings the other one
    /// has and this one lacks are taken over too.
    pub fn merge(&mut self, other: &KpiAccumulator) {
        self.overall.merge(&other.overall);
        for group in &other.group_by {
            if !self.group_by.contains(group) {
                self.group_by.push(*group);
            }
        }
        for (name, values) in &other.groups {
            let mine = self.groups.entry(name.clone()).or_default();
            for (value, tally) in values {
                mine.entry(value.clone()).or_default().merge(tally);
            }
        }
    }

    /// The report against the policy's targets.
    pub fn report(&self, policy: &Policy) -> KpiReport {
        KpiReport {
            policy: policy.name().to_owned(),
            overall: figures(&self.overall, policy),
            groups: self
                .groups
                .iter()
                .map(|(name, values)| {
                    let figures = values
                        .iter()
                        .map(|(value, tally)| {
                            (value.clone(), figures(tally, policy))
                        })
                        .collect();
                    (name.clone(), figures)
                })
                .collect(),
        }
    }
}

/// The KPI report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiReport {
    /// The policy's name.
    pub policy: String,
    /// Over every incident.
    pub overall: KpiFigures,
    /// Per grouping name, per group value.
    pub groups: BTreeMap<String, BTreeMap<String, KpiFigures>>,
}

/// A figure beside its target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    /// The figure; `null` when nothing could be counted.
    pub value: Option<f64>,
    /// The target, e.g. `> 70`.
    pub target: Option<String>,
    /// Whether the target is met; `null` without a target or a value.
    pub met: Option<bool>,
}

fn judge(value: Option<f64>, bound: Option<Bound>) -> Judged {
    Judged {
        value,
        target: bound.map(|bound| bound.to_string()),
        met: value.zip(bound).map(|(value, bound)| bound.is_met_by(value)),
    }
}

/// The KPIs of one set of incidents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiFigures {
    /// Incidents counted.
    pub incidents: u64,
    /// Incidents resolved.
    pub resolved: u64,
    /// First-contact resolution, percent of decided incidents.
    pub fcr_percent: Judged,
    /// Incidents whose FCR could be decided.
    pub fcr_decided: u64,
    /// Mean time to resolve, hours.
    pub mttr_hours: Judged,
    /// Median time to resolve, hours.
    pub mttr_median_hours: Option<f64>,
    /// 90th percentile of time to resolve, hours (nearest rank).
    pub mttr_p90_hours: Option<f64>,
    /// Mean CSAT.
    pub csat: Judged,
    /// CSAT responses.
    pub csat_responses: u64,
    /// SLA compliance, percent of incidents with a decided target.
    pub sla_compliance_percent: Judged,
    /// Per target: met, breached and percent met.
    pub sla_targets: BTreeMap<String, TargetCompliance>,
    /// Major incidents.
    pub major_incidents: u64,
    /// Major incidents in the worst month of the span, judged against
    /// the per-month target.
    pub major_per_month: Judged,
    /// Months in the span from the first to the last incident.
    pub months: u64,
}

/// Compliance of one target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetCompliance {
    /// Met.
    pub met: u64,
    /// Breached.
    pub breached: u64,
    /// Met over decided, percent.
    pub percent: Option<f64>,
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

fn hours(seconds: i64) -> f64 {
    seconds as f64 / 3600.0
}

/// Months from the first to the last `YYYY-MM` key, inclusive.
fn months_spanned(months: &BTreeMap<String, u64>) -> u64 {
    let index = |key: &String| {
        let (year, month) = key.split_once('-')?;
        let year: i64 = year.parse().ok()?;
        let month: i64 = month.parse().ok()?;
        Some(year * 12 + month)
    };
    match (
        months.keys().next().and_then(index),
        months.keys().next_back().and_then(index),
    ) {
        (Some(first), Some(last)) => {
            u64::try_from(last - first + 1).unwrap_or(0)
        }
        _ => 0,
    }
}

fn figures(tally: &Tally, policy: &Policy) -> KpiFigures {
    let targets = policy.kpi_targets();
    let mut sorted = tally.resolve_seconds.clone();
    sorted.sort_unstable();
    let count = sorted.len();
    let mean = (count > 0).then(|| {
        let total: i128 = sorted.iter().map(|&s| i128::from(s)).sum();
        total as f64 / count as f64 / 3600.0
    });
    let median = match count {
        0 => None,
        _ if count % 2 == 1 => sorted.get(count / 2).map(|&s| hours(s)),
        _ => sorted
            .get(count / 2 - 1)
            .zip(sorted.get(count / 2))
            .map(|(&a, &b)| (hours(a) + hours(b)) / 2.0),
    };
    // Nearest rank: the smallest value with at least 90 % at or below it.
    let p90 = (count > 0)
        .then(|| (count * 90).div_ceil(100).max(1) - 1)
        .and_then(|rank| sorted.get(rank))
        .map(|&s| hours(s));
    let csat = (tally.csat_responses > 0).then(|| {
        tally.csat_milli_sum as f64 / 1000.0 / tally.csat_responses as f64
    });
    let months = months_spanned(&tally.incidents_by_month);
    let worst_month = (months > 0).then(|| {
        tally.majors_by_month.values().copied().max().unwrap_or(0) as f64
    });

    KpiFigures {
        incidents: tally.incidents,
        resolved: tally.resolved,
        fcr_percent: judge(
            percent(tally.first_contact_yes, tally.first_contact_decided),
            targets.fcr_percent,
        ),
        fcr_decided: tally.first_contact_decided,
        mttr_hours: judge(mean, targets.mttr_hours),
        mttr_median_hours: median,
        mttr_p90_hours: p90,
        csat: judge(csat, targets.csat),
        csat_responses: tally.csat_responses,
        sla_compliance_percent: judge(
            percent(tally.compliant, tally.decided),
            targets.sla_compliance_percent,
        ),
        sla_targets: tally
            .targets
            .iter()
            .map(|(name, &(met, breached))| {
                (
                    name.clone(),
                    TargetCompliance {
                        met,
                        breached,
                        percent: percent(met, met + breached),
                    },
                )
            })
            .collect(),
        major_incidents: tally.majors_by_month.values().sum(),
        major_per_month: judge(worst_month, targets.major_per_month),
        months,
    }
}
