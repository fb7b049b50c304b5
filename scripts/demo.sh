#!/usr/bin/env bash
# Sets up and runs Engram's main job on the embedded SQLite default: a scripted session that
# remembers, recalls and prints what it found. The database is ./.engram/engram.sqlite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product engram
.build/release/engram demo "$@"
