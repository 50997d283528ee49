-- civicmon schema, version 1 (SQLite).
CREATE TABLE countries (
	code TEXT PRIMARY KEY,
	code3 TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	slug TEXT NOT NULL UNIQUE,
	region TEXT NOT NULL
);

CREATE TABLE ratings (
	id INTEGER PRIMARY KEY,
	country_code TEXT NOT NULL REFERENCES countries(code),
	effective_date DATE NOT NULL,
	date_approximate BOOLEAN NOT NULL DEFAULT 0,
	score INTEGER CHECK (score BETWEEN 1 AND 100),
	category TEXT NOT NULL,
	rationale TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	UNIQUE (country_code, effective_date)
);

CREATE TABLE violation_types (
	slug TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	position INTEGER NOT NULL
);

CREATE TABLE target_groups (
	slug TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	position INTEGER NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE updates (
	id INTEGER PRIMARY KEY,
	uid TEXT NOT NULL UNIQUE,
	slug TEXT NOT NULL UNIQUE,
	country_code TEXT NOT NULL REFERENCES countries(code),
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	published_on DATE,
	date_approximate BOOLEAN NOT NULL DEFAULT 0,
	period_start DATE,
	period_end DATE,
	freedoms INTEGER NOT NULL DEFAULT 0,
	violations TEXT NOT NULL DEFAULT '',
	partner TEXT NOT NULL DEFAULT '',
	sources TEXT NOT NULL DEFAULT '[]',
	language TEXT NOT NULL DEFAULT 'en',
	translations TEXT NOT NULL DEFAULT '[]',
	status TEXT NOT NULL,
	internal_notes TEXT NOT NULL DEFAULT '',
	author_id INTEGER REFERENCES users(id),
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX updates_country_status_published ON updates (country_code, status, published_on DESC, id DESC);
CREATE INDEX updates_status_published ON updates (status, published_on DESC, id DESC);

CREATE TABLE update_violations (
	update_id INTEGER NOT NULL REFERENCES updates(id) ON DELETE CASCADE,
	violation TEXT NOT NULL REFERENCES violation_types(slug),
	PRIMARY KEY (update_id, violation)
) WITHOUT ROWID;
CREATE INDEX update_violations_violation ON update_violations (violation, update_id);

CREATE TABLE incidents (
	id INTEGER PRIMARY KEY,
	update_id INTEGER NOT NULL REFERENCES updates(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	occurred_on DATE,
	date_approximate BOOLEAN NOT NULL DEFAULT 0,
	freedom TEXT NOT NULL,
	violation TEXT NOT NULL REFERENCES violation_types(slug),
	target TEXT REFERENCES target_groups(slug),
	people_affected INTEGER NOT NULL DEFAULT 0,
	place TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	victim_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incidents_update ON incidents (update_id, position);

CREATE TABLE watchlist_editions (
	id INTEGER PRIMARY KEY,
	published_on DATE NOT NULL UNIQUE,
	date_approximate BOOLEAN NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	introduction TEXT NOT NULL DEFAULT ''
);

CREATE TABLE watchlist_entries (
	edition_id INTEGER NOT NULL REFERENCES watchlist_editions(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	country_code TEXT NOT NULL REFERENCES countries(code),
	narrative TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (edition_id, country_code)
);

-- data_version goes up with every committed write, so that caches of
-- rendered pages in any process notice writes made by another.
CREATE TABLE civicmon_meta (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	data_version BIGINT NOT NULL
);
INSERT INTO civicmon_meta (id, data_version) VALUES (1, 0);
