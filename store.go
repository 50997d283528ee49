package civicmon

import (
	"context"
	"time"
)

// Store is everything civicmon keeps. The sqlite and postgres packages both
// implement it, and one conformance suite (storetest) holds them to the same
// behaviour. Methods that find nothing return an *Error with code ENOTFOUND;
// invalid records give a *ValidationError that names every bad field.
type Store interface {
	// InTx runs fn with a Store whose every method takes part in one
	// transaction: all of fn's writes land, or none do. Calling InTx on the
	// Store passed to fn runs in the same transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error

	Countries(ctx context.Context) ([]Country, error)
	CountryByCode(ctx context.Context, code string) (*Country, error)
	CountryBySlug(ctx context.Context, slug string) (*Country, error)
	// PutCountry inserts the country or replaces the one with its code.
	PutCountry(ctx context.Context, c *Country) error

	AddRating(ctx context.Context, r *Rating) error
	// RatingHistory returns a country's ratings, oldest first.
	RatingHistory(ctx context.Context, countryCode string) ([]Rating, error)
	// CurrentRatings returns every rated country's latest effective rating
	// on or before the given day, keyed by country code.
	CurrentRatings(ctx context.Context, asOf Date) (map[string]Rating, error)

	// CreateUpdate validates and inserts u with its incidents, setting its
	// ID, UID (when empty), timestamps and incident IDs.
	CreateUpdate(ctx context.Context, u *Update) error
	// SaveUpdate validates u and replaces the stored update with u.ID,
	// incidents included.
	SaveUpdate(ctx context.Context, u *Update) error
	DeleteUpdate(ctx context.Context, id int64) error
	UpdateByID(ctx context.Context, id int64) (*Update, error)
	UpdateByUID(ctx context.Context, uid string) (*Update, error)
	UpdateBySlug(ctx context.Context, slug string) (*Update, error)
	// FindUpdates lists updates without their incidents, with the total
	// number that match the filter (-1 with SkipTotal).
	FindUpdates(ctx context.Context, f UpdateFilter) ([]Update, int, error)
	// CountUpdatesByCountry counts the updates that match the filter per
	// country code (the filter's Limit, Offset and Order are ignored).
	CountUpdatesByCountry(ctx context.Context, f UpdateFilter) (map[string]int, error)
	// IncidentsByUpdate returns the incidents of the given updates, keyed
	// by update id, each list in its order.
	IncidentsByUpdate(ctx context.Context, updateIDs []int64) (map[int64][]Incident, error)
	// UpdateIDsByUID returns the internal ids of the stored updates among
	// the given stable ids.
	UpdateIDsByUID(ctx context.Context, uids []string) (map[string]int64, error)
	// InsertUpdates is the bulk path for generators and imports: it
	// validates and inserts many updates in one transaction.
	InsertUpdates(ctx context.Context, us []Update) error
	// SearchUpdates searches the published updates — full text, filters,
	// facet counts, keyset pages (see SearchQuery) — and returns them
	// through their public projection. Bad filters give a validation
	// error naming them; no query text is an error. It sees committed
	// data only, even inside InTx.
	SearchUpdates(ctx context.Context, q SearchQuery) (*SearchResult, error)

	CreateWatchlistEdition(ctx context.Context, w *WatchlistEdition) error
	// SaveWatchlistEdition replaces the edition with w.ID, entries included.
	SaveWatchlistEdition(ctx context.Context, w *WatchlistEdition) error
	// WatchlistEditions returns every edition with its entries, newest first.
	WatchlistEditions(ctx context.Context) ([]WatchlistEdition, error)

	Vocabulary(ctx context.Context) (*Vocabulary, error)
	AddViolationType(ctx context.Context, t Term) error
	AddTargetGroup(ctx context.Context, t Term) error

	CreateUser(ctx context.Context, u *User) error
	// SaveUser stores u; when its password hash, role or disabled flag
	// changed, it ends the account's sessions in the same transaction.
	SaveUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	Users(ctx context.Context) ([]User, error)

	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, tokenHash string) (*Session, error)
	// CompleteMFA marks a session's second factor as passed.
	CompleteMFA(ctx context.Context, tokenHash string) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions signs an account out everywhere.
	DeleteUserSessions(ctx context.Context, userID int64) error

	// Audit appends an entry for an action that changes no stored record
	// (a login, a mail sent). Write methods audit themselves.
	Audit(ctx context.Context, action, entity, entityID, detail string) error
	// AuditLog calls fn with every audit entry in id order.
	AuditLog(ctx context.Context, fn func(e *AuditEntry) error) error

	// RatingProposals: rating changes that take effect when a second person approves them.
	RatingProposals
	// Revisions: the history of every change, and the public corrections.
	Revisions

	// Archive: the workspace's lists of updates and rating proposals.
	Archive

	// Comments: the private conversation of each update.
	Comments
	// NotificationPrefs: each account's choice of notification mail.
	NotificationPrefs

	// PasswordResets are the one-time links that let an account choose a new password.
	PasswordResets

	// Settings are the instance settings admins change.
	Settings

	// APITokens let other systems write through the JSON API.
	APITokens

	// ChangeFeed keeps in-memory indexes (the statistics) in step with writes.
	ChangeFeed
	// Outbox is the mail waiting to be sent (outbox.go).
	Outbox
	// FieldTranslations: watchlist titles and narratives, vocabulary terms
	// and rating rationales in other languages.
	FieldTranslations

	// SchemaVersion is the newest migration applied to the database.
	SchemaVersion(ctx context.Context) (int, error)
	Ping(ctx context.Context) error
	Close() error
}

// UpdateFilter selects updates. Zero fields do not filter.
type UpdateFilter struct {
	CountryCode string
	Region      Region
	Freedom     Freedom
	Violation   string
	AuthorID    int64
	Statuses    []Status
	Since       Date // published on or after
	Until       Date // published on or before
	// Text keeps the updates whose title, summary, body or translations
	// match it, a query in the search language (package search), with
	// the same analysis as the public search (every form of a word, names
	// across scripts) — but of any status: it is how the workspace finds
	// drafts, which the full-text index does not hold. Published updates
	// are looked up in the index; the others the other fields select are
	// read and analysed. Public searches use SearchUpdates.
	Text string
	// Before and After are keyset bounds on (publication date, id): the
	// updates published before or after the given one.
	Before, After *UpdateCursor
	// Order is "newest" (default) or "oldest" by publication date.
	Order string
	// SkipTotal spares the count of all matches, for callers that page
	// through everything (exports, sitemaps) and do not show it.
	SkipTotal bool
	Limit     int // default 20, at most 1000
	Offset    int
}

// UpdateCursor is a position in the publication order of updates.
type UpdateCursor struct {
	PublishedOn Date
	ID          int64
}

// Clock is the source of the current time, injectable for tests.
type Clock func() time.Time
