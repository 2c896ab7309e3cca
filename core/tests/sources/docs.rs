//! The examples of `docs/input.md`: the JSON line and the CSV row read as
//! the same incident, which passes the checking of the default policy.

use incident_rules_core::incident::{Incident, IncidentInput};
use incident_rules_core::policy::Policy;
use incident_rules_core::sources::{SourceFormat, SourceOptions, read};

const INPUT_MD: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/input.md"));

/// The body of the first fenced block of `language`.
fn block(language: &str) -> Result<&'static str, String> {
    let fence = format!("```{language}\n");
    let start = INPUT_MD
        .find(&fence)
        .map(|at| at + fence.len())
        .ok_or(format!("no `{language}` block in docs/input.md"))?;
    let rest = INPUT_MD.get(start..).unwrap_or_default();
    let end = rest.find("```").ok_or("an unclosed block")?;
    Ok(rest.get(..end).unwrap_or_default())
}

fn only_incident(
    format: SourceFormat,
    text: &str,
) -> Result<IncidentInput, String> {
    let records = read(format, text.as_bytes(), SourceOptions::default())
        .map_err(|error| error.to_string())?;
    let mut inputs = Vec::new();
    for record in records {
        let record = record.map_err(|error| error.to_string())?;
        inputs.push(record.result?);
    }
    match <[IncidentInput; 1]>::try_from(inputs) {
        Ok([input]) => Ok(input),
        Err(inputs) => Err(format!("{} incidents, not one", inputs.len())),
    }
}

#[test]
fn input_md_examples_are_the_same_incident() -> Result<(), String> {
    let json = only_incident(SourceFormat::Jsonl, block("json")?)?;
    let csv = only_incident(SourceFormat::Csv, block("csv")?)?;
    assert_eq!(json, csv);
    let policy = Policy::default_policy().map_err(|e| e.to_string())?;
    let incident =
        Incident::from_input(&json, &policy).map_err(|e| e.to_string())?;
    assert_eq!(incident.priority_changes.len(), 1);
    assert_eq!(incident.status_history.len(), 3);
    Ok(())
}
