-- civicmon schema, version 10 (PostgreSQL): narrow update_search rows.
--
-- A lookup through a GIN index yields row addresses, and PostgreSQL then
-- reads the table page of every match to learn its update_id. With the
-- title and summary vectors stored in the row (only doc was large enough
-- to go to TOAST), a row took about 1.1 KB and a page held seven: a word
-- found in a fifth of a million updates read some 140,000 pages, more
-- than fits in shared buffers. Stored out of line (TOAST, uncompressed:
-- tsvectors barely compress), every vector leaves an 18-byte pointer, a
-- row takes about 90 bytes, and the same lookup reads a twelfth of the
-- pages (measured: 4,243 pages and 159 ms against 62,326 and 782 ms for
-- "journalists" at 373,000 updates). Lookups of single words do not read
-- the vectors at all: the bitmap of matches stays exact in the store's
-- work_mem, so PostgreSQL does not recheck them; phrases, which must,
-- read them as before.
--
-- The storage settings only apply to rows written from now on, so the
-- table is copied into a new one with them, in update_id order, and the
-- old one dropped.
CREATE TABLE update_search_narrow (
	update_id BIGINT PRIMARY KEY REFERENCES updates(id) ON DELETE CASCADE,
	doc TSVECTOR NOT NULL,
	title TSVECTOR NOT NULL,
	summary TSVECTOR NOT NULL
) WITH (toast_tuple_target = 128);
ALTER TABLE update_search_narrow
	ALTER COLUMN doc SET STORAGE EXTERNAL,
	ALTER COLUMN title SET STORAGE EXTERNAL,
	ALTER COLUMN summary SET STORAGE EXTERNAL;
INSERT INTO update_search_narrow (update_id, doc, title, summary)
	SELECT update_id, doc, title, summary FROM update_search ORDER BY update_id;
DROP TABLE update_search;
ALTER TABLE update_search_narrow RENAME TO update_search;
ALTER INDEX update_search_narrow_pkey RENAME TO update_search_pkey;
ALTER TABLE update_search RENAME CONSTRAINT update_search_narrow_update_id_fkey TO update_search_update_id_fkey;
CREATE INDEX update_search_doc ON update_search USING GIN (doc);
CREATE INDEX update_search_title ON update_search USING GIN (title);
CREATE INDEX update_search_summary ON update_search USING GIN (summary);
