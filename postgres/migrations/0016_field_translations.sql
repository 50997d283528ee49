-- civicmon schema, version 16 (PostgreSQL): translations of the fields of
-- records that are not updates — watchlist titles and narratives,
-- vocabulary terms, rating rationales — one row a field, record and
-- language, with how far it is (a machine draft, or reviewed). A field
-- with no row in a language is missing there.
CREATE TABLE field_translations (
	kind TEXT NOT NULL CHECK (kind IN ('watchlist-title', 'watchlist-narrative', 'violation', 'target', 'rating-rationale')),
	record TEXT NOT NULL,
	lang TEXT NOT NULL,
	text TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('machine', 'reviewed')),
	PRIMARY KEY (kind, record, lang)
);
