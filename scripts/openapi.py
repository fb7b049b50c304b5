#!/usr/bin/env python3
"""Writes Sources/EngramHTTP/openapi.json, the OpenAPI 3.1 document `engram serve` serves at /openapi.json.

The schemas come from the Swift sources: response models from Sources/EngramCore (and the reply structs of
Sources/EngramHTTP/V1Routes*.swift), request bodies from Sources/EngramHTTP/WireRequests.swift, enumerations from
EngramEnum.swift, error codes from EngramError.swift, descriptions from their `///` comments. What the sources
cannot say (each route, and the rules the validator applies to a request field) is written below.

    python3 scripts/openapi.py           # writes the document
    python3 scripts/openapi.py --check   # exits 1 when the document is not what this script writes
"""

import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "Sources" / "EngramCore"
HTTP = ROOT / "Sources" / "EngramHTTP"
OUTPUT = HTTP / "openapi.json"

# MARK: - Reading Swift declarations


class SwiftType:
    """A struct (fields) or a String enum (cases) with its `///` summary."""

    def __init__(self, kind, name, doc):
        self.kind = kind
        self.name = name
        self.doc = doc
        self.fields = []  # (name, type, doc)
        self.cases = []  # raw values


STRING_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"')
TYPE_START = re.compile(r"^\s*(?:public |fileprivate |private )?(struct|enum) (\w+)(?:<[^>]*>)?\s*(?::([^{]*))?\{")
FIELD = re.compile(r"^\s*(?:public |private\(set\) |public private\(set\) )?(?:var|let) (\w+): ([^={]+?)\s*(?:=.*)?$")
CASE = re.compile(r"^\s*case (.+)$")


def declarations(paths):
    """Every struct and String enum declared in `paths`, by name."""
    types = {}
    for path in paths:
        stack = []  # (SwiftType or None, depth at which its members sit)
        depth = 0
        doc = []
        in_multiline = False
        for raw in path.read_text().splitlines():
            if raw.count('"""') % 2 == 1:
                in_multiline = not in_multiline
                continue
            if in_multiline:
                continue
            stripped = raw.strip()
            if stripped.startswith("///"):
                doc.append(stripped[3:].strip())
                continue
            code = STRING_LITERAL.sub('""', raw).split("//")[0]
            current = stack[-1][0] if stack and stack[-1][1] == depth else None
            match = TYPE_START.match(code)
            if match:
                kind, name, conformances = match.group(1), match.group(2), match.group(3) or ""
                if kind == "struct" or "String" in conformances.split(",")[0]:
                    declared = SwiftType(kind, name, " ".join(doc))
                    types[name] = declared
                else:
                    declared = None
                depth += code.count("{") - code.count("}")
                stack.append((declared, depth))
                doc = []
                continue
            if current is not None and "static " not in code and "func " not in code:
                if current.kind == "struct":
                    field = FIELD.match(code)
                    if field and "{" not in code:
                        current.fields.append((field.group(1), field.group(2).strip(), " ".join(doc)))
                elif CASE.match(raw.split("//")[0]):
                    for item in CASE.match(raw.split("//")[0]).group(1).split(","):
                        parts = [part.strip() for part in item.split("=")]
                        current.cases.append(parts[1].strip('"') if len(parts) == 2 else parts[0])
            if not stripped.startswith("@"):
                doc = []
            depth += code.count("{") - code.count("}")
            while stack and depth < stack[-1][1]:
                stack.pop()
    return types


def sentence(text):
    """A `///` summary as a description: its Swift symbol references (``X``) in plain back quotes."""
    return re.sub(r"``([^`]+)``", r"`\1`", text).strip()


# MARK: - Schemas of the models (responses)

TYPES = declarations(
    sorted(CORE.glob("*.swift")) + sorted((CORE / "Formation").glob("*.swift")) + sorted((CORE / "Service").glob("*.swift"))
    + sorted(HTTP.glob("V1Routes*.swift")) + [HTTP / "WireRequests.swift"]
)

# The enumerations the API names (their raw values are the strings it reads and writes).
ENUMS = [
    "UserRole", "MessageRole", "Sector", "ContextType", "LinkType", "LinkOrigin", "FactType", "ForgetMode",
    "RememberAction", "Visibility", "ExtractionStatus", "ModuleType", "ExecutionContext",
]

# Core models sent in responses.
MODELS = [
    "User", "UserCounters", "Agent", "Session", "Message", "WorkingFact", "SessionState", "Memory", "EntityReference",
    "RememberOutcome", "RecallResult", "ScoreBreakdown", "Link", "Neighbour", "Emotion", "Feedback", "AuditEntry",
    "UserStatistics", "FactParts", "Observation", "ConsolidationReport", "MaintenanceReport", "ErasureReceipt",
    "ImportReport", "StoreHealth", "APIKey", "IssuedAPIKey", "Module",
]

# Reply structs of the routes (V1Routes*.swift), under the schema names the document gives them.
REPLIES = {
    "Deleted": "Deleted", "ContextReply": "ActiveContext", "BulkReply": "BulkRememberResult",
    "RecallReply": "RecallResponse", "MatchReply": "ModuleMatches", "UnlinkReply": "UnlinkResult", "ForgetReply": "ForgetResult",
}

# JSON values that the validator only ever lets in as objects.
OBJECT_FIELDS = {"info", "metadata", "entityData"}

# What a field holds beyond its Swift type, where the sources guarantee it.
RESPONSE_FIELD_EXTRAS = {
    ("RecallResult", "matchedBy"): {
        "items": {"enum": ["link", "text", "vector"], "type": "string"}, "uniqueItems": True,
    },
    ("StoreHealth", "status"): {"enum": ["error", "ok"]},
    ("StoreHealth", "backend"): {"enum": ["postgres", "sqlite"]},
}
UNIT_FIELDS = {
    "salience", "importance", "strength", "confidence", "weight", "arousal", "averageSalience", "averageStrength",
}
SIGNED_UNIT_FIELDS = {"valence", "dominance"}

JSON_ANY = {"description": "Any JSON value."}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def split_optional(swift_type):
    swift_type = swift_type.strip()
    return (swift_type[:-1], True) if swift_type.endswith("?") else (swift_type, False)


def response_type(owner, field, swift_type):
    """The schema of a model field as `WireJSON.encoder()` writes it."""
    swift_type = swift_type.strip()
    if swift_type.startswith("[") and swift_type.endswith("]"):
        inner = swift_type[1:-1]
        if ":" in inner:
            key, value = (part.strip() for part in inner.split(":", 1))
            assert key == "String", f"{owner}.{field}: dictionary keys other than String"
            return {"additionalProperties": response_type(owner, field, value), "type": "object"}
        return {"items": response_type(owner, field, inner), "type": "array"}
    if swift_type.startswith("Set<"):
        return {"items": response_type(owner, field, swift_type[4:-1]), "type": "array", "uniqueItems": True}
    scalar = {
        "String": {"type": "string"},
        "Int": {"type": "integer"},
        "Int64": {"format": "int64", "type": "integer"},
        "Double": {"type": "number"},
        "Float": {"format": "float", "type": "number"},
        "Bool": {"type": "boolean"},
        "Date": {"format": "date-time", "type": "string"},
    }
    if swift_type in scalar:
        schema = dict(scalar[swift_type])
        if swift_type in ("Double", "Float") and field in UNIT_FIELDS:
            schema.update(minimum=0, maximum=1)
        if swift_type in ("Double", "Float") and field in SIGNED_UNIT_FIELDS:
            schema.update(minimum=-1, maximum=1)
        return schema
    if swift_type == "JSONValue":
        if field in OBJECT_FIELDS:
            return {"additionalProperties": True, "type": "object"}
        return dict(JSON_ANY)
    if swift_type in ENUMS or swift_type in MODELS:
        return ref(swift_type)
    raise SystemExit(f"openapi.py: {owner}.{field} has type {swift_type}, which this script does not know")


