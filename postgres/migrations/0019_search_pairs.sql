-- civicmon schema, version 19 (PostgreSQL): the popular pairs of words of
-- the search's postings. See the SQLite migration of the same number.
ALTER TABLE search_state ADD COLUMN postings_pairs TEXT NOT NULL DEFAULT '';
ALTER TABLE search_state ADD COLUMN postings_pairs_base BIGINT NOT NULL DEFAULT 0;
