-- civicmon schema, version 20 (PostgreSQL): the updates an import stored
-- without putting them in the engine's full-text index. See the SQLite
-- migration of the same number.
CREATE TABLE search_deferred (
	first_id BIGINT NOT NULL PRIMARY KEY,
	last_id BIGINT NOT NULL
);