def model_schema(name):
    """A response model: every field the encoder writes; optional fields are omitted when nil, never null."""
    declared = TYPES[name]
    properties = {}
    required = []
    for field, swift_type, doc in declared.fields:
        swift_type, optional = split_optional(swift_type)
        schema = response_type(name, field, swift_type)
        schema.update(RESPONSE_FIELD_EXTRAS.get((name, field), {}))
        if doc:
            schema = with_description(schema, doc)
        properties[field] = schema
        if not optional:
            required.append(field)
    schema = {"properties": properties, "required": sorted(required), "type": "object"}
    if declared.doc:
        schema["description"] = sentence(declared.doc)
    return schema


def with_description(schema, doc):
    """`schema` with a description; a `$ref` keeps its siblings in 3.1."""
    return {**schema, "description": sentence(doc)}


def enum_schema(name):
    declared = TYPES[name]
    assert declared.cases, f"{name} has no cases"
    schema = {"enum": declared.cases, "type": "string"}
    if declared.doc:
        schema["description"] = sentence(declared.doc)
    return schema


# MARK: - Request bodies: what the validator accepts

# White space as Swift's `.whitespacesAndNewlines` trims it, and Unicode control characters (Cc). Ids and labels are
# trimmed before their limits apply (256 and 128 UTF-8 bytes), which JSON Schema cannot state: a `maxLength` would
# refuse " " + 256 characters, which the server takes, and a bounded quantifier in the pattern stops schemathesis
# from generating bodies. So their patterns say what trimming must leave, and their descriptions say the limits.
WS = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
CTRL = r"\x00-\x1f\x7f-\x9f"
# An id: a first and last character that are neither white space nor control, nothing of control between.
ID_CORE = f"[^{WS}{CTRL}](?:[^{CTRL}]*[^{WS}{CTRL}])?"
IDENTIFIER_PATTERN = f"^[{WS}]*{ID_CORE}[{WS}]*$"
OPTIONAL_IDENTIFIER_PATTERN = f"^[{WS}]*(?:{ID_CORE})?[{WS}]*$"
NOT_BLANK_PATTERN = f"[^{WS}]"
MAX_CONTENT = 64 * 1024
MAX_SECONDS = 31_536_000_000  # 1,000 years of 365 days: InputValidator.duration
INT32_MAX = 2_147_483_647
FLOAT_MAX = 3.4028234663852886e38

# Strings the validator checks, shared by every field that takes one.
STRING_SCHEMAS = {
    "Identifier": {
        "description": "An id: surrounding white space is trimmed; then 1 to 256 UTF-8 bytes, no control characters.",
        "minLength": 1,
        "pattern": IDENTIFIER_PATTERN,
        "type": "string",
    },
    "OptionalIdentifier": {
        "description": "An id, or empty (or only white space) for none: trimmed, at most 256 UTF-8 bytes, no control "
        "characters.",
        "pattern": OPTIONAL_IDENTIFIER_PATTERN,
        "type": "string",
    },
    "Text": {
        "description": "Text that says something (not empty or only white space), at most 65,536 UTF-8 bytes.",
        "maxLength": MAX_CONTENT,
        "minLength": 1,
        "pattern": NOT_BLANK_PATTERN,
        "type": "string",
    },
    "OptionalText": {"description": "Text of at most 65,536 UTF-8 bytes.", "maxLength": MAX_CONTENT, "type": "string"},
    "Label": {
        "description": "A tag or keyword: surrounding white space is trimmed; then 1 to 128 UTF-8 bytes.",
        "minLength": 1,
        "pattern": NOT_BLANK_PATTERN,
        "type": "string",
    },
}
IDENTIFIER = {"$ref": "#/components/schemas/Identifier"}
OPTIONAL_IDENTIFIER = {"$ref": "#/components/schemas/OptionalIdentifier"}
TEXT = {"$ref": "#/components/schemas/Text"}
OPTIONAL_TEXT = {"$ref": "#/components/schemas/OptionalText"}
LABELS = {
    "description": "Labels: duplicates are dropped; at most 64 distinct.",
    "items": {"$ref": "#/components/schemas/Label"},
    "type": "array",
}
UNIT = {"maximum": 1, "minimum": 0, "type": "number"}
SIGNED_UNIT = {"maximum": 1, "minimum": -1, "type": "number"}
SECONDS = {"exclusiveMinimum": 0, "maximum": MAX_SECONDS, "type": "number"}
TOKENS = {"maximum": INT32_MAX, "minimum": 0, "type": "integer"}
OBJECT = {"additionalProperties": True, "description": "A JSON object, at most 65,536 bytes as JSON.", "type": "object"}
BOOLEAN = {"type": "boolean"}
DATE_TIME = {"format": "date-time", "type": "string"}
IDENTIFIERS = {"items": IDENTIFIER, "type": "array"}
VECTOR = {
    "description": "A vector of the store's active embedding model (its dimension, finite components), stored "
    "instead of embedding the content.",
    "items": {"format": "float", "maximum": FLOAT_MAX, "minimum": -FLOAT_MAX, "type": "number"},
    "type": "array",
}


# Persona fields and modules (InputValidator+Personas.swift).
def one_line(max_bytes, what):
    return {
        "description": f"{what}: one line, trimmed, at most {max_bytes} UTF-8 bytes; empty (or only white space) for "
        "none.",
        "type": "string",
    }


PERSONA_FIELDS = {
    "template": OPTIONAL_TEXT, "mode": one_line(50, "How the persona runs"),
    "loopFrequency": one_line(50, "How often the persona's loop runs"), "firstMessage": OPTIONAL_TEXT,
    "imagePath": one_line(500, "A path or URL of the persona's picture"),
}
MODULE_NAME = {
    "description": "The module's name, unique per user: trimmed, then 1 to 255 UTF-8 bytes of one line.",
    "minLength": 1,
    "pattern": NOT_BLANK_PATTERN,
    "type": "string",
}
TRIGGER_PATTERN = {
    "description": "A regular expression (ICU syntax, matched case-insensitively anywhere in a text) of at most 500 "
    "UTF-8 bytes; empty for none.",
    "type": "string",
}
STAGE_PRIORITY = {"description": "Lower runs first; 100 by default.", "maximum": INT32_MAX, "minimum": 0,
                  "type": "integer"}


def enum(name):
    return ref(name)


def enums(name):
    return {"items": ref(name), "type": "array"}


