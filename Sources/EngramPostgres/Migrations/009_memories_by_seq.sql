-- A user's memories by row number: BM25's average length is measured over the user's newest memories
-- (`AverageLengths.sampleSize`), read here in index order instead of sorting all of the user's rows.

-- migrate:up

CREATE INDEX memories_by_seq ON memories (user_id, seq);

-- migrate:down

DROP INDEX IF EXISTS memories_by_seq;
