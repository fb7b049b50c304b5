#!/usr/bin/env bash
# Checks Engram's MCP server with an independent client, the official MCP Python SDK (scripts/mcp-check.py): builds
# engram, installs the pinned Python tools (scripts/python-tools.sh), and runs the check twice on temporary SQLite
# files: over stdio (`engram mcp`; a second `engram mcp --user` on the same file does not see the memory), and over
# streamable HTTP (`engram serve`'s /mcp with two users' API keys; the second key's client does not see it). Each
# check: initialize, list the tools, remember a unique text, recall it.
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

echo "== MCP over streamable HTTP (MCP Python SDK, engram serve /mcp)"
db="$work/serve.sqlite"
"$engram" user create alice --db "$db" >/dev/null
"$engram" user create bob --db "$db" >/dev/null
key() { "$engram" keys create --user "$1" --name mcp-check --db "$db" --json | "$python" -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }
alice=$(key alice)
bob=$(key bob)
"$engram" serve --db "$db" --port 0 --embedder hashing --log-level error > "$work/banner" &
server=$!
trap '{ kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; } || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do grep -q 'http://' "$work/banner" 2>/dev/null && break; sleep 0.2; done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/banner" | head -1)
[ -n "$url" ] || { echo "mcp-check.sh: engram serve printed no URL" >&2; exit 1; }
for _ in $(seq 1 100); do curl -fsS "$url/ready" >/dev/null 2>&1 && break; sleep 0.2; done
"$python" scripts/mcp-check.py --url "$url/mcp" --key "$alice" --other-key "$bob"
kill -TERM "$server"
wait "$server"
