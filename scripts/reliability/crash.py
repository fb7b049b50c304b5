"""Crash: SIGKILL `engram serve` during a burst of writes from several clients, restart, and repeat.

Each round, writers send single memories, bulk batches and links for a few users until the server dies; the round
kills it at a random point after some acknowledgements. After each kill the store must open cleanly (SQLite's
integrity check, a server that gets ready again), and every write the server acknowledged, in any round so far,
must be there whole: the memory with its content, its embedding and its `memory.create` audit row, each
acknowledged link with its audit row, and each bulk batch all or nothing (acknowledged or not).
"""

import random
import signal
import threading
import time

from harness import Failure, log, run_threads

USERS = ["crash-a", "crash-b", "crash-c"]
WRITERS = 8
BULK = 5


class Ledger:
    """What the server acknowledged, across rounds, and every bulk batch sent."""

    def __init__(self):
        self.lock = threading.Lock()
        self.memories = {}  # id -> (user, content)
        self.links = {}  # id -> user
        self.batches = []  # (user, [contents], acknowledged)
        self.acknowledged = 0

    def memory(self, user, memory_id, content):
        with self.lock:
            self.memories[memory_id] = (user, content)
            self.acknowledged += 1
            return self.acknowledged


def writer(server, ledger, round_number, index, kill_after):
    client = server.client(timeout=30)
    rng = random.Random(round_number * 1000 + index)
    mine = []  # this writer's acknowledged memories: (user, id)
    for step in range(100_000):
        user = USERS[(index + step) % len(USERS)]
        tag = f"r{round_number}-w{index}-s{step}"
        choice = rng.random()
        try:
            if choice < 0.6:
                content = f"crash canary {tag}: the {rng.choice(['red', 'blue', 'green'])} kite flew at noon"
                response = client.call("POST", f"/v1/users/{user}/memories", {"content": content, "tags": ["crash"]})
                if response.status != 201:
                    return refused(server, response)
                count = ledger.memory(user, response.json["memory"]["id"], content)
                mine.append((user, response.json["memory"]["id"]))
            elif choice < 0.85:
                contents = [f"crash batch {tag} item {i}: a lantern by the river" for i in range(BULK)]
                with ledger.lock:
                    ledger.batches.append((user, contents, False))
                    position = len(ledger.batches) - 1
                response = client.call(
                    "POST", f"/v1/users/{user}/memories/bulk", {"memories": [{"content": c} for c in contents]})
                if response.status != 200:
                    return refused(server, response)
                with ledger.lock:
                    ledger.batches[position] = (user, contents, True)
                for outcome, content in zip(response.json["outcomes"], contents):
                    count = ledger.memory(user, outcome["memory"]["id"], content)
            else:
                pairs = [m for m in mine if m[0] == user]
                if len(pairs) < 2:
                    continue
                (_, source), (_, target) = rng.sample(pairs, 2)
                response = client.call(
                    "POST", f"/v1/users/{user}/links", {"sourceID": source, "targetID": target, "type": "relates_to"})
                if response.status not in (200, 201):
                    return refused(server, response)
                with ledger.lock:
                    ledger.links[response.json["id"]] = user
                continue
        except OSError:
            return
        if count >= kill_after.value and not kill_after.fired:
            kill_after.fire(server)


def refused(server, response):
    """A write not acknowledged by a server that is still up must be a 503 (going down), else it is a bug."""
    if server.process.poll() is None and response.status != 503:
        raise Failure(f"a write was refused with {response.status}: {response.body[:300]!r}")


class KillSwitch:
    def __init__(self, value):
        self.value = value
        self.fired = False
        self.lock = threading.Lock()

    def fire(self, server):
        with self.lock:
            if self.fired:
                return
            self.fired = True
        server.process.send_signal(signal.SIGKILL)


def in_list(values):
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def verify(store, ledger):
    """Raises Failure when an acknowledged write is missing or incomplete, or a batch is partial."""
    ids = list(ledger.memories)
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = store.rows(
            f"SELECT m.id, m.user_id, m.content,"
            f" (SELECT count(*) FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id),"
            f" (SELECT count(*) FROM audit_log a WHERE a.user_id = m.user_id AND a.target_id = m.id"
            f"  AND a.action = 'memory.create')"
            f" FROM memories m WHERE m.id IN ({in_list(chunk)})")
        for memory_id, user, content, embeddings, audits in rows:
            found[memory_id] = (user, content, int(embeddings), int(audits))
    lost = [i for i in ids if i not in found]
    wrong = [i for i in ids if i in found and found[i][:2] != ledger.memories[i]]
    bare = [i for i in ids if i in found and (found[i][2] < 1 or found[i][3] != 1)]
    if lost or wrong or bare:
        raise Failure(
            f"{len(lost)} acknowledged memories lost, {len(wrong)} changed, {len(bare)} without their embedding or"
            f" audit row (of {len(ids)}); e.g. {(lost or wrong or bare)[:3]}")
    links = list(ledger.links)
    if links:
        rows = store.rows(
            f"SELECT l.id, (SELECT count(*) FROM audit_log a WHERE a.user_id = l.user_id AND a.target_id = l.id)"
            f" FROM links l WHERE l.id IN ({in_list(links)})")
        present = {row[0]: int(row[1]) for row in rows}
        missing = [i for i in links if present.get(i, 0) < 1]
        if missing:
            raise Failure(f"{len(missing)} acknowledged links lost or without an audit row (of {len(links)})")
    partial = acknowledged_missing = 0
    for user, contents, acknowledged in ledger.batches:
        count = int(store.value(
            f"SELECT count(*) FROM memories WHERE user_id = '{user}' AND content IN ({in_list(contents)})"))
        partial += count not in (0, len(contents))
        acknowledged_missing += acknowledged and count != len(contents)
    if partial or acknowledged_missing:
        raise Failure(f"{partial} bulk batches partly stored, {acknowledged_missing} acknowledged batches incomplete")
    return len(ids), len(links)


def run(server, store, options):
    rounds = 3 if options.quick else 20
    rng = random.Random(20261205)
    ledger = Ledger()
    server.admin_key()
    server.start()
    client = server.client()
    for user in USERS:
        response = client.call("POST", "/v1/users", {"id": user})
        if response.status not in (201, 409):
            raise Failure(f"creating user {user}: {response.status} {response.body[:200]}")
    kills = 0
    for round_number in range(rounds):
        switch = KillSwitch(ledger.acknowledged + rng.randint(30, 300))
        started = time.monotonic()
        run_threads(WRITERS, lambda index: writer(server, ledger, round_number, index, switch))
        if not switch.fired:
            raise Failure(f"round {round_number}: the writers stopped before the kill ({server.tail()})")
        server.process.wait(timeout=60)
        kills += 1
        store.check_integrity()
        server.start()  # the store opens cleanly, migrations and all
        memories, links = verify(store, ledger)
        log(f"crash round {round_number + 1}/{rounds}: SIGKILL after {time.monotonic() - started:.1f} s;"
            f" {memories} acknowledged memories and {links} links present and whole,"
            f" {len(ledger.batches)} batches all-or-nothing")
    server.stop()
    return {"kills": kills, "acknowledgedMemories": len(ledger.memories), "acknowledgedLinks": len(ledger.links),
            "bulkBatches": len(ledger.batches), "lost": 0}
