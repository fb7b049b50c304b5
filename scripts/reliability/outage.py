"""Database outage: PostgreSQL stopped under load (`fast`, then `immediate`), and back after a pause.

Writers and readers keep going through both outages. While the database is down every request must end within a
bound (the driver's deadlines: connect_timeout + statement_timeout, 40 s by default; the figures report the
longest) with 503 and `database_unavailable` (or succeed, before the server noticed), and `/ready` must answer 503.
Once the database is back (after 15 s, quick 3, or --outage-seconds), requests must succeed again without
restarting Engram (within 90 s: the pool's reconnection back-off grows with the outage), `/ready` must answer 200, and
every write acknowledged before, during or after must be there whole (crash.verify).
"""

import shlex
import subprocess
import threading
import time

import crash
from harness import Client, Failure, log, percentile, run_threads

WRITERS = 6
BOUND_SECONDS = 45  # 40 s of deadlines by default, and some slack for a loaded machine


class Observations:
    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "up"
        self.during = []  # (status, code, seconds) of requests that ended while the database was down
        self.unexpected = []
        self.succeeded_after = 0
        self.first_success_after = None  # when the first request succeeded once the database was back
        self.successes_down = []  # when requests succeeded while the database was down (before Engram noticed)

    def record(self, response):
        with self.lock:
            if self.phase == "down":
                self.during.append((response.status, response.code, response.seconds))
                if response.status in (200, 201):
                    self.successes_down.append(time.monotonic())
                if response.status not in (200, 201, 503) or (response.status == 503 and response.code not in (
                        "database_unavailable",)):
                    self.unexpected.append((response.status, response.body[:200]))
            elif self.phase == "recovered" and response.status in (200, 201):
                self.succeeded_after += 1
                if self.first_success_after is None:
                    self.first_success_after = time.monotonic()


def load(server, ledger, observations, stop, index):
    client = server.client(timeout=BOUND_SECONDS + 15)
    user = crash.USERS[index % len(crash.USERS)]
    step = 0
    while not stop.is_set():
        step += 1
        content = f"outage canary w{index} s{step}: the tide came in at dusk"
        try:
            if step % 3 == 0:
                response = client.call("POST", f"/v1/users/{user}/recall", {"query": "tide dusk", "k": 5,
                                                                            "reinforce": False})
            else:
                response = client.call("POST", f"/v1/users/{user}/memories", {"content": content})
        except OSError as error:
            raise Failure(f"a request got no answer within {BOUND_SECONDS + 15} s during the outage: {error}")
        observations.record(response)
        if response.status == 201:
            ledger.memory(user, response.json["memory"]["id"], content)
        elif response.status == 503:
            time.sleep(0.05)  # as Retry-After asks, briefly


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.1)
    raise Failure(f"{what} within {seconds} s")


def ready_status(server):
    try:
        return Client(server.base, None, timeout=BOUND_SECONDS).call("GET", "/ready").status
    except OSError:
        return None


def run(server, store, options):
    if not options.pg_control:
        raise Failure("the outage check needs --pg-control (a command taking `stop MODE` and `start`)")
    control = shlex.split(options.pg_control)
    pause = options.outage_seconds or (3 if options.quick else 15)
    ledger = crash.Ledger()
    server.admin_key()
    server.start()
    client = server.client()
    for user in crash.USERS:
        client.call("POST", "/v1/users", {"id": user})
    figures = {}
    for mode in ("fast", "immediate"):
        observations = Observations()
        stop = threading.Event()
        workers = threading.Thread(
            target=run_threads, args=(WRITERS, lambda i: load(server, ledger, observations, stop, i)), daemon=True)
        workers.start()
        time.sleep(2)
        before = len(ledger.memories)
        try:
            figures[mode] = outage(server, observations, control, mode, pause)
        finally:
            stop.set()
            subprocess.run([*control, "start"], capture_output=True)  # started again whatever happened
            workers.join()
        memories, _ = crash.verify(store, ledger)
        figures[mode].update(acknowledgedBefore=before, acknowledgedTotal=memories, lost=0)
        log(f"outage ({mode}): " + ", ".join(f"{key} {value}" for key, value in figures[mode].items()))
    server.stop()
    return figures


def outage(server, observations, control, mode, pause):
    """Stops the database, checks what Engram answers while it is down and after it is back; the figures."""
    subprocess.run([*control, "stop", mode], check=True, capture_output=True)
    stopped = time.monotonic()
    with observations.lock:
        observations.phase = "down"
    wait_for(lambda: ready_status(server) == 503, BOUND_SECONDS, "/ready did not answer 503 with the database down")
    time.sleep(pause)
    with observations.lock:
        refused = sum(1 for status, _, _ in observations.during if status == 503)
    if refused == 0:
        raise Failure(f"no request was refused with 503 during the {mode} outage")
    subprocess.run([*control, "start"], check=True, capture_output=True)
    restarted = time.monotonic()
    with observations.lock:
        observations.phase = "recovered"
    ready_at = wait_for(lambda: ready_status(server) == 200, 60, "/ready did not answer 200 after the restart")
    # postgres-nio's pool waits longer between reconnection attempts the longer the outage (up to a minute).
    wait_for(lambda: observations.succeeded_after >= 20, 90, "requests did not succeed again after the restart")
    if observations.unexpected:
        raise Failure(f"unexpected answers while the database was down ({mode}): {observations.unexpected[:3]}")
    with observations.lock:  # again: requests went on failing while the database started
        refused = sum(1 for status, _, _ in observations.during if status == 503)
    longest = max((seconds for _, _, seconds in observations.during), default=0)
    if longest > BOUND_SECONDS:
        raise Failure(f"a request took {longest:.1f} s while the database was down ({mode})")
    return {
        "downSeconds": round(restarted - stopped, 1), "requestsWhileDown": len(observations.during),
        "refused503": refused, "longestWhileDownSeconds": round(longest, 3),
        "p95WhileDownSeconds": round(percentile([s for _, _, s in observations.during], 0.95), 3),
        "readySecondsAfterRestart": round(ready_at - restarted, 1),
        "firstSuccessSecondsAfterRestart": round(observations.first_success_after - restarted, 1),
        "succeededWhileDown": len(observations.successes_down),
        "lastSuccessWhileDownSecondsAfterStop": round(max(observations.successes_down, default=stopped) - stopped, 1)}
