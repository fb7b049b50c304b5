"""Disk full and read-only files under a live server: the store's files on a small tmpfs that fills up.

SQLite: the store lives on a tmpfs of its own (mounting one needs root; elsewhere the check says it was skipped).
Writers fill it until writes are refused: each refusal must be a clear error (507 `disk_full`), reads must go on
working, and once the filesystem is made larger (`mount -o remount,size=…`) writes must succeed again without a
restart. Then the filesystem is remounted read-only: writes are refused with a stable code, reads go on, and after
it is read-write again writes succeed. At the end the file passes SQLite's integrity check and every acknowledged
write is there whole (crash.verify).

PostgreSQL: the tables and indexes of a database of the check's own live in a tablespace on the tmpfs (its
`default_tablespace`), so that extending a table fails with ENOSPC (SQLSTATE 53100) while the server's WAL, on
the main disk, goes on; the same fill, refusal, reads and recovery as SQLite, then every acknowledged write is
read back with psql. (A read-only tablespace is not simulated: PostgreSQL writes data files at checkpoints, not
when a request writes, so Engram would never see it.)
"""

import os
import shlex
import subprocess
import urllib.parse
import uuid

import crash
from harness import Failure, Store, log


def mount(*options, target):
    return subprocess.run(["mount", *options, target], capture_output=True, text=True)


def write_until_refused(client, ledger, user, limit):
    """Remembers until the server refuses; returns the refusals' (status, code) and how many were acknowledged."""
    refusals = []
    acknowledged = 0
    for index in range(limit):
        content = f"disk canary {index}: " + "the quick brown fox jumps over the lazy dog " * 40
        response = client.call("POST", f"/v1/users/{user}/memories", {"content": content})
        if response.status == 201:
            ledger.memory(user, response.json["memory"]["id"], content)
            acknowledged += 1
            if refusals:
                raise Failure("a write succeeded after one was refused, with the disk still full")
        else:
            refusals.append((response.status, response.code))
            if len(refusals) >= 5:
                return refusals, acknowledged
    raise Failure(f"{limit} writes of ~2 KB each fitted on the small filesystem; it never filled")


def reads_work(client, user):
    for method, path, body in [("POST", f"/v1/users/{user}/recall", {"query": "quick fox", "k": 5,
                                                                      "reinforce": False}),
                               ("GET", f"/v1/users/{user}/memories?limit=5", None)]:
        response = client.call(method, path, body)
        if response.status != 200:
            raise Failure(f"a read failed with the disk full or read-only: {method} {path}: {response.status}"
                          f" {response.body[:200]}")


def read_only_answer(server, user):
    """What a server started on a read-only filesystem does: serve reads and refuse writes, or not start."""
    try:
        server.start(timeout=60)
    except Failure as failure:
        if "read-only" not in str(failure) and "database_read_only" not in str(failure):
            raise Failure(f"on a read-only filesystem the server did not start, and did not say why: {failure}")
        return "the server refused to start: the database is read-only"
    client = server.client()
    response = client.call("POST", f"/v1/users/{user}/memories", {"content": "disk canary: read-only"})
    if response.status < 400 or not response.code:
        raise Failure(f"a write on a read-only filesystem answered {response.status} {response.body[:200]}")
    reads_work(client, user)
    return f"reads served, writes refused with {response.status} {response.code}"


def run(server, store, options):
    disk = server.workdir / "disk"
    disk.mkdir()
    mounted = mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", target=str(disk))
    if mounted.returncode != 0:
        log(f"diskfull: skipped: cannot mount a tmpfs here ({mounted.stderr.strip()}); it needs root")
        return {"skipped": "mounting a tmpfs needs root"}
    try:
        if store.is_postgres:
            return check_postgres(server, store, options, str(disk))
        server.store = Store(str(disk / "engram.sqlite"))
        return check(server, server.store, str(disk))
    finally:
        server.kill()
        mount("-o", "remount,rw", target=str(disk))
        subprocess.run(["umount", str(disk)], capture_output=True)


