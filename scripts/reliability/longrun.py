"""Long run: a sustained mixed load on a store of constant size, with the server's memory sampled throughout.

Clients remember, recall, list and forget for several users; each remembered memory is erased later (`mode=hard`), so the
store keeps the same number of memories and whatever the server holds for it (caches, vectors) should stop growing
once warm. The server's resident memory (VmRSS) is sampled every few seconds: after the warm-up (the first fifth of
the run) it may not grow by more than GROWTH_BOUND_MIB. Latency is kept per window (a tenth of the run): the last
window's p95 may not exceed LATENCY_FACTOR times the first's (a leak or a pile-up shows as a rising p95).
"""

import random
import threading
import time

from harness import Failure, log, percentile, run_threads

CLIENTS = 8
USERS = [f"long{i}" for i in range(4)]
SEEDED = 500  # memories per user before the run
GROWTH_BOUND_MIB = 48
LATENCY_FACTOR = 3.0


def client_loop(server, started, seconds, windows, lock, index):
    client = server.client(timeout=60)
    rng = random.Random(index)
    mine = []
    step = 0
    while (elapsed := time.monotonic() - started) < seconds:
        step += 1
        user = USERS[index % len(USERS)]
        roll = rng.random()
        try:
            if roll < 0.35 or len(mine) < 5:
                content = f"long run {index}-{step}: the {rng.choice(['north', 'south'])} garden needs {step % 7} cans"
                response = client.call("POST", f"/v1/users/{user}/memories", {"content": content})
                if response.status == 201:
                    mine.append(response.json["memory"]["id"])
            elif roll < 0.7:
                response = client.call("DELETE", f"/v1/users/{user}/memories/{mine.pop(0)}?mode=hard")
            elif roll < 0.95:
                response = client.call("POST", f"/v1/users/{user}/recall",
                                       {"query": rng.choice(["garden cans", "north garden", "seeded fact"]), "k": 10})
            else:
                response = client.call("GET", f"/v1/users/{user}/memories?limit=50")
        except OSError as error:
            raise Failure(f"client {index}: no answer: {error}")
        if response.status >= 500:
            raise Failure(f"client {index}: {response.status} {response.body[:200]}")
        with lock:
            windows[min(9, int(elapsed * 10 / seconds))].append(response.seconds)


def run(server, store, options):
    minutes = options.minutes or (1 if options.quick else 10)
    seconds = minutes * 60
    server.admin_key()
    server.start()
    admin = server.client()
    for user in USERS:
        admin.call("POST", "/v1/users", {"id": user})
        for start in range(0, SEEDED, 250):
            admin.call("POST", f"/v1/users/{user}/memories/bulk", {"memories": [
                {"content": f"seeded fact {i} of {user}: the lamp by the door is {i % 5} years old"}
                for i in range(start, min(SEEDED, start + 250))]})
    windows = [[] for _ in range(10)]
    lock = threading.Lock()
    samples = []  # (seconds since start, RSS MiB)
    started = time.monotonic()
    sampler_done = threading.Event()

    def sample():
        while not sampler_done.wait(min(5, seconds / 20)):
            samples.append((round(time.monotonic() - started, 1), round(server.rss_kib() / 1024, 1)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    run_threads(CLIENTS, lambda index: client_loop(server, started, seconds, windows, lock, index))
    sampler_done.set()
    sampler.join()
    warm = [rss for at, rss in samples if at >= seconds / 5]
    if len(warm) < 2:
        raise Failure(f"too few memory samples: {samples}")
    growth = max(warm) - warm[0]
    p95s = [round(percentile(window, 0.95) * 1000, 1) for window in windows]
    requests = sum(len(window) for window in windows)
    log(f"long run: {requests} requests in {minutes} min; RSS MiB after warm-up {warm[0]} -> max {max(warm)}"
        f" (growth {growth:.1f}, bound {GROWTH_BOUND_MIB}); p95 ms per tenth {p95s}")
    if growth > GROWTH_BOUND_MIB:
        raise Failure(f"the server's memory grew by {growth:.1f} MiB after the warm-up (bound {GROWTH_BOUND_MIB}):"
                      f" {samples}")
    if p95s[-1] > LATENCY_FACTOR * max(p95s[0], 1.0):
        raise Failure(f"p95 latency rose from {p95s[0]} ms to {p95s[-1]} ms over the run: {p95s}")
    server.stop()
    return {"minutes": minutes, "clients": CLIENTS, "requests": requests, "rssMiB": samples,
            "rssGrowthAfterWarmupMiB": round(growth, 1), "growthBoundMiB": GROWTH_BOUND_MIB,
            "p95MsPerTenth": p95s}
