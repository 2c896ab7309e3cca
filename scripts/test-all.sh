#!/usr/bin/env bash
# Every test of the project, as CI runs it on a clean clone: the Rust
# workspace (core rules and oracles, the JSON boundary, the command with
# its built-in wasm module and the hostile-module cases, the real-data
# checks) and then the web demo in headless Chromium. Installs what it
# needs: the wasm target here, wasm-bindgen-cli, Chromium and the npm
# packages in the demo's own script.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# rust-toolchain.toml lists the target; a rustup that does not install
# listed targets by itself gets it here.
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

cargo test --workspace --locked

# The web demo's KPI test compares the page with the command the Rust tests
# just built, rather than building it again for one package.
export INCIDENT_RULES_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/incident-rules"
scripts/web-demo-test.sh
