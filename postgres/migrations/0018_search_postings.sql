-- civicmon schema, version 18 (PostgreSQL): postings of civicmon's own.
-- See the SQLite migration of the same number for what they hold.
CREATE TABLE search_segments (
	id BIGSERIAL PRIMARY KEY,
	block BIGINT NOT NULL,
	upto BIGINT NOT NULL,
	size BIGINT NOT NULL,
	docs BYTEA NOT NULL
);
CREATE TABLE search_postings (
	token TEXT NOT NULL,
	segment BIGINT NOT NULL,
	bits BYTEA NOT NULL,
	PRIMARY KEY (token, segment)
);
-- Roaring bitmaps do not compress further: store them as they are, and
-- read them without decompressing.
ALTER TABLE search_postings ALTER COLUMN bits SET STORAGE EXTERNAL;
ALTER TABLE search_segments ALTER COLUMN docs SET STORAGE EXTERNAL;
CREATE INDEX search_postings_segment ON search_postings (segment);

ALTER TABLE search_state ADD COLUMN postings_upto BIGINT NOT NULL DEFAULT -1;
ALTER TABLE search_state ADD COLUMN postings_epoch BIGINT NOT NULL DEFAULT 0;
ALTER TABLE search_state ADD COLUMN postings_version BIGINT NOT NULL DEFAULT 0;
