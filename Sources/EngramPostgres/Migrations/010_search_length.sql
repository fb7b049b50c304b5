-- BM25's length of a row, stored: the last position of its `search` vector (at least 1), which recall used to
-- compute by unnesting every matched row's vector (about 7 µs a row, 1,000 rows a query). The expression is
-- `search`'s own (008_conversation_context.sql); PostgresMigrationTests holds the two equal.

-- migrate:up

CREATE FUNCTION engram_tsvector_length(v tsvector) RETURNS int4 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT greatest(coalesce(max(u.positions[cardinality(u.positions)]), 0), 1) FROM unnest(v) u);
ALTER TABLE memories ADD COLUMN search_length int4 GENERATED ALWAYS AS (engram_tsvector_length(
    setweight(to_tsvector('english', content), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english', engram_join_words(tags || keywords)), 'B')
    || setweight(to_tsvector('english', coalesce(search_context, '')), 'C')
)) STORED;

-- migrate:down

ALTER TABLE memories DROP COLUMN search_length;
DROP FUNCTION engram_tsvector_length(tsvector);
