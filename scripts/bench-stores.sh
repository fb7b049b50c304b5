#!/usr/bin/env bash
# Ingest rate and recall latency of the two stores, SQLite beside PostgreSQL, measured in one run on the same
# synthetic data (hashing embedder, so the figures are the stores', not a model's).
#   scripts/bench-stores.sh [MEMORIES] [QUERIES]      (defaults: 100000 and 300)
#   BATCH=N (default 500) memories per transaction while filling; BATCH=1 times one remember per transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
memories="${1:-100000}"
queries="${2:-300}"
batch="${BATCH:-500}"

scripts/setup.sh >/dev/null
swift build -c release --quiet
engram=.build/release/engram

url=$(scripts/pg.sh start | sed -n 's/^DATABASE_URL=//p')
[ -n "$url" ] || { echo "bench-stores.sh: scripts/pg.sh start printed no DATABASE_URL" >&2; exit 1; }
scripts/pg.sh superuser-psql -qAt -c "DROP DATABASE IF EXISTS engram_bench WITH (FORCE)" >/dev/null
scripts/pg.sh superuser-psql -qAt -c "CREATE DATABASE engram_bench OWNER engram" >/dev/null
mkdir -p .engram
sqlite=".engram/bench-stores-$memories.sqlite"
rm -f "$sqlite" "$sqlite-wal" "$sqlite-shm"

common=(bench --memories "$memories" --queries "$queries" --batch "$batch" --json)
echo "bench-stores: $memories memories, $batch per transaction, $queries recalls (k=10), release build" >&2
echo "bench-stores: SQLite ($sqlite)" >&2
"$engram" "${common[@]}" --db "$sqlite" > .engram/bench-stores-sqlite.json
echo "bench-stores: PostgreSQL (${url%/*}/engram_bench)" >&2
"$engram" "${common[@]}" --database-url "${url%/*}/engram_bench" > .engram/bench-stores-postgres.json

python3 - .engram/bench-stores-sqlite.json .engram/bench-stores-postgres.json <<'PY'
import json, sys
rows = [("SQLite", json.load(open(sys.argv[1]))), ("PostgreSQL", json.load(open(sys.argv[2])))]
print(f"{'store':<11} {'memories':>8} {'ingest/s':>9} {'ingest s':>9} {'cold ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
for name, r in rows:
    print(f"{name:<11} {r['memories']:>8} {r['ingestPerSecond']:>9.0f} {r['ingestSeconds']:>9.1f} "
          f"{r['coldRecallMs']:>8.1f} {r['p50Ms']:>7.2f} {r['p95Ms']:>7.2f} {r['p99Ms']:>7.2f}")
PY
