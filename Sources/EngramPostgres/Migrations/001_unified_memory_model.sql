-- Engram's unified memory model on PostgreSQL with pgvector and pg_trgm.
-- Runs with search_path set to the Engram schema first, then public (where the extensions live).
-- Every table is keyed by user_id first, so that it distributes by user_id (Citus) unchanged.

-- migrate:up

CREATE TABLE users (
    id text PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('user', 'admin', 'student', 'teacher', 'service')),
    info jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    last_activity_at timestamptz NOT NULL,
    memory_count integer NOT NULL DEFAULT 0,
    link_count integer NOT NULL DEFAULT 0,
    session_count integer NOT NULL DEFAULT 0,
    message_count integer NOT NULL DEFAULT 0
);

CREATE TABLE agents (
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id text NOT NULL,
    name text NOT NULL,
    description text,
    instructions text,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id)
);

CREATE TABLE sessions (
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id text NOT NULL,
    agent_id text,
    title text,
    message_count integer NOT NULL DEFAULT 0,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    last_updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, agent_id) REFERENCES agents (user_id, id)
);
CREATE INDEX sessions_by_update ON sessions (user_id, last_updated_at DESC);

CREATE TABLE messages (
    user_id text NOT NULL,
    id text NOT NULL,
    session_id text NOT NULL,
    sequence integer NOT NULL CHECK (sequence > 0),
    role text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content text NOT NULL,
    thinking text,
    metadata jsonb NOT NULL DEFAULT '{}',
    input_tokens integer CHECK (input_tokens >= 0),
    output_tokens integer CHECK (output_tokens >= 0),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, session_id, sequence),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions (user_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_by_time ON messages (user_id, session_id, created_at);

CREATE TABLE working_facts (
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id text NOT NULL,
    session_id text,
    agent_id text,
    fact_type text NOT NULL
        CHECK (fact_type IN ('fact', 'preference', 'entity', 'event', 'goal', 'instruction', 'relationship', 'other')),
    content text NOT NULL,
    confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    source_message_ids text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions (user_id, id) ON DELETE CASCADE
);
CREATE INDEX working_facts_by_expiry ON working_facts (user_id, expires_at);

-- array_to_string is only STABLE; for text[] it cannot change, so this wrapper may be IMMUTABLE and feed
-- the generated search column.
CREATE FUNCTION engram_join_words(words text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_string(words, ' ');

CREATE TABLE memories (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id text NOT NULL,
    agent_id text,
    session_id text,
    content text NOT NULL,
    content_json jsonb,
    summary text,
    sector text NOT NULL CHECK (sector IN ('episodic', 'semantic', 'procedural', 'emotional', 'reflective')),
    context_type text NOT NULL CHECK (context_type IN ('search_result', 'user_selection', 'tool_output',
        'domain_entity', 'completed_action', 'conversation_fact', 'temporary_state')),
    salience double precision NOT NULL CHECK (salience BETWEEN 0 AND 1),
    importance double precision NOT NULL CHECK (importance BETWEEN 0 AND 1),
    strength double precision NOT NULL CHECK (strength BETWEEN 0 AND 1),
    decay_rate double precision NOT NULL CHECK (decay_rate >= 0),
    access_count integer NOT NULL DEFAULT 0,
    last_accessed_at timestamptz,
    last_reinforced_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to timestamptz,
    tags text[] NOT NULL DEFAULT '{}',
    keywords text[] NOT NULL DEFAULT '{}',
    category text,
    metadata jsonb NOT NULL DEFAULT '{}',
    entity_system text,
    entity_id text,
    entity_type text,
    entity_data jsonb,
    entity_update_count integer NOT NULL DEFAULT 0,
    parent_id text,
    is_atomic boolean NOT NULL DEFAULT true,
    source_message_ids text[] NOT NULL DEFAULT '{}',
    content_hash text NOT NULL,
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', content), 'A')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english', engram_join_words(tags || keywords)), 'B')
    ) STORED,
    PRIMARY KEY (user_id, id),
    UNIQUE (seq),
    CONSTRAINT unique_user_entity UNIQUE (user_id, entity_system, entity_id)
);
CREATE INDEX memories_by_created ON memories (user_id, created_at DESC);
CREATE INDEX memories_by_hash ON memories (user_id, content_hash, created_at);
CREATE INDEX memories_by_sector ON memories (user_id, sector);
CREATE INDEX memories_by_context ON memories (user_id, context_type);
CREATE INDEX memories_by_session ON memories (user_id, session_id);
CREATE INDEX memories_entity_lookup ON memories (user_id, entity_id, entity_system) WHERE entity_id IS NOT NULL;
CREATE INDEX memories_search ON memories USING gin (search);
CREATE INDEX memories_tags ON memories USING gin (tags);
CREATE INDEX memories_keywords ON memories USING gin (keywords);
CREATE INDEX memories_content_json ON memories USING gin (content_json);
CREATE INDEX memories_metadata ON memories USING gin (metadata);
CREATE INDEX memories_summary_trgm ON memories USING gin (summary gin_trgm_ops);

-- One row per (memory, sector, model, dimension). The vector column has no fixed dimension, so several
-- models coexist; each model gets a partial HNSW index on an expression cast to its dimension, created by
-- the store when it first sees that model (engram_ensure_vector_index).
CREATE TABLE embeddings (
    user_id text NOT NULL,
    memory_id text NOT NULL,
    sector text NOT NULL CHECK (sector IN ('episodic', 'semantic', 'procedural', 'emotional', 'reflective')),
    model text NOT NULL,
    dimension integer NOT NULL CHECK (dimension > 0),
    embedding vector NOT NULL CHECK (vector_dims(embedding) = dimension),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, memory_id, sector, model, dimension),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories (user_id, id) ON DELETE CASCADE
);
CREATE INDEX embeddings_by_model ON embeddings (user_id, model, dimension);

