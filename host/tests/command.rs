//! The `incident-rules` command end to end: the same answers natively and
//! through the module, rejected-row accounting, exit codes, policy
//! checking, and the real ServiceNow log through the module.

use std::path::{Path, PathBuf};
use std::process::Command;

use incident_rules_core::policy::DEFAULT_POLICY_TOML;
use incident_rules_core::sources::{SourceFormat, SourceOptions};
use incident_rules_host::engine::EngineKind;
use incident_rules_host::pipeline::{self, Job, Outcome};
use incident_rules_host::sandbox::{Limits, RulesModule};
use incident_rules_wasm::boundary::PolicyFormat;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn shared(path: &str) -> PathBuf {
    let full = repo("../shared").join(path);
    assert!(full.exists(), "the shared data is missing: {}", full.display());
    full
}

/// Evaluates a file and returns each evaluation as its JSON line.
fn evaluate_lines(
    engine: EngineKind,
    input: PathBuf,
    workers: usize,
) -> Vec<String> {
    let job = Job {
        engine,
        policy: (DEFAULT_POLICY_TOML.to_owned(), PolicyFormat::Toml),
        now: "2026-03-03T15:00:00+09:00".to_owned(),
        inputs: vec![input],
        format: SourceFormat::Jsonl,
        options: SourceOptions::default(),
        workers,
        batch_size: 2,
        kpi_group_by: None,
    };
    let mut lines = Vec::new();
    let mut sink = |outcome: &Outcome| {
        match outcome {
            Outcome::Evaluated { evaluation } => {
                lines.push(serde_json::to_string(evaluation).unwrap());
            }
            Outcome::Rejected { reasons, .. } => {
                panic!("rejected: {reasons:?}")
            }
        }
        Ok(())
    };
    let (counts, _) = pipeline::run(&job, &mut sink).unwrap();
    assert_eq!(counts.read, counts.evaluated);
    lines
}

