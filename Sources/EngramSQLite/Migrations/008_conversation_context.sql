-- Conversation-aware full text: a memory drawn from a conversation turn is indexed with its neighbouring turns of
-- the same session and the turn's day (`search_context`, written by MemoryService as turns arrive), at a lower
-- weight than its own words. The FTS5 table gains the column; the index is rebuilt from the rows.

-- migrate:up

ALTER TABLE memories ADD COLUMN search_context TEXT;

DROP TRIGGER memories_fts_insert;
DROP TRIGGER memories_fts_delete;
DROP TRIGGER memories_fts_update;
DROP TABLE memories_fts;
CREATE VIRTUAL TABLE memories_fts USING fts5(
    fts_owner, content, summary, tags, keywords, search_context,
    content = 'memories', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, fts_owner, content, summary, tags, keywords, search_context)
    VALUES (new.seq, new.fts_owner, new.content, new.summary, new.tags, new.keywords, new.search_context);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, fts_owner, content, summary, tags, keywords, search_context)
    VALUES ('delete', old.seq, old.fts_owner, old.content, old.summary, old.tags, old.keywords, old.search_context);
END;
CREATE TRIGGER memories_fts_update AFTER UPDATE OF content, summary, tags, keywords, search_context ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, fts_owner, content, summary, tags, keywords, search_context)
    VALUES ('delete', old.seq, old.fts_owner, old.content, old.summary, old.tags, old.keywords, old.search_context);
    INSERT INTO memories_fts (rowid, fts_owner, content, summary, tags, keywords, search_context)
    VALUES (new.seq, new.fts_owner, new.content, new.summary, new.tags, new.keywords, new.search_context);
END;
INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');

-- migrate:down

DROP TRIGGER memories_fts_insert;
DROP TRIGGER memories_fts_delete;
DROP TRIGGER memories_fts_update;
DROP TABLE memories_fts;
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
ALTER TABLE memories DROP COLUMN search_context;
INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');
