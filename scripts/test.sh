#!/usr/bin/env bash
# Sets up and runs every test: formatting, a warnings-as-errors build, and the test suites
# (unit, behaviour suite against real SQLite files, CLI).
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

echo "== tests"
swift test --skip-build
