"""Concurrency: many clients over many users, every operation at once, and never a result of another user.

Every memory a client writes carries its user's canary (a word no other user's text has). Clients observe turns,
remember, recall (also asking for other users' canaries), read and list memories, fetch other users' memory ids,
forget, and erase and re-create users of their own; every answer body is searched for canaries, and one of
another user is a leak. Afterwards the store itself is searched the same way. Then two races: clients remember the
same entity at once with different fields (one memory must hold every field), and the same content at once (one
memory, reinforced by the rest).
"""

import random
import re
import threading
import time

from harness import Failure, percentile, run_threads

CANARY = re.compile(rb"zq([a-z0-9]+)zq")


def canary(user):
    return f"zq{user.replace('-', '')}zq"


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.by_status = {}
        self.leaks = []
        self.errors = []
        self.latencies = {}
        self.acknowledged = 0

    def note(self, operation, user, response, allowed):
        found = {m.decode() for m in CANARY.findall(response.body)}
        with self.lock:
            self.requests += 1
            self.by_status[response.status] = self.by_status.get(response.status, 0) + 1
            self.latencies.setdefault(operation, []).append(response.seconds)
            foreign = found - {user.replace("-", "")}
            if foreign:
                self.leaks.append((operation, user, sorted(foreign)[:3]))
            if response.status not in allowed:
                self.errors.append((operation, user, response.status, response.body[:200]))


def client_loop(server, users, ephemeral, tally, deadline, index, ids):
    client = server.client(timeout=60)
    rng = random.Random(index)
    own_ephemeral = ephemeral[index % len(ephemeral)] if index < len(ephemeral) else None
    sessions = set()
    step = 0
    while time.monotonic() < deadline:
        step += 1
        user = rng.choice(users + ephemeral)
        other = rng.choice([u for u in users if u != user])
        tag = canary(user)
        # An ephemeral user may be erased by its owner at any moment: its operations may find it gone.
        gone = {404} if user in ephemeral else set()
        roll = rng.random()
        try:
            if own_ephemeral and roll < 0.03:
                response = client.call("DELETE", f"/v1/users/{own_ephemeral}")
                tally.note("erase", own_ephemeral, response, {200, 204, 404})
                response = client.call("POST", "/v1/users", {"id": own_ephemeral})
                tally.note("createUser", own_ephemeral, response, {201, 409})
            elif roll < 0.25:
                session = f"c{index}"
                if (user, session) not in sessions:
                    response = client.call("POST", f"/v1/users/{user}/sessions", {"id": session})
                    tally.note("createSession", user, response, {201, 409} | gone)
                    sessions.add((user, session))
                content = f"{tag} said on turn {step}: my sister {rng.choice(['Ana', 'Bea'])} moved to Porto"
                response = client.call(
                    "POST", f"/v1/users/{user}/sessions/{session}/observe", {"content": content, "speaker": "Sam"})
                if response.status == 404:
                    sessions.discard((user, session))
                tally.note("observe", user, response, {200, 201} | gone)
            elif roll < 0.5:
                content = f"{tag} note {index}-{step}: the {rng.choice(['violin', 'cello', 'flute'])} lesson moved"
                response = client.call("POST", f"/v1/users/{user}/memories", {"content": content})
                tally.note("remember", user, response, {201} | gone)
                if response.status == 201:
                    with tally.lock:
                        tally.acknowledged += 1
                        ids.setdefault(user, []).append(response.json["memory"]["id"])
            elif roll < 0.75:
                query = rng.choice(["violin lesson", "sister Porto", canary(other), f"{canary(other)} {tag} cello"])
                response = client.call(
                    "POST", f"/v1/users/{user}/recall", {"query": query, "k": 10, "reinforce": rng.random() < 0.5})
                tally.note("recall", user, response, {200} | gone)
            elif roll < 0.85:
                response = client.call("GET", f"/v1/users/{user}/memories?limit=20")
                tally.note("list", user, response, {200} | gone)
            elif roll < 0.93:
                with tally.lock:
                    theirs = list(ids.get(other, [])[-50:])
                if theirs:
                    # Another user's memory id under this user's path: not found, and nothing of it shown.
                    response = client.call("GET", f"/v1/users/{user}/memories/{rng.choice(theirs)}")
                    tally.note("foreignGet", user, response, {404})
            else:
                with tally.lock:
                    mine = ids.get(user, [])
                    victim = mine.pop(rng.randrange(len(mine))) if mine else None
                if victim:
                    response = client.call("DELETE", f"/v1/users/{user}/memories/{victim}")
                    tally.note("forget", user, response, {200, 204, 404})
        except OSError as error:
            raise Failure(f"client {index}: no answer: {error}")


