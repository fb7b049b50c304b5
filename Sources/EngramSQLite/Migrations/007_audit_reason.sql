-- Audit reasons: why the service wrote an audit line ("recall reinforcement", "decay sweep", "import", ...), a short
-- machine-phrased phrase, never user content. Lines written before this migration have none.

-- migrate:up

ALTER TABLE audit_log ADD COLUMN reason TEXT;

-- migrate:down

ALTER TABLE audit_log DROP COLUMN reason;
