//! Requests and answers at the module boundary.
//!
//! A [`Session`] holds what a caller loaded (policies, KPI accumulators)
//! under small integer handles, and answers [`Request`]s. The JSON layer
//! ([`Session::handle_json`]) is what the plain module exports: every
//! answer is `{"ok": ...}` or `{"errors": [{"path": ..., "message":
//! ...}]}`, never a panic. One incident that cannot be read or evaluated
//! does not fail its batch: it comes back as `rejected` with its problems,
//! in its place, so that counts in equal counts out. `docs/abi.md` lists
//! the operations with their JSON.

use std::cell::RefCell;

use incident_rules_core::evaluate::{Evaluation, evaluate};
use incident_rules_core::incident::{Incident, IncidentInput, InputProblem};
use incident_rules_core::kpi::{
    GroupBy, KpiAccumulator, KpiRecord, KpiReport,
};
use incident_rules_core::policy::{DEFAULT_POLICY_TOML, Policy, PolicyError};
use incident_rules_core::time::parse_instant;
use serde::{Deserialize, Serialize};

/// The version of the request and answer format and of the plain ABI.
pub const ABI_VERSION: u32 = 1;

/// A policy text's format.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum PolicyFormat {
    /// TOML, as an admin writes it.
    #[default]
    Toml,
    /// JSON of the same shape.
    Json,
}

/// One request.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// The ABI and crate versions.
    Version,
    /// The embedded default policy as TOML.
    DefaultPolicy,
    /// Checks a policy and lists every problem.
    ValidatePolicy {
        /// The policy text.
        policy: String,
        /// Its format.
        #[serde(default)]
        format: PolicyFormat,
    },
    /// Checks and keeps a policy; answers its handle.
    LoadPolicy {
        /// The policy text.
        policy: String,
        /// Its format.
        #[serde(default)]
        format: PolicyFormat,
    },
    /// Forgets a policy.
    DropPolicy {
        /// Its handle.
        policy: u32,
    },
    /// Evaluates a batch of incidents at `now`, optionally feeding a KPI
    /// accumulation with the ones that evaluate.
    Evaluate {
        /// A policy handle.
        policy: u32,
        /// The evaluation instant, RFC 3339.
        now: String,
        /// Incidents in the product's schema.
        incidents: Vec<serde_json::Value>,
        /// A KPI accumulation handle to feed.
        #[serde(default)]
        kpi: Option<u32>,
    },
    /// Starts a KPI accumulation; answers its handle.
    KpiStart {
        /// Groupings: `month`, `priority`, `category`, `service`, `group`,
        /// `sla`.
        #[serde(default)]
        group_by: Vec<String>,
    },
    /// The accumulation's state, to merge elsewhere.
    KpiState {
        /// Its handle.
        kpi: u32,
    },
    /// Adds a state taken from another accumulation.
    KpiMerge {
        /// Its handle.
        kpi: u32,
        /// A state from `kpi_state`.
        state: KpiAccumulator,
    },
    /// The report against a policy's targets; the accumulation is kept.
    KpiReport {
        /// The accumulation's handle.
        kpi: u32,
        /// A policy handle.
        policy: u32,
    },
    /// Forgets an accumulation.
    KpiDrop {
        /// Its handle.
        kpi: u32,
    },
}

/// One problem in an answer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BoundaryError {
    /// The field at fault, dotted (`matrix.cells.high.low`, `now`), or
    /// empty for the request as a whole.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl BoundaryError {
    fn new(path: &str, message: impl Into<String>) -> Self {
        BoundaryError { path: path.to_owned(), message: message.into() }
    }
}

fn policy_errors(error: &PolicyError) -> Vec<BoundaryError> {
    error
        .problems()
        .iter()
        .map(|problem| BoundaryError {
            path: problem.field.clone(),
            message: problem.message.clone(),
        })
        .collect()
}

/// Versions of the module.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Versions {
    /// [`ABI_VERSION`].
    pub abi: u32,
    /// This crate's version.
    pub crate_version: String,
}

/// One incident's outcome in a batch.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    /// The incident was evaluated.
    Evaluation(Box<Evaluation>),
    /// The incident was not evaluated, for these reasons.
    Rejected(Rejection),
}

