#!/usr/bin/env bash
# The reliability harness (docs/RELIABILITY.md): a real `engram serve` on SQLite and on PostgreSQL, driven over HTTP
# and MCP by many clients while it is killed, while its database stops, under hostile input and for a long run.
#
#   scripts/reliability.sh --quick        # the bounded run .ci/run makes (scripts/test.sh): a few minutes
#   scripts/reliability.sh                # the full run: 20 kills, 15 s outages, 5 min of 50 clients, a 10 min long run
#   scripts/reliability.sh --quick crash outage          # some checks only (crash outage concurrency longrun
#                                                        # diskfull hostile)
#   ENGRAM_BIN=.build/release/engram scripts/reliability.sh   # a binary of your own (else a debug build is made)
#   ENGRAM_RELIABILITY_JSON=figures.json scripts/reliability.sh   # the figures of both drivers, as JSON
#
# PostgreSQL runs in a cluster of the harness's own (scripts/pg.sh, instance `reliability`, port ENGRAM_PG_PORT + 2),
# which the outage check stops (`fast`, then `immediate`) and starts again; it is stopped when the run ends.
# Needs only python3 (standard library) besides what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=()
checks=()
for arg in "$@"; do
    case "$arg" in
        --quick) mode=(--quick) ;;
        --*) echo "reliability.sh: unknown option $arg (only --quick)" >&2; exit 2 ;;
        *) checks+=("$arg") ;;
    esac
done

if [ -n "${ENGRAM_BIN:-}" ]; then
    engram="$ENGRAM_BIN"
else
    echo "== build"
    swift build --product engram
    engram="$(swift build --show-bin-path)/engram"
fi

port=$((${ENGRAM_PG_PORT:-55432} + 2))
pg="env ENGRAM_PG_INSTANCE=reliability ENGRAM_PG_PORT=$port ENGRAM_PG_SHARED_BUFFERS=256MB"
pg+=" ENGRAM_PG_EFFECTIVE_CACHE_SIZE=512MB ENGRAM_PG_MAINTENANCE_WORK_MEM=64MB $(printf %q "$PWD/scripts/pg.sh")"
url=$(sh -c "$pg start" | sed -n 's/^DATABASE_URL=//p')
[ -n "$url" ] || { echo "reliability.sh: scripts/pg.sh start printed no DATABASE_URL" >&2; exit 1; }
trap 'sh -c "$pg stop" >/dev/null 2>&1 || true' EXIT
psql="$(scripts/pg.sh bin)/psql"

out=$(mktemp -d)
status=0
echo "== reliability on SQLite"
python3 scripts/reliability/run.py --engram "$engram" "${mode[@]}" --json "$out/sqlite.json" "${checks[@]}" \
    >/dev/null || status=1
echo "== reliability on PostgreSQL"
python3 scripts/reliability/run.py --engram "$engram" "${mode[@]}" --json "$out/postgres.json" \
    --db "$url" --psql "$psql" --pg-control "$pg" "${checks[@]}" >/dev/null || status=1
if [ -n "${ENGRAM_RELIABILITY_JSON:-}" ]; then
    python3 - "$out" "$ENGRAM_RELIABILITY_JSON" <<'PYTHON'
import json, sys
from pathlib import Path
out, target = Path(sys.argv[1]), sys.argv[2]
figures = {name: json.loads((out / f"{name}.json").read_text()) for name in ("sqlite", "postgres")
           if (out / f"{name}.json").exists()}
Path(target).write_text(json.dumps(figures, indent=2) + "\n")
PYTHON
fi
rm -rf "$out"
[ "$status" = 0 ] && echo "reliability.sh: every check passed" || echo "reliability.sh: a check failed (above)" >&2
exit "$status"
