//! The browser package: camelCase JavaScript functions over the boundary.
//!
//! Built only with the cargo feature `browser` (wasm-bindgen adds imports
//! that a plain host cannot satisfy, so the plain module never has them).
//! Functions take and return plain objects whose keys are the boundary's
//! own snake_case field names; a problem is thrown as a JavaScript `Error`
//! whose message starts with the field path, e.g.
//! ``matrix.cells.organization.low: matrix: no priority for ...``.

use incident_rules_core::kpi::{GroupBy, KpiAccumulator};
use incident_rules_core::policy::{DEFAULT_POLICY_TOML, Policy, PolicyError};
use incident_rules_core::time::parse_instant;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::boundary::{
    ABI_VERSION, ItemResult, PolicyFormat, evaluate_value, read_policy,
};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A problem, with the dotted path of the field at fault. */
export interface Problem { path: string; message: string }
/** One incident in the product's schema (see docs/input.md). */
export type IncidentInput = Record<string, unknown> & { id: string; created_at: string };
/** The answer for one incident (see docs/semantics.md). */
export type Evaluation = Record<string, any> & { id: string; priority: string };
/** One incident's outcome in a batch. */
export type ItemResult =
  | { evaluation: Evaluation }
  | { rejected: { id: string; problems: { field: string; message: string }[] } };
/** One record read from an export: an incident or why it was not read. */
export type ReadRecord = {
  line: number; id: string | null; incident?: IncidentInput; error?: string
};
/** The KPI report. */
export type KpiReport = Record<string, any>;
"#;

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // Plain objects, not `Map`s, and `null` for absent values, so that
    // the page sees the same shapes as the JSON the command writes.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| JsError::new(&format!("answer: {error}")))
}

fn policy_error(error: &PolicyError) -> JsError {
    let lines: Vec<String> = error
        .problems()
        .iter()
        .map(|problem| format!("{}: {}", problem.field, problem.message))
        .collect();
    JsError::new(&lines.join("\n"))
}

fn format_of(name: &str) -> Result<PolicyFormat, JsError> {
    match name {
        "toml" | "" => Ok(PolicyFormat::Toml),
        "json" => Ok(PolicyFormat::Json),
        other => Err(JsError::new(&format!(
            "format: unknown policy format `{other}` (use `toml` or `json`)"
        ))),
    }
}

/// An array of incidents as JSON values, each checked later on its own so
/// that one bad incident does not fail the others.
fn incident_values(
    incidents: JsValue,
) -> Result<Vec<serde_json::Value>, JsError> {
    serde_wasm_bindgen::from_value(incidents)
        .map_err(|error| JsError::new(&format!("incidents: {error}")))
}

fn now_of(text: &str) -> Result<i64, JsError> {
    parse_instant(text).map_err(|error| JsError::new(&format!("now: {error}")))
}

/// The ABI and crate versions.
#[wasm_bindgen(
    unchecked_return_type = "{ abi: number; crateVersion: string }"
)]
pub fn version() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Versions {
        abi: u32,
        crate_version: &'static str,
    }
    to_js(&Versions {
        abi: ABI_VERSION,
        crate_version: env!("CARGO_PKG_VERSION"),
    })
}

/// The embedded default policy, as TOML.
#[wasm_bindgen(js_name = defaultPolicy)]
pub fn default_policy() -> String {
    DEFAULT_POLICY_TOML.to_owned()
}

/// Every problem of a policy text; an empty list when it is valid.
#[wasm_bindgen(js_name = validatePolicy, unchecked_return_type = "Problem[]")]
pub fn validate_policy(text: &str, format: &str) -> Result<JsValue, JsError> {
    let problems: Vec<crate::boundary::BoundaryError> =
        match read_policy(text, format_of(format)?) {
            Ok(_) => Vec::new(),
            Err(error) => error
                .problems()
                .iter()
                .map(|problem| crate::boundary::BoundaryError {
                    path: problem.field.clone(),
                    message: problem.message.clone(),
                })
                .collect(),
        };
    to_js(&problems)
}

/// A checked policy, ready to evaluate incidents.
#[wasm_bindgen]
pub struct Rules {
    policy: Policy,
}

#[wasm_bindgen]
impl Rules {
    /// Reads and checks a policy; throws an `Error` listing every problem,
    /// one per line, each starting with its field path.
    pub fn load(text: &str, format: &str) -> Result<Rules, JsError> {
        let policy = read_policy(text, format_of(format)?)
            .map_err(|error| policy_error(&error))?;
        Ok(Rules { policy })
    }

    /// The policy as written, as a plain object (snake_case keys).
    #[wasm_bindgen(unchecked_return_type = "Record<string, any>")]
    pub fn spec(&self) -> Result<JsValue, JsError> {
        to_js(self.policy.spec())
    }

