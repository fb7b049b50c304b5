-- The store's embedding models: recall ranks with the `active` one. A model switch (`engram reembed`) builds
-- the configured model's vectors first, then moves `active`. Not per user: like the schema, it is the store's.

-- migrate:up

CREATE TABLE embedding_models (
    model TEXT NOT NULL,
    dimension INTEGER NOT NULL CHECK (dimension > 0),
    active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    activated_at INTEGER,
    PRIMARY KEY (model, dimension)
);
CREATE UNIQUE INDEX embedding_models_one_active ON embedding_models (active) WHERE active = 1;
-- Stores made before this migration ranked with the model of their vectors: the most common one is active.
INSERT INTO embedding_models (model, dimension, active, created_at, activated_at)
SELECT model, dimension, 1, min(created_at), min(created_at) FROM embeddings
GROUP BY model, dimension ORDER BY count(*) DESC LIMIT 1;

-- migrate:down

DROP TABLE IF EXISTS embedding_models;
