-- civicmon schema, version 17 (PostgreSQL): a version on field
-- translations, as on every other editable record (0015): a save names the
-- version it was made from and is refused when the stored translation has
-- moved on, in the same conditional UPDATE … WHERE version = ? that bumps
-- it. Existing rows start at version 1.
ALTER TABLE field_translations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
