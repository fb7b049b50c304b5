"""Hostile input against a live `engram serve`, over HTTP (/v1) and over MCP (/mcp): refused, never obeyed.

What it checks. Two users are seeded through the API (alice, the victim, and mallory, who holds a user key), then
every table's checksum is taken and about 400 hostile requests are sent (300 with --quick): bodies over the size
limits, deeply nested or broken JSON, NaN and infinities where numbers go, absurd counts and page limits, full-text
query syntax, unknown fields, alice's ids under mallory's key, bad keys, path tricks, wrong methods, and over MCP
malformed JSON-RPC, unknown methods and tools, wrong argument types, another user's session. Each probe must be
answered within the client timeout, with a status below 500, and, when refused, with a JSON error carrying a stable
code (one the server's /openapi.json lists; over MCP a JSON-RPC error code other than -32603 "internal error", or a
tool error whose text starts with an Engram code). Probes that are legitimate reads (full-text syntax in a recall
query is just text) must answer 200. No answer to mallory may contain alice's content. Last, every table's checksum
must be what it was: each probe is refused or is a read (recalls are sent with `"reinforce": false`).

How to run: `scripts/reliability/run.py --engram BIN hostile` (a new SQLite file; `--db URL --psql PSQL` for
PostgreSQL), or scripts/reliability.sh for both drivers. A failure names every probe that failed.
"""

import base64
import collections
import http.client
import json
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Client, Failure, log  # noqa: E402

# The limits of a server started with the defaults: serve's http.maxBodyBytes (8 MiB) and
# EngramConfiguration.maxContentBytes (64 KiB of UTF-8 for content, queries and JSON objects).
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_CONTENT_BYTES = 64 * 1024
TIMEOUT = 30
MCP_PROTOCOL = "2025-06-18"
NESTING = 100_000

# Full-text and query-language syntax that a recall query must treat as plain text.
FULL_TEXT_QUERIES = [
    "NEAR(", '"unbalanced', "*", "a AND OR NOT b", "foo:*", "!(a & b) | c <-> d", "'", "\\", "content: x", "^x",
    "?!.,;:()[]{}<>-+*/|&^~\"'`@#$%", "NEAR(teal pineapple, 2)", "(((", ")", "a OR", "NOT", "-teal", '"', "a:b:c",
    "'; DROP TABLE memories; --", "%_%", "teal\u0000pineapple", "teal\u200b", "\U0001f98a \u2603", "{1:2}",
    "content:teal OR content:*", "teal*", "'teal' & 'pineapple':*",
]
QUICK_FULL_TEXT = 10


class Probes:
    """The probes sent and their answers, and every way an answer fell short."""

    def __init__(self, known_codes, canaries):
        self.known_codes = known_codes
        self.canaries = canaries
        self.records = []
        self.problems = []

    def add(self, name, transport, status, code, seconds, problems):
        self.records.append({"name": name, "transport": transport, "status": status, "code": code,
                             "seconds": round(seconds, 3)})
        self.problems += [f"{transport} {name}: {problem}" for problem in problems]

    def leaks(self, body):
        """Alice's canaries found in `body`, an answer to someone who is not alice."""
        text = body.decode("utf-8", "replace")
        return [canary for canary in self.canaries if canary in text]

    def summary(self):
        by_code = collections.Counter(r["code"] or f"(none: {r['status']})" for r in self.records)
        by_status = collections.Counter(str(r["status"]) for r in self.records)
        by_transport = collections.Counter(r["transport"] for r in self.records)
        slowest = max(self.records, key=lambda r: r["seconds"])
        return {"probes": len(self.records), "by_code": dict(sorted(by_code.items())),
                "by_status": dict(sorted(by_status.items())), "by_transport": dict(by_transport),
                "slowest": {"name": slowest["name"], "seconds": slowest["seconds"]}}


# MARK: HTTP

def statuses_of(status):
    """Acceptable statuses: an int, a set, or None for any 4xx."""
    if status is None:
        return set(range(400, 500))
    return {status} if isinstance(status, int) else set(status)


def http_problems(response, statuses, codes, known_codes):
    """What is wrong with an HTTP answer that should have one of `statuses` and, if an error, one of `codes`."""
    problems = []
    if response.status >= 500:
        problems.append(f"server error {response.status}: {response.body[:300]!r}")
    elif response.status not in statuses:
        problems.append(f"status {response.status}, expected {sorted(statuses)}: {response.body[:300]!r}")
    if response.status >= 400:
        code = response.code
        if not isinstance(code, str) or not code:
            problems.append(f"no error code in the body: {response.body[:300]!r}")
        elif code not in known_codes:
            problems.append(f"code {code!r} is not one /openapi.json lists")
        elif codes is not None and code not in codes:
            problems.append(f"code {code}, expected {sorted(codes)}")
    return problems


# MARK: MCP

class MCPAnswer:
    """One answer of the MCP endpoint: its status, and the JSON-RPC message of a JSON body or an event stream."""

    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds
        self.message = self._message()

    def _message(self):
        """The first message of an event stream (events with empty data are priming events), or the JSON body."""
        text = self.body.decode("utf-8", "replace")
        if "text/event-stream" in self.headers.get("content-type", ""):
            events = ("\n".join(line[5:].lstrip() for line in event.split("\n") if line.startswith("data:"))
                      for event in text.split("\n\n"))
            text = next((data for data in events if data.strip()), "")
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            return None

    @property
    def code(self):
        """An Engram code (an HTTP error, or a tool error), `jsonrpc <code>` for a JSON-RPC error, else None."""
        message = self.message if isinstance(self.message, dict) else {}
        error = message.get("error")
        if isinstance(error, dict):
            code = error.get("code")
            if isinstance(code, int) and not isinstance(code, bool):
                return f"jsonrpc {code}"
            return code if isinstance(code, str) else None
        result = message.get("result")
        if isinstance(result, dict) and result.get("isError"):
            structured = result.get("structuredContent") or {}
            return (structured.get("error") or {}).get("code")
        return None

    def tool_text(self):
        result = (self.message.get("result") if isinstance(self.message, dict) else None) or {}
        return "\n".join(block.get("text", "") for block in result.get("content") or [] if isinstance(block, dict))


