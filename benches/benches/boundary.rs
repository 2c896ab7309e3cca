//! Benchmarks of one `evaluate` call of 256 real incidents (the first of
//! the ServiceNow sample in `examples/data/`, under its own policy):
//!
//! - `boundary/evaluate/module`: through the wasm module in wasmtime, as
//!   the command runs it;
//! - `boundary/evaluate/native`: the same request bytes through the same
//!   boundary compiled natively, for the module's overhead as a ratio;
//! - `boundary/json-request/native` and `boundary/json-answer/native`:
//!   reading the request and writing the answer alone, with no rules run,
//!   for the share of a call the JSON wire encoding costs (docs/abi.md
//!   weighs it).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup: a failure should stop the run loudly"
)]

use std::hint::black_box;
use std::io::Read;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use flate2::read::GzDecoder;
use incident_rules_core::incident::IncidentInput;
use incident_rules_core::sources::{SourceFormat, SourceOptions, read};
use incident_rules_host::sandbox::{Limits, RulesModule};
use incident_rules_wasm::boundary::{Request, Session};

const BATCH: usize = 256;

fn workspace(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The first `BATCH` incidents of the sample as `IncidentInput`s.
fn sample() -> Vec<IncidentInput> {
    let file = std::fs::File::open(workspace(
        "examples/data/servicenow-sample.csv.gz",
    ))
    .expect("the ServiceNow sample is in examples/data");
    let mut text = Vec::new();
    GzDecoder::new(file).read_to_end(&mut text).unwrap();
    let options = SourceOptions {
        zone: "America/Sao_Paulo".parse().unwrap(),
        activity: None,
    };
    read(SourceFormat::ServiceNow, text.as_slice(), options)
        .unwrap()
        .filter_map(|record| record.unwrap().result.ok())
        .take(BATCH)
        .collect()
}

fn requests() -> (Vec<u8>, Vec<u8>) {
    let policy = std::fs::read_to_string(workspace(
        "examples/policies/servicenow.toml",
    ))
    .unwrap();
    let load = serde_json::json!({"op": "load_policy", "policy": policy});
    let evaluate = serde_json::json!({
        "op": "evaluate", "policy": 0, "now": "2017-03-01T00:00:00Z",
        "incidents": sample(),
    });
    (load.to_string().into_bytes(), evaluate.to_string().into_bytes())
}

/// Checks an answer inside the timed loop, so a fast wrong answer fails.
fn check(answer: &[u8]) {
    assert!(answer.starts_with(br#"{"ok":{"results":[{"evaluation""#));
}

fn boundary(c: &mut Criterion) {
    let (load, evaluate) = requests();
    let mut group = c.benchmark_group("boundary");

    let module = RulesModule::builtin(Limits::default()).unwrap();
    let mut worker = module.worker();
    check_loaded(&worker.call(&load, "bench").unwrap());
    let module_answer = worker.call(&evaluate, "bench").unwrap();
    check(&module_answer);
    group.bench_function("evaluate/module", |b| {
        b.iter(|| {
            let answer = worker.call(black_box(&evaluate), "bench").unwrap();
            check(&answer);
        });
    });

    let mut session = Session::default();
    check_loaded(&session.handle_json(&load));
    // One compiled rule set, one answer: the module and the native build
    // agree byte for byte before either is timed.
    assert_eq!(session.handle_json(&evaluate), module_answer);
    group.bench_function("evaluate/native", |b| {
        b.iter(|| {
            let answer = session.handle_json(black_box(&evaluate));
            check(&answer);
        });
    });

    let answer: serde_json::Value =
        serde_json::from_slice(&module_answer).unwrap();
    group.bench_function("json-request/native", |b| {
        b.iter(|| {
            let request: Request =
                serde_json::from_slice(black_box(&evaluate)).unwrap();
            assert!(matches!(request, Request::Evaluate { .. }));
        });
    });
    group.bench_function("json-answer/native", |b| {
        b.iter(|| {
            let bytes = serde_json::to_vec(black_box(&answer)).unwrap();
            assert_eq!(bytes.len(), module_answer.len());
        });
    });
    group.finish();
}

fn check_loaded(answer: &[u8]) {
    assert_eq!(answer, br#"{"ok":{"handle":0}}"#);
}

criterion_group!(benches, boundary);
criterion_main!(benches);
