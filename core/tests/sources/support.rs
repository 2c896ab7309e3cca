//! Helpers for the source tests: where the real data and the example
//! policies live, and reading them. A missing file fails the test with
//! its path, never skips it.

use std::fs::File;
use std::io::{BufRead, BufReader};

use incident_rules_core::policy::Policy;

/// The folder of the real datasets, a sibling of the repository.
pub const DATA: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/real");

/// The UCI ServiceNow audit log.
pub const UCI_LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/real/uci-incident-management-event-log/\
     incident_event_log.csv.gz"
);

/// The Rabobank incident records.
pub const BPI_INCIDENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/real/bpic2014-rabobank-incidents-sample/\
     bpic2014_incidents_sample.csv"
);

/// The Rabobank activity log.
pub const BPI_ACTIVITY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/real/bpic2014-rabobank-incidents-sample/\
     bpic2014_incident_activity_sample.csv"
);

/// Opens a data file, decompressing `.gz`.
pub fn open(path: &str) -> Result<Box<dyn BufRead + Send>, String> {
    let file = File::open(path).map_err(|error| {
        format!(
            "cannot open `{path}`: {error} (the real datasets are expected \
             in `{DATA}`, beside the repository)"
        )
    })?;
    if path.ends_with(".gz") {
        let decoder = flate2::read::GzDecoder::new(file);
        Ok(Box::new(BufReader::with_capacity(1 << 16, decoder)))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// Reads one of `examples/policies`.
pub fn example_policy(name: &str) -> Result<Policy, String> {
    let path = format!(
        "{}/../examples/policies/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read `{path}`: {error}"))?;
    Policy::from_toml(&text).map_err(|error| format!("`{path}`: {error}"))
}
