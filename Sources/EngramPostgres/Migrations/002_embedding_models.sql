-- The store's embedding models: recall ranks with the `active` one. A model switch (`engram reembed`) builds
-- the configured model's vectors first, then moves `active`. Not per user: like the schema, it is the store's.

-- migrate:up

CREATE TABLE embedding_models (
    model text NOT NULL,
    dimension integer NOT NULL CHECK (dimension > 0),
    active boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    activated_at timestamptz,
    PRIMARY KEY (model, dimension)
);
CREATE UNIQUE INDEX embedding_models_one_active ON embedding_models (active) WHERE active;
-- Stores made before this migration ranked with the model of their vectors: the most common one is active.
INSERT INTO embedding_models (model, dimension, active, created_at, activated_at)
SELECT model, dimension, true, min(created_at), min(created_at) FROM embeddings
GROUP BY model, dimension ORDER BY count(*) DESC LIMIT 1;

-- migrate:down

DROP TABLE IF EXISTS embedding_models;
