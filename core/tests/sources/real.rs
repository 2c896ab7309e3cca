//! The real exports read in full: every record comes out, every incident
//! passes the checking, and the priority the policy's matrix computes is
//! the one the source recorded, for every incident.

use std::sync::OnceLock;

use incident_rules_core::evaluate::evaluate;
use incident_rules_core::incident::Incident;
use incident_rules_core::kpi::KpiRecord;
use incident_rules_core::policy::Policy;
use incident_rules_core::sources::{
    SourceFormat, SourceOptions, load_bpi2014_activity, read,
};
use incident_rules_core::time::parse_instant;

use super::support::{
    BPI_ACTIVITY, BPI_INCIDENTS, UCI_LOG, example_policy, open,
};

/// After every instant of both datasets, so every incident is judged on
/// what it did rather than on what it might still do.
const NOW: &str = "2018-01-01T00:00:00Z";

/// One pass over a whole export: counts, the incidents whose computed
/// priority differs from the recorded one, and the KPI record of each.
pub struct Run {
    pub records: u64,
    pub ok: u64,
    pub problems: Vec<String>,
    pub mismatches: Vec<String>,
    pub kpi_records: Vec<KpiRecord>,
}

fn run(
    policy: &Policy,
    format: SourceFormat,
    path: &str,
    options: SourceOptions,
) -> Result<Run, String> {
    let now = parse_instant(NOW).map_err(|error| error.to_string())?;
    let records = read(format, open(path)?, options)
        .map_err(|error| format!("`{path}`: {error}"))?;
    let mut run = Run {
        records: 0,
        ok: 0,
        problems: Vec::new(),
        mismatches: Vec::new(),
        kpi_records: Vec::new(),
    };
    for record in records {
        let record = record.map_err(|error| format!("`{path}`: {error}"))?;
        run.records += 1;
        let checked = record.result.and_then(|input| {
            Incident::from_input(&input, policy).map_err(|e| e.to_string())
        });
        let evaluated = checked.and_then(|incident| {
            evaluate(policy, &incident, now)
                .map(|evaluation| (incident, evaluation))
                .map_err(|error| error.to_string())
        });
        let (incident, evaluation) = match evaluated {
            Ok(pair) => pair,
            Err(reason) => {
                run.problems.push(format!("line {}: {reason}", record.line));
                continue;
            }
        };
        run.ok += 1;
        if evaluation.priority_reported.as_deref()
            != Some(evaluation.priority.as_str())
        {
            run.mismatches.push(format!(
                "`{}`: computed `{}`, recorded `{:?}`",
                evaluation.id,
                evaluation.priority,
                evaluation.priority_reported
            ));
        }
        run.kpi_records.push(KpiRecord::new(policy, &incident, &evaluation));
    }
    Ok(run)
}

/// The ServiceNow policy and the whole UCI log read through it once,
/// shared by the tests that need it (reading it takes a few seconds).
pub fn uci() -> Result<&'static (Policy, Run), String> {
    static UCI: OnceLock<Result<(Policy, Run), String>> = OnceLock::new();
    UCI.get_or_init(|| {
        let policy = example_policy("servicenow")?;
        let options = SourceOptions {
            zone: chrono_tz::America::Sao_Paulo,
            ..SourceOptions::default()
        };
        let run = run(&policy, SourceFormat::ServiceNow, UCI_LOG, options)?;
        Ok((policy, run))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Shows the first few of a list of failures.
fn first(list: &[String]) -> String {
    list.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
}

#[test]
fn uci_servicenow_log_priorities_match_the_recorded_ones() -> Result<(), String>
{
    let (_, run) = uci()?;
    assert_eq!(run.records, 24_918);
    assert!(run.problems.is_empty(), "rejected:\n{}", first(&run.problems));
    assert_eq!(run.ok, 24_918);
    assert!(
        run.mismatches.is_empty(),
        "{} incidents differ, e.g.\n{}",
        run.mismatches.len(),
        first(&run.mismatches)
    );
    Ok(())
}

#[test]
fn bpi2014_rabobank_priorities_match_the_recorded_ones() -> Result<(), String>
{
    let policy = example_policy("bpi2014")?;
    let activity = load_bpi2014_activity(open(BPI_ACTIVITY)?)
        .map_err(|error| format!("`{BPI_ACTIVITY}`: {error}"))?;
    assert_eq!((activity.rows(), activity.incidents()), (39_911, 4_000));
    let options = SourceOptions {
        zone: chrono_tz::Europe::Amsterdam,
        activity: Some(activity),
    };
    let run = run(&policy, SourceFormat::Bpi2014, BPI_INCIDENTS, options)?;
    assert_eq!(run.records, 4_000);
    assert!(run.problems.is_empty(), "rejected:\n{}", first(&run.problems));
    assert_eq!(run.ok, 4_000);
    assert!(
        run.mismatches.is_empty(),
        "{} incidents differ, e.g.\n{}",
        run.mismatches.len(),
        first(&run.mismatches)
    );
    Ok(())
}

#[test]
fn bpi2014_rabobank_reads_without_its_activity_log() -> Result<(), String> {
    let policy = example_policy("bpi2014")?;
    let options =
        SourceOptions { zone: chrono_tz::Europe::Amsterdam, activity: None };
    let run = run(&policy, SourceFormat::Bpi2014, BPI_INCIDENTS, options)?;
    assert_eq!((run.records, run.ok), (4_000, 4_000));
    assert!(run.mismatches.is_empty(), "{}", first(&run.mismatches));
    Ok(())
}

/// The cut shipped in `examples/data`, which the README's first commands
/// read.
const EXAMPLES: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");

#[test]
fn example_samples_read_whole_and_match_their_priorities() -> Result<(), String>
{
    let servicenow = example_policy("servicenow")?;
    let options = SourceOptions {
        zone: chrono_tz::America::Sao_Paulo,
        ..SourceOptions::default()
    };
    let path = format!("{EXAMPLES}/servicenow-sample.csv.gz");
    let sample = run(&servicenow, SourceFormat::ServiceNow, &path, options)?;
    assert_eq!(
        (sample.records, sample.ok),
        (1_000, 1_000),
        "{:?}",
        sample.problems
    );
    assert!(sample.mismatches.is_empty(), "{}", first(&sample.mismatches));

    let bpi2014 = example_policy("bpi2014")?;
    let path = format!("{EXAMPLES}/bpi2014-activity-sample.csv.gz");
    let activity = load_bpi2014_activity(open(&path)?)
        .map_err(|error| format!("`{path}`: {error}"))?;
    assert_eq!((activity.rows(), activity.incidents()), (3_344, 200));
    let options = SourceOptions {
        zone: chrono_tz::Europe::Amsterdam,
        activity: Some(activity),
    };
    let path = format!("{EXAMPLES}/bpi2014-incidents-sample.csv.gz");
    let sample = run(&bpi2014, SourceFormat::Bpi2014, &path, options)?;
    assert_eq!(
        (sample.records, sample.ok),
        (200, 200),
        "{:?}",
        sample.problems
    );
    assert!(sample.mismatches.is_empty(), "{}", first(&sample.mismatches));
    Ok(())
}
