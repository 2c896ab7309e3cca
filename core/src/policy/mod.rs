//! Policies: reading, checking and the compiled form the rules run on.
//!
//! A [`PolicySpec`] is what an admin writes; [`Policy::compile`] checks it
//! as a whole and lists every problem at once, each naming the field by a
//! dotted path (for editors that highlight it) and by words (for people).
//! The compiled [`Policy`] resolves every name to an index once, so that
//! evaluating an incident never looks a string up twice. The calendars are
//! compiled by the `calendar` module; this module only names them.

mod spec;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono_tz::Tz;

use crate::calendar::Calendar;
use crate::time::parse_duration;

pub use spec::{
    Comparison, EscalationSpec, FcrRule, ImpactFromFactsSpec, ImpactRuleSpec,
    KpiSpec, KpiTargetsSpec, LevelSpec, MajorSpec, MatchValue, MatrixSpec,
    MismatchChoice, MttrTime, PolicySpec, PrioritySpec, SlaSpec,
    TargetSetSpec, TargetSpec,
};

/// The default policy, from a Korean service-desk guide, as TOML.
pub const DEFAULT_POLICY_TOML: &str = include_str!("default.toml");

/// One problem found in a policy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PolicyProblem {
    /// Dotted path of the field, e.g. `sla[0].targets.P2.resolve.calendar`;
    /// empty when the problem is with the whole text.
    pub field: String,
    /// The problem in words, with its context first, e.g.
    /// ``sla `standard`: target `resolve` for `P2`: unknown calendar
    /// `biz` ``.
    pub message: String,
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A policy that cannot be used, with every problem found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    problems: Vec<PolicyProblem>,
}

impl PolicyError {
    fn single(field: &str, message: String) -> Self {
        PolicyError {
            problems: vec![PolicyProblem { field: field.to_owned(), message }],
        }
    }

    /// Every problem, in the order of the policy's sections.
    pub fn problems(&self) -> &[PolicyProblem] {
        &self.problems
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(
            f,
            "the policy has {count} problem{}",
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

/// Collects problems while a policy is checked.
#[derive(Default)]
struct Problems(Vec<PolicyProblem>);

impl Problems {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(PolicyProblem {
            field: field.into(),
            message: message.into(),
        });
    }
}

/// A priority, by its position: 0 is the most urgent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PriorityRank(pub usize);

/// Impact or urgency levels with their spellings.
#[derive(Clone, Debug)]
pub struct LevelTable {
    levels: Vec<LevelSpec>,
    lookup: HashMap<String, usize>,
}

/// Spellings are compared without regard to case or surrounding blanks,
/// because exports from other desks vary in both.
fn spelling_key(text: &str) -> String {
    text.trim().to_lowercase()
}

impl LevelTable {
    /// Finds a level by id, name or alias.
    pub fn find(&self, spelling: &str) -> Option<usize> {
        self.lookup.get(&spelling_key(spelling)).copied()
    }

    /// The id of the level at `index`.
    pub fn id(&self, index: usize) -> &str {
        self.levels.get(index).map_or("", |level| level.id.as_str())
    }

    /// How many levels there are.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }
}

/// A duration on a named calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Business seconds allowed.
    pub seconds: i64,
    /// The calendar's name in the policy.
    pub calendar: String,
}

/// The targets of one SLA for one priority.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetSet {
    /// Time to acknowledge.
    pub acknowledge: Option<Target>,
    /// Time to the first response.
    pub respond: Option<Target>,
    /// Time to resolve.
    pub resolve: Option<Target>,
    /// Status-update cadence.
    pub update_every: Option<Target>,
}

/// A compiled SLA policy.
#[derive(Clone, Debug)]
pub struct Sla {
    /// Its name.
    pub name: String,
    /// Conditions: attribute and the values any of which matches.
    pub when: Vec<(String, Vec<String>)>,
    /// Statuses that stop the clocks.
    pub pause_statuses: Vec<String>,
    /// Statuses that mean resolved.
    pub resolved_statuses: Vec<String>,
    /// Escalation thresholds, ascending by percent.
    pub escalations: Vec<EscalationSpec>,
    /// Targets indexed by priority rank.
    pub targets: Vec<TargetSet>,
}

