#!/usr/bin/env bash
# Runs the README's HTTP examples against a live server, as a newcomer would paste them: starts
# `engram serve` on a fresh SQLite file (its first start creates and prints an API key), runs the curl blocks
# marked `<!-- readme-check: NAME -->`, checks what they print, and connects the official Python MCP SDK with
# the README's MCP client configuration. Needs a built engram (`swift build`) and scripts/python-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
engram="${ENGRAM_BIN:-.build/debug/engram}"
[ -x "$engram" ] || { echo "readme-check.sh: build engram first (swift build)" >&2; exit 1; }
python=$(scripts/python-tools.sh)

work=$(mktemp -d)
server=""
# The server is waited for before its folder is removed: it writes its last SQLite pages while it stops.
trap '[ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; } || true; rm -rf "$work"' EXIT
"$engram" serve --db "$work/engram.sqlite" --port 0 --embedder hashing --log-level error > "$work/banner" &
server=$!
for _ in $(seq 1 150); do
    grep -q "MCP client configuration" "$work/banner" 2>/dev/null && grep -q '"mcpServers"' "$work/banner" && break
    sleep 0.2
done
ENGRAM_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/banner" | head -1)
ENGRAM_KEY=$(sed -n 's/^Created an API key.*: \(engram_[A-Za-z0-9_-]*\)$/\1/p' "$work/banner" | head -1)
[ -n "$ENGRAM_URL" ] && [ -n "$ENGRAM_KEY" ] || { echo "readme-check.sh: the server printed no URL or key" >&2; cat "$work/banner" >&2; exit 1; }
export ENGRAM_URL ENGRAM_KEY
for _ in $(seq 1 100); do curl -fsS "$ENGRAM_URL/ready" >/dev/null 2>&1 && break; sleep 0.2; done

# The block after each marker, as a file.
"$python" - README.md "$work" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"<!-- readme-check: ([a-z-]+) -->\s*```[a-z]*\n(.*?)```", text, re.S)
names = [name for name, _ in blocks]
for required in ["remember", "recall", "mcp-config"]:
    if required not in names:
        sys.exit(f"readme-check: README has no block marked readme-check: {required}")
for name, body in blocks:
    open(f"{sys.argv[2]}/{name}", "w").write(body)
PY

expect() {  # NAME TEXT: the block's output contains TEXT
    local output
    output=$(bash "$work/$1")
    grep -qF -- "$2" <<<"$output" || { echo "readme-check: the '$1' block printed no '$2':" >&2; echo "$output" >&2; exit 1; }
    echo "readme-check: $1 ok"
}
expect remember '"action":"created"'
expect recall 'window seat'

# The MCP configuration as the README shows it, with this server's URL and key, drives the Python MCP SDK.
"$python" - "$work/mcp-config" "$ENGRAM_URL" "$ENGRAM_KEY" "$work/mcp-args" <<'PY'
import json, sys
config = json.loads(open(sys.argv[1]).read().replace("http://127.0.0.1:8787", sys.argv[2]).replace("<API key>", sys.argv[3]))
server = config["mcpServers"]["engram"]
token = server["headers"]["Authorization"].removeprefix("Bearer ")
open(sys.argv[4], "w").write(f"{server['url']} {token}\n")
PY
read -r mcp_url mcp_key < "$work/mcp-args"
"$python" scripts/mcp-check.py --url "$mcp_url" --key "$mcp_key"
echo "readme-check: mcp-config ok"
