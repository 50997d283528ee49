package civicmon

import "context"

// ChangeFeed is how an in-memory index outside the store — the statistics
// index of package stats — stays in step with writes. Every write
// transaction that changes updates appends the range of their ids to the
// feed (search_log); an index remembers the last entry it applied and, to
// catch up, reloads the published updates of the ranges named since. It
// notices its own process's writes at once (Commits moves) and other
// processes' when it asks for ChangePosition (data_version moves). Ratings
// and countries are not in the feed: a move of DataVersion says to reload
// them. See docs/architecture.md, "Statistics".
type ChangeFeed interface {
	// Commits counts the write transactions this process committed; it
	// costs no query.
	Commits() uint64
	// ChangePosition is the newest entry of the feed and the data
	// version, read together.
	ChangePosition(ctx context.Context) (ChangePosition, error)
	// ChangedUpdates returns the id ranges of the entries after `after`
	// up to and including upTo, merged where they touch, in id order.
	ChangedUpdates(ctx context.Context, after, upTo int64) ([]IDRange, error)
	// UpdateFacts calls fn, in id order, with the facts of every
	// published update whose id is in r (all of them for the zero range):
	// what statistics count, nothing private. fn must not keep f.
	UpdateFacts(ctx context.Context, r IDRange, fn func(f *UpdateFacts) error) error
	// AllRatings returns every rating, by country and effective date.
	AllRatings(ctx context.Context) ([]Rating, error)
}

// ChangePosition is a point in the change feed.
type ChangePosition struct {
	Seq         int64 // the newest entry of the feed (0: none)
	DataVersion int64 // moves with every write transaction of any process
}

// IDRange is the update ids First to Last, both included; the zero range
// means every id.
type IDRange struct{ First, Last int64 }

// UpdateFacts is what the statistics know of a published update.
type UpdateFacts struct {
	ID          int64
	CountryCode string
	PublishedOn Date
	Freedoms    FreedomSet
	Violations  []string
	Incidents   []IncidentFacts
}

// IncidentFacts is what the statistics know of an incident.
type IncidentFacts struct {
	OccurredOn     Date // zero when unknown
	Freedom        Freedom
	Violation      string
	Target         string // "" when none
	PeopleAffected int    // 0 when unknown
}
