-- civicmon schema (SQLite): the durable mail outbox. A mail is enqueued in
-- the transaction of the change it tells about and sent by a worker; a
-- claim moves not_before forward by a lease, so a worker that dies mid-send
-- leaves the mail to be retried with the same message_id.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	message_id TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	not_before TIMESTAMP NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	sent_at TIMESTAMP,
	failed_at TIMESTAMP,
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE sent_at IS NULL AND failed_at IS NULL;