def fill_and_recover(server, disk, ledger, user):
    """Fills the disk through the API until refused, checks the refusals and reads, grows the disk, writes again."""
    server.admin_key()
    server.start()
    client = server.client()
    client.call("POST", "/v1/users", {"id": user})
    refusals, before = write_until_refused(client, ledger, user, 20_000)
    codes = {code for _, code in refusals}
    if codes != {"disk_full"} or {status for status, _ in refusals} != {507}:
        raise Failure(f"writes on a full disk were refused with {refusals}, not 507 disk_full")
    reads_work(client, user)
    # Space comes back: writes succeed again, no restart.
    if mount("-o", "remount,size=64m", target=disk).returncode != 0:
        raise Failure("could not grow the tmpfs")
    response = client.call("POST", f"/v1/users/{user}/memories", {"content": "disk canary: space is back"})
    if response.status != 201:
        raise Failure(f"a write after space came back failed: {response.status} {response.body[:200]}")
    ledger.memory(user, response.json["memory"]["id"], "disk canary: space is back")
    return refusals, before


def check_postgres(server, store, options, disk):
    if not options.pg_control:
        return {"skipped": "needs --pg-control (its superuser-psql) to make a tablespace"}
    superuser = shlex.split(options.pg_control) + ["superuser-psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1"]

    def sql(*statements):
        arguments = [part for statement in statements for part in ("-c", statement)]
        done = subprocess.run(superuser + arguments, capture_output=True, text=True)
        if done.returncode != 0:
            raise Failure(f"superuser SQL {statements} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    # The tablespace folder belongs to the server's (unprivileged) user, as PostgreSQL requires, who must be able
    # to reach it through the check's folder.
    data = sql("SHOW data_directory")
    os.chmod(server.workdir, 0o711)
    owner = os.stat(data)
    folder = os.path.join(disk, "tablespace")
    os.mkdir(folder, 0o700)
    os.chown(folder, owner.st_uid, owner.st_gid)
    suffix = uuid.uuid4().hex[:8]
    tablespace, database = f"rel_small_{suffix}", f"rel_disk_{suffix}"
    url, schema = store._postgres_parts()
    parts = urllib.parse.urlsplit(url)
    role = parts.username
    sql(f"CREATE TABLESPACE {tablespace} OWNER {role} LOCATION '{folder}'",
        f"CREATE DATABASE {database} OWNER {role}",
        f"ALTER DATABASE {database} SET default_tablespace = {tablespace}")
    try:
        moved = urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))
        server.store = Store(f"{moved}{'&' if '?' in moved else '?'}schema={schema}", psql=store.psql)
        ledger = crash.Ledger()
        refusals, before = fill_and_recover(server, disk, ledger, "disk")
        server.stop()
        server.store.check_integrity()
        memories, _ = crash.verify(server.store, ledger)
        placed = server.store.value(
            "SELECT count(*) FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace"
            f" WHERE t.spcname = '{tablespace}' AND c.relname = 'memories'")
        if placed != "1":
            raise Failure(f"the memories table was not in the tablespace on the small disk ({placed})")
        return {"acknowledgedBeforeFull": before, "refusedWhenFull": f"{len(refusals)} x 507 disk_full",
                "acknowledgedTotal": memories, "lost": 0, "integrity": "every table read"}
    finally:
        server.kill()
        try:
            sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"DROP TABLESPACE IF EXISTS {tablespace}")
        except Failure as error:
            log(f"diskfull: could not drop {database} or {tablespace}: {error}")


def check(server, store, disk):
    ledger = crash.Ledger()
    user = "disk"
    refusals, before = fill_and_recover(server, disk, ledger, user)
    # Read-only files: the server stopped, the filesystem remounted read-only (a file open for writing would keep it
    # busy), the server started on it: it serves reads and refuses writes with a stable code, or refuses to start
    # with a clear error. Read-write again, it writes.
    server.stop()
    if mount("-o", "remount,ro", target=disk).returncode != 0:
        raise Failure("could not remount the tmpfs read-only")
    read_only = read_only_answer(server, user)
    server.kill()
    mount("-o", "remount,rw", target=disk)
    server.start()
    client = server.client()
    response = client.call("POST", f"/v1/users/{user}/memories", {"content": "disk canary: writable again"})
    if response.status != 201:
        raise Failure(f"a write after the filesystem was writable again failed: {response.status}"
                      f" {response.body[:200]}")
    ledger.memory(user, response.json["memory"]["id"], "disk canary: writable again")
    server.stop()
    store.check_integrity()
    memories, _ = crash.verify(store, ledger)
    return {"acknowledgedBeforeFull": before, "refusedWhenFull": f"{len(refusals)} x 507 disk_full",
            "readOnly": read_only, "acknowledgedTotal": memories, "lost": 0,
            "integrity": "ok"}
