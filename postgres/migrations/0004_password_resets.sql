-- civicmon schema, version 4 (PostgreSQL): password reset links.
-- Like sessions, a reset is kept by the SHA-256 of its token. used_at is set
-- when the link is used or superseded by a newer one.
CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets (user_id);
