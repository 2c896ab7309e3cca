//! The second embedder in `examples/embed/` (Node's own WebAssembly API,
//! no glue) gives the same answers as the command for the same incidents.

use std::path::Path;
use std::process::Command;

use incident_rules_host::sandbox::BUILTIN_MODULE;

#[test]
fn node_embedder_answers_as_the_command_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir =
        std::env::temp_dir().join(format!("ir-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join("rules.wasm");
    std::fs::write(&module, BUILTIN_MODULE).unwrap();
    let policy = dir.join("default.toml");
    std::fs::write(&policy, incident_rules_core::policy::DEFAULT_POLICY_TOML)
        .unwrap();
    let incidents = root.join("host/tests/data/golden.jsonl");
    let now = "2026-03-03T15:00:00+09:00";

    let node = Command::new("node")
        .arg(root.join("examples/embed/evaluate.mjs"))
        .args([&module, &policy, &incidents])
        .arg(now)
        .output()
        .expect("node (20 or later) runs the second embedder");
    assert!(
        node.status.success(),
        "{}",
        String::from_utf8_lossy(&node.stderr)
    );

    let command = Command::new(env!("CARGO_BIN_EXE_incident-rules"))
        .args(["evaluate", "--now", now])
        .arg(&incidents)
        .output()
        .unwrap();
    assert!(
        command.status.success(),
        "{}",
        String::from_utf8_lossy(&command.stderr)
    );

    // JavaScript writes 100.0 as 100, so the lines are compared as JSON
    // values with every number as a float: the same fields, the same
    // values.
    let parse = |bytes: &[u8]| -> Vec<serde_json::Value> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|line| as_floats(serde_json::from_str(line).unwrap()))
            .collect()
    };
    let from_node = parse(&node.stdout);
    let from_command = parse(&command.stdout);
    assert_eq!(from_node.len(), 9);
    assert_eq!(from_node, from_command);
}

fn as_floats(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(number) => number
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(as_floats).collect())
        }
        Value::Object(fields) => Value::Object(
            fields.into_iter().map(|(k, v)| (k, as_floats(v))).collect(),
        ),
        other => other,
    }
}
