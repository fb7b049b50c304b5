-- Personas and modules (seed 003): an agent is a persona, with a template, a mode, a loop frequency, a first
-- message and a picture; modules are pieces of prompt or scripts that a persona's runtime runs at a stage of a
-- turn when their trigger pattern matches. Keyed by user first, erased and exported with the user, and guarded by
-- the same row-level security as every user table.

-- migrate:up

ALTER TABLE agents
    ADD COLUMN template text,
    ADD COLUMN mode text,
    ADD COLUMN loop_frequency text,
    ADD COLUMN first_message text,
    ADD COLUMN image_path text;

CREATE TABLE modules (
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id text NOT NULL,
    name text NOT NULL,
    description text,
    content text,
    type text NOT NULL CHECK (type IN ('simple', 'advanced')),
    trigger_pattern text,
    script text,
    execution_context text NOT NULL DEFAULT 'immediate'
        CHECK (execution_context IN ('immediate', 'post_response', 'on_demand')),
    requires_ai_inference boolean NOT NULL DEFAULT false,
    stage_priority integer NOT NULL DEFAULT 100 CHECK (stage_priority >= 0),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, name)
);
CREATE INDEX modules_by_stage ON modules (user_id, stage_priority, name COLLATE "C");

ALTER TABLE modules ENABLE ROW LEVEL SECURITY;
ALTER TABLE modules FORCE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON modules USING (
    user_id = current_setting('engram.user_id', true) OR current_setting('engram.admin', true) = 'on');

-- migrate:down

DROP TABLE IF EXISTS modules;
ALTER TABLE agents
    DROP COLUMN IF EXISTS image_path,
    DROP COLUMN IF EXISTS first_message,
    DROP COLUMN IF EXISTS loop_frequency,
    DROP COLUMN IF EXISTS mode,
    DROP COLUMN IF EXISTS template;