/// Why an incident was not evaluated.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The incident's id, when it could be read.
    pub id: String,
    /// The problems, each naming its field.
    pub problems: Vec<InputProblem>,
}

/// A successful answer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum Answer {
    /// To `version`.
    Versions(Versions),
    /// To `default_policy`.
    DefaultPolicy {
        /// The TOML text.
        toml: String,
    },
    /// To `validate_policy` (an invalid policy answers `errors`).
    Valid {
        /// The policy's name.
        valid: String,
    },
    /// To `load_policy` and `kpi_start`.
    Handle {
        /// The new handle.
        handle: u32,
    },
    /// To `evaluate`.
    Results {
        /// One per incident, in order.
        results: Vec<ItemResult>,
    },
    /// To `kpi_state`.
    State {
        /// The accumulation's state.
        state: KpiAccumulator,
    },
    /// To `kpi_report`.
    Report {
        /// The report.
        report: KpiReport,
    },
    /// To `drop_policy`, `kpi_merge` and `kpi_drop`.
    Done {
        /// Always true.
        done: bool,
    },
}

/// Handles and the state behind them.
#[derive(Default)]
pub struct Session {
    policies: Vec<Option<Policy>>,
    accumulators: Vec<Option<KpiAccumulator>>,
}

fn keep<T>(slots: &mut Vec<Option<T>>, value: T) -> u32 {
    let index = match slots.iter().position(Option::is_none) {
        Some(free) => {
            if let Some(slot) = slots.get_mut(free) {
                *slot = Some(value);
            }
            free
        }
        None => {
            slots.push(Some(value));
            slots.len() - 1
        }
    };
    u32::try_from(index).unwrap_or(u32::MAX)
}

fn slot<T>(slots: &[Option<T>], handle: u32) -> Option<&T> {
    slots.get(usize::try_from(handle).ok()?).and_then(Option::as_ref)
}

fn slot_mut<T>(slots: &mut [Option<T>], handle: u32) -> Option<&mut T> {
    slots.get_mut(usize::try_from(handle).ok()?).and_then(Option::as_mut)
}

/// Reads a policy text.
///
/// # Errors
///
/// Every problem, each naming its field.
pub fn read_policy(
    text: &str,
    format: PolicyFormat,
) -> Result<Policy, PolicyError> {
    match format {
        PolicyFormat::Toml => Policy::from_toml(text),
        PolicyFormat::Json => Policy::from_json(text),
    }
}

/// Evaluates one incident given as JSON, without failing the batch.
pub fn evaluate_value(
    policy: &Policy,
    value: serde_json::Value,
    now: i64,
) -> (ItemResult, Option<KpiRecord>) {
    let id = value
        .get("id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let rejected = |problems| {
        (ItemResult::Rejected(Rejection { id: id.clone(), problems }), None)
    };
    let input: IncidentInput = match serde_json::from_value(value) {
        Ok(input) => input,
        Err(error) => {
            return rejected(vec![InputProblem {
                field: String::new(),
                message: format!("not an incident: {error}"),
            }]);
        }
    };
    evaluate_input(policy, &input, now)
}

/// Evaluates one incident, without failing the batch.
pub fn evaluate_input(
    policy: &Policy,
    input: &IncidentInput,
    now: i64,
) -> (ItemResult, Option<KpiRecord>) {
    let rejected = |problems| {
        let rejection = Rejection { id: input.id.clone(), problems };
        (ItemResult::Rejected(rejection), None)
    };
    let incident = match Incident::from_input(input, policy) {
        Ok(incident) => incident,
        Err(error) => return rejected(error.problems),
    };
    match evaluate(policy, &incident, now) {
        Ok(evaluation) => {
            let record = KpiRecord::new(policy, &incident, &evaluation);
            (ItemResult::Evaluation(Box::new(evaluation)), Some(record))
        }
        Err(error) => rejected(vec![InputProblem {
            field: String::new(),
            message: error.message,
        }]),
    }
}

