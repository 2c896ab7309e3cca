//! Incidents as they arrive, and their checking.
//!
//! [`IncidentInput`] is the product's own incident schema (the JSON of one
//! line of a `jsonl` file; `docs/input.md` describes it). Timestamps are
//! RFC 3339 text with an offset. [`Incident::from_input`] checks one
//! against a policy and turns its instants into seconds, reporting every
//! problem with the field it is in. Readers of other desks' exports build
//! an `IncidentInput` and leave the checking here, so every source is held
//! to the same rules.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::policy::{Policy, PriorityRank};
use crate::time::{format_instant, parse_instant};

/// One incident in the product's own schema.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    /// The incident's id.
    pub id: String,
    /// When it was opened.
    pub created_at: String,
    /// Impact level (id, name or alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// Urgency level (id, name or alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// The priority the source recorded (id, name or alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// Scope of the harm, e.g. `organization`, `department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Affected service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Assignment group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Any other attributes, for SLA matching.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// Users affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_users: Option<i64>,
    /// Revenue lost per hour, in the policy's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_loss_per_hour: Option<f64>,
    /// A core business process is down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_process_down: Option<bool>,
    /// It is a security incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_incident: Option<bool>,
    /// Data was breached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_breach: Option<bool>,
    /// Status changes, each from its instant until the next.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_history: Vec<StatusChangeInput>,
    /// Priority changes after creation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority_changes: Vec<PriorityChangeInput>,
    /// When it was acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<String>,
    /// When the first response reached the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_at: Option<String>,
    /// The last resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// When it was closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// Public status updates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updates: Vec<String>,
    /// Reopens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reopened_at: Vec<String>,
    /// Times it changed group or analyst.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassignment_count: Option<i64>,
    /// Satisfaction score, 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<f64>,
    /// The source's own first-contact-resolution flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_contact_resolution: Option<bool>,
}

/// One entry of a status history.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeInput {
    /// When the status was entered.
    pub at: String,
    /// The status, as the source spells it.
    pub status: String,
}

/// One priority change: a priority, or an impact and urgency for the
/// matrix, or both (then the matrix decides and the priority is what the
/// source recorded).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PriorityChangeInput {
    /// When it changed.
    pub at: String,
    /// The new recorded priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// The new impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// The new urgency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
}

/// A problem with one incident, naming the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputProblem {
    /// The field, e.g. `resolved_at` or `status_history[2].at`.
    pub field: String,
    /// What is wrong, with the value, e.g. ``
    /// `2016-02-29T01:00:00Z` is before `created_at` ``.
    pub message: String,
}

/// An incident that cannot be evaluated, with every problem found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub struct InputError {
    /// The incident's id as given (may be empty).
    pub id: String,
    /// The problems.
    pub problems: Vec<InputProblem>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "incident `{}`: ", self.id)?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", problem.field, problem.message)?;
        }
        Ok(())
    }
}

/// A matrix position or a recorded priority, resolved against a policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriorityFacts {
    /// Impact level index.
    pub impact: Option<usize>,
    /// Urgency level index.
    pub urgency: Option<usize>,
    /// The recorded priority.
    pub recorded: Option<PriorityRank>,
}

/// A checked priority change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriorityChange {
    /// When it changed (Unix seconds).
    pub at: i64,
    /// What it changed to.
    pub facts: PriorityFacts,
}

/// A checked incident: instants in Unix seconds, levels as indexes.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    /// The incident's id.
    pub id: String,
    /// Opened at.
    pub created_at: i64,
    /// The priority facts at creation.
    pub initial: PriorityFacts,
    /// Later priority changes, in time order.
    pub priority_changes: Vec<PriorityChange>,
    /// Scope.
    pub scope: Option<String>,
    /// Attributes for SLA matching: `category`, `service`, `group` and the
    /// custom ones.
    pub attributes: BTreeMap<String, String>,
    /// Users affected.
    pub affected_users: Option<u64>,
    /// Revenue lost per hour.
    pub revenue_loss_per_hour: Option<f64>,
    /// Core process down.
    pub core_process_down: bool,
    /// Security incident.
    pub security_incident: bool,
    /// Data breach.
    pub data_breach: bool,
    /// Status changes in time order.
    pub status_history: Vec<(i64, String)>,
    /// Acknowledged at.
    pub acknowledged_at: Option<i64>,
    /// First response at.
    pub first_response_at: Option<i64>,
    /// Last resolution.
    pub resolved_at: Option<i64>,
    /// Closed at.
    pub closed_at: Option<i64>,
    /// Public updates in time order.
    pub updates: Vec<i64>,
    /// Reopens in time order.
    pub reopened_at: Vec<i64>,
    /// Reassignments.
    pub reassignment_count: Option<u64>,
    /// CSAT score.
    pub csat: Option<f64>,
    /// The source's FCR flag.
    pub first_contact_resolution: Option<bool>,
}

