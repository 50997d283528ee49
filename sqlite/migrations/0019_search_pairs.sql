-- civicmon schema, version 19 (SQLite): the popular pairs of words of the
-- search's postings (package postings, Pairs). postings_pairs lists them,
-- one "a b" per line, chosen from a sample when the postings are built;
-- postings_pairs_base is the highest update id then, so that the postings
-- are built again, with pairs chosen anew, when the archive has grown
-- several times over. The postings of format 4 hold pairs: a database's
-- older postings are built again by the next flush.
ALTER TABLE search_state ADD COLUMN postings_pairs TEXT NOT NULL DEFAULT '';
ALTER TABLE search_state ADD COLUMN postings_pairs_base INTEGER NOT NULL DEFAULT 0;
