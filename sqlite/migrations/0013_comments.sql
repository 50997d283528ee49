-- civicmon schema (sqlite): the conversation of an update. Comments are
-- private: editors and the update's author read them in the workspace,
-- never on a public surface. A comment may come with a workflow step
-- ("request_changes"…), named in action.
--
-- author_id has no foreign key, like revisions.user_id: the conversation
-- outlives the accounts that took part in it.
CREATE TABLE comments (
	id INTEGER PRIMARY KEY,
	update_id INTEGER NOT NULL REFERENCES updates(id) ON DELETE CASCADE,
	author_id INTEGER,
	created_at TIMESTAMP NOT NULL,
	action TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL
);
CREATE INDEX comments_update ON comments (update_id, id);
