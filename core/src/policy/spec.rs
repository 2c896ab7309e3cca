//! The policy as a service-desk admin writes it.
//!
//! These are the serde shapes of a policy file (TOML, or the same shape in
//! JSON). Reading checks only the shape and refuses unknown keys; names,
//! references between sections, durations and numbers are checked by
//! [`Policy::compile`](super::Policy::compile), which lists every problem
//! at once. `docs/policy.md` describes every field with the default policy
//! as the worked example.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calendar::CalendarSpec;

/// A whole policy: priorities, matrix, calendars, SLAs, major-incident
/// criteria and KPI targets.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// A short name shown in reports.
    pub name: String,
    /// What the policy is for, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The priorities, most urgent first.
    pub priorities: Vec<PrioritySpec>,
    /// Impact and urgency levels and the priority of every pair.
    pub matrix: MatrixSpec,
    /// Rules that derive the impact from known facts, the guard against
    /// an over-stated priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_from_facts: Option<ImpactFromFactsSpec>,
    /// Business-hours calendars by name.
    pub calendars: BTreeMap<String, CalendarSpec>,
    /// SLA policies; the first whose `when` matches an incident applies.
    pub sla: Vec<SlaSpec>,
    /// When an incident is a major incident.
    pub major: MajorSpec,
    /// KPI targets and how the KPIs are computed.
    pub kpi: KpiSpec,
}

/// One priority.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PrioritySpec {
    /// Short id used everywhere else in the policy, e.g. `P1`.
    pub id: String,
    /// Display name, e.g. `Critical`.
    pub name: String,
    /// What the priority means, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other spellings accepted in incident data, e.g. `1 - Critical`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// One impact or urgency level.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    /// Short id used in `matrix.cells`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the level means, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other spellings accepted in incident data, e.g. `1 - High`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The priority matrix.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    /// Impact levels, highest first.
    pub impact: Vec<LevelSpec>,
    /// Urgency levels, highest first.
    pub urgency: Vec<LevelSpec>,
    /// The urgency assumed when an incident gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_urgency: Option<String>,
    /// For every impact id, for every urgency id, a priority id.
    pub cells: BTreeMap<String, BTreeMap<String, String>>,
}

/// Deriving impact from facts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ImpactFromFactsSpec {
    /// Which priority is used when the stated one is higher than the facts
    /// support.
    #[serde(default)]
    pub on_mismatch: MismatchChoice,
    /// The rules; the most severe impact among those that match wins.
    pub rules: Vec<ImpactRuleSpec>,
}

/// What to use when the stated priority is higher than the facts support.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[serde(rename_all = "snake_case")]
pub enum MismatchChoice {
    /// Keep the stated priority and report the mismatch.
    #[default]
    KeepStated,
    /// Use the priority the facts support and report the mismatch.
    UseSupported,
}

/// One impact rule: every condition given must hold.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ImpactRuleSpec {
    /// The impact id this rule gives.
    pub impact: String,
    /// The incident's scope equals this, e.g. `organization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// At least this many users are affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_users_at_least: Option<u64>,
}

/// One SLA policy.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SlaSpec {
    /// Name reported as the incident's `sla`.
    pub name: String,
    /// Attribute conditions, all of which must hold; empty matches all.
    /// Keys: `category`, `service`, `group`, `priority`, or any custom
    /// attribute; values: a string or a list of strings (any of them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub when: BTreeMap<String, MatchValue>,
    /// Statuses during which every clock of this SLA stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pause_statuses: Vec<String>,
    /// Statuses that mean resolved; time from one of them to a reopen does
    /// not count toward `resolve`.
    #[serde(default = "default_resolved_statuses")]
    pub resolved_statuses: Vec<String>,
    /// Escalation thresholds in percent of each target.
    #[serde(default = "default_escalations")]
    pub escalations: Vec<EscalationSpec>,
    /// Targets per priority id.
    pub targets: BTreeMap<String, TargetSetSpec>,
}

fn default_resolved_statuses() -> Vec<String> {
    vec!["Resolved".to_owned()]
}

fn default_escalations() -> Vec<EscalationSpec> {
    [(50, "warning"), (75, "escalate to lead"), (90, "escalate to manager")]
        .into_iter()
        .map(|(percent, level)| EscalationSpec {
            percent,
            level: level.to_owned(),
        })
        .collect()
}

/// A `when` value: one string or any of several.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(untagged, expecting = "a string or a list of strings")]
pub enum MatchValue {
    /// Equal to this.
    One(String),
    /// Equal to any of these.
    AnyOf(Vec<String>),
}

/// One escalation threshold.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EscalationSpec {
    /// Percent of the target, 1 to 100.
    pub percent: u32,
    /// The level reached, e.g. `escalate to lead`.
    pub level: String,
}

/// The targets for one priority.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TargetSetSpec {
    /// Time to acknowledge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledge: Option<TargetSpec>,
    /// Time to the first response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respond: Option<TargetSpec>,
    /// Time to resolve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve: Option<TargetSpec>,
    /// The status-update cadence while the incident is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_every: Option<TargetSpec>,
}

/// A duration on a calendar.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// `15m`, `4h`, `1h30m`, ...
    pub within: String,
    /// The name of a calendar in `calendars`.
    pub calendar: String,
}

/// Major-incident criteria; any one is enough.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MajorSpec {
    /// At least this many users affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_users_at_least: Option<u64>,
    /// Revenue lost per hour at least this much, in `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_loss_per_hour_at_least: Option<f64>,
    /// The currency of revenue figures, e.g. `KRW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// A core business process that is down makes an incident major.
    #[serde(default)]
    pub core_process_down: bool,
    /// A security incident is major.
    #[serde(default)]
    pub security_incident: bool,
    /// A data breach is major.
    #[serde(default)]
    pub data_breach: bool,
    /// How often the major-incident team briefs while it is open
    /// (wall-clock time).
    pub briefing_every: String,
}

/// KPI targets and definitions.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KpiSpec {
    /// The IANA zone in which months are cut.
    pub time_zone: String,
    /// How first-contact resolution is decided.
    #[serde(default)]
    pub fcr_rule: FcrRule,
    /// Whether MTTR counts calendar or business time.
    #[serde(default)]
    pub mttr_time: MttrTime,
    /// The targets.
    pub targets: KpiTargetsSpec,
}

/// How first-contact resolution is decided.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[serde(rename_all = "snake_case")]
pub enum FcrRule {
    /// The incident's explicit flag when it has one; else resolved with no
    /// reassignment and no reopen.
    #[default]
    FlagElseNoReassignmentNoReopen,
    /// Only the explicit flag; incidents without one do not count.
    FlagOnly,
}

/// Whether MTTR counts calendar or business time.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[serde(rename_all = "snake_case")]
pub enum MttrTime {
    /// Wall-clock time from creation to the last resolution.
    #[default]
    Calendar,
    /// Business time of the `resolve` target, pauses excluded.
    Business,
}

/// KPI targets; each is optional.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KpiTargetsSpec {
    /// First-contact resolution, percent of resolved incidents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fcr_percent: Option<Comparison>,
    /// Mean time to resolve, hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr_hours: Option<Comparison>,
    /// Mean CSAT score, 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<Comparison>,
    /// SLA compliance, percent of incidents with no breached target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_compliance_percent: Option<Comparison>,
    /// Major incidents in one month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major_per_month: Option<Comparison>,
}

/// A bound on a figure; exactly one of the four is given.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// Met when the figure is strictly above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    /// Met when the figure is at least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Met when the figure is strictly below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Met when the figure is at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
}