/// A bound on a KPI figure.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Strictly above.
    Above(f64),
    /// At least.
    AtLeast(f64),
    /// Strictly below.
    Below(f64),
    /// At most.
    AtMost(f64),
}

impl Bound {
    /// Whether `value` meets the bound.
    pub fn is_met_by(self, value: f64) -> bool {
        match self {
            Bound::Above(bound) => value > bound,
            Bound::AtLeast(bound) => value >= bound,
            Bound::Below(bound) => value < bound,
            Bound::AtMost(bound) => value <= bound,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Above(v) => write!(f, "> {v}"),
            Bound::AtLeast(v) => write!(f, ">= {v}"),
            Bound::Below(v) => write!(f, "< {v}"),
            Bound::AtMost(v) => write!(f, "<= {v}"),
        }
    }
}

/// Compiled KPI targets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KpiTargets {
    /// First-contact resolution, percent.
    pub fcr_percent: Option<Bound>,
    /// MTTR in hours.
    pub mttr_hours: Option<Bound>,
    /// Mean CSAT.
    pub csat: Option<Bound>,
    /// SLA compliance, percent.
    pub sla_compliance_percent: Option<Bound>,
    /// Major incidents per month.
    pub major_per_month: Option<Bound>,
}

/// Compiled major-incident criteria.
#[derive(Clone, Debug, PartialEq)]
pub struct MajorCriteria {
    /// Affected users at least.
    pub affected_users_at_least: Option<u64>,
    /// Revenue loss per hour at least.
    pub revenue_loss_per_hour_at_least: Option<f64>,
    /// Currency of revenue figures.
    pub currency: Option<String>,
    /// Core business process down is major.
    pub core_process_down: bool,
    /// Security incident is major.
    pub security_incident: bool,
    /// Data breach is major.
    pub data_breach: bool,
    /// Seconds between briefings.
    pub briefing_seconds: i64,
}

/// A compiled impact rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImpactRule {
    /// The impact level index it gives.
    pub impact: usize,
    /// Scope condition.
    pub scope: Option<String>,
    /// Affected-users condition.
    pub affected_users_at_least: Option<u64>,
}

/// A checked policy, ready to evaluate incidents.
#[derive(Clone, Debug)]
pub struct Policy {
    spec: PolicySpec,
    priorities: Vec<PrioritySpec>,
    priority_lookup: HashMap<String, usize>,
    impact: LevelTable,
    urgency: LevelTable,
    /// `cells[impact][urgency]` is a priority rank.
    cells: Vec<Vec<PriorityRank>>,
    default_urgency: Option<usize>,
    impact_rules: Vec<ImpactRule>,
    on_mismatch: MismatchChoice,
    calendars: BTreeMap<String, Calendar>,
    slas: Vec<Sla>,
    major: MajorCriteria,
    kpi_zone: Tz,
    fcr_rule: FcrRule,
    mttr_time: MttrTime,
    kpi_targets: KpiTargets,
}

impl Policy {
    /// The embedded default policy.
    ///
    /// # Errors
    ///
    /// None in practice: a test compiles the embedded text; the error is
    /// returned rather than hidden so the crate never panics.
    pub fn default_policy() -> Result<Policy, PolicyError> {
        Policy::from_toml(DEFAULT_POLICY_TOML)
    }

