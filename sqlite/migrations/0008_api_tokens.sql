-- civicmon schema, version 8 (SQLite): API tokens. A token is kept by the
-- SHA-256 of its secret and acts as a service account of its own (users),
-- whose role is the token's scope.
CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL UNIQUE REFERENCES users(id),
	created_by INTEGER REFERENCES users(id),
	created_at TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at TIMESTAMP
);