#[test]
fn golden_incidents_are_byte_identical_natively_and_in_the_module() {
    let module = RulesModule::builtin(Limits::default()).unwrap();
    let through_module =
        evaluate_lines(EngineKind::Module(module), data("golden.jsonl"), 2);
    let native = evaluate_lines(EngineKind::Native, data("golden.jsonl"), 1);
    assert_eq!(through_module.len(), 9);
    assert_eq!(through_module, native);

    // Spot checks against values worked out by hand in
    // docs/semantics.md (rules 6 to 14), in input order.
    let answers: Vec<serde_json::Value> = through_module
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let field = |index: usize, pointer: &str| {
        answers[index].pointer(pointer).cloned().unwrap()
    };
    assert_eq!(field(0, "/targets/respond/due"), "2026-03-03T10:15:00+09:00");
    assert_eq!(field(1, "/targets/respond/state"), "met");
    assert_eq!(field(2, "/targets/respond/state"), "breached");
    assert_eq!(field(3, "/targets/respond/due"), "2026-02-19T11:00:00+09:00");
    assert_eq!(field(4, "/targets/resolve/due"), "2026-03-04T13:00:00+09:00");
    assert_eq!(
        field(5, "/targets/respond/breached_at"),
        "2026-03-03T10:30:00+09:00"
    );
    assert_eq!(field(6, "/targets/resolve/elapsed_seconds"), 9000);
    assert_eq!(field(7, "/priority_mismatch/supported"), "P3");
    // A data breach is major whatever its priority; 12,000,000 KRW an hour
    // is over the 10,000,000 threshold too.
    let reasons: Vec<String> = answers[8]["major"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reason| reason["criterion"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(reasons, ["revenue_loss_per_hour", "data_breach"]);
}

fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_incident-rules"))
}

#[test]
fn rejected_rows_are_reported_with_line_and_counted() {
    let dir = std::env::temp_dir()
        .join(format!("ir-rejects-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Lines 2 to 6 are each wrong in one way; lines 1 and 7 are fine.
    let input = data("mixed.jsonl");
    let rejects = dir.join("rejects.jsonl");
    let output = command()
        .args(["evaluate", "--now", "2026-03-03T12:00:00+09:00", "--rejects"])
        .arg(&rejects)
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 2);
    assert!(
        stderr.contains(
            "read 7 records from 1 input(s): 2 evaluated, 5 rejected"
        ),
        "{stderr}"
    );
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let lines: Vec<u64> =
        records.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    let first_reason = |index: usize| {
        records[index]["reasons"][0].as_str().unwrap().to_owned()
    };
    assert!(
        first_reason(0).starts_with("created_at: "),
        "{}",
        first_reason(0)
    );
    assert!(
        first_reason(1).starts_with("resolved_at: "),
        "{}",
        first_reason(1)
    );
    assert_eq!(first_reason(2), "impact: unknown impact `galactic`");
    assert_eq!(first_reason(3), "affected_users: `-3` is negative");

    // --strict turns rejected rows into exit code 1.
    let strict = command()
        .args(["evaluate", "--strict", "--now", "2026-03-03T12:00:00+09:00"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn a_bad_policy_is_refused_with_every_problem() {
    let dir =
        std::env::temp_dir().join(format!("ir-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.toml");
    let text = DEFAULT_POLICY_TOML
        .replace(
            "resolve = { within = \"9h\", calendar = \"seoul_business\" }",
            "resolve = { within = \"9h\", calendar = \"biz\" }",
        )
        .replace("briefing_every = \"15m\"", "briefing_every = \"soon\"");
    std::fs::write(&broken, text).unwrap();
    let output = command().arg("check-policy").arg(&broken).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("has 2 problem(s)"), "{stderr}");
    assert!(
        stderr.contains(
            "sla[0].targets.P2.resolve.calendar: sla `standard`: target \
             `resolve` for `P2`: unknown calendar `biz`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("major.briefing_every: major: briefing interval: "),
        "{stderr}"
    );

    let valid = command().arg("default-policy").output().unwrap();
    assert_eq!(valid.stdout, DEFAULT_POLICY_TOML.as_bytes());
}

/// The whole UCI ServiceNow log through the module: every incident comes
/// out, and the priority computed through the source's own matrix equals
/// the priority it recorded.
#[test]
fn servicenow_log_through_the_module_keeps_every_priority() {
    let output = command()
        .args(["evaluate", "--input-format", "servicenow", "--output-format"])
        .args(["csv", "--now", "2017-03-01T00:00:00Z", "--policy"])
        .arg(repo("examples/policies/servicenow.toml"))
        .arg(shared("data/real/uci-incident-management-event-log/incident_event_log.csv.gz"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "read 24918 records from 1 input(s): 24918 evaluated, 0 rejected"
        ),
        "{stderr}"
    );
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (priority, reported) =
        (column("priority"), column("priority_reported"));
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.get(priority), record.get(reported), "{record:?}");
        rows += 1;
    }
    assert_eq!(rows, 24_918);
}

/// One incident the module cannot take (here: bigger than the memory cap)
/// is rejected with the module's error; the others in its batch are
/// still evaluated, and counts in equal counts out.
#[test]
fn an_incident_the_module_cannot_take_is_rejected_alone() {
    let dir =
        std::env::temp_dir().join(format!("ir-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("huge.jsonl");
    let row = |id: &str| {
        format!(
            "{{\"id\": \"{id}\", \"created_at\": \"2026-03-03T10:00:00+09:00\", \
             \"impact\": \"individual\"}}\n"
        )
    };
    let text = row("ok-1") + &row(&"Z".repeat(12 << 20)) + &row("ok-2");
    std::fs::write(&input, text).unwrap();
    let output = command()
        .args([
            "evaluate",
            "--memory-mib",
            "16",
            "--now",
            "2026-03-03T12:00:00+09:00",
        ])
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "read 3 records from 1 input(s): 2 evaluated, 1 rejected"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(":2: incident `ZZZZ"), "{stderr}");
    assert!(
        stderr.contains("needed more memory than the limit (16777216 bytes)"),
        "{stderr}"
    );
    let ids: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["id"]
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["\"ok-1\"", "\"ok-2\""]);
}

/// Regression: output closed early (`| head -1`) on an input of many
/// batches used to leave the reader waiting forever. It must end, quietly.
#[test]
fn a_closed_output_ends_the_run_quietly() {
    let dir =
        std::env::temp_dir().join(format!("ir-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("many.jsonl");
    let text: String = (0..5000)
        .map(|i| {
            format!(
                "{{\"id\": \"I{i}\", \"created_at\": \"2026-03-03T10:00:00+09:00\", \
                 \"impact\": \"individual\"}}\n"
            )
        })
        .collect();
    std::fs::write(&input, text).unwrap();
    let script = format!(
        "timeout 120 '{}' evaluate --now 2026-03-03T12:00:00+09:00 '{}' | head -1 >/dev/null; \
         echo \"${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_incident-rules"),
        input.display()
    );
    let output = Command::new("bash").args(["-c", &script]).output().unwrap();
    // 124 would be the timeout: the run hung.
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "0");
}
