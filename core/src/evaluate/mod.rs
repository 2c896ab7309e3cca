//! Evaluating one incident: priority, SLA targets, update cadence and
//! major-incident status at a given `now`.
//!
//! The answer's field names are a contract shared with the command, the
//! browser package and downstream tools; `docs/semantics.md` explains the
//! rules behind each field. Every answer carries `explain`, the reasons
//! behind its decisions in words, so that a deadline can be traced back to
//! the policy lines that made it.

mod clocks;
mod major;
mod priority;

use serde::{Deserialize, Serialize};

use crate::incident::Incident;
use crate::policy::{Policy, Sla};

pub use clocks::pause_intervals;
pub use priority::{
    Mismatch, PriorityDecision, PrioritySource, PriorityTimeline,
};

/// The answer for one incident.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The incident's id.
    pub id: String,
    /// The priority used (after every change).
    pub priority: String,
    /// `matrix`, `recorded` or `facts`.
    pub priority_source: String,
    /// The priority the source recorded, if any.
    pub priority_reported: Option<String>,
    /// Set when the stated priority is higher than the facts support.
    pub priority_mismatch: Option<PriorityMismatch>,
    /// The matrix cell used, if any.
    pub matrix_cell: Option<MatrixCell>,
    /// The SLA policy that matched.
    pub sla: String,
    /// The three SLA targets.
    pub targets: Targets,
    /// The status-update cadence, when the priority has one.
    pub updates: Option<UpdateCadence>,
    /// Major-incident status.
    pub major: MajorStatus,
    /// The reasons behind the decisions, in words.
    pub explain: Vec<String>,
}

/// A stated priority higher than the facts support.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PriorityMismatch {
    /// The priority stated.
    pub stated: String,
    /// The priority the facts support.
    pub supported: String,
    /// The impact the facts support.
    pub supported_impact: String,
    /// Which of the two is used.
    pub used: String,
}

/// A matrix cell.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MatrixCell {
    /// Impact level id.
    pub impact: String,
    /// Urgency level id.
    pub urgency: String,
}

/// The three SLA targets; a target the policy does not set is `null`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Targets {
    /// Time to acknowledge.
    pub acknowledge: Option<TargetStatus>,
    /// Time to the first response.
    pub respond: Option<TargetStatus>,
    /// Time to resolve.
    pub resolve: Option<TargetStatus>,
}

impl Targets {
    /// The targets with their names, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &TargetStatus)> {
        [
            ("acknowledge", self.acknowledge.as_ref()),
            ("respond", self.respond.as_ref()),
            ("resolve", self.resolve.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, status)| status.map(|status| (name, status)))
    }
}

/// Where a target stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    /// Completed at or before its due instant.
    Met,
    /// Completed after its due instant, or `now` is after it.
    Breached,
    /// Not completed, due instant not passed, clock running.
    Running,
    /// Not completed, due instant not passed, clock stopped by a pause.
    Paused,
}

impl TargetState {
    /// The name used in answers, e.g. `breached`.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Met => "met",
            TargetState::Breached => "breached",
            TargetState::Running => "running",
            TargetState::Paused => "paused",
        }
    }
}

/// One SLA target.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TargetStatus {
    /// The due instant, in the calendar's zone.
    pub due: String,
    /// Where it stands.
    pub state: TargetState,
    /// When it completed, if it did by `now`.
    pub completed_at: Option<String>,
    /// Business seconds used so far, pauses excluded.
    pub elapsed_seconds: i64,
    /// Business seconds allowed.
    pub target_seconds: i64,
    /// `elapsed_seconds` as a percent of `target_seconds`, one decimal.
    pub percent: f64,
    /// The instant it was breached, if it was.
    pub breached_at: Option<String>,
    /// The priority whose target applies.
    pub priority: String,
    /// The calendar it runs on.
    pub calendar: String,
    /// Escalation thresholds and when they are or were crossed.
    pub escalations: Vec<Escalation>,
}

/// One escalation threshold of a target.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Escalation {
    /// Percent of the target.
    pub percent: u32,
    /// The level's name.
    pub level: String,
    /// The instant the threshold is or was crossed.
    pub at: String,
    /// Whether it was crossed before completion and by `now`.
    pub reached: bool,
}

/// The status-update cadence.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UpdateCadence {
    /// Business seconds between updates.
    pub every_seconds: i64,
    /// The calendar it runs on.
    pub calendar: String,
    /// The next update due, while the incident is open.
    pub next_due: Option<String>,
    /// The last public update, if any.
    pub last_update: Option<String>,
    /// Due instants that passed with no update.
    pub missed: u64,
}

/// Major-incident status.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MajorStatus {
    /// Whether any criterion is met.
    pub is_major: bool,
    /// Each criterion met, with the value that met it.
    pub reasons: Vec<MajorReason>,
    /// Seconds between briefings while it is open.
    pub briefing_every_seconds: Option<i64>,
    /// How many briefings were due by `now` (or by resolution).
    pub briefings_due: u64,
    /// The briefing instants due so far (at most the first 96).
    pub briefing_times: Vec<String>,
    /// The next briefing, while it is open.
    pub next_briefing: Option<String>,
}