class MCPSession:
    """A client of MCP over streamable HTTP at /mcp: `initialize`, then requests carrying the session id."""

    def __init__(self, base, key, query="", session_id=None, timeout=TIMEOUT):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.key = key
        self.path = "/mcp" + query
        self.timeout = timeout
        self.session_id = session_id
        self.next_id = 1

    def post(self, payload=None, raw=None, headers=None, session=True):
        """POSTs a JSON-RPC message (or raw bytes); raises OSError when the server does not answer."""
        data = raw if raw is not None else json.dumps(payload).encode()
        all_headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                       "MCP-Protocol-Version": MCP_PROTOCOL}
        if self.key:
            all_headers["Authorization"] = f"Bearer {self.key}"
        if session and self.session_id:
            all_headers["Mcp-Session-Id"] = self.session_id
        all_headers.update(headers or {})
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request("POST", self.path, body=data, headers=all_headers)
            response = connection.getresponse()
            body = response.read()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return MCPAnswer(response.status, headers, body, time.monotonic() - started)
        except (OSError, http.client.HTTPException) as error:
            raise OSError(str(error)) from error
        finally:
            connection.close()

    def request(self, method, params=None, **options):
        payload = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            payload["params"] = params
        self.next_id += 1
        return self.post(payload, **options)

    def tool(self, name, arguments):
        return self.request("tools/call", {"name": name, "arguments": arguments})

    def start(self, **options):
        """Sends `initialize`; keeps the session id the answer carries. Returns the answer."""
        answer = self.request("initialize", {"protocolVersion": MCP_PROTOCOL, "capabilities": {},
                                             "clientInfo": {"name": "engram-hostile", "version": "1"}}, **options)
        self.session_id = answer.headers.get("mcp-session-id")
        return answer

    def initialize(self):
        """Starts a session and says it is initialized; raises Failure when the server does not start one."""
        answer = self.start()
        if answer.status != 200 or not self.session_id:
            raise Failure(f"MCP initialize answered {answer.status} without a session: {answer.body[:300]!r}")
        notified = self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        if notified.status >= 300:
            raise Failure(f"MCP notifications/initialized answered {notified.status}: {notified.body[:300]!r}")
        return self


def mcp_problems(answer, codes, known_codes):
    """What is wrong with an MCP answer that should carry one of `codes` (None among them: a success)."""
    problems = []
    code = answer.code
    if answer.status >= 500:
        problems.append(f"server error {answer.status}: {answer.body[:300]!r}")
    if code is None and None not in codes:
        problems.append(f"no error code (status {answer.status}): {answer.body[:300]!r}")
    elif code not in codes and not ("jsonrpc *" in codes and code and code.startswith("jsonrpc ")):
        problems.append(f"code {code} (status {answer.status}), expected {sorted(map(str, codes))}: "
                        f"{answer.body[:300]!r}")
    # The JSON-RPC and Engram analogues of a 5xx: the server's own failure, not a refusal of the input.
    if code in ("jsonrpc -32603", "storage_failure"):
        problems.append(f"an internal error answered client input: {answer.body[:300]!r}")
    if code and not code.startswith("jsonrpc ") and code not in known_codes:
        problems.append(f"code {code!r} is not one /openapi.json lists")
    if isinstance(answer.message, dict) and (answer.message.get("result") or {}).get("isError"):
        if not answer.tool_text().startswith(f"{code}: "):
            problems.append(f"a tool error whose text does not start with its code: {answer.tool_text()[:200]!r}")
    return problems


# MARK: the probes

