//! Deciding an incident's priority: matrix, recorded value, facts, and the
//! guard against an over-stated priority.
//!
//! A decision is made for the facts at creation and again for every
//! priority change, giving a timeline; the SLA clocks ask it which
//! priority governed a target when the target completed.

use crate::incident::{Incident, PriorityFacts};
use crate::policy::{MismatchChoice, Policy, PriorityRank};

/// Where a priority came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrioritySource {
    /// The matrix cell of the incident's impact and urgency.
    Matrix,
    /// The priority the source recorded, with no impact to place it by.
    Recorded,
    /// The matrix cell of the impact derived from facts.
    Facts,
}

impl PrioritySource {
    /// The name used in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            PrioritySource::Matrix => "matrix",
            PrioritySource::Recorded => "recorded",
            PrioritySource::Facts => "facts",
        }
    }
}

/// A stated priority higher than the facts support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The priority stated by the matrix or the source.
    pub stated: PriorityRank,
    /// The priority the facts support.
    pub supported: PriorityRank,
    /// The impact level the facts support.
    pub supported_impact: usize,
}

/// One priority decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriorityDecision {
    /// The priority used.
    pub rank: PriorityRank,
    /// Where it came from.
    pub source: PrioritySource,
    /// What the source recorded, if anything.
    pub reported: Option<PriorityRank>,
    /// The matrix cell used (impact, urgency), if any.
    pub cell: Option<(usize, usize)>,
    /// Set when the stated priority is higher than the facts support.
    pub mismatch: Option<Mismatch>,
}

/// The most severe impact that the policy's rules derive from the facts.
fn impact_from_facts(policy: &Policy, incident: &Incident) -> Option<usize> {
    policy
        .impact_rules()
        .iter()
        .filter(|rule| {
            let scope_holds = rule.scope.as_ref().is_none_or(|scope| {
                incident.scope.as_ref().is_some_and(|given| {
                    given.trim().eq_ignore_ascii_case(scope.trim())
                })
            });
            let users_hold =
                rule.affected_users_at_least.is_none_or(|least| {
                    incident.affected_users.is_some_and(|users| users >= least)
                });
            scope_holds && users_hold
        })
        .map(|rule| rule.impact)
        .min()
}

/// Decides the priority for one set of facts.
///
/// Returns `None` when nothing places the incident: no impact, no recorded
/// priority and no facts that a rule turns into an impact.
pub fn decide(
    policy: &Policy,
    incident: &Incident,
    facts: PriorityFacts,
) -> Option<PriorityDecision> {
    let urgency = facts.urgency.or(policy.default_urgency());
    let derived_impact = impact_from_facts(policy, incident);

    let (stated, source, cell) = match (facts.impact, urgency, facts.recorded)
    {
        (Some(impact), Some(urgency), _) => (
            policy.cell(impact, urgency)?,
            PrioritySource::Matrix,
            Some((impact, urgency)),
        ),
        (_, _, Some(recorded)) => (recorded, PrioritySource::Recorded, None),
        (None, Some(urgency), None) => {
            let impact = derived_impact?;
            (
                policy.cell(impact, urgency)?,
                PrioritySource::Facts,
                Some((impact, urgency)),
            )
        }
        _ => return None,
    };

    // The guard only compares a stated priority with what the facts
    // support; a priority taken from the facts cannot contradict them.
    let supported = match (source, derived_impact, urgency) {
        (PrioritySource::Facts, _, _) => None,
        (_, Some(impact), Some(urgency)) => {
            policy.cell(impact, urgency).map(|rank| (rank, impact))
        }
        _ => None,
    };
    let mismatch = supported.filter(|(supported, _)| stated < *supported).map(
        |(supported, supported_impact)| Mismatch {
            stated,
            supported,
            supported_impact,
        },
    );
    let rank = match (mismatch, policy.on_mismatch()) {
        (Some(mismatch), MismatchChoice::UseSupported) => mismatch.supported,
        _ => stated,
    };
    Some(PriorityDecision {
        rank,
        source,
        reported: facts.recorded,
        cell,
        mismatch,
    })
}

/// The priority decisions of an incident over time.
#[derive(Clone, Debug)]
pub struct PriorityTimeline {
    /// `(from, decision)` in time order; the first starts at creation.
    pub entries: Vec<(i64, PriorityDecision)>,
}

impl PriorityTimeline {
    /// Decides the priority at creation and after every change.
    ///
    /// A change that gives an impact or an urgency replaces just those and
    /// keeps the rest; a change that gives only a priority replaces the
    /// whole matrix position, since the source set the priority by hand.
    ///
    /// # Errors
    ///
    /// A message naming the change (or creation) that nothing places.
    pub fn build(
        policy: &Policy,
        incident: &Incident,
    ) -> Result<PriorityTimeline, String> {
        let first =
            decide(policy, incident, incident.initial).ok_or_else(|| {
                "nothing places the incident in the matrix".to_owned()
            })?;
        let mut entries = vec![(incident.created_at, first)];
        let mut facts = incident.initial;
        for (index, change) in incident.priority_changes.iter().enumerate() {
            facts = if change.facts.impact.is_none()
                && change.facts.urgency.is_none()
            {
                change.facts
            } else {
                PriorityFacts {
                    impact: change.facts.impact.or(facts.impact),
                    urgency: change.facts.urgency.or(facts.urgency),
                    recorded: change.facts.recorded,
                }
            };
            let decision = decide(policy, incident, facts).ok_or_else(|| {
                format!(
                    "priority_changes[{index}]: nothing places the change in \
                     the matrix"
                )
            })?;
            entries.push((change.at.max(incident.created_at), decision));
        }
        Ok(PriorityTimeline { entries })
    }

    /// The decision in force at `at` and the instant it took effect.
    pub fn at(&self, at: i64) -> (i64, PriorityDecision) {
        let mut current = self.entries.first().copied();
        for entry in &self.entries {
            if entry.0 <= at {
                current = Some(*entry);
            }
        }
        // INVARIANT: `build` always puts the creation decision first.
        current.unwrap_or((
            at,
            PriorityDecision {
                rank: PriorityRank(0),
                source: PrioritySource::Recorded,
                reported: None,
                cell: None,
                mismatch: None,
            },
        ))
    }

    /// The decision in force after every change.
    pub fn last(&self) -> (i64, PriorityDecision) {
        self.at(i64::MAX)
    }
}
