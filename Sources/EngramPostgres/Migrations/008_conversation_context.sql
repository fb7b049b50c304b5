-- Conversation-aware full text: a memory drawn from a conversation turn is indexed with its neighbouring turns of
-- the same session and the turn's day (`search_context`, written by MemoryService as turns arrive), at weight C,
-- below its own words (A) and its summary, tags and keywords (B).

-- migrate:up

ALTER TABLE memories ADD COLUMN search_context text;
ALTER TABLE memories DROP COLUMN search;
ALTER TABLE memories ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', content), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english', engram_join_words(tags || keywords)), 'B')
    || setweight(to_tsvector('english', coalesce(search_context, '')), 'C')
) STORED;
CREATE INDEX memories_search ON memories USING gin (search);
CREATE INDEX memories_by_sources ON memories USING gin (source_message_ids);

-- migrate:down

DROP INDEX IF EXISTS memories_by_sources;
ALTER TABLE memories DROP COLUMN search;
ALTER TABLE memories ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', content), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english', engram_join_words(tags || keywords)), 'B')
) STORED;
CREATE INDEX memories_search ON memories USING gin (search);
ALTER TABLE memories DROP COLUMN search_context;
