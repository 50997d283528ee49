-- civicmon schema, version 2 (SQLite): the append-only audit log. Each
-- entry holds the hash of the one before; ids run 1, 2, 3… without a gap.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at TIMESTAMP NOT NULL,
	actor_id INTEGER NOT NULL DEFAULT 0,
	action TEXT NOT NULL,
	entity TEXT NOT NULL DEFAULT '',
	entity_id TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
