-- BM25's term counts of a row, stored: for each lexeme of its `search` vector, how many of its positions are in
-- the content (weight A) and how many elsewhere (B and C), as `{"lexeme": [content, other]}`. Recall weighs them
-- (``FullTextFieldWeight``) into the term frequency, which it used to compute by unnesting every matched row's
-- vector (about 6 µs a row, 1,000 rows a query). The expression is `search`'s own (008_conversation_context.sql);
-- PostgresMigrationTests holds the two equal.

-- migrate:up

CREATE FUNCTION engram_tsvector_counts(v tsvector) RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (
    SELECT coalesce(jsonb_object_agg(u.lexeme, jsonb_build_array(c.content, cardinality(u.weights) - c.content)), '{}')
    FROM unnest(v) u CROSS JOIN LATERAL (SELECT cardinality(array_positions(u.weights, 'A')) AS content) c
);
ALTER TABLE memories ADD COLUMN search_counts jsonb GENERATED ALWAYS AS (engram_tsvector_counts(
    setweight(to_tsvector('english', content), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english', engram_join_words(tags || keywords)), 'B')
    || setweight(to_tsvector('english', coalesce(search_context, '')), 'C')
)) STORED;

-- migrate:down

ALTER TABLE memories DROP COLUMN search_counts;
DROP FUNCTION engram_tsvector_counts(tsvector);
