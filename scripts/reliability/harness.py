"""What every reliability check shares: a live `engram serve`, an HTTP client, and the store read directly.

Standard library only, so that the harness runs with the system's python3. The store is read behind Engram's back
(python's sqlite3 for a SQLite file, the project's psql for PostgreSQL) to check what the API cannot show: that an
acknowledged memory has its embedding and its audit row, and that a refused request changed no table at all.
"""

import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Tables in the order a checksum lists them; a table the store lacks is reported as missing, not skipped.
TABLES = [
    "users", "agents", "sessions", "messages", "memories", "embeddings", "vector_codes", "emotions",
    "session_state", "feedback", "audit_log", "embedding_models", "api_keys", "working_facts", "links",
    "entity_aliases", "modules", "engram_schema_version",
]


def log(*parts):
    print("reliability:", *parts, file=sys.stderr, flush=True)


class Failure(Exception):
    """A guarantee that did not hold; the message says which and by how much."""


class Store:
    """The database a server runs on: a SQLite file or a PostgreSQL URL (with `?schema=` of its own)."""

    def __init__(self, spec, psql=None):
        self.spec = spec
        self.is_postgres = spec.startswith(("postgres://", "postgresql://"))
        self.psql = psql

    def __str__(self):
        return self.spec

    # MARK: reading behind Engram's back

    def rows(self, sql):
        """Every row of `sql` as a list of tuples of strings (None for NULL)."""
        if self.is_postgres:
            url, schema = self._postgres_parts()
            out = subprocess.run(
                [self.psql, url, "-X", "-qAt", "-F", "\x1f", "-R", "\x1e", "-v", "ON_ERROR_STOP=1",
                 # Row-level security scopes every table to `engram.user_id`; the harness reads all users'.
                 "-c", f"SET search_path TO {schema}", "-c", "SET engram.admin = on", "-c", sql],
                check=True, capture_output=True, text=True).stdout.removesuffix("\n")  # psql ends with one
            return [tuple(None if v == "" else v for v in line.split("\x1f")) for line in out.split("\x1e") if line]
        connection = sqlite3.connect(f"file:{self.spec}?mode=ro", uri=True, timeout=30)
        try:
            return [tuple(None if v is None else str(v) for v in row) for row in connection.execute(sql)]
        finally:
            connection.close()

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None

    def checksums(self):
        """A digest of every table's whole content, by table: equal digests, equal tables."""
        digests = {}
        for table in TABLES:
            if self.is_postgres:
                sql = f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"
            else:
                columns = [row[1] for row in self.rows(f"PRAGMA table_info({table})")]
                if not columns:
                    digests[table] = "missing"
                    continue
                joined = " || '|' || ".join(f"quote({c})" for c in columns)
                sql = f"SELECT count(*) || ':' || coalesce(group_concat(r, ','), '') FROM (SELECT {joined} AS r FROM {table} ORDER BY 1)"
            try:
                digests[table] = self.value(sql)
            except subprocess.CalledProcessError:
                digests[table] = "missing"
        return digests

    def check_integrity(self):
        """SQLite's own integrity check, or a query of every table on PostgreSQL; raises Failure otherwise."""
        if self.is_postgres:
            self.checksums()
            return
        result = self.rows("PRAGMA integrity_check")
        if result != [("ok",)]:
            raise Failure(f"integrity_check of {self.spec}: {result[:5]}")

    def _postgres_parts(self):
        parts = urllib.parse.urlsplit(self.spec)
        query = urllib.parse.parse_qs(parts.query)
        schema = query.pop("schema", ["engram"])[0]
        rest = urllib.parse.urlencode({k: v[0] for k, v in query.items()})
        return urllib.parse.urlunsplit(parts._replace(query=rest)), schema


class Response:
    def __init__(self, status, body, seconds):
        self.status = status
        self.body = body
        self.seconds = seconds
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        """The stable error code of an error answer, else None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None


class Client:
    """One keep-alive connection to the server (one per thread); reconnects after an error."""

    def __init__(self, base, key, timeout=30):
        self.base = base
        self.key = key
        self.timeout = timeout
        self._connection = None

    def call(self, method, path, body=None, headers=None, raw=None):
        """Sends a request; returns a Response, or raises OSError when the server does not answer."""
        parts = urllib.parse.urlsplit(self.base)
        all_headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        started = time.monotonic()
        for attempt in range(2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
            try:
                self._connection.request(method, path, body=data, headers=all_headers)
                response = self._connection.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return Response(response.status, payload, time.monotonic() - started)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                # A keep-alive connection the server closed while idle: retry once on a new one. A request that
                # reached a server that then died is not retried (the caller counts it as unacknowledged).
                self.close()
                if attempt == 1 or time.monotonic() - started > 1:
                    raise OSError(str(error)) from error
            except (OSError, http.client.HTTPException) as error:
                self.close()
                raise OSError(str(error)) from error
        raise OSError("unreachable")

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Server:
    """`engram serve` on a store, on a free loopback port; started, killed and restarted by the checks."""

    def __init__(self, binary, store, workdir, extra=()):
        self.binary = binary
        self.store = store
        self.workdir = Path(workdir)
        self.extra = list(extra)
        self.environment = {}  # variables of the server's environment besides the harness's own
        self.process = None
        self.base = None
        self.starts = 0
        self.key = None

    def engram(self, *arguments):
        """Runs a one-shot `engram` command on the store; returns its standard output."""
        done = subprocess.run([self.binary, *arguments, "--db", self.store.spec], capture_output=True, text=True)
        if done.returncode != 0:
            raise Failure(f"engram {' '.join(arguments)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
        return done.stdout

    def admin_key(self):
        if self.key is None:
            out = self.engram("keys", "create", "--admin", "--name", f"reliability-{os.getpid()}", "--json")
            self.key = json.loads(out)["secret"]
        return self.key

    def start(self, timeout=120):
        self.starts += 1
        self.log_path = self.workdir / f"server-{self.starts}.log"
        log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--db", self.store.spec, "--port", "0", "--embedder", "hashing",
             "--maintenance-interval", "0", *self.extra],
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **self.environment})
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"engram serve exited ({self.process.returncode}) before it was ready:\n{self.tail()}")
            match = re.search(r"at http://127\.0\.0\.1:(\d+) ", self.log_path.read_text(errors="replace"))
            if match:
                self.base = f"http://127.0.0.1:{match.group(1)}"
                if self.ready():
                    return self
            time.sleep(0.1)
        raise Failure(f"engram serve was not ready after {timeout} s:\n{self.tail()}")

    def ready(self):
        try:
            return Client(self.base, None, timeout=5).call("GET", "/ready").status == 200
        except OSError:
            return False

    def client(self, timeout=30):
        return Client(self.base, self.admin_key(), timeout=timeout)

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=60)

    def stop(self):
        self.kill(signal.SIGTERM)

    def rss_kib(self):
        """The server's resident memory (VmRSS) in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except (AttributeError, OSError):  # never started, or no log
            return "(no log)"


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run_threads(count, target):
    """Runs `target(index)` on `count` threads; re-raises the first exception any of them raised."""
    errors = []

    def wrapped(index):
        try:
            target(index)
        except BaseException as error:  # noqa: BLE001 - reported to the caller
            errors.append(error)

    threads = [threading.Thread(target=wrapped, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
