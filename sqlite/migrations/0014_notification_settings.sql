-- civicmon schema (sqlite): each account's choice of notification mail. No
-- row: every notification on, to the account's own address. muted lists
-- the kinds turned off, space-separated ("submitted published"); all_off
-- turns every one off; address, when not empty, receives them instead of
-- the account's address. Private, like the account.
CREATE TABLE notification_settings (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	all_off BOOLEAN NOT NULL DEFAULT 0,
	muted TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT ''
);
