-- civicmon schema, version 7 (SQLite): instance settings that admins
-- change in the workspace.
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