    /// Evaluates one incident at `now` (RFC 3339); throws an `Error` whose
    /// message names the field at fault when it cannot.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IncidentInput")]
        incident: JsValue,
        now: &str,
    ) -> Result<JsValue, JsError> {
        let now = now_of(now)?;
        let value: serde_json::Value =
            serde_wasm_bindgen::from_value(incident).map_err(|error| {
                JsError::new(&format!("incident: {error}"))
            })?;
        match evaluate_value(&self.policy, value, now).0 {
            ItemResult::Evaluation(evaluation) => to_js(&evaluation),
            ItemResult::Rejected(rejection) => {
                let lines: Vec<String> = rejection
                    .problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.message))
                    .collect();
                Err(JsError::new(&lines.join("\n")))
            }
        }
    }

    /// Evaluates a batch; rejected incidents come back in place.
    #[wasm_bindgen(js_name = evaluateBatch, unchecked_return_type = "ItemResult[]")]
    pub fn evaluate_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IncidentInput[]")]
        incidents: JsValue,
        now: &str,
    ) -> Result<JsValue, JsError> {
        let now = now_of(now)?;
        let values = incident_values(incidents)?;
        let results: Vec<ItemResult> = values
            .into_iter()
            .map(|value| evaluate_value(&self.policy, value, now).0)
            .collect();
        to_js(&results)
    }
}

/// A KPI accumulation in the page.
#[wasm_bindgen]
pub struct KpiSession {
    accumulator: KpiAccumulator,
}

#[wasm_bindgen]
impl KpiSession {
    /// Starts an accumulation broken down by the named groupings
    /// (`month`, `priority`, `category`, `service`, `group`, `sla`).
    #[wasm_bindgen(constructor)]
    pub fn new(group_by: Vec<String>) -> Result<KpiSession, JsError> {
        let mut groups = Vec::new();
        for (index, name) in group_by.iter().enumerate() {
            let group = GroupBy::from_name(name).ok_or_else(|| {
                JsError::new(&format!(
                    "groupBy[{index}]: unknown grouping `{name}`"
                ))
            })?;
            groups.push(group);
        }
        Ok(KpiSession { accumulator: KpiAccumulator::new(&groups) })
    }

    /// Evaluates a batch and counts the incidents that evaluate; answers
    /// one result per incident, rejected ones in place.
    #[wasm_bindgen(unchecked_return_type = "ItemResult[]")]
    pub fn add(
        &mut self,
        rules: &Rules,
        #[wasm_bindgen(unchecked_param_type = "IncidentInput[]")]
        incidents: JsValue,
        now: &str,
    ) -> Result<JsValue, JsError> {
        let now = now_of(now)?;
        let values = incident_values(incidents)?;
        let mut results = Vec::with_capacity(values.len());
        for value in values {
            let (result, record) = evaluate_value(&rules.policy, value, now);
            if let Some(record) = record {
                self.accumulator.add(&record);
            }
            results.push(result);
        }
        to_js(&results)
    }

    /// How many incidents were counted.
    pub fn incidents(&self) -> f64 {
        self.accumulator.incidents() as f64
    }

    /// The report against the policy's targets.
    #[wasm_bindgen(unchecked_return_type = "KpiReport")]
    pub fn report(&self, rules: &Rules) -> Result<JsValue, JsError> {
        to_js(&self.accumulator.report(&rules.policy))
    }
}

/// One record read from an export.
#[derive(Serialize)]
struct ReadRecord {
    line: u64,
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    incident: Option<incident_rules_core::incident::IncidentInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Reads an export into incidents in the product's schema, with the same
/// readers the command uses.
///
/// `format` is `jsonl`, `csv`, `servicenow` or `bpi2014`; `sourceTz` is
/// the zone of timestamps written without an offset (UTC when absent).
/// Answers one entry per record, `{ line, id, incident }` or `{ line, id,
/// error }`; throws an `Error` when the input as a whole cannot be read
/// (an unknown format, a header without the columns the format needs).
#[wasm_bindgen(
    js_name = readIncidents,
    unchecked_return_type = "ReadRecord[]"
)]
pub fn read_incidents(
    format: &str,
    text: &str,
    source_tz: Option<String>,
) -> Result<JsValue, JsError> {
    use incident_rules_core::sources::{SourceFormat, SourceOptions, read};

    let format: SourceFormat = format
        .parse()
        .map_err(|error| JsError::new(&format!("format: {error}")))?;
    let zone = match source_tz.as_deref() {
        None | Some("") => chrono_tz::UTC,
        Some(name) => name.parse().map_err(|_| {
            JsError::new(&format!("sourceTz: unknown time zone `{name}`"))
        })?,
    };
    let options = SourceOptions { zone, activity: None };
    let records = read(format, text.as_bytes(), options)
        .map_err(|error| JsError::new(&error.to_string()))?;
    let mut out = Vec::new();
    for record in records {
        let record =
            record.map_err(|error| JsError::new(&error.to_string()))?;
        let (incident, error) = match record.result {
            Ok(incident) => (Some(incident), None),
            Err(reason) => (None, Some(reason)),
        };
        out.push(ReadRecord {
            line: record.line,
            id: record.id,
            incident,
            error,
        });
    }
    to_js(&out)
}