def race_entity(server, store, user, clients):
    """Clients remember one entity at once, each with a field of its own: one memory ends with every field."""
    entity = {"system": "crm", "id": f"race-{user}", "type": "customer"}

    def one(index):
        response = server.client().call("POST", f"/v1/users/{user}/memories", {
            "content": f"{canary(user)} customer race note {index}", "entity": entity,
            "entityData": {f"field{index}": index}})
        if response.status not in (200, 201):
            raise Failure(f"entity upsert {index}: {response.status} {response.body[:200]}")

    run_threads(clients, one)
    rows = store.rows(
        f"SELECT id, entity_data FROM memories WHERE user_id = '{user}' AND entity_system = 'crm'"
        f" AND entity_id = 'race-{user}'")
    if len(rows) != 1:
        raise Failure(f"{clients} concurrent upserts of one entity left {len(rows)} memories")
    data = rows[0][1]
    missing = [i for i in range(clients) if f'"field{i}"' not in data]
    if missing:
        raise Failure(f"the entity's data lost the fields of upserts {missing} ({data[:200]})")


def race_content(server, store, user, clients):
    """Clients remember the same content at once: one memory, created once and reinforced by the others."""
    content = f"{canary(user)} the same sentence remembered by everyone at once"
    actions = []

    def one(index):
        response = server.client().call("POST", f"/v1/users/{user}/memories", {"content": content})
        if response.status not in (200, 201):
            raise Failure(f"same-content remember {index}: {response.status} {response.body[:200]}")
        actions.append(response.json["action"])

    run_threads(clients, one)
    escaped = content.replace("'", "''")
    count = int(store.value(f"SELECT count(*) FROM memories WHERE user_id = '{user}' AND content = '{escaped}'"))
    if count != 1 or actions.count("created") != 1:
        raise Failure(f"{clients} concurrent remembers of one content: {count} memories, actions {sorted(actions)}")


def run(server, store, options):
    clients = 50
    seconds = 30 if options.quick else 300
    users = [f"u{i:02d}" for i in range(20)]
    ephemeral = [f"tmp{i}" for i in range(4)]
    server.admin_key()
    server.start()
    admin = server.client()
    for user in users + ephemeral:
        admin.call("POST", "/v1/users", {"id": user})
    tally = Tally()
    ids = {}
    deadline = time.monotonic() + seconds
    run_threads(clients, lambda index: client_loop(server, users, ephemeral, tally, deadline, index, ids))
    if tally.leaks:
        raise Failure(f"{len(tally.leaks)} answers held another user's canary: {tally.leaks[:5]}")
    if tally.errors:
        raise Failure(f"{len(tally.errors)} unexpected answers: {tally.errors[:5]}")
    stored_leaks = 0
    for user, content in store.rows("SELECT user_id, content FROM memories"):
        found = {m.decode() for m in CANARY.findall(content.encode())}
        stored_leaks += bool(found - {user.replace("-", "")})
    if stored_leaks:
        raise Failure(f"{stored_leaks} stored memories hold another user's canary")
    race_entity(server, store, users[0], 20)
    race_content(server, store, users[1], 20)
    server.stop()
    return {
        "clients": clients, "users": len(users) + len(ephemeral), "loadSeconds": seconds, "requests": tally.requests,
        "byStatus": {str(k): v for k, v in sorted(tally.by_status.items())},
        "acknowledgedRemembers": tally.acknowledged, "leaks": 0,
        "p95ByOperationMs": {op: round(percentile(v, 0.95) * 1000, 1) for op, v in sorted(tally.latencies.items())},
        "entityRace": "1 memory, every field", "contentRace": "1 memory, 1 created"}
