-- civicmon schema, version 15 (PostgreSQL): a version on every editable record.
--
-- A save names the version it was made from and is refused when the stored
-- record has moved on (an edit from an older tab would otherwise put old
-- text back without a word). Every save bumps the number in the same
-- conditional UPDATE … WHERE version = ? that checks it, so two saves of
-- one version cannot both win. Existing rows start at version 1.
ALTER TABLE updates ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE rating_proposals ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE watchlist_editions ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE violation_types ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE target_groups ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE settings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
