#!/usr/bin/env bash
# Recall over HTTP as agents see it: starts `engram serve` (release build, the default embedder: MiniLM when
# scripts/setup.sh installed it), fills one user through the API, times concurrent recalls with
# `engram bench serve`, and reads the server's peak RSS, on SQLite and then on PostgreSQL.
#   scripts/bench-serve.sh [MEMORIES] [QUERIES] [CLIENTS]     (defaults: 10000, 1000, 4)
# Writes .engram/bench-serve-{sqlite,postgres}.json and prints a table. Nothing is asserted: it measures.
set -euo pipefail
cd "$(dirname "$0")/.."
memories="${1:-10000}"
queries="${2:-1000}"
clients="${3:-4}"
port="${ENGRAM_BENCH_PORT:-18790}"

scripts/setup.sh >/dev/null
swift build -c release --quiet --product engram
engram=.build/release/engram
mkdir -p .engram

url=$(scripts/pg.sh start | sed -n 's/^DATABASE_URL=//p')
[ -n "$url" ] || { echo "bench-serve.sh: scripts/pg.sh start printed no DATABASE_URL" >&2; exit 1; }
scripts/pg.sh superuser-psql -qAt -c "DROP DATABASE IF EXISTS engram_bench_serve WITH (FORCE)" >/dev/null
scripts/pg.sh superuser-psql -qAt -c "CREATE DATABASE engram_bench_serve OWNER engram" >/dev/null
sqlite=".engram/bench-serve.sqlite"
rm -f "$sqlite" "$sqlite-wal" "$sqlite-shm"

server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null || true' EXIT

# One backend: start the server, bench it, stop it, and record its peak resident memory.
bench() {
    local name="$1" db="$2"
    local key
    key=$("$engram" keys create --admin --name bench --db "$db" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
    "$engram" serve --db "$db" --port "$port" --log-level error --maintenance-interval 0 >/dev/null &
    server=$!
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
        sleep 0.2
    done
    echo "bench-serve: $name, $memories memories, $queries recalls from $clients clients" >&2
    "$engram" bench serve --url "http://127.0.0.1:$port" --key "$key" --memories "$memories" \
        --queries "$queries" --clients "$clients" --json > ".engram/bench-serve-$name.json"
    local rss
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
    kill -TERM "$server"
    wait "$server" || true
    server=""
    python3 - ".engram/bench-serve-$name.json" "$rss" <<'PY'
import json, sys
path, rss = sys.argv[1], int(sys.argv[2])
report = json.load(open(path))
report["serverPeakRSSMiB"] = round(rss / 1024, 1)
json.dump(report, open(path, "w"), indent=2)
PY
}

bench sqlite "$sqlite"
bench postgres "${url%/*}/engram_bench_serve"

python3 - .engram/bench-serve-sqlite.json .engram/bench-serve-postgres.json <<'PY'
import json, sys
print(f"{'store':<11} {'memories':>8} {'clients':>7} {'recall/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'peak RSS MiB':>12}")
for name, path in zip(["SQLite", "PostgreSQL"], sys.argv[1:]):
    r = json.load(open(path))
    l = r["latency"]
    print(f"{name:<11} {r['memories']:>8} {r['clients']:>7} {r['requestsPerSecond']:>9.1f} {l['p50']:>7.2f} "
          f"{l['p95']:>7.2f} {l['p99']:>7.2f} {r['errors']:>6} {r['serverPeakRSSMiB']:>12}")
PY
