//! The `incident-rules` command's library: everything but `main`.
//!
//! The binary in `main.rs` parses arguments and maps outcomes to exit
//! codes; the logic lives here so that integration tests can drive it.
//! [`sandbox`] loads the plain rules module (embedded at build time, or a
//! file given with `--module`) into wasmtime and calls it under fuel,
//! wall-clock and memory limits.
//!
//! # Example
//!
//! ```
//! use incident_rules_host::sandbox::{Limits, RulesModule};
//!
//! let rules = RulesModule::builtin(Limits::default())?;
//! let mut worker = rules.worker();
//! let answer = worker.call(br#"{"op":"version"}"#, "example")?;
//! assert!(answer.starts_with(b"{"));
//! # Ok::<(), incident_rules_host::sandbox::SandboxError>(())
//! ```

#![deny(missing_docs)]

pub mod cli;
pub mod engine;
pub mod pipeline;
pub mod report;
pub mod sandbox;
