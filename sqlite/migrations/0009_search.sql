-- civicmon schema, version 9 (SQLite): full-text search of published updates.
--
-- update_search is an FTS5 index without content of its own (content=''):
-- its rows are the published updates (rowid = updates.id), and what it
-- indexes is text that civicmon has already normalised in Go (package
-- search: lower case, diacritics folded, punctuation split, tokens joined
-- by single spaces), the same text the PostgreSQL store indexes. The ascii
-- tokenizer then only splits on those spaces: every non-ASCII character is
-- a token character to it, so SQLite sees exactly Go's tokens, whatever
-- Unicode version its own tables follow. The store keeps it in step in the
-- transaction of every write; `civicmon reindex` rebuilds it. Only
-- published updates are in it: drafts cannot be found, not even by a bug
-- in a filter.
CREATE VIRTUAL TABLE update_search USING fts5(
	title, summary, body,
	content = '', columnsize = 0, tokenize = 'ascii'
);
-- A bulk batch of 5,000 updates fits in one in-memory segment (the default
-- is 1 MB), which spares merges while `civicmon gen` or an import runs.
INSERT INTO update_search (update_search, rank) VALUES ('hashsize', 16777216);

-- The facet index (in memory, in every process) loads from these covering
-- indexes when it starts: a scan of them reads some 50 bytes per update
-- where a scan of the table would read each update's text too.
CREATE INDEX updates_search_facets ON updates (status, id, published_on, country_code, freedoms, violations);
CREATE INDEX incidents_search_targets ON incidents (update_id, target) WHERE target IS NOT NULL;

-- search_log names the updates each write transaction changed (an id
-- range: one row per bulk batch), so that every process's in-memory facet
-- index can catch up with writes, its own and other processes', by
-- reloading those updates.
CREATE TABLE search_log (
	seq INTEGER PRIMARY KEY,
	first_id INTEGER NOT NULL,
	last_id INTEGER NOT NULL
);

-- normalizer is the version of the Go normaliser that built update_search.
-- A different version means the index must be rebuilt (civicmon reindex)
-- before it can be searched or changed.
CREATE TABLE search_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	normalizer INTEGER NOT NULL
);
INSERT INTO search_state (id, normalizer) VALUES (1, 0);
