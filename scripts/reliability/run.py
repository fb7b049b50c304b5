#!/usr/bin/env python3
"""Runs the reliability checks against a real `engram serve` on a store of its own, and prints their figures.

    scripts/reliability/run.py --engram .build/debug/engram --quick                      # SQLite, every check
    scripts/reliability/run.py --engram BIN --db postgresql://…/db --psql PSQL --pg-control "scripts/pg.sh" crash

scripts/reliability.sh is the usual way in: it builds Engram, starts PostgreSQL clusters of its own and runs
these on both drivers. Each check gets a new store: a SQLite file in a temporary folder, or a new schema in the
given PostgreSQL database. Exits 1 when any guarantee fails, with what failed.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Server, Store, log  # noqa: E402

CHECKS = ["crash", "outage", "concurrency", "longrun", "diskfull", "hostile"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checks", nargs="*", help=f"which checks, of {', '.join(CHECKS)} (default: all that apply)")
    parser.add_argument("--engram", required=True, help="the engram binary")
    parser.add_argument("--db", help="a postgresql:// URL of a database to make schemas in (default: SQLite files)")
    parser.add_argument("--psql", help="psql, to read a PostgreSQL store behind Engram's back")
    parser.add_argument("--pg-control", help="a command taking `stop fast|immediate` and `start` for --db's server")
    parser.add_argument("--quick", action="store_true", help="the bounded version .ci/run runs")
    parser.add_argument("--minutes", type=float, help="how long the long run lasts (default 1 quick, 10 full)")
    parser.add_argument("--outage-seconds", type=float, help="how long each outage lasts (default 3 quick, 15 full)")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()

    checks = options.checks or CHECKS
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        parser.error(f"unknown checks {unknown}; choose from {CHECKS}")
    driver = "postgres" if options.db else "sqlite"
    figures = {"driver": driver, "quick": options.quick, "checks": {}}
    status = 0
    for check in checks:
        if check == "outage" and not options.db:
            continue  # a database outage is PostgreSQL's
        workdir = Path(tempfile.mkdtemp(prefix=f"engram-reliability-{check}-"))
        if options.db:
            separator = "&" if "?" in options.db else "?"
            store = Store(f"{options.db}{separator}schema=rel_{check}_{uuid.uuid4().hex[:8]}", psql=options.psql)
        else:
            store = Store(str(workdir / "engram.sqlite"))
        server = Server(options.engram, store, workdir)
        module = __import__(check)
        started = time.monotonic()
        log(f"== {check} on {driver}{' (quick)' if options.quick else ''}")
        try:
            result = module.run(server, store, options)
            result["seconds"] = round(time.monotonic() - started, 1)
            figures["checks"][check] = result
            log(f"{check}: passed in {result['seconds']} s: {json.dumps(result)}")
        except Exception as failure:  # noqa: BLE001 - a check that broke fails as one that found a fault
            status = 1
            figures["checks"][check] = {"failed": str(failure)}
            log(f"{check}: FAILED: {failure}")
            log(f"server log tail:\n{server.tail()}")
        finally:
            server.kill()
            if "failed" in figures["checks"][check]:
                log(f"kept for a look: {workdir}" + (f" and {store}" if options.db else ""))
            else:
                shutil.rmtree(workdir, ignore_errors=True)
                if options.db:
                    drop_schema(store)
    print(json.dumps(figures, indent=2))
    if options.json:
        Path(options.json).write_text(json.dumps(figures, indent=2) + "\n")
    return status


def drop_schema(store):
    url, schema = store._postgres_parts()
    try:
        store.rows(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    except Exception as error:  # noqa: BLE001 - the server may be down after a failed outage check
        log(f"could not drop schema {schema}: {error}")


if __name__ == "__main__":
    sys.exit(main())
