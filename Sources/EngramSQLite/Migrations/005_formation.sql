-- Memory that forms itself: working facts with their parts (subject, predicate, value), keywords, entities, the day
-- they name, reinforcement and promotion; opinion facts; superseded_by links; memories with visibility and parts;
-- entity aliases; sessions with their episode and when it was written. SQLite cannot alter a CHECK constraint, so the
-- working_facts and links tables are rebuilt (nothing refers to them).

-- migrate:up

CREATE TABLE working_facts_005 (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    session_id TEXT,
    agent_id TEXT,
    fact_type TEXT NOT NULL CHECK (fact_type IN ('fact', 'preference', 'entity', 'event', 'goal', 'instruction',
        'relationship', 'opinion', 'other')),
    content TEXT NOT NULL,
    confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    source_message_ids TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    subject TEXT,
    predicate TEXT,
    value TEXT,
    keywords TEXT NOT NULL DEFAULT '[]',
    entity_keys TEXT NOT NULL DEFAULT '[]',
    occurred_at INTEGER,
    reinforcement_count INTEGER NOT NULL DEFAULT 0 CHECK (reinforcement_count >= 0),
    confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    promoted_memory_id TEXT,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions(user_id, id) ON DELETE CASCADE
);
INSERT INTO working_facts_005 (user_id, id, session_id, agent_id, fact_type, content, confidence, source_message_ids,
    created_at, updated_at, expires_at)
SELECT user_id, id, session_id, agent_id, fact_type, content, confidence, source_message_ids, created_at, updated_at,
    expires_at FROM working_facts;
DROP TABLE working_facts;
ALTER TABLE working_facts_005 RENAME TO working_facts;
CREATE INDEX working_facts_by_expiry ON working_facts (user_id, expires_at);
CREATE INDEX working_facts_by_parts ON working_facts (user_id, subject, predicate);

CREATE TABLE links_005 (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('semantic', 'temporal', 'causal', 'analogical',
        'led_to', 'relates_to', 'depends_on', 'produces', 'belongs_to', 'superseded_by')),
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
INSERT INTO links_005 SELECT user_id, id, source_id, target_id, type, weight, origin, traversal_count, metadata,
    created_at FROM links;
DROP TABLE links;
ALTER TABLE links_005 RENAME TO links;
CREATE INDEX links_by_target ON links (user_id, target_id);
CREATE TRIGGER users_count_link_insert AFTER INSERT ON links BEGIN
    UPDATE users SET link_count = link_count + 1 WHERE id = new.user_id;
END;
CREATE TRIGGER users_count_link_delete AFTER DELETE ON links BEGIN
    UPDATE users SET link_count = link_count - 1 WHERE id = old.user_id;
END;

ALTER TABLE memories ADD COLUMN visibility TEXT NOT NULL DEFAULT 'shared'
    CHECK (visibility IN ('shared', 'private'));
ALTER TABLE memories ADD COLUMN subject TEXT;
ALTER TABLE memories ADD COLUMN predicate TEXT;
ALTER TABLE memories ADD COLUMN value TEXT;
CREATE INDEX memories_by_parts ON memories (user_id, subject, predicate) WHERE subject IS NOT NULL;

ALTER TABLE sessions ADD COLUMN episode_id TEXT;
ALTER TABLE sessions ADD COLUMN consolidated_at INTEGER;

CREATE TABLE entity_aliases (
    user_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    memory_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, alias),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories(user_id, id) ON DELETE CASCADE
);
CREATE INDEX entity_aliases_by_memory ON entity_aliases (user_id, memory_id);

-- migrate:down

DROP TABLE IF EXISTS entity_aliases;
DROP INDEX IF EXISTS memories_by_parts;
ALTER TABLE sessions DROP COLUMN consolidated_at;
ALTER TABLE sessions DROP COLUMN episode_id;
ALTER TABLE memories DROP COLUMN value;
ALTER TABLE memories DROP COLUMN predicate;
ALTER TABLE memories DROP COLUMN subject;
ALTER TABLE memories DROP COLUMN visibility;
DELETE FROM links WHERE type = 'superseded_by';
CREATE TABLE links_001 (
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
INSERT INTO links_001 SELECT user_id, id, source_id, target_id, type, weight, origin, traversal_count, metadata,
    created_at FROM links;
DROP TABLE links;
ALTER TABLE links_001 RENAME TO links;
CREATE INDEX links_by_target ON links (user_id, target_id);
CREATE TRIGGER users_count_link_insert AFTER INSERT ON links BEGIN
    UPDATE users SET link_count = link_count + 1 WHERE id = new.user_id;
END;
CREATE TRIGGER users_count_link_delete AFTER DELETE ON links BEGIN
    UPDATE users SET link_count = link_count - 1 WHERE id = old.user_id;
END;
UPDATE users SET link_count = (SELECT count(*) FROM links WHERE links.user_id = users.id);
CREATE TABLE working_facts_001 (
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
INSERT INTO working_facts_001 SELECT user_id, id, session_id, agent_id,
    CASE fact_type WHEN 'opinion' THEN 'other' ELSE fact_type END, content, confidence, source_message_ids,
    created_at, updated_at, expires_at FROM working_facts;
DROP TABLE working_facts;
ALTER TABLE working_facts_001 RENAME TO working_facts;
CREATE INDEX working_facts_by_expiry ON working_facts (user_id, expires_at);
