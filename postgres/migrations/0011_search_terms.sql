-- civicmon schema (PostgreSQL): the terms of the full-text index.
--
-- On SQLite this migration adds an fts5vocab table that lists the tokens of
-- the full-text index. PostgreSQL needs none: a search that matched nothing
-- asks the GIN index of update_search.doc which of the words one letter
-- from the reader's are in it (typo tolerance).
COMMENT ON COLUMN update_search.doc IS 'analysed text of a published update: its words, then their stems (§) and name keys (¤); see docs/architecture.md, Search';