/// Collects problems while an incident is checked.
#[derive(Default)]
struct Problems {
    found: Vec<InputProblem>,
    /// Once known, every later instant is checked against it, under the
    /// field name it was given in (not its place after sorting).
    created_at: Option<i64>,
}

impl Problems {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.found.push(InputProblem {
            field: field.into(),
            message: message.into(),
        });
    }

    fn instant(&mut self, field: &str, text: &str) -> Option<i64> {
        match parse_instant(text) {
            Ok(seconds) => {
                if let Some(created) = self.created_at
                    && seconds < created
                {
                    self.push(
                        field,
                        format!(
                            "`{}` is before `created_at` `{}`",
                            format_instant(seconds, chrono_tz::UTC),
                            format_instant(created, chrono_tz::UTC),
                        ),
                    );
                }
                Some(seconds)
            }
            Err(error) => {
                self.push(field, error.to_string());
                None
            }
        }
    }

    fn optional_instant(
        &mut self,
        field: &str,
        text: Option<&String>,
    ) -> Option<i64> {
        text.and_then(|text| self.instant(field, text))
    }
}

fn check_priority_facts(
    policy: &Policy,
    field_prefix: &str,
    impact: Option<&String>,
    urgency: Option<&String>,
    priority: Option<&String>,
    problems: &mut Problems,
) -> PriorityFacts {
    let mut facts = PriorityFacts::default();
    if let Some(text) = impact {
        facts.impact = policy.impact_levels().find(text);
        if facts.impact.is_none() {
            problems.push(
                format!("{field_prefix}impact"),
                format!("unknown impact `{text}`"),
            );
        }
    }
    if let Some(text) = urgency {
        facts.urgency = policy.urgency_levels().find(text);
        if facts.urgency.is_none() {
            problems.push(
                format!("{field_prefix}urgency"),
                format!("unknown urgency `{text}`"),
            );
        }
    }
    if let Some(text) = priority {
        facts.recorded = policy.priority_rank(text);
        if facts.recorded.is_none() {
            problems.push(
                format!("{field_prefix}priority"),
                format!("unknown priority `{text}`"),
            );
        }
    }
    facts
}

