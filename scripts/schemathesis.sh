#!/usr/bin/env bash
# Fuzzes `engram serve` against its own /openapi.json with schemathesis: every operation, every check, positive
# and negative data, a bounded number of examples per operation; then, in a second run against the same server,
# the stateful phase for a bounded time: scenarios that chain operations along the document's links (create, then
# read, change and delete what was created). Exits non-zero on any failure; always stops the server it started.
#
#   scripts/schemathesis.sh                                   # a few minutes on 2 cores, after the build
#   ENGRAM_ST_EXAMPLES=100 ENGRAM_ST_SEED=7 scripts/schemathesis.sh
#   ENGRAM_ST_STATEFUL_SECONDS=300 ENGRAM_ST_STEPS=12 scripts/schemathesis.sh   # a longer stateful phase, longer
#                                                            # scenarios (ENGRAM_ST_SCENARIOS: per suite, 150)
#   ENGRAM_ST_ARGS="--include-operation-id recall --output-truncate false" scripts/schemathesis.sh
#   ENGRAM_BIN=/path/to/engram scripts/schemathesis.sh       # no build: fuzz that binary (its resource bundles
#                                                            # beside it, so it serves their openapi.json)
#
# The server runs on a fresh SQLite file with the hashing embedder, on a free loopback port. A user `default`
# with an agent, sessions, messages, memories, a link, a fact, a state value and an emotion is seeded through the
# API, and schemathesis draws path parameters from those ids most of the time, so that operations reach real rows.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${ENGRAM_ST_EXAMPLES:-25}"
stateful_seconds="${ENGRAM_ST_STATEFUL_SECONDS:-60}"
steps="${ENGRAM_ST_STEPS:-8}"
scenarios="${ENGRAM_ST_SCENARIOS:-150}"
seed="${ENGRAM_ST_SEED:-20260131}"

# The Python tools: scripts/python-tools.sh pins them when present; until then, a local venv with the same pin.
if [ -f scripts/python-tools.sh ]; then
    python=$(bash scripts/python-tools.sh | tail -n 1)
else
    if [ ! -x .tools/venv/bin/st ]; then
        python3 -m venv .tools/venv
        .tools/venv/bin/pip install --quiet schemathesis==4.32.5
    fi
    python=.tools/venv/bin/python
fi
st="$(dirname "$python")/st"
[ -x "$st" ] || { echo "schemathesis.sh: no schemathesis beside $python" >&2; exit 1; }

if [ -n "${ENGRAM_BIN:-}" ]; then
    [ -x "$ENGRAM_BIN" ] || { echo "schemathesis.sh: ENGRAM_BIN=$ENGRAM_BIN is not an executable" >&2; exit 1; }
    engram="$ENGRAM_BIN"
    echo "== using $engram (no build)"
else
    echo "== build"
    swift build --product engram
    engram="$(swift build --show-bin-path)/engram"
fi

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== engram serve"
# An admin key, so that every route is reachable (and ignored_auth can check that a request without it is refused).
key=$("$engram" keys create --admin --name schemathesis --json --db "$work/engram.sqlite" \
    | "$python" -c 'import json, sys; print(json.load(sys.stdin)["secret"])')
