-- civicmon schema, version 20 (SQLite): the updates an import stored
-- without putting them in the engine's full-text index, which the
-- postings' flush indexes after the import's commit (sqldb,
-- search_deferred.go). One row per stored batch: ids first_id to last_id.
-- Until then the engine's lookups analyse those updates in Go instead.
CREATE TABLE search_deferred (
	first_id INTEGER NOT NULL PRIMARY KEY,
	last_id INTEGER NOT NULL
);