# Every field of every body in WireRequests.swift, as the validator takes it. A field missing here stops the script.
BODY_FIELDS = {
    "CreateUserBody": {"id": IDENTIFIER, "name": OPTIONAL_TEXT, "role": enum("UserRole"), "info": OBJECT},
    "UpdateUserBody": {"name": TEXT, "role": enum("UserRole"), "info": OBJECT},
    "CreateAgentBody": {
        "id": OPTIONAL_IDENTIFIER, "name": TEXT, "description": OPTIONAL_TEXT, "instructions": OPTIONAL_TEXT,
        **PERSONA_FIELDS, "isActive": BOOLEAN,
    },
    "UpdateAgentBody": {
        "name": TEXT, "description": OPTIONAL_TEXT, "instructions": OPTIONAL_TEXT, **PERSONA_FIELDS,
        "isActive": BOOLEAN,
    },
    "CreateModuleBody": {
        "id": OPTIONAL_IDENTIFIER, "name": MODULE_NAME, "description": OPTIONAL_TEXT, "content": OPTIONAL_TEXT,
        "type": enum("ModuleType"), "triggerPattern": TRIGGER_PATTERN, "script": OPTIONAL_TEXT,
        "executionContext": enum("ExecutionContext"), "requiresAIInference": BOOLEAN, "stagePriority": STAGE_PRIORITY,
        "isActive": BOOLEAN,
    },
    "UpdateModuleBody": {
        "name": MODULE_NAME, "description": OPTIONAL_TEXT, "content": OPTIONAL_TEXT, "type": enum("ModuleType"),
        "triggerPattern": TRIGGER_PATTERN, "script": OPTIONAL_TEXT, "executionContext": enum("ExecutionContext"),
        "requiresAIInference": BOOLEAN, "stagePriority": STAGE_PRIORITY, "isActive": BOOLEAN,
    },
    "MatchModulesBody": {"text": TEXT},
    "CreateSessionBody": {
        "id": OPTIONAL_IDENTIFIER, "agentID": OPTIONAL_IDENTIFIER, "title": OPTIONAL_TEXT, "metadata": OBJECT,
    },
    "UpdateSessionBody": {"title": OPTIONAL_TEXT},
    "AppendMessageBody": {
        "role": enum("MessageRole"), "content": TEXT, "thinking": OPTIONAL_TEXT, "metadata": OBJECT,
        "inputTokens": TOKENS, "outputTokens": TOKENS, "createdAt": DATE_TIME,
    },
    "AddFactBody": {
        "content": TEXT, "sessionID": OPTIONAL_IDENTIFIER, "agentID": OPTIONAL_IDENTIFIER, "factType": enum("FactType"),
        "confidence": UNIT, "sourceMessageIDs": IDENTIFIERS, "ttlSeconds": SECONDS,
    },
    "RememberBody": {
        "content": TEXT, "contentJSON": JSON_ANY, "summary": OPTIONAL_TEXT, "sector": enum("Sector"),
        "contextType": enum("ContextType"), "salience": UNIT, "importance": UNIT, "tags": LABELS, "keywords": LABELS,
        "category": OPTIONAL_IDENTIFIER, "metadata": OBJECT, "entity": ref("EntityReferenceInput"),
        "entityData": {**OBJECT, "description": "A JSON object (needs `entity`), at most 65,536 bytes as JSON."},
        "parentID": OPTIONAL_IDENTIFIER, "isAtomic": BOOLEAN, "sourceMessageIDs": IDENTIFIERS, "validFrom": DATE_TIME,
        "agentID": OPTIONAL_IDENTIFIER, "sessionID": OPTIONAL_IDENTIFIER, "embedding": VECTOR,
        "visibility": enum("Visibility"),
    },
    "BulkRememberBody": {"memories": {"items": ref("RememberBody"), "type": "array", "description": "At most 10,000 memories (422 beyond)."}},
    "UpdateMemoryBody": {
        "content": TEXT, "summary": OPTIONAL_TEXT, "sector": enum("Sector"), "contextType": enum("ContextType"),
        "salience": UNIT, "importance": UNIT, "tags": LABELS, "keywords": LABELS, "category": OPTIONAL_IDENTIFIER,
        "metadata": OBJECT,
    },
    "RecallBody": {
        "query": TEXT, "k": {"maximum": 1000, "minimum": 1, "type": "integer"}, "sectors": enums("Sector"),
        "contextTypes": enums("ContextType"), "tags": LABELS, "createdAfter": DATE_TIME, "createdBefore": DATE_TIME,
        "sessionID": OPTIONAL_IDENTIFIER, "agentID": OPTIONAL_IDENTIFIER, "viewer": OPTIONAL_IDENTIFIER,
        "includeInvalid": BOOLEAN,
        "weights": ref("RecallWeights"), "minScore": UNIT, "expandLinks": BOOLEAN, "reinforce": BOOLEAN,
    },
    "LinkBody": {
        "sourceID": IDENTIFIER, "targetID": IDENTIFIER, "type": enum("LinkType"), "weight": UNIT, "metadata": OBJECT,
    },
    "EmotionBody": {
        "valence": SIGNED_UNIT, "arousal": UNIT, "dominance": SIGNED_UNIT,
        "discreteEmotions": {
            "additionalProperties": UNIT,
            "propertyNames": IDENTIFIER,
            "type": "object",
        },
        "primaryEmotion": OPTIONAL_IDENTIFIER, "confidence": UNIT,
    },
    "FeedbackBody": {"useful": BOOLEAN, "query": OPTIONAL_TEXT},
    "StateBody": {"value": JSON_ANY},
    "ObserveBody": {
        "content": TEXT, "role": enum("MessageRole"), "speaker": OPTIONAL_TEXT, "agentID": OPTIONAL_IDENTIFIER,
        "createdAt": DATE_TIME, "imageCaption": OPTIONAL_TEXT, "metadata": OBJECT, "visibility": enum("Visibility"),
    },
    "MaintenanceBody": {
        "consolidate": BOOLEAN, "decaySweep": BOOLEAN, "expireWorkingFacts": BOOLEAN, "messageRetentionSeconds": SECONDS,
        "removeOrphans": BOOLEAN, "purgeOlderThanSeconds": SECONDS, "purgeContextTypes": enums("ContextType"),
    },
    "CreateKeyBody": {"userID": IDENTIFIER, "name": TEXT},
}

# Nested request objects that are Engram models, with the validator's rules.
INPUT_OBJECTS = {
    "EntityReferenceInput": ("EntityReference", {"system": IDENTIFIER, "id": IDENTIFIER, "type": OPTIONAL_IDENTIFIER}),
    "RecallWeights": (
        "RecallWeights",
        {
            name: {"maximum": 10, "minimum": 0, "type": "number"}
            for name in ("similarity", "salience", "recency", "link")
        },
    ),
}


def nullable(schema):
    """An optional request field: Swift's decoder takes `null` as absent."""
    if "$ref" in schema:
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        return {"anyOf": [{"$ref": schema["$ref"]}, {"type": "null"}], **rest}
    if "type" in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return schema  # any JSON value already includes null


def input_schema(name, fields):
    """A request object: its required fields are the non-optional properties; unknown fields are ignored."""
    declared = TYPES[name]
    declared_names = [field for field, _, _ in declared.fields]
    if set(declared_names) != set(fields):
        raise SystemExit(
            f"openapi.py: the fields of {name} are {sorted(declared_names)}, the script describes {sorted(fields)}"
        )
    properties = {}
    required = []
    for field, swift_type, doc in declared.fields:
        _, optional = split_optional(swift_type)
        schema = dict(fields[field])
        if doc and "description" not in schema:
            schema = with_description(schema, doc)
        properties[field] = nullable(schema) if optional else schema
        if not optional:
            required.append(field)
    schema = {"properties": properties, "type": "object"}
    if required:
        schema["required"] = sorted(required)
    if declared.doc:
        schema["description"] = sentence(declared.doc)
    return schema


# MARK: - Errors: the codes each route can answer, with the status `APIError.status(for:)` gives them

STATUS_NUMBERS = {
    "badRequest": 400, "unauthorized": 401, "forbidden": 403, "notFound": 404, "methodNotAllowed": 405,
    "conflict": 409, "contentTooLarge": 413, "unprocessableContent": 422, "tooManyRequests": 429,
    "internalServerError": 500, "serviceUnavailable": 503,
}
STATUS_TITLES = {
    400: "The request is not what the operation reads: not JSON, or JSON of another shape.",
    401: "No API key, or one that does not exist or was revoked.",
    403: "The API key may not do this: a user's key naming another user, or a user's key on an admin route.",
    404: "Nothing with this id exists for this user.",
    409: "A row with this id already exists.",
    413: "The request body is over the server's limit (`--max-body-bytes`, 8 MiB by default).",
    422: "A value the rules refuse; the message says which and what to send instead.",
    429: "Too many requests from this client address failed authentication; retry after `Retry-After` seconds with "
    "a valid API key.",
    500: "The storage layer failed; nothing was changed. Retry, and see the server log if it persists.",
    503: "The database is unreachable, read-only, or its schema is not this build's; retry after `Retry-After` "
    "seconds.",
    507: "The disk that holds the database is full; nothing was written. Free space and retry.",
}


def error_codes():
    """Engram's stable error codes: Swift name -> raw value."""
    text = (CORE / "EngramError.swift").read_text()
    return dict(re.findall(r'static let (\w+) = Code\(rawValue: "(\w+)"\)', text))


def code_statuses():
    """Raw code -> HTTP status, read from `APIError.status(for:)`."""
    codes = error_codes()
    text = (HTTP / "APIError.swift").read_text()
    body = text.split("switch code {", 1)[1].split("\n        }", 1)[0]
    statuses = {}
    default = None
    for clause in re.split(r"\n\s*(?=case |default:)", body.strip()):
        clause = clause.strip().removeprefix("case ")
        if clause.startswith("default:"):
            default = STATUS_NUMBERS[clause.split(".")[-1].strip()]
            continue
        names, status = (part.strip() for part in clause.split(":", 1))
        # A named status (`.notFound`), or one made from its number (`.init(code: 507, reasonPhrase: …)`).
        number = re.match(r"\.init\(code: (\d+)", status)
        for name in re.findall(r"\.(\w+)", names):
            statuses[codes[name]] = int(number.group(1)) if number else STATUS_NUMBERS[status.lstrip(".")]
    for raw in codes.values():
        statuses.setdefault(raw, default)
    return statuses