CREATE TABLE links (
    user_id text NOT NULL,
    id text NOT NULL,
    source_id text NOT NULL,
    target_id text NOT NULL,
    type text NOT NULL CHECK (type IN ('semantic', 'temporal', 'causal', 'analogical',
        'led_to', 'relates_to', 'depends_on', 'produces', 'belongs_to')),
    weight double precision NOT NULL CHECK (weight BETWEEN 0 AND 1),
    origin text NOT NULL CHECK (origin IN ('auto', 'explicit')),
    traversal_count integer NOT NULL DEFAULT 0,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    CONSTRAINT unique_user_relationship UNIQUE (user_id, source_id, target_id, type),
    CHECK (source_id <> target_id),
    FOREIGN KEY (user_id, source_id) REFERENCES memories (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, target_id) REFERENCES memories (user_id, id) ON DELETE CASCADE
);
CREATE INDEX links_by_target ON links (user_id, target_id);
CREATE INDEX links_by_type ON links (user_id, type);

CREATE TABLE emotions (
    user_id text NOT NULL,
    memory_id text NOT NULL,
    valence double precision NOT NULL CHECK (valence BETWEEN -1 AND 1),
    arousal double precision NOT NULL CHECK (arousal BETWEEN 0 AND 1),
    dominance double precision NOT NULL CHECK (dominance BETWEEN -1 AND 1),
    discrete_emotions jsonb NOT NULL DEFAULT '{}',
    primary_emotion text,
    confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, memory_id),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories (user_id, id) ON DELETE CASCADE
);
CREATE INDEX emotions_by_primary ON emotions (user_id, primary_emotion);

CREATE TABLE session_state (
    user_id text NOT NULL,
    session_id text NOT NULL,
    agent_id text NOT NULL DEFAULT '',
    module text NOT NULL DEFAULT '',
    key text NOT NULL,
    value jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, session_id, agent_id, module, key),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions (user_id, id) ON DELETE CASCADE
);

CREATE TABLE feedback (
    user_id text NOT NULL,
    id text NOT NULL,
    memory_id text NOT NULL,
    query text,
    useful boolean NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories (user_id, id) ON DELETE CASCADE
);

CREATE TABLE audit_log (
    user_id text NOT NULL,
    id bigint NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text NOT NULL,
    before_digest text,
    after_digest text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id)
);

-- User statistics kept by triggers, as in seed 004: every writer (and a restore) keeps them right.
CREATE FUNCTION engram_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
    row_user text := CASE WHEN TG_OP = 'INSERT' THEN NEW.user_id ELSE OLD.user_id END;
BEGIN
    IF TG_TABLE_NAME = 'memories' THEN
        UPDATE users SET memory_count = memory_count + delta,
            last_activity_at = CASE WHEN TG_OP = 'INSERT' THEN greatest(last_activity_at, NEW.created_at)
                ELSE last_activity_at END
        WHERE id = row_user;
    ELSIF TG_TABLE_NAME = 'links' THEN
        UPDATE users SET link_count = link_count + delta WHERE id = row_user;
    ELSIF TG_TABLE_NAME = 'sessions' THEN
        UPDATE users SET session_count = session_count + delta WHERE id = row_user;
    ELSIF TG_TABLE_NAME = 'messages' THEN
        UPDATE users SET message_count = message_count + delta,
            last_activity_at = CASE WHEN TG_OP = 'INSERT' THEN greatest(last_activity_at, NEW.created_at)
                ELSE last_activity_at END
        WHERE id = row_user;
        IF TG_OP = 'INSERT' THEN
            UPDATE sessions SET message_count = message_count + 1,
                last_updated_at = greatest(last_updated_at, NEW.created_at)
            WHERE user_id = NEW.user_id AND id = NEW.session_id;
        ELSE
            UPDATE sessions SET message_count = message_count - 1
            WHERE user_id = OLD.user_id AND id = OLD.session_id;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER memories_count AFTER INSERT OR DELETE ON memories FOR EACH ROW EXECUTE FUNCTION engram_count_rows();
CREATE TRIGGER links_count AFTER INSERT OR DELETE ON links FOR EACH ROW EXECUTE FUNCTION engram_count_rows();
CREATE TRIGGER sessions_count AFTER INSERT OR DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION engram_count_rows();
CREATE TRIGGER messages_count AFTER INSERT OR DELETE ON messages FOR EACH ROW EXECUTE FUNCTION engram_count_rows();

-- Row-level security on user_id: a transaction sees only the rows of the user it set with
-- set_config('engram.user_id', …, true); engram.admin = 'on' is for whole-store operations
-- (listing users, migrations, backups). A connection that sets neither sees no rows.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'sessions', 'messages', 'working_facts', 'memories', 'embeddings',
        'links', 'emotions', 'session_state', 'feedback', 'audit_log']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY user_scope ON %I USING (
            user_id = current_setting('engram.user_id', true) OR current_setting('engram.admin', true) = 'on')$p$, t);
    END LOOP;
END;
$$;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON users USING (
    id = current_setting('engram.user_id', true) OR current_setting('engram.admin', true) = 'on');

-- migrate:down

DROP TABLE IF EXISTS audit_log, feedback, session_state, emotions, links, embeddings, memories, working_facts,
    messages, sessions, agents, users CASCADE;
DROP FUNCTION IF EXISTS engram_count_rows();
DROP FUNCTION IF EXISTS engram_join_words(text[]);
