#!/usr/bin/env bash
# Builds the browser demo into web-demo/dist/: the wasm package (through
# wasm-bindgen at the exact version Cargo.lock pins), the page itself and
# the bundled real sample with its policy. Safe to run again: every step
# either checks first or overwrites.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dist="web-demo/dist"

# The CLI must match the wasm-bindgen crate exactly, or the generated glue
# refuses the module ("schema version mismatch").
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
if [[ -z "$want" ]]; then
    echo "web-demo-build: no wasm-bindgen in Cargo.lock" >&2
    exit 2
fi
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [[ "$have" != "$want" ]]; then
    echo "web-demo-build: installing wasm-bindgen-cli $want (was: ${have:-none})" >&2
    # --locked first, as the CLI's authors tested it; its lock file can name
    # a dependency version the registry no longer serves (webpki-roots
    # 1.0.11 here), and then the newest compatible versions are used.
    cargo install wasm-bindgen-cli --version "$want" --locked \
        || cargo install wasm-bindgen-cli --version "$want"
fi

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

# A separate target dir: the browser feature and the wasm target would
# otherwise invalidate the native and plain-module builds others run.
cargo build -p incident-rules-wasm --features browser \
    --target wasm32-unknown-unknown --release --target-dir target/browser

rm -rf "$dist"
mkdir -p "$dist/pkg" "$dist/src" "$dist/sample"
wasm-bindgen --target web --out-dir "$dist/pkg" \
    target/browser/wasm32-unknown-unknown/release/incident_rules_wasm.wasm
cp web-demo/index.html web-demo/style.css "$dist/"
cp web-demo/src/*.js "$dist/src/"

# The bundled sample is optional at build time: the page says so in words
# when it is missing rather than failing to build.
for file in examples/data/servicenow-sample.csv.gz \
    examples/policies/servicenow.toml; do
    if [[ -f "$file" ]]; then
        cp "$file" "$dist/sample/"
    else
        echo "web-demo-build: warning: $file is missing; the page will" \
            "not offer the bundled sample" >&2
    fi
done
echo "web-demo-build: built $dist" >&2
