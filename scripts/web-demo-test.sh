#!/usr/bin/env bash
# Builds the browser demo and runs its end-to-end tests in headless
# Chromium (Debian's, driven by playwright-core), ending with Node's test
# summary. Screenshots and measurements land in web-demo/test-results/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Test tools cannot download their own browser here; Debian's is used.
if [[ ! -x /usr/bin/chromium ]]; then
    echo "web-demo-test: installing Chromium from Debian" >&2
    apt-get update
    apt-get install -y chromium
fi

(cd web-demo && npm ci --no-audit --no-fund)
scripts/web-demo-build.sh

cd web-demo
mkdir -p test-results
exec node --test --test-reporter=spec tests/
