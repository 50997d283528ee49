-- civicmon schema, version 6 (SQLite): revisions. Every change to an update,
-- a rating or a watchlist edition keeps a JSON snapshot of the record after
-- the change, private fields included: only editors see revisions. A public
-- note on an edit of a published update is a correction shown to readers.
--
-- user_id is the acting account from the request (0/NULL for the system or
-- the command line). Like audit_log.actor_id it has no foreign key: the
-- history must outlive, and never block on, the accounts that made it.
CREATE TABLE revisions (
	id INTEGER PRIMARY KEY,
	entity TEXT NOT NULL,
	entity_id INTEGER NOT NULL,
	user_id INTEGER,
	created_at TIMESTAMP NOT NULL,
	action TEXT NOT NULL,
	snapshot TEXT NOT NULL DEFAULT '',
	public_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX revisions_entity ON revisions (entity, entity_id, id);