    /// Reads and checks a TOML policy.
    ///
    /// # Errors
    ///
    /// Every problem found, each naming its field.
    ///
    /// # Example
    ///
    /// ```
    /// use incident_rules_core::policy::{Policy, DEFAULT_POLICY_TOML};
    ///
    /// let policy = Policy::from_toml(DEFAULT_POLICY_TOML)?;
    /// assert_eq!(policy.priority_count(), 4);
    /// // ServiceNow's spelling finds the same priority as the id.
    /// assert_eq!(policy.priority_rank("1 - Critical"), policy.priority_rank("P1"));
    /// # Ok::<(), incident_rules_core::policy::PolicyError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        // Syntax first, with the line; then the shape, with the field.
        let table: toml::Table = toml::from_str(text).map_err(|error| {
            let message = error.message().trim_end().to_owned();
            let place = match error.span() {
                Some(span) => {
                    let line = text
                        .get(..span.start)
                        .map_or(0, |head| head.matches('\n').count())
                        + 1;
                    format!(" (line {line})")
                }
                None => String::new(),
            };
            PolicyError::single(
                "",
                format!("the policy is not valid TOML{place}: {message}"),
            )
        })?;
        let spec = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|error| shape_error(&error))?;
        Policy::compile(spec)
    }

    /// Reads and checks a JSON policy of the same shape.
    ///
    /// # Errors
    ///
    /// Every problem found, each naming its field.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| {
                PolicyError::single(
                    "",
                    format!("the policy is not valid JSON: {error}"),
                )
            })?;
        let spec = serde_path_to_error::deserialize(value)
            .map_err(|error| shape_error(&error))?;
        Policy::compile(spec)
    }

    /// Checks a policy and compiles it.
    ///
    /// # Errors
    ///
    /// Every problem found, each naming its field.
    pub fn compile(spec: PolicySpec) -> Result<Policy, PolicyError> {
        let mut problems = Problems::default();

        let (priorities, priority_lookup) =
            check_priorities(&spec.priorities, &mut problems);
        let impact =
            check_levels("impact", &spec.matrix.impact, &mut problems);
        let urgency =
            check_levels("urgency", &spec.matrix.urgency, &mut problems);
        let cells = check_cells(
            &spec.matrix,
            &impact,
            &urgency,
            &priority_lookup,
            &mut problems,
        );
        let default_urgency =
            spec.matrix.default_urgency.as_ref().and_then(|id| {
                let found = urgency.find(id);
                if found.is_none() {
                    problems.push(
                        "matrix.default_urgency",
                        format!(
                            "matrix: default urgency `{id}` is not an \
                             urgency level"
                        ),
                    );
                }
                found
            });
        let (impact_rules, on_mismatch) = match &spec.impact_from_facts {
            Some(facts) => (
                check_impact_rules(facts, &impact, &mut problems),
                facts.on_mismatch,
            ),
            None => (Vec::new(), MismatchChoice::KeepStated),
        };
        let calendars = check_calendars(&spec, &mut problems);
        let slas = check_slas(&spec, &priority_lookup, &mut problems);
        let major = check_major(&spec.major, &mut problems);
        let kpi_zone = spec.kpi.time_zone.parse::<Tz>().unwrap_or_else(|_| {
            problems.push(
                "kpi.time_zone",
                format!("kpi: unknown time zone `{}`", spec.kpi.time_zone),
            );
            Tz::UTC
        });
        let kpi_targets = check_kpi_targets(&spec.kpi.targets, &mut problems);

        if !problems.0.is_empty() {
            return Err(PolicyError { problems: problems.0 });
        }
        Ok(Policy {
            fcr_rule: spec.kpi.fcr_rule,
            mttr_time: spec.kpi.mttr_time,
            priorities,
            priority_lookup,
            impact,
            urgency,
            cells,
            default_urgency,
            impact_rules,
            on_mismatch,
            calendars,
            slas,
            major,
            kpi_zone,
            kpi_targets,
            spec,
        })
    }

    /// The policy as written.
    pub fn spec(&self) -> &PolicySpec {
        &self.spec
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// How many priorities there are.
    pub fn priority_count(&self) -> usize {
        self.priorities.len()
    }

    /// The id of a priority, e.g. `P1`.
    pub fn priority_id(&self, rank: PriorityRank) -> &str {
        self.priorities
            .get(rank.0)
            .map_or("", |p: &PrioritySpec| p.id.as_str())
    }

    /// Finds a priority by id, name or alias.
    pub fn priority_rank(&self, spelling: &str) -> Option<PriorityRank> {
        self.priority_lookup
            .get(&spelling_key(spelling))
            .copied()
            .map(PriorityRank)
    }

    /// The impact levels.
    pub fn impact_levels(&self) -> &LevelTable {
        &self.impact
    }

    /// The urgency levels.
    pub fn urgency_levels(&self) -> &LevelTable {
        &self.urgency
    }

    /// The urgency assumed when an incident gives none.
    pub fn default_urgency(&self) -> Option<usize> {
        self.default_urgency
    }

    /// The priority of a matrix cell.
    pub fn cell(&self, impact: usize, urgency: usize) -> Option<PriorityRank> {
        self.cells.get(impact).and_then(|row| row.get(urgency)).copied()
    }

    /// The impact-from-facts rules.
    pub fn impact_rules(&self) -> &[ImpactRule] {
        &self.impact_rules
    }

    /// What to use when the stated priority is higher than the facts
    /// support.
    pub fn on_mismatch(&self) -> MismatchChoice {
        self.on_mismatch
    }

    /// A calendar by name.
    pub fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.calendars.get(name)
    }

    /// The SLA policies in order.
    pub fn slas(&self) -> &[Sla] {
        &self.slas
    }

    /// The major-incident criteria.
    pub fn major(&self) -> &MajorCriteria {
        &self.major
    }

    /// The zone in which KPI months are cut.
    pub fn kpi_zone(&self) -> Tz {
        self.kpi_zone
    }

    /// How FCR is decided.
    pub fn fcr_rule(&self) -> FcrRule {
        self.fcr_rule
    }

    /// Whether MTTR counts calendar or business time.
    pub fn mttr_time(&self) -> MttrTime {
        self.mttr_time
    }

    /// The KPI targets.
    pub fn kpi_targets(&self) -> &KpiTargets {
        &self.kpi_targets
    }
}

