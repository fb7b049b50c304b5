#!/usr/bin/env bash
# Sets up and starts Engram's server on the embedded SQLite default (./.engram/engram.sqlite): the JSON API
# under /v1, MCP at /mcp, /health, /ready and /metrics on http://127.0.0.1:8787. It prints the URL and an MCP
# client configuration; on the first start it creates an API key for the user 'default' and prints it once.
# Options go to `engram serve` (see `engram serve --help`), e.g. scripts/serve.sh --port 9000. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "serve: building engram in release mode (the first build takes a few minutes)..." >&2
swift build -c release --product engram --quiet
exec .build/release/engram serve "$@"
