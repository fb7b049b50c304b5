#!/usr/bin/env bash
# Checks `engram mcp` with an independent client, the official MCP Python SDK (scripts/mcp-check.py): builds engram,
# installs the pinned Python tools (scripts/python-tools.sh), and runs the stdio check on a temporary SQLite file:
# initialize, list the tools, remember a unique text, recall it, and a second user (another `engram mcp --user`
# on the same file) does not see it. `engram mcp` creates the database and the user.
#
#   scripts/mcp-check.sh                                   the stdio check
#   scripts/mcp-check.sh --url URL --key KEY [--other-key KEY2]
#                                                          the same check against a running streamable HTTP endpoint
set -euo pipefail
cd "$(dirname "$0")/.."

python=$(scripts/python-tools.sh)
if [ $# -gt 0 ]; then
    exec "$python" scripts/mcp-check.py "$@"
fi

echo "== build engram"
swift build --product engram
engram="$(swift build --show-bin-path)/engram"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/engram.sqlite"
echo "== MCP over stdio (MCP Python SDK)"
"$python" scripts/mcp-check.py \
    --stdio "$(printf '%q ' "$engram" mcp --db "$db" --user mcp-check-user --embedder hashing)"
