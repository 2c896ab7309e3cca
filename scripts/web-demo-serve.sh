#!/usr/bin/env bash
# Builds the browser demo and serves web-demo/dist on localhost for a look.
# Usage: scripts/web-demo-serve.sh [port]   (default 8080)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/web-demo-build.sh"
port="${1:-8080}"
echo "web-demo-serve: http://localhost:$port/" >&2
# Python's own server guesses types from its table, which lacks `.wasm` on
# some versions; streaming compilation needs `application/wasm`.
cd "$root/web-demo/dist"
exec python3 - "$port" <<'PY'
import http.server, sys
handler = http.server.SimpleHTTPRequestHandler
handler.extensions_map.update({
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".gz": "application/gzip",
    ".toml": "text/plain; charset=utf-8",
})
http.server.ThreadingHTTPServer(
    ("127.0.0.1", int(sys.argv[1])), handler
).serve_forever()
PY
