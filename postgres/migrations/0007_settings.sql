-- civicmon schema, version 7 (PostgreSQL): instance settings that admins
-- change in the workspace.
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
