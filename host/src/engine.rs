//! Talking to the rules: typed calls over the boundary's JSON, through the
//! wasm module or, for comparison, the same boundary compiled natively.
//!
//! Both engines take the very same request bytes and give back the very
//! same answer bytes, so everything above this file is shared and a
//! difference between them can only come from the module itself. The
//! native engine exists for benchmarks and for the test that demands
//! byte-identical answers; the command runs the module unless told
//! otherwise.

use incident_rules_core::incident::IncidentInput;
use incident_rules_core::kpi::{KpiAccumulator, KpiReport};
use incident_rules_wasm::boundary::{
    BoundaryError, ItemResult, PolicyFormat, Session,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sandbox::{RulesModule, SandboxError, Worker};

/// Why a call into the rules failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The module trapped, ran out of fuel, time or memory, or broke the
    /// ABI.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The rules refused the request.
    #[error("{what}: {}", list(.errors))]
    Refused {
        /// What was asked, e.g. `loading the policy`.
        what: String,
        /// The problems the rules listed.
        errors: Vec<BoundaryError>,
    },
    /// The answer is not what the boundary promises.
    #[error(
        "{what}: the rules module gave an answer that cannot be read: \
             {reason}"
    )]
    Garbled {
        /// What was asked.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn list(errors: &[BoundaryError]) -> String {
    errors
        .iter()
        .map(|error| {
            if error.path.is_empty() {
                error.message.clone()
            } else {
                format!("{}: {}", error.path, error.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Which implementation answers.
#[expect(
    clippy::large_enum_variant,
    reason = "one per worker thread; boxing would buy nothing"
)]
pub enum Backend {
    /// The wasm module in wasmtime.
    Module(Worker),
    /// The boundary compiled into the host.
    Native(Session),
}

impl Backend {
    fn call(
        &mut self,
        request: &[u8],
        batch: &str,
    ) -> Result<Vec<u8>, SandboxError> {
        match self {
            Backend::Module(worker) => worker.call(request, batch),
            Backend::Native(session) => Ok(session.handle_json(request)),
        }
    }
}

/// Where new backends come from: one per worker thread.
#[derive(Clone)]
pub enum EngineKind {
    /// Instances of this module.
    Module(RulesModule),
    /// The native boundary.
    Native,
}

impl EngineKind {
    /// A fresh backend for one thread.
    pub fn backend(&self) -> Backend {
        match self {
            EngineKind::Module(module) => Backend::Module(module.worker()),
            EngineKind::Native => Backend::Native(Session::default()),
        }
    }

    /// The engine's name for messages.
    pub fn name(&self) -> String {
        match self {
            EngineKind::Module(module) => {
                format!("module `{}`", module.name())
            }
            EngineKind::Native => "the native core".to_owned(),
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Reply<T> {
    Ok { ok: T },
    Errors { errors: Vec<BoundaryError> },
}

#[derive(serde::Deserialize)]
struct Handle {
    handle: u32,
}

#[derive(serde::Deserialize)]
struct Results {
    results: Vec<ItemResult>,
}

#[derive(serde::Deserialize)]
struct State {
    state: KpiAccumulator,
}

#[derive(serde::Deserialize)]
struct Report {
    report: KpiReport,
}

#[derive(Serialize)]
struct EvaluateRequest<'a> {
    op: &'static str,
    policy: u32,
    now: &'a str,
    incidents: &'a [&'a IncidentInput],
    #[serde(skip_serializing_if = "Option::is_none")]
    kpi: Option<u32>,
}

/// A backend with a policy loaded.
pub struct Rules {
    backend: Backend,
    policy: u32,
}

impl Rules {
    fn ask<T: DeserializeOwned>(
        backend: &mut Backend,
        request: &[u8],
        what: &str,
    ) -> Result<T, EngineError> {
        let answer = backend.call(request, what)?;
        match serde_json::from_slice::<Reply<T>>(&answer) {
            Ok(Reply::Ok { ok }) => Ok(ok),
            Ok(Reply::Errors { errors }) => {
                Err(EngineError::Refused { what: what.to_owned(), errors })
            }
            Err(error) => Err(EngineError::Garbled {
                what: what.to_owned(),
                reason: error.to_string(),
            }),
        }
    }

    /// Loads a policy into a backend.
    ///
    /// # Errors
    ///
    /// The policy's problems, or a failure of the module.
    pub fn load(
        mut backend: Backend,
        policy: &str,
        format: PolicyFormat,
    ) -> Result<Rules, EngineError> {
        let request = serde_json::json!({
            "op": "load_policy", "policy": policy, "format": format,
        });
        let handle: Handle = Self::ask(
            &mut backend,
            request.to_string().as_bytes(),
            "loading the policy",
        )?;
        Ok(Rules { backend, policy: handle.handle })
    }

    /// Starts a KPI accumulation in this backend.
    ///
    /// # Errors
    ///
    /// Unknown groupings, or a failure of the module.
    pub fn kpi_start(
        &mut self,
        group_by: &[String],
    ) -> Result<u32, EngineError> {
        let request =
            serde_json::json!({"op": "kpi_start", "group_by": group_by});
        let handle: Handle = Self::ask(
            &mut self.backend,
            request.to_string().as_bytes(),
            "starting the KPIs",
        )?;
        Ok(handle.handle)
    }

    /// Evaluates a batch at `now`, feeding the KPI accumulation `kpi`.
    ///
    /// # Errors
    ///
    /// A failure of the module, or a refusal of the whole batch (never of
    /// one incident: those come back as `rejected`).
    pub fn evaluate(
        &mut self,
        incidents: &[&IncidentInput],
        now: &str,
        kpi: Option<u32>,
        batch: &str,
    ) -> Result<Vec<ItemResult>, EngineError> {
        let request = EvaluateRequest {
            op: "evaluate",
            policy: self.policy,
            now,
            incidents,
            kpi,
        };
        let bytes = serde_json::to_vec(&request).map_err(|error| {
            EngineError::Garbled {
                what: batch.to_owned(),
                reason: error.to_string(),
            }
        })?;
        let results: Results = Self::ask(&mut self.backend, &bytes, batch)?;
        if results.results.len() != incidents.len() {
            return Err(EngineError::Garbled {
                what: batch.to_owned(),
                reason: format!(
                    "{} results for {} incidents",
                    results.results.len(),
                    incidents.len()
                ),
            });
        }
        Ok(results.results)
    }

    /// The state of a KPI accumulation.
    ///
    /// # Errors
    ///
    /// A failure of the module.
    pub fn kpi_state(
        &mut self,
        kpi: u32,
    ) -> Result<KpiAccumulator, EngineError> {
        let request = serde_json::json!({"op": "kpi_state", "kpi": kpi});
        let state: State = Self::ask(
            &mut self.backend,
            request.to_string().as_bytes(),
            "collecting the KPIs",
        )?;
        Ok(state.state)
    }

    /// Adds a state from another accumulation.
    ///
    /// # Errors
    ///
    /// A failure of the module.
    pub fn kpi_merge(
        &mut self,
        kpi: u32,
        state: &KpiAccumulator,
    ) -> Result<(), EngineError> {
        let request =
            serde_json::json!({"op": "kpi_merge", "kpi": kpi, "state": state});
        let _: serde_json::Value = Self::ask(
            &mut self.backend,
            request.to_string().as_bytes(),
            "merging the KPIs",
        )?;
        Ok(())
    }

    /// Forgets an accumulation.
    ///
    /// # Errors
    ///
    /// A failure of the module.
    pub fn kpi_drop(&mut self, kpi: u32) -> Result<(), EngineError> {
        let request = serde_json::json!({"op": "kpi_drop", "kpi": kpi});
        let _: serde_json::Value = Self::ask(
            &mut self.backend,
            request.to_string().as_bytes(),
            "dropping the KPIs",
        )?;
        Ok(())
    }

    /// The KPI report of an accumulation.
    ///
    /// # Errors
    ///
    /// A failure of the module.
    pub fn kpi_report(&mut self, kpi: u32) -> Result<KpiReport, EngineError> {
        let request = serde_json::json!({
            "op": "kpi_report", "kpi": kpi, "policy": self.policy,
        });
        let report: Report = Self::ask(
            &mut self.backend,
            request.to_string().as_bytes(),
            "reporting the KPIs",
        )?;
        Ok(report.report)
    }
}
