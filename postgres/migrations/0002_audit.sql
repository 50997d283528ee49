-- civicmon schema, version 2 (PostgreSQL): the append-only audit log. Each
-- entry holds the hash of the one before; ids run 1, 2, 3… without a gap.
CREATE TABLE audit_log (
	id BIGINT PRIMARY KEY,
	at TIMESTAMPTZ NOT NULL,
	actor_id BIGINT NOT NULL DEFAULT 0,
	action TEXT NOT NULL,
	entity TEXT NOT NULL DEFAULT '',
	entity_id TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
