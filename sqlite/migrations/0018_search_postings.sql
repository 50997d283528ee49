-- civicmon schema, version 18 (SQLite): postings of civicmon's own.
--
-- The search's own inverted index of the published updates' analysed text
-- (package postings; docs/architecture.md, "Search: postings of our own"),
-- the same on both engines. It is split by blocks of 65,536 update ids,
-- and each block into a few segments: a segment speaks for a set of
-- updates (docs: a Roaring bitmap of their ids) as they were when it was
-- written, holding for each token the updates that have it in the title,
-- the summary and the body (bits: three Roaring bitmaps). A newer segment
-- of the same block speaks for the updates it names in place of an older
-- one. Segments are written from the change feed (search_log) by a
-- background flush, merged within their block, and never changed.
CREATE TABLE search_segments (
	id INTEGER PRIMARY KEY,
	block INTEGER NOT NULL,
	upto INTEGER NOT NULL,  -- the search_log entry it covers up to
	size INTEGER NOT NULL,  -- how many updates it speaks for
	docs BLOB NOT NULL
);
CREATE TABLE search_postings (
	token TEXT NOT NULL,
	segment INTEGER NOT NULL,
	bits BLOB NOT NULL,
	PRIMARY KEY (token, segment)
) WITHOUT ROWID;
CREATE INDEX search_postings_segment ON search_postings (segment);

-- postings_upto: the search_log entry the segments cover up to; -1 when
-- they must be built from every update (a new index, or after a reindex).
-- postings_epoch counts the changes to the segments: each flush or merge
-- moves it on, and commits only if it found it unchanged. postings_version
-- is the format the segments were written in (postings.Version): another
-- makes the next flush build them again.
ALTER TABLE search_state ADD COLUMN postings_upto INTEGER NOT NULL DEFAULT -1;
ALTER TABLE search_state ADD COLUMN postings_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE search_state ADD COLUMN postings_version INTEGER NOT NULL DEFAULT 0;
