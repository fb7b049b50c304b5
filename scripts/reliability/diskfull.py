"""Disk full and read-only files under a live server: the store's files on a small tmpfs that fills up.

SQLite: the store lives on a tmpfs of its own (mounting one needs root; elsewhere the check says it was skipped).
Writers fill it until writes are refused: each refusal must be a clear error (507 `disk_full`), reads must go on
working, and once the filesystem is made larger (`mount -o remount,size=…`) writes must succeed again without a
restart. Then the filesystem is remounted read-only: writes are refused with a stable code, reads go on, and after
it is read-write again writes succeed. At the end the file passes SQLite's integrity check and every acknowledged
write is there whole (crash.verify).

SQLite, a filesystem that turns read-only under the running server: the store on a small ext4 image (a loop
device, `errors=remount-ro`), where ext4 is told of an error (/sys/fs/ext4/<device>/trigger_fs_error) and
remounts itself read-only, as after a disk error, with the server's files open. Writes must be refused with 503
`database_read_only` and reads go on; then the server is stopped, the image checked (e2fsck) and mounted again, and
the server started: the file passes the integrity check, every write acknowledged before the last `sync` is there,
and how many of those acknowledged after it survived is counted: with `synchronous = normal` (the default) they
may be lost (they were in the kernel's cache, which the aborted filesystem never writes), with `full` none may be.

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


def run_command(*arguments):
    try:
        return subprocess.run(list(arguments), capture_output=True, text=True)
    except FileNotFoundError:
        return subprocess.CompletedProcess(list(arguments), 127, "", f"no {arguments[0]} here")


def read_only_under_load(server, synchronous, writes=20):
    """One round of the filesystem turning read-only under the server, with `synchronous`; see the module's text."""
    image, folder = server.workdir / f"ext4-{synchronous}.img", server.workdir / f"ext4-{synchronous}"
    folder.mkdir()
    with open(image, "wb") as file:
        file.truncate(64 * 1024 * 1024)
    made = run_command("mkfs.ext4", "-q", "-F", str(image))
    if made.returncode != 0:
        return {"skipped": f"cannot make an ext4 image here: {made.stderr.strip() or 'no mkfs.ext4'}"}
    mounted = mount("-o", "loop,errors=remount-ro", str(image), target=str(folder))
    if mounted.returncode != 0:
        return {"skipped": f"cannot mount an ext4 image on a loop device here: {mounted.stderr.strip()}"}
    try:
        source = run_command("findmnt", "-n", "-o", "SOURCE", str(folder)).stdout.strip() or "(unknown device)"
        trigger = f"/sys/fs/ext4/{os.path.basename(source)}/trigger_fs_error"
        if not os.path.exists(trigger):
            return {"skipped": f"this kernel has no {trigger}"}
        user, ledger, after_sync = "readonly", crash.Ledger(), crash.Ledger()
        server.store = Store(str(folder / "engram.sqlite"))
        server.key = None
        server.environment = {"ENGRAM_SQLITE_SYNCHRONOUS": synchronous}
        server.admin_key()
        server.start()
        client = server.client()
        client.call("POST", "/v1/users", {"id": user})

        def write(target, label):
            for index in range(writes):
                content = f"read-only canary {label} {index}: the quick brown fox"
                response = client.call("POST", f"/v1/users/{user}/memories", {"content": content})
                if response.status != 201:
                    raise Failure(f"a write before the error failed: {response.status} {response.body[:200]}")
                target.memory(user, response.json["memory"]["id"], content)

        write(ledger, "synced")
        os.sync()
        write(after_sync, "unsynced")
        with open(trigger, "w") as file:
            file.write("1\n")
        refusals = []
        for index in range(5):
            response = client.call("POST", f"/v1/users/{user}/memories", {"content": f"read-only canary {index}"})
            refusals.append((response.status, response.code))
        if set(refusals) != {(503, "database_read_only")}:
            raise Failure(f"writes on a filesystem that turned read-only answered {refusals}, not 503"
                          " database_read_only")
        reads_work(client, user)
        server.stop()
        if mount("-o", "remount,rw", target=str(folder)).returncode == 0:
            raise Failure("the filesystem did not stay read-only after the error")
        run_command("umount", str(folder))
        checked = run_command("e2fsck", "-f", "-y", str(image))
        if checked.returncode >= 4:
            raise Failure(f"e2fsck could not repair the image ({checked.returncode}): {checked.stdout[-300:]}")
        if mount("-o", "loop", str(image), target=str(folder)).returncode != 0:
            raise Failure("could not mount the checked image again")
        server.store.check_integrity()
        crash.verify(server.store, ledger)
        ids = list(after_sync.memories)
        present = {row[0] for row in server.store.rows(f"SELECT id FROM memories WHERE id IN ({crash.in_list(ids)})")}
        kept = crash.Ledger()
        for memory_id in ids:
            if memory_id in present:
                kept.memory(user, memory_id, after_sync.memories[memory_id][1])
        crash.verify(server.store, kept)  # what survived is whole
        if synchronous == "full" and len(present) != len(ids):
            raise Failure(f"with synchronous = full, {len(ids) - len(present)} of {len(ids)} writes acknowledged"
                          " after the last sync were lost")
        server.start()
        response = server.client().call("POST", f"/v1/users/{user}/memories", {"content": "writable again"})
        if response.status != 201:
            raise Failure(f"a write after the image was checked failed: {response.status} {response.body[:200]}")
        server.stop()
        return {"refused": f"{len(refusals)} x 503 database_read_only", "reads": "200",
                "acknowledgedBeforeSync": len(ledger.memories), "lostOfThose": 0,
                "acknowledgedAfterSync": len(ids), "keptOfThose": len(present), "integrity": "ok"}
    finally:
        server.kill()
        server.environment = {}
        run_command("umount", str(folder))


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
    turned = {synchronous: read_only_under_load(server, synchronous) for synchronous in ("normal", "full")}
    return {"acknowledgedBeforeFull": before, "refusedWhenFull": f"{len(refusals)} x 507 disk_full",
            "readOnly": read_only, "acknowledgedTotal": memories, "lost": 0,
            "integrity": "ok", "turnedReadOnlyWhileServing": turned}
