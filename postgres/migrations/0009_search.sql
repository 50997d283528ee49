-- civicmon schema, version 9 (PostgreSQL): full-text search of published updates.
--
-- update_search holds a row per published update with tsvectors that
-- civicmon builds in Go from text it has normalised itself (package search:
-- lower case, diacritics folded, punctuation split), the same tokens the
-- SQLite store indexes: the vectors are written as tsvector literals with
-- positions, so no text search configuration or parser of PostgreSQL's
-- changes them. doc holds title, summary and body (with a gap between them,
-- so that a phrase cannot run from one into the next); title and summary
-- alone serve relevance ranking. The store keeps the table in step in the
-- transaction of every write; `civicmon reindex` rebuilds it.
CREATE TABLE update_search (
	update_id BIGINT PRIMARY KEY REFERENCES updates(id) ON DELETE CASCADE,
	doc TSVECTOR NOT NULL,
	title TSVECTOR NOT NULL,
	summary TSVECTOR NOT NULL
);
CREATE INDEX update_search_doc ON update_search USING GIN (doc);
CREATE INDEX update_search_title ON update_search USING GIN (title);
CREATE INDEX update_search_summary ON update_search USING GIN (summary);

-- The facet index (in memory, in every process) loads from these covering
-- indexes when it starts: a scan of them reads some 50 bytes per update
-- where a scan of the table would read each update's text too.
CREATE INDEX updates_search_facets ON updates (status, id, published_on, country_code, freedoms, violations);
CREATE INDEX incidents_search_targets ON incidents (update_id, target) WHERE target IS NOT NULL;

-- search_log names the updates each write transaction changed (an id
-- range: one row per bulk batch), so that every process's in-memory facet
-- index can catch up with writes, its own and other processes', by
-- reloading those updates. Appends are serialised (the audit lock), so
-- sequence order is commit order.
CREATE TABLE search_log (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	first_id BIGINT NOT NULL,
	last_id BIGINT NOT NULL
);

-- normalizer is the version of the Go normaliser that built update_search.
-- A different version means the index must be rebuilt (civicmon reindex)
-- before it can be searched or changed.
CREATE TABLE search_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	normalizer INTEGER NOT NULL
);
INSERT INTO search_state (id, normalizer) VALUES (1, 0);