class Hostile:
    """The seeded store, the clients of each party, and the probes, one method per kind."""

    def __init__(self, server, quick):
        self.server = server
        self.quick = quick
        self.admin = server.client(timeout=TIMEOUT)
        self.run_id = uuid.uuid4().hex[:12]
        self.canaries = [f"alicecanary{self.run_id}{n}" for n in range(6)]
        self.ids = {}
        self.probes = None
        self.unknown_fields = None  # "ignored" or "refused", once probed

    # MARK: seeding

    def seed(self):
        """alice and mallory with sessions, memories, a link, facts, messages; mallory's key and a revoked key."""
        for user in ("alice", "mallory"):
            self.must("POST", "/v1/users", {"id": user, "name": user}, (200, 201))
        a = self.canaries
        self.ids["alice_session"] = self.must(
            "POST", "/v1/users/alice/sessions", {"title": f"{a[0]} plans"})["id"]
        self.ids["a1"] = self.must("POST", "/v1/users/alice/memories", {
            "content": f"{a[1]}: alice's favourite colour is teal",
            "entity": {"system": "crm", "id": f"alice-{self.run_id}", "type": "person"},
            "entityData": {"secret": a[2], "tier": "gold"}, "tags": ["private"]})["memory"]["id"]
        self.ids["a2"] = self.must("POST", "/v1/users/alice/memories", {
            "content": f"{a[3]}: alice's password hint is pineapple"})["memory"]["id"]
        self.ids["a3"] = self.must("POST", "/v1/users/alice/memories", {
            "content": f"{a[4]}: alice moves to Lisbon in May", "sessionID": self.ids["alice_session"]})["memory"]["id"]
        self.must("POST", "/v1/users/alice/links", {"sourceID": self.ids["a1"], "targetID": self.ids["a2"]})
        self.ids["alice_fact"] = self.must(
            "POST", "/v1/users/alice/facts", {"content": f"{a[5]}: alice is on a call"})["id"]
        self.must("POST", f"/v1/users/alice/sessions/{self.ids['alice_session']}/messages",
                  {"content": f"{a[0]}: the meeting moved", "role": "user"})

        self.ids["mallory_session"] = self.must("POST", "/v1/users/mallory/sessions", {"title": "mallory's"})["id"]
        self.ids["m1"] = self.must("POST", "/v1/users/mallory/memories", {
            "content": "mallory likes crosswords",
            "entity": {"system": "crm", "id": f"mallory-{self.run_id}", "type": "person"},
            "entityData": {"tier": "silver"}})["memory"]["id"]
        self.ids["m2"] = self.must("POST", "/v1/users/mallory/memories", {
            "content": "mallory's cat is called Turing"})["memory"]["id"]
        self.ids["mallory_fact"] = self.must(
            "POST", "/v1/users/mallory/facts", {"content": "mallory is debugging"})["id"]

        self.mallory_secret = self.must("POST", "/v1/keys", {"userID": "mallory", "name": "m"})["secret"]
        revoked = self.must("POST", "/v1/keys", {"userID": "mallory", "name": "revoked"})
        self.revoked_secret = revoked["secret"]
        self.must("DELETE", f"/v1/keys/{revoked['key']['id']}", None, 200)
        keys = self.must("GET", "/v1/keys?limit=500", None, 200)["items"]
        self.ids["admin_key"] = next(k["id"] for k in keys if k.get("userID") is None)
        self.mallory = Client(self.server.base, self.mallory_secret, timeout=TIMEOUT)

    def must(self, method, path, body=None, status=(200, 201)):
        """A seeding request that must succeed; its JSON answer."""
        response = self.admin.call(method, path, body=body)
        if response.status not in statuses_of(status):
            raise Failure(f"seeding: {method} {path} answered {response.status}: {response.body[:300]!r}")
        return response.json

    # MARK: sending

    def http(self, name, who, method, path, *, body=None, raw=None, headers=None, status=None, code=None,
             rate_limited_ok=False):
        """Sends one HTTP probe as `who` (admin, mallory, or a Client) and records its answer."""
        client = {"admin": self.admin, "mallory": self.mallory}.get(who, who)
        try:
            response = client.call(method, path, body=body, headers=headers, raw=raw)
        except OSError as error:
            self.probes.add(name, "http", None, None, TIMEOUT, [f"no answer: {error}"])
            return None
        statuses = statuses_of(status)
        codes = {code} if isinstance(code, str) else code
        if rate_limited_ok:
            statuses |= {429}
            codes = None if codes is None else codes | {"rate_limited"}
        known = self.probes.known_codes | ({"rate_limited"} if rate_limited_ok else set())
        problems = http_problems(response, statuses, codes, known)
        if who != "admin" and (leaked := self.probes.leaks(response.body)):
            problems.append(f"answer to a non-alice client contains alice's content {leaked}")
        self.probes.add(name, "http", response.status, response.code, response.seconds, problems)
        return response

    def mcp(self, name, session, send, codes, untrusted=True):
        """Sends one MCP probe (`send(session)` returns an MCPAnswer) and records its answer against `codes`."""
        try:
            answer = send(session)
        except OSError as error:
            self.probes.add(name, "mcp", None, None, TIMEOUT, [f"no answer: {error}"])
            return None
        problems = mcp_problems(answer, set(codes), self.probes.known_codes)
        if untrusted and (leaked := self.probes.leaks(answer.body)):
            problems.append(f"answer to a non-alice client contains alice's content {leaked}")
        self.probes.add(name, "mcp", answer.status, answer.code, answer.seconds, problems)
        return answer

    def variants(self, items, keep=2):
        return items[:keep] if self.quick else items

    # MARK: HTTP probes

    def size_probes(self):
        memories = "/v1/users/alice/memories"
        big = b'{"content":"' + b"x" * (MAX_BODY_BYTES + MAX_BODY_BYTES // 8) + b'"}'
        self.http("body over the limit (9 MiB)", "admin", "POST", memories, raw=big, status=413,
                  code="request_too_large")
        self.http("body over the limit, mallory's key", "mallory", "POST", "/v1/users/mallory/memories", raw=big,
                  status=413, code="request_too_large")
        over = "x" * (MAX_CONTENT_BYTES + 1)
        self.http("content one byte over the limit", "admin", "POST", memories, body={"content": over},
                  status=422, code="content_too_large")
        # 21,846 three-byte characters: under the limit in characters, over it in UTF-8 bytes.
        self.http("content over the limit in bytes, not characters", "admin", "POST", memories,
                  body={"content": "\u20ac" * (MAX_CONTENT_BYTES // 3 + 1)}, status=422, code="content_too_large")
        self.http("patch content over the limit", "admin", "PATCH", f"{memories}/{self.ids['a1']}",
                  body={"content": over}, status=422, code="content_too_large")
        self.http("fact content over the limit", "admin", "POST", "/v1/users/alice/facts", body={"content": over},
                  status=422, code="content_too_large")
        self.http("recall query over the limit", "admin", "POST", "/v1/users/alice/recall",
                  body={"query": over, "reinforce": False}, status=422, code="content_too_large")
        self.http("metadata over the limit", "admin", "POST", memories,
                  body={"content": "fine", "metadata": {"blob": "y" * (MAX_CONTENT_BYTES + 16)}}, status=422)
        self.http("message over the limit", "admin", "POST",
                  f"/v1/users/alice/sessions/{self.ids['alice_session']}/messages",
                  body={"content": over, "role": "user"}, status=422, code="content_too_large")
        if not self.quick:
            self.http("bulk of 10,001 memories", "admin", "POST", f"{memories}/bulk",
                      body={"memories": [{"content": f"bulk {n}"} for n in range(10_001)]}, status=422)

    def shape_probes(self):
        memories = "/v1/users/alice/memories"
        nested = b"[" * NESTING + b"]" * NESTING
        self.http("100k nested arrays as the body", "admin", "POST", memories, raw=nested, status=400,
                  code="malformed_request")
        self.http("100k nested arrays as metadata", "admin", "POST", memories,
                  raw=b'{"content":"nested","metadata":{"a":' + nested + b"}}", status=400, code="malformed_request")
        self.http("100k nested objects as entityData", "admin", "POST", memories,
                  raw=b'{"content":"nested","entity":{"system":"s","id":"i"},"entityData":'
                      + b'{"a":' * NESTING + b"1" + b"}" * NESTING + b"}", status=400, code="malformed_request")
        self.http("100k nested arrays as a state value", "admin", "PUT",
                  f"/v1/users/alice/sessions/{self.ids['alice_session']}/state/k",
                  raw=b'{"value":' + nested + b"}", status=400, code="malformed_request")
        self.http("invalid UTF-8 in a string", "admin", "POST", memories, raw=b'{"content": "\xff\xfe"}',
                  status=400, code="malformed_request")
        self.http("truncated UTF-8 sequence", "admin", "POST", memories, raw=b'{"content": "ab\xe2\x82"}',
                  status=400, code="malformed_request")
        self.http("not JSON", "admin", "POST", memories, raw=b"content=hello", status=400, code="malformed_request")
        self.http("empty body", "admin", "POST", memories, raw=b"", status=400, code="malformed_request")
        self.http("no body at all", "admin", "POST", memories, status=400, code="malformed_request")
        self.http("truncated JSON", "admin", "POST", memories, raw=b'{"content": "half', status=400,
                  code="malformed_request")
        self.http("array instead of object", "admin", "POST", memories, raw=b'[{"content":"x"}]', status=400,
                  code="malformed_request")
        self.http("null body", "admin", "POST", memories, raw=b"null", status=400, code="malformed_request")
        self.http("number for content", "admin", "POST", memories, body={"content": 5}, status=400,
                  code="malformed_request")
        self.http("object for content", "admin", "POST", memories, body={"content": {"text": "x"}}, status=400,
                  code="malformed_request")
        self.http("string for metadata", "admin", "POST", memories, body={"content": "x", "metadata": "{}"},
                  status=(400, 422))
        self.http("string for tags", "admin", "POST", memories, body={"content": "x", "tags": "a,b"}, status=400,
                  code="malformed_request")
        self.http("empty content", "admin", "POST", memories, body={"content": ""}, status=422,
                  code="empty_content")
        self.http("white-space content", "admin", "POST", memories, body={"content": " \t\n\u3000"}, status=422,
                  code="empty_content")
        self.http("entityData without entity", "admin", "POST", memories,
                  body={"content": "x", "entityData": {"a": 1}}, status=422)
        self.http("entity with an empty system", "admin", "POST", memories,
                  body={"content": "x", "entity": {"system": "", "id": "1"}}, status=422)
        self.http("unknown sector", "admin", "POST", memories, body={"content": "x", "sector": "kernel"},
                  status=422, code="invalid_enum_value")
        self.http("patch with an unknown sector", "admin", "PATCH", f"{memories}/{self.ids['a1']}",
                  body={"sector": "kernel"}, status=422, code="invalid_enum_value")
        self.http("parent that does not exist", "admin", "POST", memories,
                  body={"content": "orphan", "parentID": "no-such-memory"}, status=(404, 422))
        self.http("bulk with one bad item", "admin", "POST", f"{memories}/bulk",
                  body={"memories": [{"content": "bulk ok 1"}, {"content": ""}, {"content": "bulk ok 2"}]},
                  status=422)
        self.http("create user with a control character", "admin", "POST", "/v1/users", body={"id": "eve\u0007"},
                  status=422, code="invalid_identifier")
        self.http("create user with a 10 KB id", "admin", "POST", "/v1/users", body={"id": "e" * 10_240},
                  status=422, code="invalid_identifier")
        self.http("recreate alice with other data", "admin", "POST", "/v1/users",
                  body={"id": "alice", "name": "pwned", "info": {"owned": True}}, status=200)
        self.http("date that is not a date", "admin", "POST", "/v1/users/alice/recall",
                  body={"query": "teal", "createdAfter": "yesterday", "reinforce": False}, status=422,
                  code="invalid_argument")
        self.http("link a memory to itself", "admin", "POST", "/v1/users/alice/links",
                  body={"sourceID": self.ids["a1"], "targetID": self.ids["a1"]}, status=422, code="invalid_argument")
        self.http("emotion without required fields", "admin", "PUT",
                  f"{memories}/{self.ids['a1']}/emotion", body={}, status=400, code="malformed_request")
        self.http("emotion valence out of range", "admin", "PUT", f"{memories}/{self.ids['a1']}/emotion",
                  body={"valence": 2, "arousal": 0.5, "dominance": 0}, status=422)

    def number_probes(self):
        """NaN, infinities and overflowing numbers, as raw JSON text (Python's json would write NaN)."""
        memories = "/v1/users/alice/memories"
        a1 = self.ids["a1"]
        specials = self.variants(["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
        for value in specials:
            v = value.encode()
            self.http(f"recall k {value}", "admin", "POST", "/v1/users/alice/recall",
                      raw=b'{"query":"teal","reinforce":false,"k":' + v + b"}", status=(400, 422))
            self.http(f"recall minScore {value}", "admin", "POST", "/v1/users/alice/recall",
                      raw=b'{"query":"teal","reinforce":false,"minScore":' + v + b"}", status=(400, 422))
            self.http(f"recall weight {value}", "admin", "POST", "/v1/users/alice/recall",
                      raw=b'{"query":"teal","reinforce":false,"weights":{"similarity":' + v
                          + b',"salience":1,"recency":1,"link":1}}', status=(400, 422))
            self.http(f"emotion valence {value}", "admin", "PUT", f"{memories}/{a1}/emotion",
                      raw=b'{"valence":' + v + b',"arousal":0.5,"dominance":0}', status=(400, 422))
            self.http(f"importance {value}", "admin", "POST", memories,
                      raw=b'{"content":"numbers","importance":' + v + b"}", status=(400, 422))
            self.http(f"patch salience {value}", "admin", "PATCH", f"{memories}/{a1}",
                      raw=b'{"salience":' + v + b"}", status=(400, 422))
            self.http(f"embedding component {value}", "admin", "POST", memories,
                      raw=b'{"content":"vector","embedding":[0.1,' + v + b",0.2]}", status=(400, 422))
            self.http(f"link weight {value}", "admin", "POST", "/v1/users/alice/links",
                      raw=b'{"sourceID":"' + self.ids["a2"].encode() + b'","targetID":"' + self.ids["a3"].encode()
                          + b'","weight":' + v + b"}", status=(400, 422))
            self.http(f"fact ttlSeconds {value}", "admin", "POST", "/v1/users/alice/facts",
                      raw=b'{"content":"ttl","ttlSeconds":' + v + b"}", status=(400, 422))
            self.http(f"fact confidence {value}", "admin", "POST", "/v1/users/alice/facts",
                      raw=b'{"content":"confidence","confidence":' + v + b"}", status=(400, 422))
        self.http("embedding of the wrong dimension", "admin", "POST", memories,
                  body={"content": "vector", "embedding": [0.1, 0.2, 0.3]}, status=422, code="invalid_vector")
        self.http("embedding component over Float's range", "admin", "POST", memories,
                  body={"content": "vector", "embedding": [1e39] * 3}, status=422, code="invalid_vector")
        self.http("fact ttlSeconds 0", "admin", "POST", "/v1/users/alice/facts",
                  body={"content": "ttl", "ttlSeconds": 0}, status=422)
        self.http("fact ttlSeconds 1e300", "admin", "POST", "/v1/users/alice/facts",
                  body={"content": "ttl", "ttlSeconds": 1e300}, status=422)
        self.http("link weight -0.5", "admin", "POST", "/v1/users/alice/links",
                  body={"sourceID": self.ids["a2"], "targetID": self.ids["a3"], "weight": -0.5}, status=422)
        self.http("tokens over Int32", "admin", "POST",
                  f"/v1/users/alice/sessions/{self.ids['alice_session']}/messages",
                  body={"content": "tokens", "role": "user", "inputTokens": 2**40}, status=(400, 422))

    def count_probes(self):
        """Absurd counts: k, page limits, cursors, depths, turns."""
        recall = "/v1/users/alice/recall"
        for k in (10**12, 2**63, 2**64 + 1, 0, -1, 1.5):
            self.http(f"recall k={k}", "admin", "POST", recall, body={"query": "teal", "k": k, "reinforce": False},
                      status=(400, 422))
        lists = ["/v1/users/alice/memories", "/v1/users/alice/sessions", "/v1/users/alice/facts", "/v1/users",
                 "/v1/keys", "/v1/users/alice/audit"]
        for path in self.variants(lists, keep=1):
            for limit in ("-1", "0", "99999999999999999999", "abc", "1e3", "", "5%00"):
                self.http(f"{path}?limit={limit}", "admin", "GET", f"{path}?limit={limit}", status=422,
                          code="invalid_argument")
        memories = "/v1/users/alice/memories"
        # The API pages with opaque cursors, not offsets: an unknown `offset` parameter is ignored (a plain read).
        self.http("?offset=-5 (not a parameter)", "admin", "GET", f"{memories}?offset=-5", status=200)
        for label, cursor in [("garbage", "%%%"), ("not base64", "!!!!"), ("negative", cursor_of(-5)),
                              ("over Int32", cursor_of(2**40)), ("over Int64", cursor_of("99999999999999999999")),
                              ("not a number", cursor_of("x"))]:
            self.http(f"cursor {label}", "admin", "GET", f"{memories}?cursor={cursor}", status=422)
        neighbours = f"{memories}/{self.ids['a1']}/neighbours"
        for depth in ("-1", "0", "1000000", "99999999999999999999", "x"):
            self.http(f"neighbours depth={depth}", "admin", "GET", f"{neighbours}?depth={depth}", status=(200, 422))
        context = f"/v1/users/alice/sessions/{self.ids['alice_session']}/context"
        for query in ("turns=-1", "turns=0", "turns=99999999999999999999", "ttlSeconds=NaN", "ttlSeconds=1e999",
                      "ttlSeconds=-5"):
            self.http(f"context {query}", "admin", "GET", f"{context}?{query}", status=(200, 422))
        for query in ("sector=kernel", "createdAfter=yesterday", "includeInvalid=maybe"):
            self.http(f"memories {query}", "admin", "GET", f"{memories}?{query}", status=422)

    def full_text_probes(self):
        """Query syntax is text: 200, never a parse error of the search engine (a white-space query is empty)."""
        queries = FULL_TEXT_QUERIES[:QUICK_FULL_TEXT] if self.quick else FULL_TEXT_QUERIES
        for query in queries:
            self.http(f"recall {query!r}", "admin", "POST", "/v1/users/alice/recall",
                      body={"query": query, "reinforce": False}, status=(200, 422))
        self.http("recall of punctuation only (mallory)", "mallory", "POST", "/v1/users/mallory/recall",
                  body={"query": FULL_TEXT_QUERIES[10], "reinforce": False}, status=200)
        self.http("recall of white space only", "admin", "POST", "/v1/users/alice/recall",
                  body={"query": " \t ", "reinforce": False}, status=422, code="empty_content")
        if not self.quick:
            many = " ".join(f"w{n} OR" for n in range(6_000)) + " teal"
            self.http("recall of 6,000 OR terms", "admin", "POST", "/v1/users/alice/recall",
                      body={"query": many, "reinforce": False}, status=(200, 422))
        self.http("modules match of query syntax", "admin", "POST", "/v1/users/alice/modules/match",
                  body={"text": 'NEAR( "unbalanced * foo:*'}, status=200)

    def unknown_field_probes(self):
        """Unknown fields: the server ignores them or refuses the body with malformed_request; which is recorded."""
        answer = self.http("recall with an unknown field", "admin", "POST", "/v1/users/alice/recall",
                           body={"query": "teal", "reinforce": False, "bogus": 1, "__proto__": {"admin": True}},
                           status=(200, 400))
        self.unknown_fields = "ignored" if answer is not None and answer.status == 200 else "refused"
        # A body whose known fields are refused either way, so that an ignored unknown field creates nothing.
        self.http("create with unknown fields and empty content", "admin", "POST", "/v1/users/alice/memories",
                  body={"content": "", "userID": "mallory", "id": "chosen-id", "contentHash": "0" * 64},
                  status=(400, 422))
        self.http("unknown fields under mallory's key to alice", "mallory", "PATCH",
                  f"/v1/users/alice/memories/{self.ids['a1']}", body={"userID": "mallory", "admin": True},
                  status=403, code="permission_denied")

    def cross_user_probes(self):
        """mallory's key against alice: refused under alice's path, not found under mallory's."""
        a1, a2 = self.ids["a1"], self.ids["a2"]
        alice, own = "/v1/users/alice", "/v1/users/mallory"
        denied = {"status": 403, "code": "permission_denied"}
        self.http("GET alice's memory", "mallory", "GET", f"{alice}/memories/{a1}", **denied)
        self.http("PATCH alice's memory", "mallory", "PATCH", f"{alice}/memories/{a1}",
                  body={"content": "pwned"}, **denied)
        self.http("DELETE alice's memory", "mallory", "DELETE", f"{alice}/memories/{a1}?mode=hard", **denied)
        self.http("list alice's memories", "mallory", "GET", f"{alice}/memories", **denied)
        self.http("recall as alice", "mallory", "POST", f"{alice}/recall",
                  body={"query": self.canaries[1], "reinforce": False}, **denied)
        self.http("GET alice", "mallory", "GET", alice, **denied)
        self.http("PATCH alice", "mallory", "PATCH", alice, body={"name": "pwned"}, **denied)
        self.http("DELETE alice", "mallory", "DELETE", alice, **denied)
        self.http("export alice", "mallory", "GET", f"{alice}/export", **denied)
        self.http("alice's audit", "mallory", "GET", f"{alice}/audit", **denied)
        self.http("import into alice", "mallory", "POST", f"{alice}/import", raw=b"{}", **denied)
        self.http("maintenance of alice", "mallory", "POST", f"{alice}/maintenance", body={}, **denied)
        self.http("alice's session", "mallory", "GET", f"{alice}/sessions/{self.ids['alice_session']}", **denied)
        self.http("list users", "mallory", "GET", "/v1/users", **denied)
        self.http("create a user", "mallory", "POST", "/v1/users", body={"id": "eve"}, **denied)
        self.http("list keys", "mallory", "GET", "/v1/keys", **denied)
        self.http("create a key for alice", "mallory", "POST", "/v1/keys", body={"userID": "alice", "name": "x"},
                  **denied)
        self.http("create an admin key", "mallory", "POST", "/v1/keys", body={"name": "x"}, **denied)
        self.http("revoke the admin key", "mallory", "DELETE", f"/v1/keys/{self.ids['admin_key']}", **denied)
        self.http("global import", "mallory", "POST", "/v1/import", raw=b"{}", **denied)

        missing = {"status": 404, "code": "memory_not_found"}
        self.http("GET alice's memory under mallory", "mallory", "GET", f"{own}/memories/{a1}", **missing)
        self.http("PATCH alice's memory under mallory", "mallory", "PATCH", f"{own}/memories/{a1}",
                  body={"content": "pwned"}, **missing)
        self.http("DELETE alice's memory under mallory", "mallory", "DELETE", f"{own}/memories/{a1}", **missing)
        self.http("hard DELETE alice's memory under mallory", "mallory", "DELETE",
                  f"{own}/memories/{a1}?mode=hard", **missing)
        self.http("neighbours of alice's memory", "mallory", "GET", f"{own}/memories/{a1}/neighbours", **missing)
        self.http("emotion of alice's memory", "mallory", "GET", f"{own}/memories/{a1}/emotion", **missing)
        self.http("set emotion of alice's memory", "mallory", "PUT", f"{own}/memories/{a1}/emotion",
                  body={"valence": -1, "arousal": 1, "dominance": 1}, **missing)
        self.http("feedback on alice's memory", "mallory", "POST", f"{own}/memories/{a1}/feedback",
                  body={"useful": False}, **missing)
        self.http("link mallory's memory to alice's", "mallory", "POST", f"{own}/links",
                  body={"sourceID": self.ids["m1"], "targetID": a1}, status=(404, 422))
        self.http("link alice's memories under mallory", "mallory", "POST", f"{own}/links",
                  body={"sourceID": a1, "targetID": a2}, status=(404, 422))
        self.http("unlink alice's link under mallory", "mallory", "DELETE",
                  f"{own}/links?sourceID={a1}&targetID={a2}", status=(200, 404))
        self.http("memory with alice's memory as parent", "mallory", "POST", f"{own}/memories",
                  body={"content": "child of alice's memory", "parentID": a1}, status=(404, 422))
        session = self.ids["alice_session"]
        gone = {"status": 404, "code": "session_not_found"}
        self.http("alice's session under mallory", "mallory", "GET", f"{own}/sessions/{session}", **gone)
        self.http("alice's messages under mallory", "mallory", "GET", f"{own}/sessions/{session}/messages", **gone)
        self.http("alice's context under mallory", "mallory", "GET", f"{own}/sessions/{session}/context", **gone)
        self.http("append to alice's session under mallory", "mallory", "POST",
                  f"{own}/sessions/{session}/messages", body={"content": "hi", "role": "user"}, **gone)
        self.http("observe into alice's session under mallory", "mallory", "POST",
                  f"{own}/sessions/{session}/observe", body={"content": "hi"}, **gone)
        self.http("PATCH alice's session under mallory", "mallory", "PATCH", f"{own}/sessions/{session}",
                  body={"title": "pwned"}, **gone)
        self.http("DELETE alice's session under mallory", "mallory", "DELETE", f"{own}/sessions/{session}", **gone)
        fact = self.ids["alice_fact"]
        self.http("DELETE alice's fact under mallory", "mallory", "DELETE", f"{own}/facts/{fact}", status=404,
                  code="fact_not_found")
        self.http("confirm alice's fact under mallory", "mallory", "POST", f"{own}/facts/{fact}/confirm",
                  status=404, code="fact_not_found")

        # mallory's own reads: none may show anything of alice's.
        for query in (self.canaries[1], "alice's favourite colour is teal", "pineapple", "Lisbon"):
            self.http(f"recall {query[:24]!r} as mallory", "mallory", "POST", f"{own}/recall",
                      body={"query": query, "k": 1000, "reinforce": False, "includeInvalid": True}, status=200)
        self.http("recall in alice's session as mallory", "mallory", "POST", f"{own}/recall",
                  body={"query": "teal", "sessionID": session, "reinforce": False}, status=200)
        self.http("list memories in alice's session", "mallory", "GET", f"{own}/memories?sessionID={session}",
                  status=200)
        self.http("mallory's facts of alice's session", "mallory", "GET", f"{own}/facts?sessionID={session}",
                  status=(200, 404))
        self.http("mallory's export", "mallory", "GET", f"{own}/export", status=200)
        self.http("mallory's audit", "mallory", "GET", f"{own}/audit", status=200)
        self.http("mallory's stats", "mallory", "GET", f"{own}/stats", status=200)

    def path_probes(self):
        m = "/v1/users/mallory/memories"
        a1 = self.ids["a1"]
        self.http("user ..%2Falice", "mallory", "GET", "/v1/users/..%2Falice/memories", status=(403, 404, 422))
        self.http("user mallory%2F..%2Falice", "mallory", "GET", "/v1/users/mallory%2F..%2Falice/memories",
                  status=(403, 404, 422))
        self.http("dot segments to alice", "mallory", "GET", "/v1/users/mallory/../alice/memories",
                  status=(403, 404))
        self.http("encoded dot segments", "mallory", "GET", "/v1/users/%2e%2e/alice/memories", status=(403, 404))
        self.http("memory id ..%2F..%2Falice", "mallory", "GET", f"{m}/..%2F..%2Falice%2Fmemories%2F{a1}",
                  status=(404, 422))
        self.http("double-encoded slash", "mallory", "GET", "/v1/users/mallory%252F..%252Falice/memories",
                  status=(403, 404, 422))
        self.http("memory id with %00", "mallory", "GET", f"{m}/{a1}%00", status=(404, 422))
        self.http("user id with %00", "mallory", "GET", "/v1/users/mallory%00/memories", status=(403, 422))
        self.http("user id with %00 (admin)", "admin", "GET", "/v1/users/alice%00/memories", status=(404, 422))
        self.http("memory id of 10 KB", "mallory", "GET", f"{m}/{'a' * 10_240}", status=(404, 422))
        self.http("DELETE memory id of 10 KB", "mallory", "DELETE", f"{m}/{'a' * 10_240}", status=(404, 422))
        self.http("user id of 10 KB (admin)", "admin", "GET", f"/v1/users/{'u' * 10_240}/memories",
                  status=(404, 422))
        self.http("user id of 10 KB (mallory)", "mallory", "GET", f"/v1/users/{'u' * 10_240}/memories",
                  status=(403, 422))
        for label, segment in [("snowman", "%E2%98%83"), ("fox emoji", "%F0%9F%A6%8A"),
                               ("right-to-left override", "%E2%80%AEa1"), ("invalid percent", "%ZZ"),
                               ("invalid UTF-8 percent", "%C3%28"), ("lone surrogate percent", "%ED%A0%80")]:
            self.http(f"memory id {label}", "mallory", "GET", f"{m}/{segment}", status=(404, 422))
        # Look-alikes of alice must not reach her: fullwidth, zero-width joiner, case, surrounding space.
        for label, user in [("fullwidth alice", "%EF%BD%81lice"), ("alice + zero width", "alice%E2%80%8B"),
                            ("ALICE", "ALICE"), ("alice with spaces", "%20alice%20"),
                            ("alice + combining", "alice%CC%81")]:
            self.http(f"user {label} (mallory)", "mallory", "GET", f"/v1/users/{user}/memories",
                      status=(403, 404, 422))
            self.http(f"user {label} (admin)", "admin", "GET", f"/v1/users/{user}/memories?limit=1",
                      status=(200, 404, 422))

    def method_probes(self):
        memory = f"/v1/users/alice/memories/{self.ids['a1']}"
        for method, path in [("PUT", "/v1/users"), ("DELETE", "/v1/users"), ("PATCH", "/v1/keys"),
                             ("PUT", "/v1/users/alice/memories"), ("POST", memory), ("GET", "/v1/users/alice/recall"),
                             ("TRACE", "/v1/users"), ("PROPFIND", "/v1/users")]:
            self.http(f"{method} {path}", "admin", method, path, status=405, code="route_not_found")
        self.http("PUT /v1/users as mallory", "mallory", "PUT", "/v1/users", status=405, code="route_not_found")
        self.http("unknown route", "admin", "GET", "/v1/nothing-here", status=404, code="route_not_found")
        self.http("unknown version", "admin", "GET", "/v2/users", status=404, code="route_not_found")

    # MARK: MCP probes

    def mcp_probes(self):
        base = self.server.base
        session = MCPSession(base, self.mallory_secret).initialize()
        a1 = self.ids["a1"]
        jsonrpc = {"jsonrpc *"}
        tool = lambda name, arguments: lambda s: s.tool(name, arguments)  # noqa: E731
        raw = lambda data: lambda s: s.post(raw=data)  # noqa: E731

        self.mcp("malformed JSON", session, raw(b'{"jsonrpc":"2.0","id":'), {"jsonrpc -32700"})
        self.mcp("not JSON-RPC", session, raw(b'{"hello":"world"}'), jsonrpc | {"malformed_request"})
        self.mcp("JSON-RPC 1.0", session, raw(b'{"jsonrpc":"1.0","id":1,"method":"tools/list"}'), jsonrpc)
        self.mcp("empty batch", session, raw(b"[]"), jsonrpc)
        self.mcp("invalid UTF-8", session,
                 raw(b'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"recall",'
                     b'"arguments":{"query":"\xff\xfe"}}}'), jsonrpc)
        self.mcp("100k nested arrays", session, raw(b"[" * NESTING + b"]" * NESTING), jsonrpc)
        self.mcp("100k nested arguments", session,
                 raw(b'{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"remember",'
                     b'"arguments":{"content":"x","entity_system":"s","entity_id":"i","entity_data":'
                     + b'{"a":' * NESTING + b"1" + b"}" * NESTING + b"}}}"), jsonrpc)
        self.mcp("method not a string", session, raw(b'{"jsonrpc":"2.0","id":7,"method":5}'), jsonrpc)
        # An id that is neither a string nor a number: an error answer, or no answer at all (202, as to a
        # notification); either way nothing is done.
        self.mcp("request id an object", session,
                 raw(b'{"jsonrpc":"2.0","id":{"a":1},"method":"tools/call","params":{"name":"remember",'
                     b'"arguments":{"content":"sent with an object id"}}}'), jsonrpc | {None})
        self.mcp("params not an object", session, lambda s: s.request("tools/call", "recall"), jsonrpc)
        self.mcp("tool name not a string", session, lambda s: s.request("tools/call", {"name": 5}), jsonrpc)
        self.mcp("unknown method", session, lambda s: s.request("memories/steal", {}), {"jsonrpc -32601"})
        self.mcp("unknown tool", session, tool("steal", {}), {"jsonrpc -32602"})
        self.mcp("unknown resource", session,
                 lambda s: s.request("resources/read", {"uri": "engram://users/alice/memories"}), jsonrpc)
        self.mcp("arguments not an object", session, lambda s: s.request(
            "tools/call", {"name": "recall", "arguments": ["teal"]}), jsonrpc | {"invalid_argument"})

        bad = {"invalid_argument"}
        for name, arguments in [
            ("recall", {"query": 5}), ("recall", {"query": "teal", "k": "ten"}), ("remember", {"content": ["x"]}),
            ("remember", {"content": "x", "tags": "a,b"}), ("forget", {"id": {"$ne": None}}),
            ("link", {"source_id": self.ids["m1"], "target_id": self.ids["m2"], "weight": "heavy"}),
            ("facts", {"include_expired": "yes"}), ("remember", {"content": "x", "entity_data": {"a": 1}}),
            ("remember", {"content": "x", "user": "alice"}), ("recall", {"query": "teal", "user_id": "alice"}),
            ("stats", {"user": "alice"}), ("recall", {}),
        ]:
            self.mcp(f"{name} {json.dumps(arguments)[:50]}", session, tool(name, arguments), bad)
        self.mcp("remember with an unknown sector", session, tool("remember", {"content": "x", "sector": "kernel"}),
                 {"invalid_enum_value"})

        for value in self.variants(["NaN", "Infinity", "-Infinity", "1e999"]):
            v = value.encode()
            self.mcp(f"recall k {value}", session,
                     raw(b'{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"recall",'
                         b'"arguments":{"query":"teal","reinforce":false,"k":' + v + b"}}}"), jsonrpc | bad)
            self.mcp(f"remember salience {value}", session,
                     raw(b'{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"remember",'
                         b'"arguments":{"content":"numbers","salience":' + v + b"}}}"), jsonrpc | bad)
        for k in (10**12, 2**63, 0, -1, 1.5):
            self.mcp(f"recall k={k}", session, tool("recall", {"query": "teal", "k": k, "reinforce": False}),
                     jsonrpc | bad)
        # ttl_hours is multiplied by 3600: 1e306 hours is an infinite TTL.
        self.mcp("add_fact ttl_hours 1e306", session, tool("add_fact", {"content": "x", "ttl_hours": 1e306}), bad)
        self.mcp("add_fact ttl_hours -1", session, tool("add_fact", {"content": "x", "ttl_hours": -1}), bad)
        self.mcp("add_fact confidence 7", session, tool("add_fact", {"content": "x", "confidence": 7}), bad)
        self.mcp("remember importance 1e308", session, tool("remember", {"content": "x", "importance": 1e308}), bad)
        self.mcp("neighbours depth 10**9", session, tool("neighbours", {"id": self.ids["m1"], "depth": 10**9}),
                 bad | {None})
        self.mcp("context max_age_hours 1e306", session,
                 tool("context", {"session": self.ids["mallory_session"], "max_age_hours": 1e306}), bad | {None})

        over = "x" * (MAX_CONTENT_BYTES + 1)
        too_large = {"content_too_large"}
        self.mcp("remember content over the limit", session, tool("remember", {"content": over}), too_large)
        self.mcp("observe content over the limit", session, tool("observe", {"content": over}), too_large)
        self.mcp("add_fact content over the limit", session, tool("add_fact", {"content": over}), too_large)
        self.mcp("recall query over the limit", session, tool("recall", {"query": over, "reinforce": False}),
                 too_large)
        big = (b'{"jsonrpc":"2.0","id":30,"method":"tools/call","params":{"name":"remember","arguments":'
               b'{"content":"' + b"x" * (MAX_BODY_BYTES + MAX_BODY_BYTES // 8) + b'"}}}')
        self.mcp("body over the limit (9 MiB)", session, raw(big), {"request_too_large"})

        for query in self.variants(FULL_TEXT_QUERIES[:8], keep=3):
            self.mcp(f"recall {query!r}", session, tool("recall", {"query": query, "reinforce": False}), {None})

        not_found = {"memory_not_found"}
        self.mcp("forget alice's memory", session, tool("forget", {"id": a1}), not_found)
        self.mcp("hard forget alice's memory", session, tool("forget", {"id": a1, "mode": "hard"}), not_found)
        self.mcp("neighbours of alice's memory", session, tool("neighbours", {"id": a1}), not_found)
        self.mcp("link mallory's memory to alice's", session,
                 tool("link", {"source_id": self.ids["m1"], "target_id": a1}), not_found)
        self.mcp("alice's session context", session, tool("context", {"session": self.ids["alice_session"]}),
                 {"session_not_found"})
        self.mcp("recall alice's canary", session,
                 tool("recall", {"query": self.canaries[1], "k": 1000, "reinforce": False,
                                 "include_invalid": True}), {None})
        self.mcp("recall alice's words", session,
                 tool("recall", {"query": "alice's password hint is pineapple", "reinforce": False}), {None})
        self.mcp("facts of alice's session", session, tool("facts", {"session": self.ids["alice_session"]}),
                 {None, "session_not_found"})
        self.mcp("recent memories resource", session,
                 lambda s: s.request("resources/read", {"uri": "engram://memories/recent"}), {None})
        # A notification gets no answer and must do nothing: a tools/call without an id is not a call.
        self.mcp("tools/call as a notification", session, lambda s: s.post(
            {"jsonrpc": "2.0", "method": "tools/call",
             "params": {"name": "remember", "arguments": {"content": "notified"}}}), {None})

        self.mcp("mallory's key, ?user=alice", MCPSession(base, self.mallory_secret, "?user=alice"),
                 lambda s: s.start(), {"permission_denied"})
        self.mcp("admin key without ?user", MCPSession(base, self.server.admin_key()),
                 lambda s: s.start(), {"invalid_argument"}, untrusted=False)
        self.mcp("mallory's session as alice", MCPSession(base, self.server.admin_key(), "?user=alice",
                                                          session_id=session.session_id),
                 tool("recall", {"query": "teal", "reinforce": False}), jsonrpc, untrusted=False)
        self.mcp("unknown session id", MCPSession(base, self.mallory_secret, session_id=str(uuid.uuid4()).upper()),
                 tool("stats", {}), jsonrpc)
        self.mcp("tools/call without a session", MCPSession(base, self.mallory_secret), tool("stats", {}), jsonrpc)
        self.mcp("initialize without text/event-stream", MCPSession(base, self.mallory_secret),
                 lambda s: s.start(headers={"Accept": "application/json"}), jsonrpc)
        self.mcp("session still works", session, tool("stats", {}), {None})
        return session

    # MARK: keys, last: a server that limits failed authentications then refuses this client for a while

    def auth_probes(self, session):
        memories = "/v1/users/mallory/memories"
        secret = self.mallory_secret
        unknown = "engram_" + "".join("A" if c != "A" else "B" for c in secret[len("engram_"):])
        attempts = [
            ("well-formed unknown key", {"Authorization": f"Bearer {unknown}"}),
            ("malformed key", {"Authorization": "Bearer nope"}),
            ("key with a trailing byte", {"Authorization": f"Bearer {secret}x"}),
            ("key truncated", {"Authorization": f"Bearer {secret[:-1]}"}),
            ("revoked key", {"Authorization": f"Bearer {self.revoked_secret}"}),
            ("no key", {}),
            ("Basic credentials", {"Authorization": "Basic bWFsbG9yeTpodW50ZXIy"}),
            ("Basic with a valid X-API-Key", {"Authorization": "Basic bWFsbG9yeTpodW50ZXIy", "X-API-Key": secret}),
            ("empty Bearer", {"Authorization": "Bearer "}),
            ("unknown X-API-Key", {"X-API-Key": unknown}),
            ("key as the scheme", {"Authorization": secret}),
        ]
        for name, headers in attempts:
            client = Client(self.server.base, None, timeout=TIMEOUT)
            self.http(f"{name}: list", client, "GET", memories, headers=headers, status=401, code="unauthenticated",
                      rate_limited_ok=True)
            self.http(f"{name}: create", client, "POST", memories, headers=headers,
                      body={"content": f"written without a valid key ({name})"}, status=401, code="unauthenticated",
                      rate_limited_ok=True)
        for parameter in ("api_key", "key", "access_token", "token", "apiKey"):
            client = Client(self.server.base, None, timeout=TIMEOUT)
            self.http(f"key in the query string ?{parameter}=", client, "GET",
                      f"{memories}?{parameter}={urllib.parse.quote(secret)}", status=401, code="unauthenticated",
                      rate_limited_ok=True)
        for name, key in [("no key", None), ("revoked key", self.revoked_secret), ("unknown key", unknown)]:
            self.mcp(f"initialize, {name}", MCPSession(self.server.base, key), lambda s: s.start(),
                     {"unauthenticated", "rate_limited"})
        self.mcp("mallory's session with the revoked key",
                 MCPSession(self.server.base, self.revoked_secret, session_id=session.session_id),
                 lambda s: s.tool("stats", {}), {"unauthenticated", "rate_limited"})


def cursor_of(value):
    """A page cursor as the server makes them (`c1:<position>`, URL-safe base64 without padding)."""
    return base64.urlsafe_b64encode(f"c1:{value}".encode()).decode().rstrip("=")


# MARK: the check

def known_codes(server):
    """The stable error codes the server's /openapi.json lists."""
    response = Client(server.base, None, timeout=TIMEOUT).call("GET", "/openapi.json")
    if response.status != 200 or response.json is None:
        raise Failure(f"GET /openapi.json answered {response.status}")
    schema = response.json["components"]["schemas"]["Error"]
    return set(schema["properties"]["error"]["properties"]["code"]["enum"])


def settled_checksums(store, barrier):
    """Every table's checksum once the store stops changing; `barrier()` first makes queued writes land."""
    barrier()
    previous = store.checksums()
    for _ in range(20):
        time.sleep(0.25)
        current = store.checksums()
        if current == previous:
            return current
        previous = current
    raise Failure(f"the store kept changing with no request in flight: {changed_tables(previous, current)}")


def changed_tables(before, after):
    return sorted(table for table in set(before) | set(after) if before.get(table) != after.get(table))


def run(server, store, options):
    """Seeds alice and mallory, sends every probe, and checks every answer and that no table changed."""
    server.admin_key()
    server.start()
    hostile = Hostile(server, options.quick)
    hostile.seed()
    hostile.probes = Probes(known_codes(server), hostile.canaries)

    # Every service operation but recall first waits for recall's queued reinforcement to be written: a read of
    # stats is the barrier that makes anything a probe queued land before the checksum.
    def barrier():
        response = hostile.admin.call("GET", "/v1/users/alice/stats")
        # After the bad-key probes this address may be rate-limited (a token comes back each second).
        for _ in range(60):
            if response.status != 429:
                break
            time.sleep(1.1)
            response = hostile.admin.call("GET", "/v1/users/alice/stats")
        if response.status != 200:
            raise Failure(f"GET /v1/users/alice/stats answered {response.status}: {response.body[:300]!r}")

    before = settled_checksums(store, barrier)
    started = time.monotonic()
    hostile.size_probes()
    hostile.shape_probes()
    hostile.number_probes()
    hostile.count_probes()
    hostile.full_text_probes()
    hostile.unknown_field_probes()
    hostile.cross_user_probes()
    hostile.path_probes()
    hostile.method_probes()
    session = hostile.mcp_probes()
    hostile.auth_probes(session)
    if not server.ready():
        hostile.probes.problems.append(f"the server is not ready after the probes:\n{server.tail()}")
    after = settled_checksums(store, barrier)

    summary = hostile.probes.summary()
    summary["unknown_fields"] = hostile.unknown_fields
    summary["seconds"] = round(time.monotonic() - started, 1)
    changed = changed_tables(before, after)
    summary["changed_tables"] = changed
    log(f"hostile: {summary['probes']} probes in {summary['seconds']} s, by status {summary['by_status']}, "
        f"{len(hostile.probes.problems)} problems, changed tables {changed or 'none'}, "
        f"unknown fields {summary['unknown_fields']}")
    problems = list(hostile.probes.problems)
    if changed:
        problems.append(f"tables changed by probes that must not write: {', '.join(changed)}")
    if problems:
        failure = Failure(f"{len(problems)} problems:\n  " + "\n  ".join(problems))
        failure.summary = summary
        raise failure
    return summary
