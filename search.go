package civicmon

import (
	"fmt"
	"strings"
)

// SearchQuery is a reader's search of the published updates: the explore
// page's state. Zero fields do not filter. Within one filter the values are
// alternatives (country KZ or KG); different filters must all hold.
type SearchQuery struct {
	// Text is the query in the search language of package search: words,
	// "phrases", -exclusions, OR. Empty matches every update.
	Text string

	Countries  []string   // ISO 3166-1 alpha-2 codes
	Regions    []Region   // the regions of the updates' countries
	Freedoms   []Freedom  // tagged freedoms
	Violations []string   // tagged violation types (slugs)
	Targets    []string   // target groups of the updates' incidents (slugs)
	Categories []Category // the rating category the country has today
	Years      []int      // years of publication
	Since      Date       // published on or after
	Until      Date       // published on or before

	// Sort is SortRelevance (the default when Text has words to find),
	// SortNewest (the default otherwise) or SortOldest.
	Sort SearchSort
	// Cursor is a result's NextCursor, for the page after it; "" for the
	// first page.
	Cursor string
	// Limit is the page size: SearchDefaultLimit when 0, at most
	// SearchMaxLimit.
	Limit int
	// NoFacets skips the facet counts (a little faster, for clients that
	// show none).
	NoFacets bool
}

// SearchSort orders search results.
type SearchSort string

const (
	// SortRelevance puts first the updates that have the query's words in
	// their title, then in their summary; newest first among equals.
	SortRelevance SearchSort = "relevance"
	SortNewest    SearchSort = "newest"
	SortOldest    SearchSort = "oldest"
)

const (
	SearchDefaultLimit = 20
	SearchMaxLimit     = 100
)

// Validate checks the filters that need no database (the stores check
// country codes and vocabulary slugs) and puts the query in a canonical
// form: lists sorted and without duplicates, Limit within range. It names
// every bad field, as "search.<field>".
func (q *SearchQuery) Validate() error {
	v := validator{prefix: "search"}
	for i, c := range q.Countries {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !alpha2.MatchString(c) {
			v.addf("country", "%q is not an ISO 3166-1 alpha-2 code (two letters, e.g. KZ)", q.Countries[i])
		}
		q.Countries[i] = c
	}
	for i, r := range q.Regions {
		p, ok := ParseRegion(string(r))
		if !ok {
			v.addf("region", "%q is not a region; allowed: %s", r, joinRegions())
		}
		q.Regions[i] = p
	}
	for i, f := range q.Freedoms {
		p, ok := ParseFreedom(string(f))
		if !ok {
			v.addf("freedom", "%q is not a freedom; allowed: association, peaceful-assembly, expression", f)
		}
		q.Freedoms[i] = p
	}
	for i, c := range q.Categories {
		p, ok := ParseCategory(string(c))
		if !ok {
			v.addf("category", "%q is not a rating category; allowed: %s", c, joinCategories())
		}
		q.Categories[i] = p
	}
	for i, s := range q.Violations {
		q.Violations[i] = strings.TrimSpace(s)
		if !ValidSlug(q.Violations[i]) {
			v.addf("violation", "%q is not a violation type's slug (e.g. internet-shutdown)", s)
		}
	}
	for i, s := range q.Targets {
		q.Targets[i] = strings.TrimSpace(s)
		if !ValidSlug(q.Targets[i]) {
			v.addf("target", "%q is not a target group's slug (e.g. journalists)", s)
		}
	}
	for _, y := range q.Years {
		if y < 1800 || y > 2199 {
			v.addf("year", "%d is not a year this monitor can hold (1800–2199)", y)
		}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
		v.addf("until", "%s is before since %s", q.Until, q.Since)
	}
	switch q.Sort {
	case "", SortRelevance, SortNewest, SortOldest:
	default:
		v.addf("sort", "%q is not a sort order; allowed: relevance, newest, oldest", q.Sort)
	}
	if q.Limit < 0 {
		v.addf("limit", "%d is negative; use 1 to %d, or 0 for %d", q.Limit, SearchMaxLimit, SearchDefaultLimit)
	}
	if q.Limit == 0 {
		q.Limit = SearchDefaultLimit
	}
	q.Limit = min(q.Limit, SearchMaxLimit)
	q.Countries = sortedSet(q.Countries)
	q.Regions = sortedSet(q.Regions)
	q.Freedoms = sortedSet(q.Freedoms)
	q.Categories = sortedSet(q.Categories)
	q.Violations = sortedSet(q.Violations)
	q.Targets = sortedSet(q.Targets)
	q.Years = sortedSet(q.Years)
	return v.err()
}

