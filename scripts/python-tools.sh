#!/usr/bin/env bash
# Installs the Python tools the independent checks use into .tools/venv, pinned:
#   - mcp: the official MCP SDK (scripts/mcp-check.py drives `engram mcp` and /mcp with it)
#   - schemathesis: property-based tests of the HTTP API from its OpenAPI document
# Idempotent: when the venv already holds these versions it does nothing. Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly MCP_VERSION="2.3.0"
readonly SCHEMATHESIS_VERSION="4.32.5"
readonly VENV=".tools/venv"
readonly STAMP="$VENV/.engram-tools"
readonly WANT="mcp==$MCP_VERSION schemathesis==$SCHEMATHESIS_VERSION"

die() { echo "python-tools: $*" >&2; exit 1; }

if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" >&2 \
        || die "python3 -m venv failed (on Debian: apt-get install python3-venv, see scripts/setup.sh)"
    echo "python-tools: installing $WANT into $VENV" >&2
    # shellcheck disable=SC2086 # WANT is two requirement words
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check $WANT >&2 \
        || die "pip install $WANT failed"
    echo "$WANT" >"$STAMP"
fi
echo "$PWD/$VENV/bin/python"