impl Session {
    /// Answers one typed request.
    ///
    /// # Errors
    ///
    /// Every problem with the request, each naming its field.
    pub fn handle(
        &mut self,
        request: Request,
    ) -> Result<Answer, Vec<BoundaryError>> {
        let unknown_policy = |handle| {
            vec![BoundaryError::new(
                "policy",
                format!("no policy has handle `{handle}`"),
            )]
        };
        let unknown_kpi = |handle| {
            vec![BoundaryError::new(
                "kpi",
                format!("no KPI accumulation has handle `{handle}`"),
            )]
        };
        match request {
            Request::Version => Ok(Answer::Versions(Versions {
                abi: ABI_VERSION,
                crate_version: env!("CARGO_PKG_VERSION").to_owned(),
            })),
            Request::DefaultPolicy => Ok(Answer::DefaultPolicy {
                toml: DEFAULT_POLICY_TOML.to_owned(),
            }),
            Request::ValidatePolicy { policy, format } => {
                match read_policy(&policy, format) {
                    Ok(policy) => {
                        Ok(Answer::Valid { valid: policy.name().to_owned() })
                    }
                    Err(error) => Err(policy_errors(&error)),
                }
            }
            Request::LoadPolicy { policy, format } => {
                let policy = read_policy(&policy, format)
                    .map_err(|error| policy_errors(&error))?;
                Ok(Answer::Handle { handle: keep(&mut self.policies, policy) })
            }
            Request::DropPolicy { policy } => {
                let index = usize::try_from(policy).unwrap_or(usize::MAX);
                match self.policies.get_mut(index) {
                    Some(slot @ Some(_)) => {
                        *slot = None;
                        Ok(Answer::Done { done: true })
                    }
                    _ => Err(unknown_policy(policy)),
                }
            }
            Request::Evaluate { policy, now, incidents, kpi } => {
                let now = parse_instant(&now).map_err(|error| {
                    vec![BoundaryError::new("now", error.to_string())]
                })?;
                let Some(rules) = slot(&self.policies, policy) else {
                    return Err(unknown_policy(policy));
                };
                if let Some(handle) = kpi
                    && slot(&self.accumulators, handle).is_none()
                {
                    return Err(unknown_kpi(handle));
                }
                let mut results = Vec::with_capacity(incidents.len());
                let mut records = Vec::new();
                for value in incidents {
                    let (result, record) = evaluate_value(rules, value, now);
                    results.push(result);
                    records.extend(record);
                }
                if let Some(accumulator) =
                    kpi.and_then(|h| slot_mut(&mut self.accumulators, h))
                {
                    for record in &records {
                        accumulator.add(record);
                    }
                }
                Ok(Answer::Results { results })
            }
            Request::KpiStart { group_by } => {
                let mut groups = Vec::new();
                let mut errors = Vec::new();
                for (index, name) in group_by.iter().enumerate() {
                    match GroupBy::from_name(name) {
                        Some(group) => groups.push(group),
                        None => errors.push(BoundaryError::new(
                            &format!("group_by[{index}]"),
                            format!(
                                "unknown grouping `{name}` (known: {})",
                                GroupBy::ALL
                                    .iter()
                                    .map(|(known, _)| *known)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )),
                    }
                }
                if !errors.is_empty() {
                    return Err(errors);
                }
                let accumulator = KpiAccumulator::new(&groups);
                let handle = keep(&mut self.accumulators, accumulator);
                Ok(Answer::Handle { handle })
            }
            Request::KpiState { kpi } => slot(&self.accumulators, kpi)
                .map(|state| Answer::State { state: state.clone() })
                .ok_or_else(|| unknown_kpi(kpi)),
            Request::KpiMerge { kpi, state } => {
                let accumulator = slot_mut(&mut self.accumulators, kpi)
                    .ok_or_else(|| unknown_kpi(kpi))?;
                accumulator.merge(&state);
                Ok(Answer::Done { done: true })
            }
            Request::KpiReport { kpi, policy } => {
                let rules = slot(&self.policies, policy)
                    .ok_or_else(|| unknown_policy(policy))?;
                let accumulator = slot(&self.accumulators, kpi)
                    .ok_or_else(|| unknown_kpi(kpi))?;
                Ok(Answer::Report { report: accumulator.report(rules) })
            }
            Request::KpiDrop { kpi } => {
                let index = usize::try_from(kpi).unwrap_or(usize::MAX);
                match self.accumulators.get_mut(index) {
                    Some(slot @ Some(_)) => {
                        *slot = None;
                        Ok(Answer::Done { done: true })
                    }
                    _ => Err(unknown_kpi(kpi)),
                }
            }
        }
    }

    /// Answers one JSON request with JSON.
    pub fn handle_json(&mut self, request: &[u8]) -> Vec<u8> {
        let outcome = match serde_json::from_slice::<Request>(request) {
            Ok(request) => self.handle(request),
            Err(error) => Err(vec![BoundaryError::new(
                "",
                format!("the request cannot be read: {error}"),
            )]),
        };
        let answer = match outcome {
            Ok(answer) => serde_json::json!({ "ok": answer }),
            Err(errors) => serde_json::json!({ "errors": errors }),
        };
        serde_json::to_vec(&answer).unwrap_or_else(|_| {
            br#"{"errors":[{"path":"","message":"the answer cannot be written"}]}"#.to_vec()
        })
    }
}

thread_local! {
    /// The module's one session. A WebAssembly instance runs one thread,
    /// so this is the instance's state; natively each thread has its own.
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

/// Answers one JSON request with JSON, in this thread's session.
///
/// Answers are always data: `{"ok": ...}` or `{"errors": [...]}`.
pub fn handle_request(request: &[u8]) -> Vec<u8> {
    SESSION.with(|session| match session.try_borrow_mut() {
        Ok(mut session) => session.handle_json(request),
        Err(_) => {
            br#"{"errors":[{"path":"","message":"the session is busy"}]}"#
                .to_vec()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(
        session: &mut Session,
        request: serde_json::Value,
    ) -> serde_json::Value {
        let bytes = session.handle_json(request.to_string().as_bytes());
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn a_bad_policy_lists_every_problem_with_its_path() {
        let mut session = Session::default();
        let broken = DEFAULT_POLICY_TOML
            .replace(
                "calendar = \"seoul_business\" }\nrespond = { within = \"1h\"",
                "calendar = \"biz\" }\nrespond = { within = \"1h\"",
            )
            .replace(
                "time_zone = \"Asia/Seoul\"\nfcr_rule",
                "time_zone = \"Asia/Seul\"\nfcr_rule",
            );
        let answer = call(
            &mut session,
            serde_json::json!({"op": "validate_policy", "policy": broken}),
        );
        let errors = answer["errors"].as_array().unwrap();
        let paths: Vec<&str> =
            errors.iter().map(|e| e["path"].as_str().unwrap()).collect();
        assert_eq!(
            paths,
            ["sla[0].targets.P2.acknowledge.calendar", "kpi.time_zone"]
        );
        assert_eq!(
            errors[0]["message"],
            "sla `standard`: target `acknowledge` for `P2`: unknown calendar `biz`"
        );
    }

    #[test]
    fn a_batch_keeps_rejected_incidents_in_place() {
        let mut session = Session::default();
        let loaded = call(
            &mut session,
            serde_json::json!({"op": "load_policy", "policy": DEFAULT_POLICY_TOML}),
        );
        let handle = loaded["ok"]["handle"].as_u64().unwrap();
        let answer = call(
            &mut session,
            serde_json::json!({
                "op": "evaluate", "policy": handle, "now": "2026-03-03T12:00:00+09:00",
                "incidents": [
                    {"id": "A", "created_at": "2026-03-03T10:00:00+09:00",
                     "impact": "individual", "urgency": "low"},
                    {"id": "B", "created_at": "yesterday", "impact": "individual"},
                    {"id": "C", "created_at": "2026-03-03T10:00:00+09:00", "impact": "galactic"},
                    7
                ]
            }),
        );
        let results = answer["ok"]["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(results[0]["evaluation"]["priority"], "P4");
        assert_eq!(
            results[1]["rejected"]["problems"][0]["field"],
            "created_at"
        );
        assert_eq!(
            results[2]["rejected"]["problems"][0]["message"],
            "unknown impact `galactic`"
        );
        assert!(
            results[3]["rejected"]["problems"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("not an incident")
        );
    }
}
