-- Personas and modules (seed 003): an agent is a persona, with a template, a mode, a loop frequency, a first
-- message and a picture; modules are pieces of prompt or scripts that a persona's runtime runs at a stage of a
-- turn when their trigger pattern matches. Keyed by user first, erased and exported with the user.

-- migrate:up

ALTER TABLE agents ADD COLUMN template TEXT;
ALTER TABLE agents ADD COLUMN mode TEXT;
ALTER TABLE agents ADD COLUMN loop_frequency TEXT;
ALTER TABLE agents ADD COLUMN first_message TEXT;
ALTER TABLE agents ADD COLUMN image_path TEXT;

CREATE TABLE modules (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    content TEXT,
    type TEXT NOT NULL CHECK (type IN ('simple', 'advanced')),
    trigger_pattern TEXT,
    script TEXT,
    execution_context TEXT NOT NULL DEFAULT 'immediate'
        CHECK (execution_context IN ('immediate', 'post_response', 'on_demand')),
    requires_ai_inference INTEGER NOT NULL DEFAULT 0 CHECK (requires_ai_inference IN (0, 1)),
    stage_priority INTEGER NOT NULL DEFAULT 100 CHECK (stage_priority >= 0),
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, name)
);
CREATE INDEX modules_by_stage ON modules (user_id, stage_priority, name);

-- migrate:down

DROP TABLE IF EXISTS modules;
ALTER TABLE agents DROP COLUMN image_path;
ALTER TABLE agents DROP COLUMN first_message;
ALTER TABLE agents DROP COLUMN loop_frequency;
ALTER TABLE agents DROP COLUMN mode;
ALTER TABLE agents DROP COLUMN template;
