-- Engram's unified memory model on SQLite: WAL, foreign keys, FTS5 full text, Float32 vector blobs.
-- Every table is keyed by user_id first. Shipped as GRDB migration "001_unified_memory_model" before numbered
-- files existed; databases of that time adopt this file on open.

-- migrate:up

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'admin', 'student', 'teacher', 'service')),
    info TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    memory_count INTEGER NOT NULL DEFAULT 0,
    link_count INTEGER NOT NULL DEFAULT 0,
    session_count INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    vector_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE agents (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    instructions TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id)
);

CREATE TABLE sessions (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    agent_id TEXT,
    title TEXT,
    message_count INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    last_updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, agent_id) REFERENCES agents(user_id, id)
);
CREATE INDEX sessions_by_update ON sessions (user_id, last_updated_at DESC);

CREATE TABLE messages (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence > 0),
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content TEXT NOT NULL,
    thinking TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    input_tokens INTEGER CHECK (input_tokens >= 0),
    output_tokens INTEGER CHECK (output_tokens >= 0),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, session_id, sequence),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions(user_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_by_time ON messages (user_id, session_id, created_at);

CREATE TABLE working_facts (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    session_id TEXT,
    agent_id TEXT,
    fact_type TEXT NOT NULL
        CHECK (fact_type IN ('fact', 'preference', 'entity', 'event', 'goal', 'instruction', 'relationship', 'other')),
    content TEXT NOT NULL,
    confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    source_message_ids TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions(user_id, id) ON DELETE CASCADE
);
CREATE INDEX working_facts_by_expiry ON working_facts (user_id, expires_at);

CREATE TABLE memories (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    agent_id TEXT,
    session_id TEXT,
    content TEXT NOT NULL,
    content_json TEXT,
    summary TEXT,
    sector TEXT NOT NULL CHECK (sector IN ('episodic', 'semantic', 'procedural', 'emotional', 'reflective')),
    context_type TEXT NOT NULL CHECK (context_type IN ('search_result', 'user_selection', 'tool_output',
        'domain_entity', 'completed_action', 'conversation_fact', 'temporary_state')),
    salience REAL NOT NULL CHECK (salience BETWEEN 0 AND 1),
    importance REAL NOT NULL CHECK (importance BETWEEN 0 AND 1),
    strength REAL NOT NULL CHECK (strength BETWEEN 0 AND 1),
    decay_rate REAL NOT NULL CHECK (decay_rate >= 0),
    access_count INTEGER NOT NULL DEFAULT 0,
    last_accessed_at INTEGER,
    last_reinforced_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    tags TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    category TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    entity_system TEXT,
    entity_id TEXT,
    entity_type TEXT,
    entity_data TEXT,
    entity_update_count INTEGER NOT NULL DEFAULT 0,
    parent_id TEXT,
    is_atomic INTEGER NOT NULL DEFAULT 1,
    source_message_ids TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    fts_owner TEXT NOT NULL,
    UNIQUE (user_id, id),
    UNIQUE (user_id, entity_system, entity_id)
);
CREATE INDEX memories_by_created ON memories (user_id, created_at DESC);
CREATE INDEX memories_by_hash ON memories (user_id, content_hash, created_at);
CREATE INDEX memories_by_sector ON memories (user_id, sector);
CREATE INDEX memories_by_context ON memories (user_id, context_type);
CREATE INDEX memories_by_session ON memories (user_id, session_id);

CREATE VIRTUAL TABLE memories_fts USING fts5(
    fts_owner, content, summary, tags, keywords,
    content = 'memories', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, fts_owner, content, summary, tags, keywords)
    VALUES (new.seq, new.fts_owner, new.content, new.summary, new.tags, new.keywords);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, fts_owner, content, summary, tags, keywords)
    VALUES ('delete', old.seq, old.fts_owner, old.content, old.summary, old.tags, old.keywords);
END;
CREATE TRIGGER memories_fts_update AFTER UPDATE OF content, summary, tags, keywords ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, fts_owner, content, summary, tags, keywords)
    VALUES ('delete', old.seq, old.fts_owner, old.content, old.summary, old.tags, old.keywords);
    INSERT INTO memories_fts (rowid, fts_owner, content, summary, tags, keywords)
    VALUES (new.seq, new.fts_owner, new.content, new.summary, new.tags, new.keywords);
END;

CREATE TABLE embeddings (
    user_id TEXT NOT NULL,
    memory_id TEXT NOT NULL,
    sector TEXT NOT NULL CHECK (sector IN ('episodic', 'semantic', 'procedural', 'emotional', 'reflective')),
    model TEXT NOT NULL,
    dimension INTEGER NOT NULL CHECK (dimension > 0),
    vector BLOB NOT NULL CHECK (length(vector) = 4 * dimension),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, memory_id, sector, model, dimension),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories(user_id, id) ON DELETE CASCADE
);
CREATE INDEX embeddings_by_model ON embeddings (user_id, model, dimension);

