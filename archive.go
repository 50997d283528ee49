package civicmon

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Sort orders of the workspace's archive lists.
const (
	SortChanged   = "changed"   // last change, newest first (the default)
	SortPublished = "published" // publication date, newest first; unpublished last
	SortCreated   = "created"   // creation, newest first
	SortTitle     = "title"     // title, A to Z
	SortCountry   = "country"   // country code, A to Z
)

// ArchiveSorts lists the sort orders of ArchiveQuery.
var ArchiveSorts = []string{SortChanged, SortPublished, SortCreated, SortTitle, SortCountry}

// ArchiveQuery selects updates for the workspace's archive: every status,
// drafts included, so it is for the workspace only — never a public
// surface. Zero fields do not filter. Who may see what is the caller's
// rule: a researcher's archive sets AuthorID to the researcher.
type ArchiveQuery struct {
	// Text is matched as the public search matches it (search syntax and
	// analysis: every form of a word, names across scripts, phrases,
	// exclusions), drafts and published updates alike.
	Text        string
	Statuses    []Status
	CountryCode string
	Language    string
	AuthorID    int64
	// NoAuthor keeps the updates that have no author (imports made before
	// imports named who ran them).
	NoAuthor bool
	// Imported keeps the updates created by an import or a generator (the
	// bulk path, InsertUpdates) rather than in the workspace or the API.
	Imported bool
	// Since and Until bound the publication date; ChangedSince and
	// ChangedUntil the day of the last change (UTC), both inclusive.
	Since, Until               Date
	ChangedSince, ChangedUntil Date
	Sort                       string // one of ArchiveSorts; "" is SortChanged
	Reverse                    bool   // the sort's order reversed
	Limit                      int    // default 20, at most 200
	Offset                     int
}

// ArchiveEntry is one update of the archive, without its incidents.
type ArchiveEntry struct {
	Update
	AuthorName string // "" when the update has no author
	Imported   bool   // created by the bulk path (see ArchiveQuery.Imported)
}

// ProposalQuery selects rating change proposals for the workspace's archive.
type ProposalQuery struct {
	Statuses    []string // ProposalPending…; none: every status
	CountryCode string
	ProposedBy  int64
	// Since and Until bound the proposed effective date, inclusive.
	Since, Until Date
	Text         string // words each found in the rationale, source or decision note
	Sort         string // "proposed" (default: newest first), "effective" (newest first), "country"
	Reverse      bool
	Limit        int // default 20, at most 200
	Offset       int
}

// Archive lists the records of the workspace for its archive screens.
type Archive interface {
	// ArchiveUpdates lists updates of every status with the total that
	// match. Bad filters (an unknown status or sort) give a validation
	// error naming them.
	ArchiveUpdates(ctx context.Context, q ArchiveQuery) ([]ArchiveEntry, int, error)
	// ArchiveRatingProposals lists rating change proposals with the total
	// that match.
	ArchiveRatingProposals(ctx context.Context, q ProposalQuery) ([]RatingProposal, int, error)
}

// Validate checks the query's statuses and sort.
func (q *ArchiveQuery) Validate() error {
	v := validator{prefix: "archive"}
	for _, s := range q.Statuses {
		if !s.Valid() {
			v.addf("status", "%q is not a status; allowed: draft, in_review, published, archived", s)
		}
	}
	if q.Sort != "" && !slices.Contains(ArchiveSorts, q.Sort) {
		v.addf("sort", "%q is not a sort order; allowed: %s", q.Sort, strings.Join(ArchiveSorts, ", "))
	}
	return v.err()
}

// Validate checks the query's statuses and sort.
func (q *ProposalQuery) Validate() error {
	v := validator{prefix: "proposals"}
	for _, s := range q.Statuses {
		if !ValidProposalStatus(s) {
			v.addf("status", "%q is not a proposal status; allowed: %s", s, strings.Join(ProposalStatuses, ", "))
		}
	}
	if q.Sort != "" && q.Sort != "proposed" && q.Sort != "effective" && q.Sort != "country" {
		v.addf("sort", "%q is not a sort order; allowed: proposed, effective, country", q.Sort)
	}
	return v.err()
}

// DayEnd is the first instant after the day d, for inclusive bounds on
// timestamps.
func DayEnd(d Date) time.Time { return d.Time().AddDate(0, 0, 1) }
