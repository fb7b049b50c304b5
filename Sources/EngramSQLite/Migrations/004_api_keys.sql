-- API keys: the bearer tokens of the HTTP server. A key acts as one user (and is erased with it) or, with no
-- user, as the administrator. Only the SHA-256 digest of a secret is stored, never the secret. Credentials, not
-- memory: never exported. Numbered 004 like the PostgreSQL file (SQLite has no 003).

-- migrate:up

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL CHECK (length(secret_hash) = 64),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE UNIQUE INDEX api_keys_by_secret_hash ON api_keys (secret_hash);
CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at);

-- migrate:down

DROP TABLE IF EXISTS api_keys;
