package civicmon

import (
	"fmt"
	"strings"
)

// WatchlistEdition is one issue of the watchlist: the countries whose civic
// space is declining seriously and fast, each with a narrative.
type WatchlistEdition struct {
	ID              int64
	PublishedOn     Date
	DateApproximate bool
	Title           string
	Introduction    string // Markdown
	Entries         []WatchlistEntry
	// Version counts the saves of the edition; a save from an older
	// version is refused (*StaleError).
	Version int64
}

// WatchlistEntry names one country on an edition.
type WatchlistEntry struct {
	CountryCode string
	Narrative   string // Markdown
}

// Validate checks the edition and its entries.
func (w *WatchlistEdition) Validate() error {
	v := validator{prefix: "watchlist"}
	if w.PublishedOn.IsZero() {
		v.addf("published_on", "is required (YYYY-MM-DD)")
	}
	if strings.TrimSpace(w.Title) == "" {
		v.addf("title", "is required")
	}
	seen := map[string]bool{}
	for i, e := range w.Entries {
		f := fmt.Sprintf("entries[%d].country", i)
		switch {
		case !alpha2.MatchString(e.CountryCode):
			v.addf(f, "%q is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. KZ)", e.CountryCode)
		case seen[e.CountryCode]:
			v.addf(f, "%s is listed twice", e.CountryCode)
		}
		seen[e.CountryCode] = true
	}
	return v.err()
}

// Has reports whether the edition lists the country.
func (w *WatchlistEdition) Has(code string) bool {
	for _, e := range w.Entries {
		if e.CountryCode == code {
			return true
		}
	}
	return false
}

// Scheduled reports whether the edition is dated after today: it is
// published on its day, and until then no public surface shows it.
func (w *WatchlistEdition) Scheduled(today Date) bool {
	return w.PublishedOn.After(today)
}

// PublicEditions returns the editions the public may see today — those
// dated today or earlier — in their order. Every public surface reads the
// watchlist through it (web.SiteData keeps only these).
func PublicEditions(eds []WatchlistEdition, today Date) []WatchlistEdition {
	out := make([]WatchlistEdition, 0, len(eds))
	for _, e := range eds {
		if !e.Scheduled(today) {
			out = append(out, e)
		}
	}
	return out
}
