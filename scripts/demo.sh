#!/usr/bin/env bash
# Sets up and runs Engram's main job on the embedded SQLite default: a scripted session that
# remembers, recalls and prints what it found. The database is ./.engram/engram.sqlite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "demo: building engram in release mode (the first build takes a few minutes)..." >&2
swift build -c release --product engram --quiet
.build/release/engram demo "$@"