CODE_STATUS = code_statuses()

# Every /v1 route: a key (refused for a while after too many failed ones), and a storage layer that can fail or be
# unreachable; a write, a database that is read-only or whose disk is full.
V1_CODES = [
    "unauthenticated", "rate_limited", "storage_failure", "database_unavailable", "schema_outdated", "schema_too_new",
]
WRITE_CODES = ["database_read_only", "disk_full"]
ADMIN_CODES = ["permission_denied"]
# Routes under /v1/users/{user}: the key must act for the user, the id must be one, the user must exist.
USER_CODES = ["permission_denied", "invalid_identifier", "user_not_found"]
BODY_CODES = ["malformed_request", "request_too_large"]
LIST_CODES = ["invalid_argument"]

HEADERS = {
    "WWW-Authenticate": {"description": "`Bearer realm=\"engram\"`.", "required": True, "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before retrying.", "required": True, "schema": {"type": "string"}},
}
ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}},
    429: {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
    503: {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
}


def error_responses(codes):
    """The error responses of a route, one per status, each naming its codes."""
    by_status = {}
    for code in codes:
        if code not in CODE_STATUS:
            raise SystemExit(f"openapi.py: unknown error code {code}")
        by_status.setdefault(CODE_STATUS[code], set()).add(code)
    responses = {}
    for status, names in sorted(by_status.items()):
        listed = ", ".join(f"`{name}`" for name in sorted(names))
        response = {
            "content": {"application/json": {"schema": ref("Error")}},
            "description": f"{STATUS_TITLES[status]} Codes: {listed}.",
        }
        if status in ERROR_HEADERS:
            response["headers"] = ERROR_HEADERS[status]
        responses[str(status)] = response
    return responses


# MARK: - Parameters

def path_parameter(name, what):
    return {
        "description": f"The {what}'s id, percent-encoded.",
        "in": "path",
        "name": name,
        "required": True,
        "schema": IDENTIFIER,
    }


PARAMETERS = {
    "user": path_parameter("user", "user"),
    "agent": path_parameter("agent", "agent"),
    "module": path_parameter("module", "module"),
    "session": path_parameter("session", "session"),
    "memory": path_parameter("memory", "memory"),
    "fact": path_parameter("fact", "working fact"),
    "key": path_parameter("key", "API key"),
    "stateKey": {**path_parameter("key", "state value"), "description": "The state value's key, percent-encoded."},
    "limit": {
        "description": "The most items on a page (default 50).",
        "in": "query",
        "name": "limit",
        "schema": {"default": 50, "maximum": 500, "minimum": 1, "type": "integer"},
    },
    "cursor": {
        "description": "Where the page starts: the `nextCursor` of the previous page, unchanged. Absent for the "
        "first page.",
        "in": "query",
        "name": "cursor",
        "schema": {"type": "string"},
    },
}


def query(name, schema, description, required=False):
    parameter = {"description": description, "in": "query", "name": name, "schema": schema}
    if required:
        parameter["required"] = True
    if schema.get("type") == "array":
        parameter.update(explode=True, style="form")
    return parameter


def parameter_ref(name):
    return {"$ref": f"#/components/parameters/{name}"}


def flag(name, description):
    return query(name, {"default": False, "type": "boolean"}, description)


PAGE = [parameter_ref("limit"), parameter_ref("cursor")]
MEMORY_FILTERS = [
    query("sector", enums("Sector"), "Only memories of these sectors (repeat the parameter for several)."),
    query("contextType", enums("ContextType"), "Only memories of these context types (repeatable)."),
    query(
        "tag", {"items": LABELS["items"], "type": "array"},
        "Only memories that have every one of these tags (repeatable).",
    ),
    query("sessionID", OPTIONAL_IDENTIFIER, "Only memories drawn from this session."),
    query("agentID", OPTIONAL_IDENTIFIER, "Only memories of this agent."),
    query("createdAfter", DATE_TIME, "Only memories created at or after this time (ISO 8601)."),
    query("createdBefore", DATE_TIME, "Only memories created before this time (ISO 8601)."),
    flag("includeInvalid", "Include memories that were superseded or soft-forgotten."),
]
STATE_SCOPE = [
    query("agentID", OPTIONAL_IDENTIFIER, "The agent the value belongs to; absent for a value of the whole session."),
    query("module", OPTIONAL_IDENTIFIER, "The module the value belongs to; absent for none."),
]


# MARK: - Routes

def json_content(schema):
    return {"application/json": {"schema": schema}}


def success(status, description, schema=None, content=None):
    return {str(status): {"content": content or json_content(schema), "description": description}}


def op(method, path, operation_id, tag, summary, description, *, params=(), body=None, body_required=True,
       responses=None, codes=(), user=True, admin=False, writes=False, secured=True):
    """One operation. `codes` are the error codes beyond those every route of its kind can answer."""
    all_codes = []
    if secured:
        all_codes += V1_CODES + (WRITE_CODES if writes else [])
        all_codes += ADMIN_CODES if admin else []
        all_codes += USER_CODES if user else []
        all_codes += BODY_CODES if body else []
    all_codes += list(codes)
    operation = {
        "description": description,
        "operationId": operation_id,
        "responses": {**responses, **error_responses(sorted(set(all_codes)))},
        "summary": summary,
        "tags": [tag],
    }
    path_names = re.findall(r"\{(\w+)\}", path)
    parameters = [parameter_ref("stateKey" if name == "key" and "state" in path else name) for name in path_names]
    parameters += list(params)
    if parameters:
        operation["parameters"] = parameters
    if body:
        content = body if isinstance(body, dict) and "content" in body else {"content": json_content(ref(body))}
        operation["requestBody"] = {**content, "required": body_required}
    operation["security"] = [{"bearerAuth": []}, {"apiKeyHeader": []}] if secured else []
    return method, path, operation


def page_of(name):
    return ref(f"{name}Page")


NDJSON_BODY = {
    "content": {
        "application/x-ndjson": {
            "schema": {"description": "JSON Lines, as exported; an empty body imports nothing.", "type": "string"}
        }
    }
}
DELETED = "The deletion is done: `{\"deleted\": true}`."

ROUTES = [
    # Users, agents and keys
    op("get", "/v1/users", "listUsers", "Users", "List every user (admin key)",
       "Every user of the store, by id, a page at a time. Needs an admin key.",
       params=PAGE, user=False, admin=True, codes=LIST_CODES,
       responses=success(200, "A page of users.", page_of("User"))),
    op("post", "/v1/users", "createUser", "Users", "Create a user (admin key)",
       "Creates the user `id` (201); creating an id that exists returns that user unchanged (200), so it is safe "
       "to call before first use. Needs an admin key.",
       body="CreateUserBody", user=False, admin=True, writes=True,
       codes=["invalid_identifier", "content_too_large", "invalid_argument", "invalid_enum_value"],
       responses={**success(201, "The new user.", ref("User")),
                  **success(200, "The user that already had this id, unchanged.", ref("User"))}),
    op("get", "/v1/users/{user}", "getUser", "Users", "Get a user",
       "The user with its profile and row counters.",
       responses=success(200, "The user.", ref("User"))),
    op("patch", "/v1/users/{user}", "updateUser", "Users", "Change a user's name, role or info",
       "Fields absent or null stay as they are; `info` replaces the whole object.",
       body="UpdateUserBody", writes=True,
       codes=["empty_content", "content_too_large", "invalid_argument", "invalid_enum_value"],
       responses=success(200, "The user after the change.", ref("User"))),
    op("delete", "/v1/users/{user}", "eraseUser", "Users", "Erase a user and everything it owns",
       "Deletes the user and every row of it (memories, vectors, sessions, messages, facts, links, state, "
       "feedback), beyond recovery; one audit line records the counts. Cannot be undone.",
       writes=True, responses=success(200, "What was deleted, per table.", ref("ErasureReceipt"))),
    op("get", "/v1/users/{user}/agents", "listAgents", "Agents", "List a user's agents",
       "The user's agents (personas), by name.", params=PAGE, codes=LIST_CODES,
       responses=success(200, "A page of agents.", page_of("Agent"))),
    op("post", "/v1/users/{user}/agents", "createAgent", "Agents", "Create an agent",
       "Creates an agent (persona) of the user; without `id`, the server picks a UUID.",
       body="CreateAgentBody", writes=True,
       codes=["empty_content", "content_too_large", "invalid_argument", "already_exists"],
       responses=success(201, "The new agent.", ref("Agent"))),
    op("get", "/v1/users/{user}/agents/{agent}", "getAgent", "Agents", "Get an agent", "One agent of the user.",
       codes=["agent_not_found"], responses=success(200, "The agent.", ref("Agent"))),
    op("patch", "/v1/users/{user}/agents/{agent}", "updateAgent", "Agents", "Change an agent",
       "Fields absent or null stay as they are; an empty persona field (`template`, `mode`, `loopFrequency`, "
       "`firstMessage`, `imagePath`) clears it.", body="UpdateAgentBody", writes=True,
       codes=["agent_not_found", "empty_content", "content_too_large", "invalid_argument"],
       responses=success(200, "The agent after the change.", ref("Agent"))),
    op("delete", "/v1/users/{user}/agents/{agent}", "deleteAgent", "Agents", "Delete an agent",
       "Deletes the agent; its sessions, memories and working facts stay, no longer tied to it.",
       writes=True, codes=["agent_not_found"], responses=success(200, DELETED, ref("Deleted"))),
    # Modules of the personas
    op("get", "/v1/users/{user}/modules", "listModules", "Modules", "List a user's modules",
       "The user's active modules (all of them with `includeInactive=true`), by stage priority then name.",
       params=PAGE + [flag("includeInactive", "Include inactive modules.")], codes=LIST_CODES,
       responses=success(200, "A page of modules.", page_of("Module"))),
    op("post", "/v1/users/{user}/modules", "createModule", "Modules", "Create a module",
       "Creates a module of the user's personas; without `id`, the server picks a UUID. A `simple` module needs "
       "`content` and has no `script`; an `advanced` one needs a `script`. Names are unique per user.",
       body="CreateModuleBody", writes=True,
       codes=["empty_content", "content_too_large", "invalid_argument", "invalid_enum_value", "already_exists"],
       responses=success(201, "The new module.", ref("Module"))),
    op("post", "/v1/users/{user}/modules/match", "matchModules", "Modules", "Modules a text triggers",
       "The active modules whose `triggerPattern` matches somewhere in `text`, by stage priority then name: what "
       "an agent runtime asks for on each turn. Modules without a trigger pattern never match.",
       body="MatchModulesBody", codes=["empty_content", "content_too_large"],
       responses=success(200, "The modules the text triggers.", ref("ModuleMatches"))),
    op("get", "/v1/users/{user}/modules/{module}", "getModule", "Modules", "Get a module", "One module of the user.",
       codes=["module_not_found"], responses=success(200, "The module.", ref("Module"))),
    op("patch", "/v1/users/{user}/modules/{module}", "updateModule", "Modules", "Change a module",
       "Fields absent or null stay as they are; an empty `description`, `content`, `triggerPattern` or `script` "
       "clears it. The changed module must still meet the rules of its type.", body="UpdateModuleBody",
       writes=True,
       codes=["module_not_found", "empty_content", "content_too_large", "invalid_argument", "invalid_enum_value",
              "already_exists"],
       responses=success(200, "The module after the change.", ref("Module"))),
    op("delete", "/v1/users/{user}/modules/{module}", "deleteModule", "Modules", "Delete a module",
       "Deletes the module.", writes=True, codes=["module_not_found"],
       responses=success(200, DELETED, ref("Deleted"))),
    op("get", "/v1/keys", "listKeys", "Keys", "List API keys (admin key)",
       "Every API key (never its secret), or those of one user. Needs an admin key.",
       params=PAGE + [query("user", IDENTIFIER, "Only the keys of this user.")], user=False, admin=True,
       codes=LIST_CODES + ["invalid_identifier", "user_not_found"],
       responses=success(200, "A page of keys.", page_of("APIKey"))),
    op("post", "/v1/keys", "createKey", "Keys", "Create an API key (admin key)",
       "A key for `userID` (acting for that user only), or an admin key when `userID` is absent. The secret is "
       "in this response only: keep it. Needs an admin key.",
       body="CreateKeyBody", user=False, admin=True, writes=True,
       codes=["invalid_identifier", "user_not_found", "empty_content", "content_too_large"],
       responses=success(201, "The key and its secret, shown this once.", ref("IssuedAPIKey"))),
    op("delete", "/v1/keys/{key}", "revokeKey", "Keys", "Revoke an API key (admin key)",
       "The key stops authenticating at once; it stays listed with `revokedAt`. Needs an admin key.",
       user=False, admin=True, writes=True, codes=["invalid_identifier", "key_not_found"],
       responses=success(200, "The revoked key.", ref("APIKey"))),
    # Sessions, messages, state and working facts
    op("get", "/v1/users/{user}/sessions", "listSessions", "Conversations", "List a user's sessions",
       "The user's sessions (chats), most recently updated first.", params=PAGE, codes=LIST_CODES,
       responses=success(200, "A page of sessions.", page_of("Session"))),
    op("post", "/v1/users/{user}/sessions", "createSession", "Conversations", "Start a session",
       "Creates a session (chat), optionally of one agent; without `id`, the server picks a UUID.",
       body="CreateSessionBody", writes=True,
       codes=["content_too_large", "invalid_argument", "agent_not_found", "already_exists"],
       responses=success(201, "The new session.", ref("Session"))),
    op("get", "/v1/users/{user}/sessions/{session}", "getSession", "Conversations", "Get a session",
       "One session with its message count.", codes=["session_not_found"],
       responses=success(200, "The session.", ref("Session"))),
    op("patch", "/v1/users/{user}/sessions/{session}", "renameSession", "Conversations", "Rename a session",
       "Sets the title; a null or absent `title` removes it.", body="UpdateSessionBody", writes=True,
       codes=["session_not_found", "content_too_large"],
       responses=success(200, "The session after the change.", ref("Session"))),
    op("delete", "/v1/users/{user}/sessions/{session}", "deleteSession", "Conversations", "Delete a session",
       "Deletes the session with its messages, working facts and state; memories drawn from it stay.",
       writes=True, codes=["session_not_found"], responses=success(200, DELETED, ref("Deleted"))),
    op("get", "/v1/users/{user}/sessions/{session}/messages", "listMessages", "Conversations",
       "Read a session's messages", "The session's messages in order (by `sequence`), a page at a time.",
       params=PAGE, codes=LIST_CODES + ["session_not_found"],
       responses=success(200, "A page of messages.", page_of("Message"))),
    op("post", "/v1/users/{user}/sessions/{session}/messages", "appendMessage", "Conversations",
       "Append a message",
       "Appends a turn to the session; it gets the session's next `sequence` number. `createdAt` dates a replayed "
       "turn (now when absent); it may not be before the session's last message.",
       body="AppendMessageBody", writes=True,
       codes=["session_not_found", "message_out_of_order", "invalid_enum_value", "empty_content", "content_too_large",
              "invalid_argument"],
       responses=success(201, "The new message.", ref("Message"))),
    op("post", "/v1/users/{user}/sessions/{session}/observe", "observe", "Conversations",
       "Observe a turn",
       "Appends the turn and makes it recallable at once as a memory with its provenance; extracts working facts, "
       "entities, emotion and sector within the extraction budget and links the turn automatically. Returns what "
       "the turn formed and the active context. Turns of a session come in order (`createdAt` not before the last).",
       body="ObserveBody", writes=True,
       codes=["session_not_found", "agent_not_found", "message_out_of_order", "invalid_enum_value", "empty_content",
              "content_too_large", "invalid_argument"],
       responses=success(201, "What the turn formed.", ref("Observation"))),
    op("get", "/v1/users/{user}/sessions/{session}/context", "getActiveContext", "Conversations",
       "Get a session's active context",
       "The last `turns` messages younger than `ttlSeconds`, oldest first: what to put in the model's prompt. "
       "Defaults are the server's (20 turns, 24 hours).",
       params=[
           query("turns", {"maximum": 10_000, "minimum": 1, "type": "integer"}, "The most messages to return."),
           query("ttlSeconds", SECONDS, "Only messages younger than this many seconds."),
       ],
       codes=["session_not_found", "invalid_argument"],
       responses=success(200, "The active context.", ref("ActiveContext"))),
    op("get", "/v1/users/{user}/sessions/{session}/state/{key}", "getState", "Conversations",
       "Read a module's state value",
       "The value stored under `key` for the session (and `agentID`, `module`), or JSON `null` when none is.",
       params=STATE_SCOPE, codes=["session_not_found"],
       responses=success(200, "The state value, or `null`.", {"anyOf": [ref("SessionState"), {"type": "null"}]})),
    op("put", "/v1/users/{user}/sessions/{session}/state/{key}", "setState", "Conversations",
       "Store a module's state value", "Sets the JSON value under `key`, replacing any value there.",
       params=STATE_SCOPE, body="StateBody", writes=True,
       codes=["session_not_found", "agent_not_found", "content_too_large"],
       responses=success(200, "The stored value.", ref("SessionState"))),
    op("delete", "/v1/users/{user}/sessions/{session}/state/{key}", "deleteState", "Conversations",
       "Remove a module's state value", "Removes the value; `deleted` says whether there was one.",
       params=STATE_SCOPE, writes=True, codes=["session_not_found"],
       responses=success(200, "Whether a value was removed.", ref("Deleted"))),
    op("get", "/v1/users/{user}/facts", "listFacts", "Working memory", "List working facts",
       "The user's unexpired working (L2) facts, newest first; optionally of one session, or with expired ones.",
       params=PAGE + [
           query("sessionID", OPTIONAL_IDENTIFIER, "Only the facts of this session."),
           flag("includeExpired", "Include facts past their expiry."),
       ],
       codes=LIST_CODES + ["session_not_found"],
       responses=success(200, "A page of working facts.", page_of("WorkingFact"))),
    op("post", "/v1/users/{user}/facts", "addFact", "Working memory", "Add a working fact",
       "Adds a short-lived fact (L2) that expires after `ttlSeconds` (default: the server's, 7 days).",
       body="AddFactBody", writes=True,
       codes=["session_not_found", "agent_not_found", "message_not_found", "invalid_argument",
              "invalid_enum_value", "empty_content", "content_too_large"],
       responses=success(201, "The new fact.", ref("WorkingFact"))),
    op("post", "/v1/users/{user}/facts/{fact}/confirm", "confirmFact", "Working memory", "Confirm a working fact",
       "Marks the fact as confirmed: the next consolidation promotes it to long-term memory.", writes=True,
       codes=["fact_not_found"], responses=success(200, "The confirmed fact.", ref("WorkingFact"))),
    op("delete", "/v1/users/{user}/facts/{fact}", "deleteFact", "Working memory", "Delete a working fact",
       "Deletes one working fact.", writes=True, codes=["fact_not_found"],
       responses=success(200, DELETED, ref("Deleted"))),
    # Long-term memory
    op("get", "/v1/users/{user}/memories", "listMemories", "Memories", "List memories",
       "The user's valid memories, newest first, narrowed by the filters; not ranked (use recall to search).",
       params=PAGE + MEMORY_FILTERS, codes=LIST_CODES + ["invalid_enum_value"],
       responses=success(200, "A page of memories.", page_of("Memory"))),
    op("post", "/v1/users/{user}/memories", "remember", "Memories", "Remember something",
       "Stores a memory. The same content again (ignoring case and spacing) reinforces the existing memory, and "
       "the same `entity` merges its data: then the answer is 200 with `action` `reinforced` or `merged`; a new "
       "memory is 201 with `action` `created`.",
       body="RememberBody", writes=True,
       codes=["session_not_found", "agent_not_found", "memory_not_found", "message_not_found", "empty_content",
              "content_too_large", "invalid_argument", "invalid_enum_value", "invalid_identifier", "invalid_vector"],
       responses={
           **success(201, "A new memory was written (`action` is `created`).", ref("RememberOutcome")),
           **success(200, "An existing memory was reinforced or its entity merged.", ref("RememberOutcome")),
       }),
    op("post", "/v1/users/{user}/memories/bulk", "rememberBulk", "Memories", "Remember many things at once",
       "Up to 10,000 memories in one transaction (all or nothing), embedded in one batch; each follows "
       "remember's rules in order. A failing item is named by its position.",
       body="BulkRememberBody", writes=True,
       codes=["session_not_found", "agent_not_found", "memory_not_found", "message_not_found", "empty_content",
              "content_too_large", "invalid_argument", "invalid_enum_value", "invalid_identifier", "invalid_vector"],
       responses=success(200, "An outcome per memory, in request order.", ref("BulkRememberResult"))),
    op("get", "/v1/users/{user}/memories/{memory}", "getMemory", "Memories", "Get a memory",
       "One memory, valid or not.", codes=["memory_not_found"],
       responses=success(200, "The memory.", ref("Memory"))),
    op("patch", "/v1/users/{user}/memories/{memory}", "updateMemory", "Memories", "Change a memory",
       "Fields absent or null stay as they are. New content is re-hashed and re-embedded; a new sector takes "
       "that sector's decay rate.",
       body="UpdateMemoryBody", writes=True,
       codes=["memory_not_found", "empty_content", "content_too_large", "invalid_argument", "invalid_enum_value",
              "invalid_identifier"],
       responses=success(200, "The memory after the change.", ref("Memory"))),
    op("delete", "/v1/users/{user}/memories/{memory}", "forget", "Memories", "Forget a memory",
       "`soft` (the default) closes the memory's validity (`validTo`): it leaves recall and lists but stays for "
       "history and can still be read by id. `hard` erases it with its vectors, links, emotion and feedback.",
       params=[query("mode", ref("ForgetMode"), "`soft` (default) or `hard`.")], writes=True,
       codes=["memory_not_found", "invalid_enum_value"],
       responses=success(200, "What was forgotten, and how.", ref("ForgetResult"))),
    op("post", "/v1/users/{user}/recall", "recall", "Memories", "Recall memories for a query",
       "Ranks the user's memories for `query` by a composite of similarity (vectors and full text), salience, "
       "recency and links, with each score's breakdown and the messages each memory came from. By default each "
       "result counts an access (`reinforce`).",
       body="RecallBody", writes=True,
       codes=["empty_content", "content_too_large", "invalid_argument", "invalid_enum_value", "invalid_identifier"],
       responses=success(200, "The results, best first.", ref("RecallResponse"))),
    op("post", "/v1/users/{user}/links", "link", "Links", "Link two memories",
       "A directed, typed, weighted link; linking the same pair and type again updates its weight and merges its "
       "metadata. A memory cannot link to itself.",
       body="LinkBody", writes=True,
       codes=["memory_not_found", "invalid_argument", "invalid_enum_value", "content_too_large"],
       responses=success(201, "The link (new or updated).", ref("Link"))),
    op("delete", "/v1/users/{user}/links", "unlink", "Links", "Remove links between two memories",
       "Removes the links from `sourceID` to `targetID` of `type`, or of every type; says how many.",
       params=[
           query("sourceID", IDENTIFIER, "The memory the links start from.", required=True),
           query("targetID", IDENTIFIER, "The memory the links point to.", required=True),
           query("type", ref("LinkType"), "Only links of this type."),
       ],
       writes=True, codes=["invalid_argument", "invalid_enum_value"],
       responses=success(200, "How many links were removed.", ref("UnlinkResult"))),
    op("get", "/v1/users/{user}/memories/{memory}/neighbours", "listNeighbours", "Links",
       "List a memory's neighbours",
       "Memories reachable in 1…`depth` hops along links in either direction, nearest first, each with the link "
       "that reached it.",
       params=PAGE + [
           query("depth", {"default": 1, "maximum": 5, "minimum": 1, "type": "integer"}, "The most hops."),
           query("type", enums("LinkType"), "Follow only links of these types (repeatable)."),
       ],
       codes=LIST_CODES + ["memory_not_found", "invalid_enum_value"],
       responses=success(200, "A page of neighbours.", page_of("Neighbour"))),
    op("get", "/v1/users/{user}/memories/{memory}/emotion", "getEmotion", "Memories",
       "Read a memory's emotion", "The memory's emotional annotation, or JSON `null` when it has none.",
       codes=["memory_not_found"],
       responses=success(200, "The emotion, or `null`.", {"anyOf": [ref("Emotion"), {"type": "null"}]})),
    op("put", "/v1/users/{user}/memories/{memory}/emotion", "setEmotion", "Memories", "Set a memory's emotion",
       "Sets (replaces) the memory's emotional annotation: valence, arousal, dominance and discrete emotions.",
       body="EmotionBody", writes=True, codes=["memory_not_found", "invalid_argument", "invalid_identifier"],
       responses=success(200, "The stored emotion.", ref("Emotion"))),
    op("post", "/v1/users/{user}/memories/{memory}/feedback", "giveFeedback", "Memories",
       "Say whether a recalled memory was useful",
       "Records the judgement; a useful memory gains 0.05 salience, a useless one loses it.",
       body="FeedbackBody", writes=True, codes=["memory_not_found", "content_too_large"],
       responses=success(201, "The recorded feedback.", ref("Feedback"))),
    # Inspection and upkeep
    op("get", "/v1/users/{user}/stats", "getStatistics", "Records", "Get a user's statistics",
       "Counts by layer, sector, context type and link type, with average salience and strength.",
       responses=success(200, "The statistics.", ref("UserStatistics"))),
    op("get", "/v1/users/{user}/audit", "listAudit", "Records", "Read a user's audit trail",
       "Who did what to which row, newest first, with digests of the row before and after (never content).",
       params=PAGE, codes=LIST_CODES, responses=success(200, "A page of audit lines.", page_of("AuditEntry"))),
    op("post", "/v1/users/{user}/maintenance", "maintain", "Records", "Run maintenance for a user",
       "Consolidation (deferred extraction, fact promotion, session episodes), decay sweep, working-fact expiry, "
       "orphan cleanup, and optionally message retention and an age-based "
       "purge; each step in its own transaction. The body is optional: without one, the defaults run.",
       body="MaintenanceBody", body_required=False, writes=True, codes=["invalid_argument", "invalid_enum_value"],
       responses=success(200, "What the pass did.", ref("MaintenanceReport"))),
    op("get", "/v1/users/{user}/export", "exportUser", "Records", "Export a user",
       "Every row of the user, parents before children, as JSON Lines: one `{\"table\": …, \"row\": {…}}` per "
       "line, dates as milliseconds since 1970. `POST …/import` reads it back.",
       responses=success(200, "The user's rows as JSON Lines.", content={
           "application/x-ndjson": {"schema": {"description": "JSON Lines: one record per line.", "type": "string"}}
       })),
    op("post", "/v1/users/{user}/import", "importUser", "Records", "Import a user's rows",
       "Writes exported rows exactly as they are, all or nothing; every row must belong to this user and passes "
       "the checks a write would. Rows with keys that exist fail with `already_exists`.",
       body=NDJSON_BODY, body_required=False, writes=True,
       codes=["malformed_import", "invalid_argument", "already_exists", "empty_content", "content_too_large",
              "invalid_identifier", "invalid_vector"],
       responses=success(200, "Rows imported per table.", ref("ImportReport"))),
    op("post", "/v1/import", "importRecords", "Records", "Import rows of any users (admin key)",
       "Like a user's import, for rows of any users: restoring a store or moving users between stores. Needs an "
       "admin key.",
       body=NDJSON_BODY, body_required=False, user=False, admin=True, writes=True,
       codes=["malformed_import", "invalid_argument", "already_exists", "empty_content", "content_too_large",
              "invalid_identifier", "invalid_vector"],
       responses=success(200, "Rows imported per table.", ref("ImportReport"))),
    # Operations
    op("get", "/health", "getHealth", "Operations", "Check the store",
       "The connection test, schema migrations and embedding model; 503 when something is wrong. No key needed.",
       secured=False, user=False,
       responses={
           **success(200, "The store works.", ref("StoreHealth")),
           **success(503, "The store does not work; `message` says what to do.", ref("StoreHealth")),
       }),
    op("get", "/ready", "getReadiness", "Operations", "Check readiness",
       "200 once the schema is migrated and the database answers; 503 while starting or when it does not. No key "
       "needed.",
       secured=False, user=False,
       responses={
           **success(200, "Ready: `{\"status\": \"ready\"}`.", ref("Readiness")),
           **success(503, "Not ready: `starting` or `unavailable`.", ref("Readiness")),
       }),
    op("get", "/metrics", "getMetrics", "Operations", "Prometheus metrics",
       "Request counts and durations per route, recall and embedding latency, and store sizes, in Prometheus's "
       "text format. No key needed.",
       secured=False, user=False,
       responses=success(200, "The metrics.", content={"text/plain": {"schema": {"type": "string"}}})),
    # MCP (JSON-RPC over streamable HTTP; the official MCP SDK is its client, not this document)
    *[op(method, "/mcp", f"{method}MCP", "MCP", summary,
         "MCP over streamable HTTP (JSON-RPC 2.0 messages, server-sent events), behind the same keys as `/v1`: a "
         "user's key acts for its user, an admin key names one with `?user=ID`. Start with an `initialize` POST; "
         "the answer's `Mcp-Session-Id` header names the session on every later request. Use an MCP client "
         "(such as the official SDKs) rather than this description.",
         user=False, params=[query("user", {"type": "string"}, "With an admin key: the user the session acts for.")],
         codes=["invalid_argument"],
         responses={
             "200": {"description": "A JSON-RPC answer, or an event stream of them.",
                     "content": {"application/json": {"schema": {}}, "text/event-stream": {"schema": {}}}},
             "202": {"description": "A notification or answer taken."},
             "default": {"description": "An HTTP error of MCP's transport (400, 404, 406, 421, 503) as JSON-RPC.",
                         "content": {"application/json": {"schema": {}}}}})
      for method, summary in [("post", "Send an MCP message"), ("get", "Open the MCP event stream"),
                              ("delete", "End an MCP session")]],
    op("get", "/openapi.json", "getOpenAPIDocument", "Operations", "This document",
       "The OpenAPI document of this server. No key needed.", secured=False, user=False,
       responses=success(200, "The document.", {"type": "object"})),
]


# MARK: - Links: where a created row's id goes next (schemathesis's stateful phase chains operations along them)

# operationId -> (target parameter -> JSON pointer into the success response's body, the operations that take
# them). A path parameter that the target shares with the source (`user`, `session`) comes from the request
# (`$request.path.…`) unless named here. Every link goes on each 2xx response of the source; a required parameter
# of a target that nothing fills, or a named one that a target does not take, stops the script.
LINKS = {
    "createUser": (
        {"user": "/id"},
        ["getUser", "updateUser", "listMemories", "remember", "createSession", "createAgent", "createModule", "addFact",
         "eraseUser"],
    ),
    "createSession": (
        {"session": "/id"},
        ["getSession", "renameSession", "appendMessage", "observe", "listMessages", "getActiveContext",
         "deleteSession"],
    ),
    "remember": (
        {"memory": "/memory/id"},
        ["getMemory", "updateMemory", "setEmotion", "getEmotion", "giveFeedback", "listNeighbours", "forget"],
    ),
    "createAgent": ({"agent": "/id"}, ["getAgent", "updateAgent", "deleteAgent"]),
    "addFact": ({"fact": "/id"}, ["confirmFact", "deleteFact"]),
    "createModule": ({"module": "/id"}, ["getModule", "updateModule", "deleteModule"]),
    "setState": (
        {"session": "/sessionID", "key": "/key", "agentID": "/agentID", "module": "/module"},
        ["getState", "deleteState"],
    ),
    "link": ({"sourceID": "/sourceID", "targetID": "/targetID", "type": "/type"}, ["unlink"]),
    "createKey": ({"key": "/key/id"}, ["revokeKey"]),
}


def resolved_parameter(parameter):
    if "$ref" in parameter:
        return PARAMETERS[parameter["$ref"].rsplit("/", 1)[-1]]
    return parameter


def add_links(routes):
    """Puts the links of LINKS on the success responses of their sources."""
    operations = {operation["operationId"]: (path, operation) for _, path, operation in routes}
    for source, (values, targets) in LINKS.items():
        source_path, source_operation = operations[source]
        carried = set(re.findall(r"\{(\w+)\}", source_path))
        links = {}
        for target in targets:
            parameters = {}
            named = set()
            for parameter in map(resolved_parameter, operations[target][1].get("parameters", [])):
                name, location = parameter["name"], parameter["in"]
                if name in values:
                    parameters[f"{location}.{name}"] = f"$response.body#{values[name]}"
                    named.add(name)
                elif location == "path" and name in carried:
                    parameters[f"{location}.{name}"] = f"$request.path.{name}"
                elif parameter.get("required"):
                    raise SystemExit(f"openapi.py: the link {source} -> {target} does not fill `{name}`")
            if set(values) - named:
                raise SystemExit(
                    f"openapi.py: the link {source} -> {target} names {sorted(set(values) - named)}, which "
                    f"{target} does not take"
                )
            links[target] = {"operationId": target, "parameters": parameters}
        successes = [status for status in source_operation["responses"] if status.startswith("2")]
        if not successes:
            raise SystemExit(f"openapi.py: {source} has no success response to link from")
        for status in successes:
            source_operation["responses"][status]["links"] = copy.deepcopy(links)


# MARK: - The document

PAGED = ["User", "Agent", "Module", "APIKey", "Session", "Message", "WorkingFact", "Memory", "Neighbour", "AuditEntry"]

TAGS = [
    ("Users", "Users: the scope of every other row. No request ever reads or writes another user's rows."),
    ("Agents", "Agents (personas) of a user's multi-agent system."),
    ("Modules", "Modules of the personas: prompt text or scripts that a turn's text triggers."),
    ("Keys", "API keys: an admin key manages users and keys and acts for any user; a user's key acts for it only."),
    ("Conversations", "Sessions (chats), their messages (L1), active context and per-module state."),
    ("Working memory", "Working (L2) facts: short-lived, with an expiry."),
    ("Memories", "Long-term memories (L3 and L4): remember, recall, change and forget."),
    ("Links", "Typed, weighted links between memories, followed by recall."),
    ("Records", "Statistics, the audit trail, maintenance, export and import."),
    ("Operations", "Health, readiness, metrics and this document; no key needed."),
    ("MCP", "The Model Context Protocol over streamable HTTP, for agent hosts."),
]

DESCRIPTION = (
    "Engram's JSON API: long-term memory for LLM agents. Every route under `/v1` needs an API key "
    "(`Authorization: Bearer engram_…`, or `X-API-Key`); routes under `/v1/users/{user}` act on that user only. "
    "Bodies and answers use the models' field names (camelCase); optional fields without a value are left out; "
    "dates are ISO 8601 with milliseconds. Lists answer `{\"items\": […], \"nextCursor\": …}`: pass `nextCursor` "
    "as `cursor` for the next page, until it is `null`. Every error answers "
    "`{\"error\": {\"code\": …, \"message\": …}}`: match on the stable `code`; the `message` says what to do. "
    "Text limits are in UTF-8 bytes (64 KiB of content, 256 bytes of id), so a `maxLength` in characters below is "
    "an upper bound only."
)


def version():
    text = (ROOT / "Sources" / "EngramCLI" / "EngramCommand.swift").read_text()
    return re.search(r'version: "([^"]+)"', text).group(1)


def schemas():
    result = {}
    codes = sorted(error_codes().values())
    result["Error"] = {
        "description": "Every error the API answers.",
        "properties": {
            "error": {
                "properties": {
                    "code": {"description": "A stable code: match on it.", "enum": codes, "type": "string"},
                    "message": {"description": "What went wrong and what to do; never user content.", "type": "string"},
                },
                "required": ["code", "message"],
                "type": "object",
            }
        },
        "required": ["error"],
        "type": "object",
    }
    result.update(STRING_SCHEMAS)
    for name in ENUMS:
        result[name] = enum_schema(name)
    for name in MODELS:
        result[name] = model_schema(name)
    for swift_name, name in REPLIES.items():
        result[name] = model_schema(swift_name)
    for name in PAGED:
        result[f"{name}Page"] = {
            "description": f"A page of {name} items; `nextCursor` is `null` on the last page.",
            "properties": {
                "items": {"items": ref(name), "type": "array"},
                "nextCursor": {
                    "description": "Pass as `cursor` for the next page; `null` on the last.",
                    "type": ["string", "null"],
                },
            },
            "required": ["items", "nextCursor"],
            "type": "object",
        }
    result["Readiness"] = {
        "description": "Whether the server takes requests.",
        "properties": {"status": {"enum": ["ready", "starting", "unavailable"], "type": "string"}},
        "required": ["status"],
        "type": "object",
    }
    wire = set(declarations([HTTP / "WireRequests.swift"]))
    if wire != set(BODY_FIELDS):
        raise SystemExit(
            f"openapi.py: WireRequests.swift declares {sorted(wire)}, the script describes {sorted(BODY_FIELDS)}"
        )
    for name, fields in BODY_FIELDS.items():
        result[name] = input_schema(name, fields)
    for name, (swift_name, fields) in INPUT_OBJECTS.items():
        result[name] = input_schema(swift_name, fields)
    return result


RESPONSE_NAMES = {
    400: "MalformedRequest", 401: "Unauthenticated", 403: "PermissionDenied", 404: "NotFound", 409: "AlreadyExists",
    413: "RequestTooLarge", 422: "InvalidInput", 429: "RateLimited", 500: "StorageFailure", 503: "Unavailable",
    507: "DiskFull",
}


def shared_responses(routes):
    """Error responses that are the same on every route that has their status, moved to `components/responses`."""
    variants = {}
    for _, _, operation in routes:
        for status, response in operation["responses"].items():
            if status.isdigit() and int(status) >= 400:
                variants.setdefault(int(status), []).append(json.dumps(response, sort_keys=True))
    shared = {}
    for status, texts in variants.items():
        if len(set(texts)) == 1:
            shared[RESPONSE_NAMES[status]] = json.loads(texts[0])
            for _, _, operation in routes:
                if str(status) in operation["responses"]:
                    operation["responses"][str(status)] = {"$ref": f"#/components/responses/{RESPONSE_NAMES[status]}"}
    return shared


def document():
    routes = copy.deepcopy(ROUTES)
    add_links(routes)
    responses = shared_responses(routes)
    paths = {}
    for method, path, operation in routes:
        if method in paths.get(path, {}):
            raise SystemExit(f"openapi.py: {method} {path} is described twice")
        paths.setdefault(path, {})[method] = operation
    return {
        "components": {
            "headers": HEADERS,
            "parameters": PARAMETERS,
            "responses": responses,
            "schemas": schemas(),
            "securitySchemes": {
                "apiKeyHeader": {
                    "description": "An API key in the `X-API-Key` header.", "in": "header", "name": "X-API-Key",
                    "type": "apiKey",
                },
                "bearerAuth": {
                    "bearerFormat": "engram_…", "description": "An API key: `Authorization: Bearer engram_…`.",
                    "scheme": "bearer", "type": "http",
                },
            },
        },
        "info": {"description": DESCRIPTION, "title": "Engram", "version": version()},
        "openapi": "3.1.0",
        "paths": paths,
        "tags": [{"description": description, "name": name} for name, description in TAGS],
    }


def render():
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is not what this script writes")
    arguments = parser.parse_args()
    text = render()
    if arguments.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date; run python3 scripts/openapi.py", file=sys.stderr)
            sys.exit(1)
        return
    OUTPUT.write_text(text)


if __name__ == "__main__":
    main()
