//! The `incident-rules` command: parse the arguments, run, map the outcome
//! to an exit code (0 success, 1 found what `--fail-on-breach` or
//! `--strict` asked to fail on, 2 error).

use std::process::ExitCode;

use clap::Parser;
use incident_rules_host::cli::{self, Cli, RunOutcome};

fn main() -> ExitCode {
    match cli::run(Cli::parse()) {
        Ok(RunOutcome::Success) => ExitCode::SUCCESS,
        Ok(RunOutcome::Found(what)) => {
            cli::say(format_args!("incident-rules: {what}"));
            ExitCode::from(1)
        }
        Err(error) if cli::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            cli::say(format_args!("incident-rules: {error}"));
            ExitCode::from(2)
        }
    }
}
