-- civicmon schema, version 5 (SQLite): rating change proposals. A proposal
-- takes effect only when a second person approves it; approval creates the
-- rating and links it here.
CREATE TABLE rating_proposals (
	id INTEGER PRIMARY KEY,
	country_code TEXT NOT NULL REFERENCES countries(code),
	effective_date DATE NOT NULL,
	date_approximate BOOLEAN NOT NULL DEFAULT 0,
	score INTEGER CHECK (score BETWEEN 1 AND 100),
	category TEXT NOT NULL,
	rationale TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
	proposed_by INTEGER NOT NULL REFERENCES users(id),
	proposed_at TIMESTAMP NOT NULL,
	decided_by INTEGER REFERENCES users(id),
	decided_at TIMESTAMP,
	decision_note TEXT NOT NULL DEFAULT '',
	rating_id INTEGER REFERENCES ratings(id)
);
CREATE INDEX rating_proposals_status ON rating_proposals (status, proposed_at DESC, id DESC);
CREATE INDEX rating_proposals_country ON rating_proposals (country_code, effective_date);