# No limit on failed authentications: ignored_auth sends a keyless and a bad-key request per operation, and the
# 429 `rate_limited` the default limit answers after 20 of them is not a refusal to schemathesis.
"$engram" serve --db "$work/engram.sqlite" --port 0 --embedder hashing --maintenance-interval 0 --auth-failure-burst 0 \
    >"$work/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 1 300); do
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$work/server.log" >&2
        echo "schemathesis.sh: engram serve exited before it was ready" >&2
        exit 1
    fi
    port=$(sed -n 's|.* at http://127\.0\.0\.1:\([0-9][0-9]*\) .*|\1|p' "$work/server.log" | head -n 1)
    if [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then break; fi
    port=""
    sleep 0.2
done
[ -n "$port" ] || { cat "$work/server.log" >&2; echo "schemathesis.sh: not ready after 60 s" >&2; exit 1; }
base="http://127.0.0.1:$port"

# JSON Lines (export and import) travel as text; an export must be one JSON object per line with `table` and `row`.
cat >"$work/engram_st_hooks.py" <<'PYTHON'
import json

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")


@schemathesis.deserializer("application/x-ndjson")
def json_lines(ctx, response):
    text = response.content.decode()
    if text and not text.endswith("\n"):
        raise ValueError("the last line has no newline")
    # Only "\n" ends a line: U+2028, U+0085 and the like may stand unescaped inside JSON strings.
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        record = json.loads(line)
        if not isinstance(record, dict) or set(record) != {"table", "row"}:
            raise ValueError(f"line {number} is not a {{table, row}} record")
    return text
PYTHON

cat >"$work/schemathesis.toml" <<'TOML'
hooks = "engram_st_hooks"

# No state kept between runs (schemathesis would otherwise write .schemathesis/ here).
[cache]
enabled = false

# positive_data_acceptance also takes 422: the API refuses some schema-valid values by rules JSON Schema cannot
# state (limits in UTF-8 bytes, opaque cursors, the store's vector dimension, a link to itself, 64 distinct tags).
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

TOML

cat >>"$work/schemathesis.toml" <<TOML
# Examples per operation of the fuzzing phase: set here, not with --max-examples, which would also set the number of
# scenarios of a stateful suite.
[generation]
max-examples = $examples

# The stateful phase: suites of at most $scenarios scenarios of at most $steps calls each, along the document's links
# only (the few hundred links schemathesis would infer on its own leave most of the document's unreached).
[phases.stateful]
max-steps = $steps

[phases.stateful.inference]
algorithms = []

[phases.stateful.generation]
max-examples = $scenarios

TOML

echo "== seed user 'default' at $base"
"$python" - "$base" "$key" "$work/schemathesis.toml" "$work/stateful.toml" <<'PYTHON'
import json
import sys
import urllib.request

base, key, config, stateful_config = sys.argv[1:5]


def call(method, path, body=None):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


users = ["default", "scratch"]
for user in users:
    call("POST", "/v1/users", {"id": user, "name": user.title()})
call("POST", "/v1/users/default/agents", {"id": "planner", "name": "Planner", "description": "Plans trips"})
call("POST", "/v1/users/default/agents", {"id": "retired", "name": "Retired"})
call("POST", "/v1/users/default/sessions", {"id": "chat", "agentID": "planner", "title": "Trip to Lisbon"})
call("POST", "/v1/users/default/sessions", {"id": "old-chat", "title": "Old"})
messages = [
    call("POST", "/v1/users/default/sessions/chat/messages", {"role": role, "content": content})["id"]
    for role, content in [("user", "I prefer window seats."), ("assistant", "Noted: window seats.")]
]
memories = [
    call("POST", "/v1/users/default/memories", body)["memory"]["id"]
    for body in [
        {"content": "The user prefers window seats.", "sector": "semantic", "tags": ["travel"],
         "sourceMessageIDs": messages, "sessionID": "chat", "agentID": "planner"},
        {"content": "Booked a flight to Lisbon on 3 May.", "sector": "episodic", "contextType": "completed_action"},
        {"content": "Order #42 shipped.", "contextType": "domain_entity",
         "entity": {"system": "shop", "id": "42", "type": "order"}, "entityData": {"status": "shipped"}},
        {"content": "A memory to forget.", "sector": "reflective"},
    ]
]
call("POST", "/v1/users/default/links", {"sourceID": memories[0], "targetID": memories[1], "type": "relates_to"})
call("PUT", f"/v1/users/default/memories/{memories[0]}/emotion", {"valence": 0.5, "arousal": 0.2, "dominance": 0.1})
facts = [call("POST", "/v1/users/default/facts", {"content": "Wants to fly on Friday", "sessionID": "chat"})["id"]]
call("PUT", "/v1/users/default/sessions/chat/state/mood", {"value": {"tone": "friendly"}})


def values(items):
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def settings(forget):
    return f"""
[dictionaries]
users = {{ values = {values(["default"])} }}
erasable = {{ values = {values(["scratch"])} }}
agents = {{ values = {values(["planner"])} }}
retired = {{ values = {values(["retired"])} }}
sessions = {{ values = {values(["chat"])} }}
old-sessions = {{ values = {values(["old-chat"])} }}
memories = {{ values = {values(memories[:3])} }}
forgettable = {{ values = {values(memories[3:])} }}
facts = {{ values = {values(facts)} }}
messages = {{ values = {values(messages)} }}
state-keys = {{ values = {values(["mood"])} }}

[parameters]
"path.user" = {{ dictionary = "users", probability = 0.9 }}
"path.agent" = {{ dictionary = "agents", probability = 0.8 }}
"path.session" = {{ dictionary = "sessions", probability = 0.8 }}
"path.memory" = {{ dictionary = "memories", probability = 0.8 }}
"path.fact" = {{ dictionary = "facts", probability = 0.5 }}
"path.key" = {{ dictionary = "state-keys", probability = 0.5 }}
"query.sourceID" = {{ dictionary = "memories", probability = 0.7 }}
"query.targetID" = {{ dictionary = "memories", probability = 0.7 }}
"query.sessionID" = {{ dictionary = "sessions", probability = 0.5 }}
"body.sourceID" = {{ dictionary = "memories", probability = 0.7 }}
"body.targetID" = {{ dictionary = "memories", probability = 0.7 }}
"body.parentID" = {{ dictionary = "memories", probability = 0.3 }}
"body.sessionID" = {{ dictionary = "sessions", probability = 0.5 }}
"body.agentID" = {{ dictionary = "agents", probability = 0.5 }}
"body.sourceMessageIDs[*]" = {{ dictionary = "messages", probability = 0.7 }}

# Deletions take rows seeded for them, so that the rest of the run keeps its rows: the dictionary, or a generated
# id, never an id seen in a response (schemathesis reuses those by default, and erased `default` that way).
[[operations]]
include-operation-id = "eraseUser"
parameters = {{ "path.user" = {{ dictionary = "erasable", probability = 0.9 }} }}
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false

[[operations]]
include-operation-id = "deleteAgent"
parameters = {{ "path.agent" = {{ dictionary = "retired", probability = 0.9 }} }}
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false

[[operations]]
include-operation-id = "deleteSession"
parameters = {{ "path.session" = {{ dictionary = "old-sessions", probability = 0.9 }} }}
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false

[[operations]]
include-operation-id = "forget"
parameters = {{ "path.memory" = {{ dictionary = "forgettable", probability = 0.9 }}{forget} }}
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false
"""


with open(config) as file:
    common = file.read()
with open(config, "a") as file:
    file.write(settings(""))
# The stateful run's forget erases (`hard`): after a `soft` forget the memory, its emotion and its neighbours stay
# readable by id, as documented, which use_after_free takes for a deleted resource still served.
with open(stateful_config, "w") as file:
    file.write(common + settings(', "query.mode" = "hard"'))
print(f"seeded {len(memories)} memories, {len(messages)} messages, {len(facts)} fact")
PYTHON

# Operations left out: the MCP tag (/mcp speaks JSON-RPC; scripts/mcp-check.sh drives it with the official MCP SDK).
# One worker: the server has the other core (and Python 3.11's ast.parse is not thread-safe under hypothesis).
run_schemathesis() {
    local config="$1"
    shift
    # shellcheck disable=SC2086 # ENGRAM_ST_ARGS is a list of options
    PYTHONPATH="$work" "$st" --config-file "$config" run "$base/openapi.json" \
        --checks all --exclude-tag MCP \
        --seed "$seed" --workers 1 \
        --generation-database none "$@" ${ENGRAM_ST_ARGS:-} \
        -H "Authorization: Bearer $key"
}
status=0
echo "== schemathesis: examples, coverage, fuzzing ($examples examples per operation, seed $seed)"
run_schemathesis "$work/schemathesis.toml" --phases examples,coverage,fuzzing || status=$?
# A stateful suite ends at the first scenario that Hypothesis cannot replay the same way (the server's answers
# depend on what earlier scenarios wrote), often after a dozen scenarios; only a time budget makes schemathesis
# start new suites until it is spent. In a run of its own, so that the budget goes to this phase alone.
echo "== schemathesis: stateful ($stateful_seconds s of suites of <= $scenarios scenarios of <= $steps calls)"
run_schemathesis "$work/stateful.toml" --phases stateful --max-time "$stateful_seconds" || status=$?
if ! kill -0 "$server" 2>/dev/null; then
    tail -n 60 "$work/server.log" >&2
    echo "schemathesis.sh: engram serve stopped during the run (its log above)" >&2
    status=1
fi
exit "$status"