impl Incident {
    /// Checks an incident against a policy.
    ///
    /// # Errors
    ///
    /// Every problem found: unreadable timestamps, an instant before
    /// `created_at` (resolution, closure, acknowledgement, response,
    /// updates, reopens, status and priority changes), unknown impact, urgency or priority,
    /// negative counts, a CSAT outside 1 to 5, and an incident with
    /// neither a priority nor an impact the policy can place.
    pub fn from_input(
        input: &IncidentInput,
        policy: &Policy,
    ) -> Result<Incident, InputError> {
        let mut problems = Problems::default();
        if input.id.trim().is_empty() {
            problems.push("id", "the id is empty");
        }
        let created_at = problems.instant("created_at", &input.created_at);
        problems.created_at = created_at;

        let initial = check_priority_facts(
            policy,
            "",
            input.impact.as_ref(),
            input.urgency.as_ref(),
            input.priority.as_ref(),
            &mut problems,
        );
        if input.priority.is_none()
            && input.impact.is_none()
            && input.scope.is_none()
            && input.affected_users.is_none()
        {
            problems.push(
                "priority",
                "the incident has no priority, impact, scope or affected \
                 users to place it by",
            );
        }

        let mut priority_changes = Vec::new();
        for (index, change) in input.priority_changes.iter().enumerate() {
            let prefix = format!("priority_changes[{index}].");
            let at = problems.instant(&format!("{prefix}at"), &change.at);
            let facts = check_priority_facts(
                policy,
                &prefix,
                change.impact.as_ref(),
                change.urgency.as_ref(),
                change.priority.as_ref(),
                &mut problems,
            );
            if change.priority.is_none() && change.impact.is_none() {
                problems.push(
                    format!("{prefix}priority"),
                    "a change needs a priority or an impact",
                );
            }
            if let Some(at) = at {
                priority_changes.push(PriorityChange { at, facts });
            }
        }
        priority_changes.sort_by_key(|change| change.at);

        let mut status_history = Vec::new();
        for (index, change) in input.status_history.iter().enumerate() {
            let field = format!("status_history[{index}].at");
            if let Some(at) = problems.instant(&field, &change.at) {
                status_history.push((at, change.status.clone()));
            }
        }
        // A stable sort keeps the source's order for changes in the same
        // second, which is the order they were recorded in.
        status_history.sort_by_key(|(at, _)| *at);

        let acknowledged_at = problems.optional_instant(
            "acknowledged_at",
            input.acknowledged_at.as_ref(),
        );
        let first_response_at = problems.optional_instant(
            "first_response_at",
            input.first_response_at.as_ref(),
        );
        let resolved_at = problems
            .optional_instant("resolved_at", input.resolved_at.as_ref());
        let closed_at =
            problems.optional_instant("closed_at", input.closed_at.as_ref());
        let mut updates: Vec<i64> = input
            .updates
            .iter()
            .enumerate()
            .filter_map(|(index, text)| {
                problems.instant(&format!("updates[{index}]"), text)
            })
            .collect();
        updates.sort_unstable();
        let mut reopened_at: Vec<i64> = input
            .reopened_at
            .iter()
            .enumerate()
            .filter_map(|(index, text)| {
                problems.instant(&format!("reopened_at[{index}]"), text)
            })
            .collect();
        reopened_at.sort_unstable();

        if let (Some(resolved), Some(closed)) = (resolved_at, closed_at)
            && closed < resolved
        {
            problems.push(
                "closed_at",
                "the incident was closed before its last resolution",
            );
        }

        let affected_users = match input.affected_users {
            Some(users) if users < 0 => {
                problems
                    .push("affected_users", format!("`{users}` is negative"));
                None
            }
            Some(users) => u64::try_from(users).ok(),
            None => None,
        };
        let reassignment_count = match input.reassignment_count {
            Some(count) if count < 0 => {
                problems.push(
                    "reassignment_count",
                    format!("`{count}` is negative"),
                );
                None
            }
            Some(count) => u64::try_from(count).ok(),
            None => None,
        };
        if let Some(revenue) = input.revenue_loss_per_hour
            && (!revenue.is_finite() || revenue < 0.0)
        {
            problems.push(
                "revenue_loss_per_hour",
                format!("`{revenue}` must be a number of at least 0"),
            );
        }
        if let Some(score) = input.csat
            && !(1.0..=5.0).contains(&score)
        {
            problems.push(
                "csat",
                format!("`{score}` is outside the scale 1 to 5"),
            );
        }

        let mut attributes = input.attributes.clone();
        let named = [
            ("category", &input.category),
            ("service", &input.service),
            ("group", &input.group),
        ];
        for (key, value) in named {
            if let Some(value) = value {
                attributes.insert(key.to_owned(), value.clone());
            }
        }

        match created_at {
            Some(created_at) if problems.found.is_empty() => Ok(Incident {
                id: input.id.clone(),
                created_at,
                initial,
                priority_changes,
                scope: input.scope.clone(),
                attributes,
                affected_users,
                revenue_loss_per_hour: input.revenue_loss_per_hour,
                core_process_down: input.core_process_down.unwrap_or(false),
                security_incident: input.security_incident.unwrap_or(false),
                data_breach: input.data_breach.unwrap_or(false),
                status_history,
                acknowledged_at,
                first_response_at,
                resolved_at,
                closed_at,
                updates,
                reopened_at,
                reassignment_count,
                csat: input.csat,
                first_contact_resolution: input.first_contact_resolution,
            }),
            _ => Err(InputError {
                id: input.id.clone(),
                problems: problems.found,
            }),
        }
    }
}