CREATE TABLE links (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('semantic', 'temporal', 'causal', 'analogical',
        'led_to', 'relates_to', 'depends_on', 'produces', 'belongs_to')),
    weight REAL NOT NULL CHECK (weight BETWEEN 0 AND 1),
    origin TEXT NOT NULL CHECK (origin IN ('auto', 'explicit')),
    traversal_count INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, source_id, target_id, type),
    CHECK (source_id <> target_id),
    FOREIGN KEY (user_id, source_id) REFERENCES memories(user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, target_id) REFERENCES memories(user_id, id) ON DELETE CASCADE
);
CREATE INDEX links_by_target ON links (user_id, target_id);

CREATE TABLE emotions (
    user_id TEXT NOT NULL,
    memory_id TEXT NOT NULL,
    valence REAL NOT NULL CHECK (valence BETWEEN -1 AND 1),
    arousal REAL NOT NULL CHECK (arousal BETWEEN 0 AND 1),
    dominance REAL NOT NULL CHECK (dominance BETWEEN -1 AND 1),
    discrete_emotions TEXT NOT NULL DEFAULT '{}',
    primary_emotion TEXT,
    confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, memory_id),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories(user_id, id) ON DELETE CASCADE
);

CREATE TABLE session_state (
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    agent_id TEXT NOT NULL DEFAULT '',
    module TEXT NOT NULL DEFAULT '',
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, session_id, agent_id, module, key),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions(user_id, id) ON DELETE CASCADE
);

CREATE TABLE feedback (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    memory_id TEXT NOT NULL,
    query TEXT,
    useful INTEGER NOT NULL CHECK (useful IN (0, 1)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories(user_id, id) ON DELETE CASCADE
);

CREATE TABLE audit_log (
    user_id TEXT NOT NULL,
    id INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    before_digest TEXT,
    after_digest TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id)
);

-- Per-user counters, kept by triggers so that every writer (and a restore) keeps them right.
CREATE TRIGGER users_count_memory_insert AFTER INSERT ON memories BEGIN
    UPDATE users SET memory_count = memory_count + 1,
        last_activity_at = max(last_activity_at, new.created_at) WHERE id = new.user_id;
END;
CREATE TRIGGER users_count_memory_delete AFTER DELETE ON memories BEGIN
    UPDATE users SET memory_count = memory_count - 1 WHERE id = old.user_id;
END;
CREATE TRIGGER users_count_link_insert AFTER INSERT ON links BEGIN
    UPDATE users SET link_count = link_count + 1 WHERE id = new.user_id;
END;
CREATE TRIGGER users_count_link_delete AFTER DELETE ON links BEGIN
    UPDATE users SET link_count = link_count - 1 WHERE id = old.user_id;
END;
CREATE TRIGGER users_count_session_insert AFTER INSERT ON sessions BEGIN
    UPDATE users SET session_count = session_count + 1 WHERE id = new.user_id;
END;
CREATE TRIGGER users_count_session_delete AFTER DELETE ON sessions BEGIN
    UPDATE users SET session_count = session_count - 1 WHERE id = old.user_id;
END;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
    UPDATE users SET message_count = message_count + 1,
        last_activity_at = max(last_activity_at, new.created_at) WHERE id = new.user_id;
    UPDATE sessions SET message_count = message_count + 1,
        last_updated_at = max(last_updated_at, new.created_at)
        WHERE user_id = new.user_id AND id = new.session_id;
END;
CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
    UPDATE users SET message_count = message_count - 1 WHERE id = old.user_id;
    UPDATE sessions SET message_count = message_count - 1
        WHERE user_id = old.user_id AND id = old.session_id;
END;
-- Any change to a user's vectors bumps vector_version, so in-memory vector caches know to refresh.
CREATE TRIGGER embeddings_version_insert AFTER INSERT ON embeddings BEGIN
    UPDATE users SET vector_version = vector_version + 1 WHERE id = new.user_id;
END;
CREATE TRIGGER embeddings_version_delete AFTER DELETE ON embeddings BEGIN
    UPDATE users SET vector_version = vector_version + 1 WHERE id = old.user_id;
END;
CREATE TRIGGER embeddings_version_update AFTER UPDATE ON embeddings BEGIN
    UPDATE users SET vector_version = vector_version + 1 WHERE id = new.user_id;
END;

-- migrate:down

DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS feedback;
DROP TABLE IF EXISTS session_state;
DROP TABLE IF EXISTS emotions;
DROP TABLE IF EXISTS links;
DROP TABLE IF EXISTS embeddings;
DROP TABLE IF EXISTS memories_fts;
DROP TABLE IF EXISTS memories;
DROP TABLE IF EXISTS working_facts;
DROP TABLE IF EXISTS messages;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS agents;
DROP TABLE IF EXISTS users;
