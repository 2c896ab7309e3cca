//! The rules of incident-rules: priority matrix, business-hours SLA clocks,
//! major-incident detection and KPI aggregation, as pure functions.
//!
//! Nothing here reads a file or a clock: a policy and incidents come in as
//! text or values, the evaluation instant `now` is an argument, and the
//! same call gives the same answer natively, in wasmtime and in a browser.
//! The crate builds for `wasm32-unknown-unknown` with no imports.
//!
//! - [`policy`]: reading and checking a policy (TOML or JSON), and the
//!   built-in default policy;
//! - [`calendar`]: business-hours calendars and the arithmetic on them;
//! - [`time`]: instants and durations as text;
//! - [`incident`]: the incident schema and its checking;
//! - [`evaluate`]: priority, SLA targets, update cadence and major-incident
//!   status of one incident;
//! - [`kpi`]: mergeable KPI accumulation and the report against targets;
//! - [`sources`]: readers of the product's own files and of other desks'
//!   exports, over any `BufRead`.
//!
//! The rules a user can trip on are written down, with worked examples, in
//! `docs/semantics.md`; every policy field in `docs/policy.md`.
//!
//! # Example
//!
//! ```
//! use incident_rules_core::evaluate::{TargetState, evaluate};
//! use incident_rules_core::incident::{Incident, IncidentInput};
//! use incident_rules_core::policy::Policy;
//! use incident_rules_core::time::parse_instant;
//!
//! let policy = Policy::default_policy()?;
//! let input: IncidentInput = serde_json::from_str(
//!     r#"{"id": "INC-1", "created_at": "2026-03-03T10:00:00+09:00",
//!         "impact": "organization", "urgency": "high",
//!         "affected_users": 1200}"#,
//! )?;
//! let incident = Incident::from_input(&input, &policy)?;
//! let now = parse_instant("2026-03-03T10:20:00+09:00")?;
//! let answer = evaluate(&policy, &incident, now)?;
//!
//! assert_eq!(answer.priority, "P1");
//! let respond = answer.targets.respond.as_ref().ok_or("no respond target")?;
//! assert_eq!(respond.due, "2026-03-03T10:15:00+09:00");
//! assert_eq!(respond.state, TargetState::Breached);
//! assert!(answer.major.is_major);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The crate has no cargo features.

#![deny(missing_docs)]

pub mod calendar;
pub mod evaluate;
pub mod incident;
pub mod kpi;
pub mod policy;
pub mod sources;
pub mod time;
