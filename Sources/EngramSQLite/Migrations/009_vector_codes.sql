-- The vector search's compact copy: each vector's int8 codes and scale (`engram_vector_codes`, registered on every
-- connection Engram opens), by user and memory row number, clustered so that loading a user's vectors reads a
-- quarter of the bytes of the Float32 vectors, in order. Exact scores still come from `embeddings`. Kept by
-- triggers: a write that adds, replaces or removes a vector (or its memory) changes its codes in the same
-- transaction. (Writing vectors from a connection without the function, such as the sqlite3 shell, fails.)

-- migrate:up

CREATE TABLE vector_codes (
    user_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    model TEXT NOT NULL,
    dimension INTEGER NOT NULL,
    codes BLOB NOT NULL CHECK (length(codes) = 4 + dimension),
    PRIMARY KEY (user_id, seq, model, dimension)
) WITHOUT ROWID;
INSERT INTO vector_codes (user_id, seq, model, dimension, codes)
SELECT e.user_id, m.seq, e.model, e.dimension, engram_vector_codes(e.vector)
FROM embeddings e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id AND m.sector = e.sector;
CREATE TRIGGER vector_codes_insert AFTER INSERT ON embeddings BEGIN
    INSERT OR REPLACE INTO vector_codes (user_id, seq, model, dimension, codes)
    SELECT new.user_id, seq, new.model, new.dimension, engram_vector_codes(new.vector)
    FROM memories WHERE user_id = new.user_id AND id = new.memory_id;
END;
CREATE TRIGGER vector_codes_update AFTER UPDATE OF vector ON embeddings BEGIN
    UPDATE vector_codes SET codes = engram_vector_codes(new.vector)
    WHERE user_id = new.user_id AND model = new.model AND dimension = new.dimension
        AND seq = (SELECT seq FROM memories WHERE user_id = new.user_id AND id = new.memory_id);
END;
CREATE TRIGGER vector_codes_delete AFTER DELETE ON embeddings BEGIN
    DELETE FROM vector_codes
    WHERE user_id = old.user_id AND model = old.model AND dimension = old.dimension
        AND seq = (SELECT seq FROM memories WHERE user_id = old.user_id AND id = old.memory_id);
END;
-- A memory's own deletion cascades to its vectors after the memory row is gone: its codes go with it here.
CREATE TRIGGER vector_codes_memory_delete AFTER DELETE ON memories BEGIN
    DELETE FROM vector_codes WHERE user_id = old.user_id AND seq = old.seq;
END;

-- migrate:down

DROP TRIGGER vector_codes_memory_delete;
DROP TRIGGER vector_codes_delete;
DROP TRIGGER vector_codes_update;
DROP TRIGGER vector_codes_insert;
DROP TABLE vector_codes;
