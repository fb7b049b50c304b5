-- API keys: the bearer tokens of the HTTP server. A key acts as one user (and is erased with it) or, with no
-- user, as the administrator. Only the SHA-256 digest of a secret is stored, never the secret. Credentials, not
-- memory: never exported. Store-level administration (keyed by id, not by user): the driver reads and writes it
-- with engram.admin = 'on'; a user-scoped transaction (erasure) sees only that user's keys, and never admin keys.

-- migrate:up

CREATE TABLE api_keys (
    id text PRIMARY KEY,
    user_id text REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    prefix text NOT NULL,
    secret_hash text NOT NULL CHECK (length(secret_hash) = 64),
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE UNIQUE INDEX api_keys_by_secret_hash ON api_keys (secret_hash);
CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON api_keys USING (
    user_id = current_setting('engram.user_id', true) OR current_setting('engram.admin', true) = 'on');

-- migrate:down

DROP TABLE IF EXISTS api_keys;