func sortedSet[T ~string | ~int](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	out := make([]T, 0, len(s))
	seen := make(map[T]bool, len(s))
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// SearchResult is one page of a search.
type SearchResult struct {
	// Query is the text as it was understood, in normal form (lower case,
	// diacritics folded, operators that meant nothing dropped); "" when it
	// had no words.
	Query string `json:"query"`
	// QueryTruncated: the text was longer than the search language reads
	// (search.MaxQueryBytes) and was cut. QueryDropped: words left out
	// because the query already had as many as it may (search.MaxTerms).
	QueryTruncated bool `json:"query_truncated,omitempty"`
	QueryDropped   int  `json:"query_dropped,omitempty"`
	// Widened: no update has the words in any form, so the search was
	// widened to words one letter from the longer ones, and the hits
	// are for this query ("showing results for …"); Query itself when
	// the hits do not tell which word they have.
	Widened string `json:"widened,omitempty"`
	// Sort is the order applied: relevance falls back to newest when the
	// query has no words to rank by.
	Sort SearchSort `json:"sort"`
	// Total counts the updates that match, on every page.
	Total int         `json:"total"`
	Hits  []SearchHit `json:"hits"`
	// NextCursor gives the next page (SearchQuery.Cursor); "" on the last.
	NextCursor string `json:"next_cursor,omitempty"`
	// Facets count the matching updates by each filter's values.
	Facets SearchFacets `json:"facets"`
}

// SearchHit is a published update in a result list: fields of its public
// projection, and its title and a snippet with what the query matched
// marked. It is made only from a PublicUpdate (NewSearchHit).
type SearchHit struct {
	UID             string    `json:"id"`
	Slug            string    `json:"slug"`
	CountryCode     string    `json:"country"`
	Title           string    `json:"title"`
	PublishedOn     Date      `json:"published_on"`
	DateApproximate bool      `json:"date_approximate,omitempty"`
	Freedoms        []Freedom `json:"freedoms"`
	Violations      []string  `json:"violations"`
	Partner         string    `json:"partner,omitempty"`
	Language        string    `json:"language"`
	// TitleMarked is Title in segments, the matched words marked.
	TitleMarked []TextSegment `json:"title_marked"`
	// Snippet is a short passage of the summary, the body or a
	// translation that shows why the update matched (the summary's start
	// when the match is in the title only, or there is no query).
	Snippet []TextSegment `json:"snippet"`
}

// TextSegment is a piece of text; Match marks what the query matched.
// Surfaces escape Text like any text: no markup comes from the store.
type TextSegment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// NewSearchHit makes a hit of the public projection of an update.
func NewSearchHit(p PublicUpdate) SearchHit {
	return SearchHit{
		UID: p.UID, Slug: p.Slug, CountryCode: p.CountryCode, Title: p.Title,
		PublishedOn: p.PublishedOn, DateApproximate: p.DateApproximate,
		Freedoms: p.Freedoms, Violations: p.Violations, Partner: p.Partner, Language: p.Language,
	}
}

// SearchFacets count the matching updates by the values of each filter.
// Each filter's counts apply every other filter but not itself, so that
// they say what choosing another value (or one more) would give. Values
// with no update are left out, except selected ones.
type SearchFacets struct {
	Countries  []FacetCount `json:"countries"`  // by count, most first
	Regions    []FacetCount `json:"regions"`    // in Regions order
	Freedoms   []FacetCount `json:"freedoms"`   // in Freedoms order
	Violations []FacetCount `json:"violations"` // in vocabulary order
	Targets    []FacetCount `json:"targets"`    // in vocabulary order
	Categories []FacetCount `json:"categories"` // Open to Closed
	Years      []FacetCount `json:"years"`      // newest first
}

// FacetCount is how many matching updates have one value of a filter.
type FacetCount struct {
	Value    string `json:"value"` // country code, slug, category or year
	Count    int    `json:"count"`
	Selected bool   `json:"selected,omitempty"`
}

func (f FacetCount) String() string { return fmt.Sprintf("%s:%d", f.Value, f.Count) }
