#!/usr/bin/env bash
# Ingest rate and recall latency of the two stores, SQLite beside PostgreSQL, measured in one run on the same
# synthetic data (hashing embedder, so the figures are the stores', not a model's).
#   scripts/bench-stores.sh [MEMORIES] [QUERIES]      (defaults: 100000 and 300)
#   BATCH=N (default 500) memories per transaction while filling; BATCH=1 times one remember per transaction.
#   USERS=N (default 1) spreads the memories over N users; each recall asks a random one.
set -euo pipefail
cd "$(dirname "$0")/.."
memories="${1:-100000}"
queries="${2:-300}"
batch="${BATCH:-500}"
users="${USERS:-1}"

scripts/setup.sh >/dev/null
swift build -c release --quiet
engram=.build/release/engram

url=$(scripts/pg.sh start | sed -n 's/^DATABASE_URL=//p')
[ -n "$url" ] || { echo "bench-stores.sh: scripts/pg.sh start printed no DATABASE_URL" >&2; exit 1; }
scripts/pg.sh superuser-psql -qAt -c "DROP DATABASE IF EXISTS engram_bench WITH (FORCE)" >/dev/null
scripts/pg.sh superuser-psql -qAt -c "CREATE DATABASE engram_bench OWNER engram" >/dev/null
mkdir -p .engram
sqlite=".engram/bench-stores-$memories-${users}u.sqlite"
rm -f "$sqlite" "$sqlite-wal" "$sqlite-shm"

common=(bench --memories "$memories" --users "$users" --queries "$queries" --batch "$batch" --json)
echo "bench-stores: $memories memories over $users user(s), $batch per transaction, $queries recalls (k=10), release build" >&2
echo "bench-stores: SQLite ($sqlite)" >&2
"$engram" "${common[@]}" --db "$sqlite" > .engram/bench-stores-sqlite.json
echo "bench-stores: PostgreSQL (${url%/*}/engram_bench)" >&2
"$engram" "${common[@]}" --database-url "${url%/*}/engram_bench" > .engram/bench-stores-postgres.json

python3 - .engram/bench-stores-sqlite.json .engram/bench-stores-postgres.json <<'PY'
import json, sys
rows = [("SQLite", json.load(open(sys.argv[1]))), ("PostgreSQL", json.load(open(sys.argv[2])))]
print(f"{'store':<11} {'memories':>8} {'users':>6} {'ingest/s':>9} {'ingest s':>9} {'cold ms':>8} {'p50 ms':>7} "
      f"{'p95 ms':>7} {'p99 ms':>7} {'RSS MiB':>8} {'file MiB':>8}")
for name, r in rows:
    size = f"{r['databaseBytes'] / 1048576:>8.0f}" if r.get("databaseBytes") else f"{'-':>8}"
    print(f"{name:<11} {r['memories']:>8} {r['users']:>6} {r['ingestPerSecond']:>9.0f} {r['ingestSeconds']:>9.1f} "
          f"{r['coldRecallMs']:>8.1f} {r['p50Ms']:>7.2f} {r['p95Ms']:>7.2f} {r['p99Ms']:>7.2f} "
          f"{r.get('peakRSSMiB') or 0:>8.0f} {size}")
PY
