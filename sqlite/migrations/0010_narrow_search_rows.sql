-- civicmon schema, version 10 (SQLite): nothing changes.
--
-- Version 10 narrows PostgreSQL's update_search rows (their vectors move
-- out of line, so that a lookup reads fewer pages); SQLite's FTS5 index
-- answers a lookup from its own b-tree without reading rows. The version
-- is kept the same on both engines so that "schema version N" means one
-- thing.
SELECT 1;
