-- Memory that forms itself: working facts with their parts (subject, predicate, value), keywords, entities, the day
-- they name, reinforcement and promotion; opinion facts; superseded_by links; memories with visibility and parts;
-- entity aliases (row-level security like every user table); sessions with their episode and when it was written.

-- migrate:up

ALTER TABLE working_facts DROP CONSTRAINT working_facts_fact_type_check;
ALTER TABLE working_facts ADD CONSTRAINT working_facts_fact_type_check CHECK (fact_type IN ('fact', 'preference',
    'entity', 'event', 'goal', 'instruction', 'relationship', 'opinion', 'other'));
ALTER TABLE working_facts
    ADD COLUMN subject text,
    ADD COLUMN predicate text,
    ADD COLUMN value text,
    ADD COLUMN keywords text[] NOT NULL DEFAULT '{}',
    ADD COLUMN entity_keys text[] NOT NULL DEFAULT '{}',
    ADD COLUMN occurred_at timestamptz,
    ADD COLUMN reinforcement_count integer NOT NULL DEFAULT 0 CHECK (reinforcement_count >= 0),
    ADD COLUMN confirmed boolean NOT NULL DEFAULT false,
    ADD COLUMN promoted_memory_id text;
CREATE INDEX working_facts_by_parts ON working_facts (user_id, subject, predicate);

ALTER TABLE links DROP CONSTRAINT links_type_check;
ALTER TABLE links ADD CONSTRAINT links_type_check CHECK (type IN ('semantic', 'temporal', 'causal', 'analogical',
    'led_to', 'relates_to', 'depends_on', 'produces', 'belongs_to', 'superseded_by'));

ALTER TABLE memories
    ADD COLUMN visibility text NOT NULL DEFAULT 'shared' CHECK (visibility IN ('shared', 'private')),
    ADD COLUMN subject text,
    ADD COLUMN predicate text,
    ADD COLUMN value text;
CREATE INDEX memories_by_parts ON memories (user_id, subject, predicate) WHERE subject IS NOT NULL;

ALTER TABLE sessions
    ADD COLUMN episode_id text,
    ADD COLUMN consolidated_at timestamptz;

CREATE TABLE entity_aliases (
    user_id text NOT NULL,
    alias text NOT NULL,
    memory_id text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, alias),
    FOREIGN KEY (user_id, memory_id) REFERENCES memories (user_id, id) ON DELETE CASCADE
);
CREATE INDEX entity_aliases_by_memory ON entity_aliases (user_id, memory_id);
ALTER TABLE entity_aliases ENABLE ROW LEVEL SECURITY;
ALTER TABLE entity_aliases FORCE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON entity_aliases USING (
    user_id = current_setting('engram.user_id', true) OR current_setting('engram.admin', true) = 'on');

-- migrate:down

DROP TABLE IF EXISTS entity_aliases;
ALTER TABLE sessions DROP COLUMN consolidated_at, DROP COLUMN episode_id;
DROP INDEX IF EXISTS memories_by_parts;
ALTER TABLE memories DROP COLUMN value, DROP COLUMN predicate, DROP COLUMN subject, DROP COLUMN visibility;
DELETE FROM links WHERE type = 'superseded_by';
ALTER TABLE links DROP CONSTRAINT links_type_check;
ALTER TABLE links ADD CONSTRAINT links_type_check CHECK (type IN ('semantic', 'temporal', 'causal', 'analogical',
    'led_to', 'relates_to', 'depends_on', 'produces', 'belongs_to'));
DROP INDEX IF EXISTS working_facts_by_parts;
ALTER TABLE working_facts DROP COLUMN promoted_memory_id, DROP COLUMN confirmed, DROP COLUMN reinforcement_count,
    DROP COLUMN occurred_at, DROP COLUMN entity_keys, DROP COLUMN keywords, DROP COLUMN value, DROP COLUMN predicate,
    DROP COLUMN subject;
UPDATE working_facts SET fact_type = 'other' WHERE fact_type = 'opinion';
ALTER TABLE working_facts DROP CONSTRAINT working_facts_fact_type_check;
ALTER TABLE working_facts ADD CONSTRAINT working_facts_fact_type_check CHECK (fact_type IN ('fact', 'preference',
    'entity', 'event', 'goal', 'instruction', 'relationship', 'other'));