/// One entry of a list whose members are found by spelling: its id and
/// every spelling (id, name, aliases).
struct Spelled<'a> {
    id: &'a str,
    spellings: Vec<&'a str>,
}

/// Maps every spelling to its entry's index, reporting a spelling that two
/// entries share. `field` is the list's path (`priorities`,
/// `matrix.impact`) and `say` the words before the entry's id
/// (`priority`, `matrix: impact`).
fn spelling_lookup(
    entries: &[Spelled<'_>],
    (field, say, kind): (&str, &str, &str),
    problems: &mut Problems,
) -> HashMap<String, usize> {
    let mut lookup = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        for spelling in &entry.spellings {
            let key = spelling_key(spelling);
            match lookup.get(&key) {
                Some(&other) if other != index => problems.push(
                    format!("{field}[{index}]"),
                    format!(
                        "{say} `{}`: `{spelling}` already names {kind} `{}`",
                        entry.id,
                        entries.get(other).map_or("", |e: &Spelled<'_>| e.id)
                    ),
                ),
                _ => {
                    lookup.insert(key, index);
                }
            }
        }
    }
    lookup
}

/// A policy whose shape is wrong (an unknown key, a missing one, a value
/// of the wrong type) cannot be checked further: serde stops at the first
/// such place, which is reported with its field.
fn shape_error<E: fmt::Display>(
    error: &serde_path_to_error::Error<E>,
) -> PolicyError {
    let path = error.path().to_string();
    let field = if path == "." { String::new() } else { path };
    // Some deserializers add the path again on a second line.
    let inner = error.inner().to_string();
    let inner = inner.lines().next().unwrap_or_default().to_owned();
    let message = if field.is_empty() {
        format!("the policy does not have the expected shape: {inner}")
    } else {
        format!("{field}: {inner}")
    };
    PolicyError::single(&field, message)
}

fn check_priorities(
    priorities: &[PrioritySpec],
    problems: &mut Problems,
) -> (Vec<PrioritySpec>, HashMap<String, usize>) {
    if priorities.is_empty() {
        problems.push("priorities", "priorities: at least one is needed");
    }
    for (index, priority) in priorities.iter().enumerate() {
        if priority.id.trim().is_empty() {
            problems.push(
                format!("priorities[{index}].id"),
                format!("priorities[{index}]: the id is empty"),
            );
        }
    }
    let entries: Vec<Spelled<'_>> = priorities
        .iter()
        .map(|p| Spelled {
            id: &p.id,
            spellings: [p.id.as_str(), p.name.as_str()]
                .into_iter()
                .chain(p.aliases.iter().map(String::as_str))
                .collect(),
        })
        .collect();
    let lookup = spelling_lookup(
        &entries,
        ("priorities", "priority", "priority"),
        problems,
    );
    (priorities.to_vec(), lookup)
}

fn check_levels(
    axis: &str,
    levels: &[LevelSpec],
    problems: &mut Problems,
) -> LevelTable {
    if levels.is_empty() {
        problems.push(
            format!("matrix.{axis}"),
            format!("matrix: at least one {axis} level is needed"),
        );
    }
    let entries: Vec<Spelled<'_>> = levels
        .iter()
        .map(|l| Spelled {
            id: &l.id,
            spellings: [l.id.as_str(), l.name.as_str()]
                .into_iter()
                .chain(l.aliases.iter().map(String::as_str))
                .collect(),
        })
        .collect();
    let lookup = spelling_lookup(
        &entries,
        (&format!("matrix.{axis}"), &format!("matrix: {axis}"), axis),
        problems,
    );
    LevelTable { levels: levels.to_vec(), lookup }
}

fn check_cells(
    matrix: &MatrixSpec,
    impact: &LevelTable,
    urgency: &LevelTable,
    priorities: &HashMap<String, usize>,
    problems: &mut Problems,
) -> Vec<Vec<PriorityRank>> {
    for (impact_id, row) in &matrix.cells {
        if !matrix.impact.iter().any(|level| &level.id == impact_id) {
            problems.push(
                format!("matrix.cells.{impact_id}"),
                format!("matrix: cells: unknown impact `{impact_id}`"),
            );
        }
        for urgency_id in row.keys() {
            if !matrix.urgency.iter().any(|level| &level.id == urgency_id) {
                problems.push(
                    format!("matrix.cells.{impact_id}.{urgency_id}"),
                    format!(
                        "matrix: cells: impact `{impact_id}`: unknown \
                         urgency `{urgency_id}`"
                    ),
                );
            }
        }
    }

    let mut cells = Vec::with_capacity(impact.len());
    for impact_level in &matrix.impact {
        let mut row = Vec::with_capacity(urgency.len());
        for urgency_level in &matrix.urgency {
            let field = format!(
                "matrix.cells.{}.{}",
                impact_level.id, urgency_level.id
            );
            let written = matrix
                .cells
                .get(&impact_level.id)
                .and_then(|row| row.get(&urgency_level.id));
            let rank = match written {
                None => {
                    problems.push(
                        field,
                        format!(
                            "matrix: no priority for impact `{}` and \
                             urgency `{}`",
                            impact_level.id, urgency_level.id
                        ),
                    );
                    0
                }
                Some(id) => match priorities.get(&spelling_key(id)) {
                    Some(&rank) => rank,
                    None => {
                        problems.push(
                            field,
                            format!(
                                "matrix: impact `{}` and urgency `{}`: \
                                 unknown priority `{id}`",
                                impact_level.id, urgency_level.id
                            ),
                        );
                        0
                    }
                },
            };
            row.push(PriorityRank(rank));
        }
        cells.push(row);
    }
    cells
}

fn check_impact_rules(
    facts: &ImpactFromFactsSpec,
    impact: &LevelTable,
    problems: &mut Problems,
) -> Vec<ImpactRule> {
    let mut rules = Vec::new();
    for (index, rule) in facts.rules.iter().enumerate() {
        let field = format!("impact_from_facts.rules[{index}]");
        if rule.scope.is_none() && rule.affected_users_at_least.is_none() {
            problems.push(
                field.clone(),
                format!(
                    "impact_from_facts: rule {}: it has no condition \
                     (give `scope` or `affected_users_at_least`)",
                    index + 1
                ),
            );
        }
        match impact.find(&rule.impact) {
            Some(level) => rules.push(ImpactRule {
                impact: level,
                scope: rule.scope.clone(),
                affected_users_at_least: rule.affected_users_at_least,
            }),
            None => problems.push(
                format!("{field}.impact"),
                format!(
                    "impact_from_facts: rule {}: unknown impact `{}`",
                    index + 1,
                    rule.impact
                ),
            ),
        }
    }
    rules
}

fn check_calendars(
    spec: &PolicySpec,
    problems: &mut Problems,
) -> BTreeMap<String, Calendar> {
    let mut calendars = BTreeMap::new();
    for (name, calendar) in &spec.calendars {
        match Calendar::compile(calendar) {
            Ok(compiled) => {
                calendars.insert(name.clone(), compiled);
            }
            Err(errors) => {
                for error in errors {
                    problems.push(
                        format!("calendars.{name}.{}", error.field()),
                        format!("calendar `{name}`: {error}"),
                    );
                }
            }
        }
    }
    calendars
}

fn check_target(
    target: Option<&TargetSpec>,
    context: (&str, &str, &str, usize),
    spec: &PolicySpec,
    problems: &mut Problems,
) -> Option<Target> {
    let target = target?;
    let (sla_name, kind, priority, sla_index) = context;
    let field = format!("sla[{sla_index}].targets.{priority}.{kind}");
    let say = |what: String| {
        format!("sla `{sla_name}`: target `{kind}` for `{priority}`: {what}")
    };
    let mut ok = true;
    let seconds = match parse_duration(&target.within) {
        Ok(seconds) if seconds > 0 => seconds,
        Ok(_) => {
            problems.push(
                format!("{field}.within"),
                say(format!("duration `{}` must be positive", target.within)),
            );
            ok = false;
            0
        }
        Err(error) => {
            problems.push(format!("{field}.within"), say(error.to_string()));
            ok = false;
            0
        }
    };
    if !spec.calendars.contains_key(&target.calendar) {
        problems.push(
            format!("{field}.calendar"),
            say(format!("unknown calendar `{}`", target.calendar)),
        );
        ok = false;
    }
    ok.then(|| Target { seconds, calendar: target.calendar.clone() })
}

fn check_slas(
    spec: &PolicySpec,
    priorities: &HashMap<String, usize>,
    problems: &mut Problems,
) -> Vec<Sla> {
    if spec.sla.is_empty() {
        problems.push("sla", "sla: at least one SLA policy is needed");
    }
    let mut slas = Vec::new();
    for (index, sla) in spec.sla.iter().enumerate() {
        let name = sla.name.as_str();
        let mut seen_percent = Vec::new();
        for (position, escalation) in sla.escalations.iter().enumerate() {
            if !(1..=100).contains(&escalation.percent) {
                problems.push(
                    format!("sla[{index}].escalations[{position}].percent"),
                    format!(
                        "sla `{name}`: escalation `{}`: percent `{}` must \
                         be between 1 and 100",
                        escalation.level, escalation.percent
                    ),
                );
            }
            if seen_percent.contains(&escalation.percent) {
                problems.push(
                    format!("sla[{index}].escalations[{position}].percent"),
                    format!(
                        "sla `{name}`: escalation at `{}` percent is given \
                         twice",
                        escalation.percent
                    ),
                );
            }
            seen_percent.push(escalation.percent);
        }
        let mut escalations = sla.escalations.clone();
        escalations.sort_by_key(|escalation| escalation.percent);

        for (key, value) in &sla.when {
            if let MatchValue::AnyOf(values) = value
                && values.is_empty()
            {
                problems.push(
                    format!("sla[{index}].when.{key}"),
                    format!(
                        "sla `{name}`: when `{key}`: the list is empty, \
                             so it can never match"
                    ),
                );
            }
        }
        for priority in sla.targets.keys() {
            if !priorities.contains_key(&spelling_key(priority)) {
                problems.push(
                    format!("sla[{index}].targets.{priority}"),
                    format!(
                        "sla `{name}`: targets: unknown priority `{priority}`"
                    ),
                );
            }
        }

        let mut targets = Vec::new();
        let mut seen_ids = Vec::new();
        for priority in &spec.priorities {
            let id = priority.id.as_str();
            // A priority given twice is reported once, where it is
            // defined; its targets would only repeat the same problems.
            if seen_ids.contains(&id) {
                targets.push(TargetSet::default());
                continue;
            }
            seen_ids.push(id);
            let Some(set) = sla.targets.get(id) else {
                problems.push(
                    format!("sla[{index}].targets.{id}"),
                    format!("sla `{name}`: no targets for priority `{id}`"),
                );
                targets.push(TargetSet::default());
                continue;
            };
            let mut check = |kind: &str, target: Option<&TargetSpec>| {
                check_target(target, (name, kind, id, index), spec, problems)
            };
            targets.push(TargetSet {
                acknowledge: check("acknowledge", set.acknowledge.as_ref()),
                respond: check("respond", set.respond.as_ref()),
                resolve: check("resolve", set.resolve.as_ref()),
                update_every: check("update_every", set.update_every.as_ref()),
            });
        }

        slas.push(Sla {
            name: sla.name.clone(),
            when: sla
                .when
                .iter()
                .map(|(key, value)| {
                    let values = match value {
                        MatchValue::One(one) => vec![one.clone()],
                        MatchValue::AnyOf(many) => many.clone(),
                    };
                    (key.clone(), values)
                })
                .collect(),
            pause_statuses: sla.pause_statuses.clone(),
            resolved_statuses: sla.resolved_statuses.clone(),
            escalations,
            targets,
        });
    }
    slas
}

fn check_major(major: &MajorSpec, problems: &mut Problems) -> MajorCriteria {
    let briefing_seconds = match parse_duration(&major.briefing_every) {
        Ok(seconds) if seconds > 0 => seconds,
        Ok(_) => {
            problems.push(
                "major.briefing_every",
                format!(
                    "major: briefing interval `{}` must be positive",
                    major.briefing_every
                ),
            );
            0
        }
        Err(error) => {
            problems.push(
                "major.briefing_every",
                format!("major: briefing interval: {error}"),
            );
            0
        }
    };
    if let Some(revenue) = major.revenue_loss_per_hour_at_least
        && (!revenue.is_finite() || revenue < 0.0)
    {
        problems.push(
            "major.revenue_loss_per_hour_at_least",
            format!(
                "major: revenue loss per hour `{revenue}` must be a \
                     number of at least 0"
            ),
        );
    }
    MajorCriteria {
        affected_users_at_least: major.affected_users_at_least,
        revenue_loss_per_hour_at_least: major.revenue_loss_per_hour_at_least,
        currency: major.currency.clone(),
        core_process_down: major.core_process_down,
        security_incident: major.security_incident,
        data_breach: major.data_breach,
        briefing_seconds,
    }
}

fn check_bound(
    name: &str,
    comparison: Option<&Comparison>,
    scale: (f64, f64),
    problems: &mut Problems,
) -> Option<Bound> {
    let comparison = comparison?;
    let given: Vec<Bound> = [
        comparison.above.map(Bound::Above),
        comparison.at_least.map(Bound::AtLeast),
        comparison.below.map(Bound::Below),
        comparison.at_most.map(Bound::AtMost),
    ]
    .into_iter()
    .flatten()
    .collect();
    let field = format!("kpi.targets.{name}");
    match given.as_slice() {
        [bound] => {
            let value = match *bound {
                Bound::Above(v)
                | Bound::AtLeast(v)
                | Bound::Below(v)
                | Bound::AtMost(v) => v,
            };
            let (low, high) = scale;
            if value.is_finite() && (low..=high).contains(&value) {
                Some(*bound)
            } else {
                problems.push(
                    field,
                    format!(
                        "kpi: target `{name}`: `{value}` is outside the \
                         figure's scale {low} to {high}"
                    ),
                );
                None
            }
        }
        _ => {
            problems.push(
                field,
                format!(
                    "kpi: target `{name}`: give exactly one of `above`, \
                     `at_least`, `below`, `at_most`"
                ),
            );
            None
        }
    }
}

fn check_kpi_targets(
    targets: &KpiTargetsSpec,
    problems: &mut Problems,
) -> KpiTargets {
    const PERCENT: (f64, f64) = (0.0, 100.0);
    const CSAT: (f64, f64) = (1.0, 5.0);
    const COUNT_OR_HOURS: (f64, f64) = (0.0, f64::MAX);
    let mut check = |name, comparison: &Option<Comparison>, scale| {
        check_bound(name, comparison.as_ref(), scale, problems)
    };
    KpiTargets {
        fcr_percent: check("fcr_percent", &targets.fcr_percent, PERCENT),
        mttr_hours: check("mttr_hours", &targets.mttr_hours, COUNT_OR_HOURS),
        csat: check("csat", &targets.csat, CSAT),
        sla_compliance_percent: check(
            "sla_compliance_percent",
            &targets.sla_compliance_percent,
            PERCENT,
        ),
        major_per_month: check(
            "major_per_month",
            &targets.major_per_month,
            COUNT_OR_HOURS,
        ),
    }
}