/// One major-incident criterion met.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MajorReason {
    /// `affected_users`, `revenue_loss_per_hour`, `core_process_down`,
    /// `security_incident` or `data_breach`.
    pub criterion: String,
    /// The incident's value.
    pub value: String,
    /// The policy's threshold, for numeric criteria.
    pub threshold: Option<String>,
}

/// Why an incident could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("incident `{id}`: {message}")]
pub struct EvaluateError {
    /// The incident's id.
    pub id: String,
    /// What went wrong.
    pub message: String,
}

/// Whether an incident's attributes meet an SLA's conditions.
fn sla_matches(sla: &Sla, incident: &Incident, priority: &str) -> bool {
    sla.when.iter().all(|(key, values)| {
        let actual = if key == "priority" {
            Some(priority)
        } else {
            incident.attributes.get(key).map(String::as_str)
        };
        actual.is_some_and(|actual| values.iter().any(|value| value == actual))
    })
}

/// Evaluates one checked incident at `now` (Unix seconds).
///
/// # Errors
///
/// When no SLA policy matches, nothing places the incident in the matrix,
/// or a calendar cannot answer (for example an instant outside the years
/// calendars cover).
pub fn evaluate(
    policy: &Policy,
    incident: &Incident,
    now: i64,
) -> Result<Evaluation, EvaluateError> {
    let fail =
        |message: String| EvaluateError { id: incident.id.clone(), message };
    let mut explain = Vec::new();
    if now < incident.created_at {
        explain.push(
            "`now` is before the incident was created: no time has \
             elapsed on any clock yet"
                .to_owned(),
        );
    }

    let timeline = PriorityTimeline::build(policy, incident).map_err(fail)?;
    let (_, last) = timeline.last();
    let priority = policy.priority_id(last.rank).to_owned();
    explain.push(describe_decision(policy, &last));
    if timeline.entries.len() > 1 {
        explain.push(format!(
            "the priority changed {} time(s); each target is measured \
             from creation under the priority in force when it completed",
            timeline.entries.len() - 1
        ));
    }

    let sla = policy
        .slas()
        .iter()
        .find(|sla| sla_matches(sla, incident, &priority))
        .ok_or_else(|| {
            fail("no SLA policy matches the incident".to_owned())
        })?;
    explain.push(if sla.when.is_empty() {
        format!("sla `{}` applies to every incident", sla.name)
    } else {
        format!("sla `{}` is the first whose conditions match", sla.name)
    });

    let clocks = clocks::Clocks::new(policy, sla, incident, &timeline, now);
    let targets = clocks.targets(&mut explain).map_err(fail)?;
    let updates = clocks.updates(&mut explain).map_err(fail)?;
    let major = major::status(policy, incident, now, &mut explain);

    let level_id =
        |table: &crate::policy::LevelTable, index| table.id(index).to_owned();
    Ok(Evaluation {
        id: incident.id.clone(),
        priority_source: last.source.as_str().to_owned(),
        priority_reported: last
            .reported
            .map(|rank| policy.priority_id(rank).to_owned()),
        priority_mismatch: last.mismatch.map(|mismatch| PriorityMismatch {
            stated: policy.priority_id(mismatch.stated).to_owned(),
            supported: policy.priority_id(mismatch.supported).to_owned(),
            supported_impact: level_id(
                policy.impact_levels(),
                mismatch.supported_impact,
            ),
            used: priority.clone(),
        }),
        matrix_cell: last.cell.map(|(impact, urgency)| MatrixCell {
            impact: level_id(policy.impact_levels(), impact),
            urgency: level_id(policy.urgency_levels(), urgency),
        }),
        priority,
        sla: sla.name.clone(),
        targets,
        updates,
        major,
        explain,
    })
}

fn describe_decision(policy: &Policy, decision: &PriorityDecision) -> String {
    let id = policy.priority_id(decision.rank);
    let mut text = match (decision.source, decision.cell) {
        (PrioritySource::Recorded, _) | (_, None) => {
            format!("priority {id} as the source recorded it")
        }
        (PrioritySource::Matrix, Some((impact, urgency))) => format!(
            "priority {id} from the matrix cell impact `{}` x urgency `{}`",
            policy.impact_levels().id(impact),
            policy.urgency_levels().id(urgency)
        ),
        (PrioritySource::Facts, Some((impact, urgency))) => format!(
            "priority {id} from the impact the facts support (`{}`) x \
             urgency `{}`",
            policy.impact_levels().id(impact),
            policy.urgency_levels().id(urgency)
        ),
    };
    if let Some(mismatch) = decision.mismatch {
        text.push_str(&format!(
            "; the stated {} is higher than the {} the facts support",
            policy.priority_id(mismatch.stated),
            policy.priority_id(mismatch.supported)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::TargetState;

    /// The names in answers come from serde; `as_str` must say the same.
    #[test]
    fn state_names_match_the_serialized_ones() {
        for state in [
            TargetState::Met,
            TargetState::Breached,
            TargetState::Running,
            TargetState::Paused,
        ] {
            let serialized = serde_json::to_value(state).unwrap();
            assert_eq!(serialized, state.as_str());
        }
    }
}
