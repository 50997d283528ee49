package sqldb

// SearchUpdates: the engine (FTS5 or tsvector) finds which published
// updates match the text — the ids only, in one aggregated row, never
// scored or sorted by the engine — and the facet index (search_index.go)
// does the rest in memory, by bitmap algebra (search_bitmap.go): filters,
// facet counts, the total, and the order, picking the page's few updates
// with a bounded heap. Only the page's updates are then read from the
// database, for their public fields and snippets. See
// docs/architecture.md, "Search".

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/metrics"
	"github.com/civicmon/civicmon/search"
)

// maxScoredClauses is how many of a query's clauses count towards
// relevance: each costs two more index lookups (title, summary).
const maxScoredClauses = 4

// snippetRunes is about how long a snippet is.
const snippetRunes = 220

// Filter dimensions. Region and category are properties of the country.
const (
	dimCountry = iota
	dimRegion
	dimCategory
	dimFreedom
	dimViolation
	dimTarget
	dimYear
	numDims
)

// searchFilter is a SearchQuery's filters compiled against the index: per
// dimension the entries that pass its filter (nil: no filter), and the
// range of days (not a facet: every count applies it).
type searchFilter struct {
	dim          [numDims]*roaring.Bitmap
	since, until int32
}

func (f *searchFilter) dated() bool { return f.since != math.MinInt32 || f.until != math.MaxInt32 }

// ENOTREADY when the full-text index must be rebuilt.
func errSearchStale() error {
	return civicmon.Errorf(civicmon.ENOTREADY,
		"the search index was built by another version of civicmon and must be rebuilt: run `civicmon reindex`")
}

func (s *Store) SearchUpdates(ctx context.Context, sq civicmon.SearchQuery) (*civicmon.SearchResult, error) {
	defer metrics.Time("search")()
	sq.Countries, sq.Regions, sq.Freedoms = slices.Clone(sq.Countries), slices.Clone(sq.Regions), slices.Clone(sq.Freedoms)
	sq.Violations, sq.Targets = slices.Clone(sq.Violations), slices.Clone(sq.Targets)
	sq.Categories, sq.Years = slices.Clone(sq.Categories), slices.Clone(sq.Years)
	if err := sq.Validate(); err != nil {
		return nil, err
	}
	q := search.Parse(sq.Text)
	sort := sq.Sort
	if sort == "" || (sort == civicmon.SortRelevance && !q.HasPositive()) {
		sort = civicmon.SortNewest
		if sq.Sort == "" && q.HasPositive() {
			sort = civicmon.SortRelevance
		}
	}
	after, err := decodeSearchCursor(sq.Cursor, sort)
	if err != nil {
		return nil, err
	}
	ix := s.db.facets()
	current, err := ix.fresh(ctx, s.db)
	if err != nil {
		return nil, err
	}
	if !current && !q.Empty() {
		return nil, errSearchStale()
	}

	// The engine's part, before taking the index's lock: which updates
	// match the text, and for relevance which match each clause in the
	// title and in the summary.
	eq := q.Expand()
	m, err := s.findText(ctx, ix, q, eq, sort == civicmon.SortRelevance)
	if err != nil {
		return nil, err
	}
	// Nothing has the words in any form: a word may be misspelt. The
	// search is widened to the words one edit from the longer ones, and
	// the result says so.
	var typos [][]string
	if m.none() {
		if typos, err = s.knownTypos(ctx, q.TypoClauses()); err != nil {
			return nil, err
		}
		if typos != nil {
			eq = eq.Widen(typos)
			if m, err = s.findText(ctx, ix, q, eq, sort == civicmon.SortRelevance); err != nil {
				return nil, err
			}
			if m.none() {
				typos = nil
			}
		}
	}

	res := &civicmon.SearchResult{
		Query: q.String(), QueryTruncated: q.Truncated, QueryDropped: q.Dropped,
		Sort: sort, Hits: []civicmon.SearchHit{},
	}
	ix.mu.RLock()
	f, err := ix.compile(&sq)
	if err != nil {
		ix.mu.RUnlock()
		return nil, err
	}
	b := ix.bases(m, f, !sq.NoFacets)
	top := ix.page(b.all, m, orderOf(sort), after, sq.Limit+1)
	ids := make([]int64, len(top))
	for i, h := range top {
		ids[i] = int64(h.id)
	}
	res.Total = int(b.all.GetCardinality())
	if !sq.NoFacets {
		res.Facets = ix.facetCounts(&sq, b)
	}
	ix.mu.RUnlock()

	if len(top) > sq.Limit {
		res.NextCursor = encodeSearchCursor(sort, top[sq.Limit-1])
		ids = ids[:sq.Limit]
	}
	if res.Hits, err = s.searchHits(ctx, ids, eq); err != nil {
		return nil, err
	}
	if typos != nil {
		res.Widened = widenedQuery(q, typos, res.Hits)
	}
	return res, nil
}

// knownTypos keeps of each clause's typos those the index holds; nil when
// none is left.
func (s *Store) knownTypos(ctx context.Context, typos [][]string) ([][]string, error) {
	var all []string
	for _, ts := range typos {
		all = append(all, ts...)
	}
	if len(all) == 0 {
		return nil, nil
	}
	var known []string
	var err error
	if ok, perr := s.db.postings().usable(ctx, s.db); perr != nil {
		return nil, perr
	} else if ok {
		known, err = s.knownTokens(ctx, all)
	} else {
		known, err = s.engineKnown(ctx, all)
	}
	if err != nil {
		return nil, fmt.Errorf("search: look up the words near the query's: %w", err)
	}
	if len(known) == 0 {
		return nil, nil
	}
	in := make(map[string]bool, len(known))
	for _, t := range known {
		in[t] = true
	}
	out := make([][]string, len(typos))
	for i, ts := range typos {
		for _, t := range ts {
			if in[t] {
				out[i] = append(out[i], t)
			}
		}
	}
	return out, nil
}

// none reports whether the text matched no update at all.
func (m *textMatch) none() bool { return !m.all && m.ids.IsEmpty() }

// widenedQuery is the query the hits of a widened search answer: each
// widened word replaced by the one of its typos marked most often in the
// hits' titles and snippets (the original words where none is).
func widenedQuery(q *search.Query, typos [][]string, hits []civicmon.SearchHit) string {
	count := map[string]int{}
	for _, h := range hits {
		for _, segs := range [][]civicmon.TextSegment{h.TitleMarked, h.Snippet} {
			for _, seg := range segs {
				if seg.Match {
					for _, tok := range search.Tokens(seg.Text) {
						count[tok]++
					}
				}
			}
		}
	}
	found := map[int]string{}
	for i, ts := range typos {
		best := 0
		for _, t := range ts {
			if n := count[t]; n > best {
				best, found[i] = n, t
			}
		}
	}
	return q.Corrected(found)
}

// textMatch is what a text index found for a query's text, as sets of
// update ids. Its bitmaps may be shared (the cache of lookups keeps them):
// they are only read.
type textMatch struct {
	all     bool            // no words to find: every update but those of exclude
	ids     *roaring.Bitmap // the updates that match (when !all)
	exclude *roaring.Bitmap // when all: the updates a query of exclusions only leaves out
	// For relevance, per scored clause: the updates that have it (in any
	// of its forms) in the title, and in the summary, and those that have
	// it as written (anywhere).
	title, summary, exact []*roaring.Bitmap
}

// idRange is the ids from lo up to, not including, hi.
type idRange struct{ lo, hi int64 }

// minPartEntries is the fewest published updates per part worth a part of
// its own: below it, a second lookup costs more than it saves.
const minPartEntries = 50_000

// The bounds of the whole id space.
const minID, maxID = math.MinInt64, math.MaxInt64

// searchParts splits the engine's work for a search into ranges of update
// ids, one per processor, when the engine can look up part of the ids for
// less than all of them (TextIndex.Ranges: FTS5 seeks to a rowid range
// without reading the rest of a term's list; PostgreSQL's GIN index
// cannot): each part's lookups run side by side. A lone search then takes
// about the time of the slowest part, not of the whole; under many
// concurrent searches it costs the same CPU as one part would.
func (ix *facetIndex) searchParts(db *DB) []idRange {
	whole := []idRange{{minID, maxID}}
	n := runtime.GOMAXPROCS(0)
	if !db.dialect.Text.Ranges() || n < 2 {
		return whole
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n = min(n, len(ix.ids)/minPartEntries)
	if ix.parts > 0 {
		n = min(ix.parts, len(ix.ids))
	}
	if n < 2 {
		return whole
	}
	// Entries are (nearly) in id order: split them evenly. Bounds only
	// balance the parts; any ids are correct.
	bounds := make([]int64, 0, n+1)
	bounds = append(bounds, minID)
	for i := 1; i < n; i++ {
		bounds = append(bounds, ix.ids[len(ix.ids)*i/n])
	}
	bounds = append(bounds, maxID)
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	parts := make([]idRange, len(bounds)-1)
	for i := range parts {
		parts[i] = idRange{bounds[i], bounds[i+1]}
	}
	return parts
}

// matchText asks the engine which updates match eq, q's expansion (see
// search.Query.Expand), and for relevance which have each clause of eq in
// the title and in the summary and each of q as written. The parts' answers
// (disjoint ranges of ids) are joined into one bitmap per question.
func (s *Store) matchText(ctx context.Context, ix *facetIndex, q, eq *search.Query, relevance bool) (*textMatch, error) {
	m := &textMatch{}
	if q.Empty() {
		m.all = true
		return m, nil
	}
	parts := ix.searchParts(s.db)
	type job struct {
		l   Lookup
		out **roaring.Bitmap
	}
	var jobs []job
	var pos, epos []search.Clause
	if relevance {
		pos, epos = q.Positive(), eq.Positive()
		pos, epos = pos[:min(len(pos), maxScoredClauses)], epos[:min(len(epos), maxScoredClauses)]
	}
	m.all = !q.HasPositive()
	// Per question, the parts' answers.
	main := make([]*roaring.Bitmap, len(parts))
	title, summary, exact := make([][]*roaring.Bitmap, len(pos)), make([][]*roaring.Bitmap, len(pos)), make([][]*roaring.Bitmap, len(pos))
	for j := range pos {
		title[j], summary[j], exact[j] = make([]*roaring.Bitmap, len(parts)), make([]*roaring.Bitmap, len(parts)), make([]*roaring.Bitmap, len(parts))
	}
	// The main lookup of every part first: they take longest.
	kind := LookupMatch
	if m.all {
		kind = LookupExclude
	}
	for i, p := range parts {
		jobs = append(jobs, job{Lookup{Kind: kind, Query: eq, Lo: p.lo, Hi: p.hi}, &main[i]})
	}
	for i, p := range parts {
		for j, c := range epos {
			jobs = append(jobs,
				job{Lookup{Kind: LookupTitle, Clause: c, Lo: p.lo, Hi: p.hi}, &title[j][i]},
				job{Lookup{Kind: LookupSummary, Clause: c, Lo: p.lo, Hi: p.hi}, &summary[j][i]},
				job{Lookup{Kind: LookupExact, Clause: pos[j], Lo: p.lo, Hi: p.hi}, &exact[j][i]})
		}
	}
	// The lookups run side by side on connections of the read pool, as
	// many at a time as there are processors (the engine's work is CPU),
	// unless a recent search made them.
	gen := ix.generation()
	// The updates an import left out of the engine's index, analysed once
	// for all the lookups (search_deferred.go).
	deferred, err := s.readDeferred(ctx, minID, maxID)
	if err != nil {
		return nil, err
	}
	deferredAnswers := make([]*roaring.Bitmap, len(jobs))
	if deferred != nil {
		ls := make([]Lookup, len(jobs))
		for i, j := range jobs {
			ls[i] = j.l
		}
		if deferredAnswers, err = s.deferredMatch(ctx, deferred, ls); err != nil {
			return nil, err
		}
	}
	errs := make([]error, len(jobs))
	next := make(chan int, len(jobs))
	for i := range jobs {
		next <- i
	}
	close(next)
	work := func() {
		for i := range next {
			j := jobs[i]
			key := j.l.key()
			if ids, ok := ix.cache.get(gen, key); ok {
				*j.out = ids
				continue
			}
			*j.out, errs[i] = s.matchSetBeside(ctx, j.l, deferred, deferredAnswers[i])
			if errs[i] == nil {
				ix.cache.put(gen, key, *j.out)
			}
		}
	}
	var wg sync.WaitGroup
	for range min(len(jobs), runtime.GOMAXPROCS(0)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if m.all {
		m.exclude = union(main)
	} else {
		m.ids = union(main)
	}
	for j := range pos {
		m.title = append(m.title, union(title[j]))
		m.summary = append(m.summary, union(summary[j]))
		m.exact = append(m.exact, union(exact[j]))
	}
	return m, nil
}

// matchIDs returns the ids of the updates the engine matches with l, read
// from one aggregated row: a million rows through database/sql would cost
// more than the engine's own work.
func (s *Store) matchIDs(ctx context.Context, l Lookup) ([]int64, error) {
	deferred, err := s.readDeferred(ctx, l.Lo, l.Hi)
	if err != nil {
		return nil, err
	}
	if deferred == nil {
		list, err := s.db.dialect.Text.Match(ctx, s.db.read, l)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", l.key(), err)
		}
		return parseIDList(list)
	}
	answers, err := s.deferredMatch(ctx, deferred, []Lookup{l})
	if err != nil {
		return nil, err
	}
	set, err := s.matchSetBeside(ctx, l, deferred, answers[0])
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, set.GetCardinality())
	for it := set.Iterator(); it.HasNext(); {
		ids = append(ids, int64(it.Next()))
	}
	return ids, nil
}

// engineKnown keeps of tokens those the engine's index holds, or an
// update waiting to be put in it (search_deferred.go), in the order given.
func (s *Store) engineKnown(ctx context.Context, tokens []string) ([]string, error) {
	deferred, err := s.readDeferred(ctx, minID, maxID)
	if err != nil {
		return nil, err
	}
	known, err := s.db.dialect.Text.Known(ctx, s.db.read, tokens)
	if err != nil || deferred == nil {
		return known, err
	}
	in := map[string]bool{}
	for _, t := range known {
		in[t] = true
	}
	also, err := s.deferredKnown(ctx, deferred, tokens)
	if err != nil {
		return nil, err
	}
	for _, t := range also {
		in[t] = true
	}
	var out []string
	for _, t := range tokens {
		if in[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// parseIDList parses "1,2,3".
func parseIDList(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	out := make([]int64, 0, strings.Count(s, ",")+1)
	var n int64
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
		case c == ',' && digits > 0:
			out = append(out, n)
			n, digits = 0, 0
		default:
			return nil, fmt.Errorf("search: unexpected id list %.40q", s[i:])
		}
	}
	if digits == 0 {
		return nil, fmt.Errorf("search: id list ends in a comma")
	}
	return append(out, n), nil
}

// matchSet is matchIDs as a bitmap.
func (s *Store) matchSet(ctx context.Context, l Lookup) (*roaring.Bitmap, error) {
	deferred, err := s.readDeferred(ctx, l.Lo, l.Hi)
	if err != nil {
		return nil, err
	}
	var answer *roaring.Bitmap
	if deferred != nil {
		answers, err := s.deferredMatch(ctx, deferred, []Lookup{l})
		if err != nil {
			return nil, err
		}
		answer = answers[0]
	}
	return s.matchSetBeside(ctx, l, deferred, answer)
}

// matchSetBeside is matchSet given the deferred ranges and their answer
// to l (deferredMatch), read before: a search reads the waiting updates
// once for all its lookups.
func (s *Store) matchSetBeside(ctx context.Context, l Lookup, deferred *deferredText, answer *roaring.Bitmap) (*roaring.Bitmap, error) {
	list, err := s.db.dialect.Text.Match(ctx, s.db.read, l)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", l.key(), err)
	}
	set, err := parseIDBitmap(list)
	if err != nil {
		return nil, err
	}
	return withDeferred(set, deferred, answer), nil
}

// parseIDBitmap parses "1,2,3" into a bitmap. Once the pass over the
// matches is gone, this is most of the work per match left to us: a tight
// loop over the digits, then the bitmap at once.
func parseIDBitmap(s string) (*roaring.Bitmap, error) {
	if s == "" {
		return roaring.New(), nil
	}
	ids := make([]uint32, 0, strings.Count(s, ",")+1)
	var top uint64
	for i := 0; ; i++ { // at the start of an id
		start := i
		var n uint64
		for ; i < len(s) && i-start < 11; i++ {
			d := s[i] - '0'
			if d > 9 {
				break
			}
			n = n*10 + uint64(d)
		}
		switch {
		case i == start:
			return nil, fmt.Errorf("search: unexpected id list %.40q", s[i:])
		case n > math.MaxUint32:
			_, err := bitmapID(math.MaxInt64) // names the limit
			return nil, err
		}
		ids = append(ids, uint32(n))
		top = max(top, n)
		if i == len(s) {
			break
		}
		if s[i] != ',' || i+1 == len(s) {
			return nil, fmt.Errorf("search: unexpected id list %.40q", s[i:])
		}
	}
	if top/16 > uint64(len(ids)) {
		b := roaring.New()
		b.AddMany(ids)
		return b, nil
	}
	// Dense, as a common word's matches are: a bit each in a plain
	// bitset (no more than 2 bytes an id), then the containers from it,
	// several times faster than adding the ids one by one.
	words := make([]uint64, top/64+1)
	for _, id := range ids {
		words[id/64] |= 1 << (id % 64)
	}
	return roaring.FromDense(words, true), nil
}

// compile checks the query's filters against the reference data and turns
// them into sets of entries. The caller holds mu (read).
func (ix *facetIndex) compile(sq *civicmon.SearchQuery) (*searchFilter, error) {
	var errs []civicmon.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, civicmon.FieldError{Field: "search." + field, Message: fmt.Sprintf(format, args...)})
	}
	f := &searchFilter{since: math.MinInt32, until: math.MaxInt32}
	for _, c := range sq.Countries {
		if !ix.ref.countries[c] {
			bad("country", "%q is not the code of a country this monitor rates", c)
		}
	}
	vocab := ix.ref.vocab
	for _, v := range sq.Violations {
		if !vocab.HasViolation(v) {
			bad("violation", "%q is not a violation type; allowed: %s", v, termSlugs(vocab.Violations))
		}
	}
	for _, t := range sq.Targets {
		if !vocab.HasTarget(t) {
			bad("target", "%q is not a target group; allowed: %s", t, termSlugs(vocab.Targets))
		}
	}
	if len(errs) > 0 {
		return nil, &civicmon.ValidationError{Fields: errs}
	}
	sets := &ix.sets
	// Region and category are the country's: their filters are unions
	// of countries.
	var countries, regions, categories []*roaring.Bitmap
	for n, code := range ix.countryCode {
		if n >= len(sets.country) {
			break // no entry has this country, nor any after it
		}
		if slices.Contains(sq.Countries, code) {
			countries = append(countries, sets.country[n])
		}
		if r := ix.ref.region[n]; r >= 0 && slices.Contains(sq.Regions, civicmon.Regions[r]) {
			regions = append(regions, sets.country[n])
		}
		if c := ix.ref.category[n]; c >= 0 && slices.Contains(sq.Categories, civicmon.Categories[c]) {
			categories = append(categories, sets.country[n])
		}
	}
	var freedoms []*roaring.Bitmap
	for _, fr := range sq.Freedoms {
		for b := range numFreedoms {
			if fr.Bit()&(1<<b) != 0 {
				freedoms = append(freedoms, sets.freedom[b])
			}
		}
	}
	terms := func(slugs []string, ts *terms, list []*roaring.Bitmap) []*roaring.Bitmap {
		var out []*roaring.Bitmap
		for _, slug := range slugs {
			if n := ts.num[slug]; n < len(list) {
				out = append(out, list[n])
			}
		}
		return out
	}
	var years []*roaring.Bitmap
	for _, y := range sq.Years {
		years = append(years, sets.year[y-firstYear])
	}
	filter := func(d int, active bool, sets []*roaring.Bitmap) {
		if active {
			f.dim[d] = union(sets)
		}
	}
	filter(dimCountry, len(sq.Countries) > 0, countries)
	filter(dimRegion, len(sq.Regions) > 0, regions)
	filter(dimCategory, len(sq.Categories) > 0, categories)
	filter(dimFreedom, len(sq.Freedoms) > 0, freedoms)
	filter(dimViolation, len(sq.Violations) > 0, terms(sq.Violations, &ix.violTerms, sets.viol))
	filter(dimTarget, len(sq.Targets) > 0, terms(sq.Targets, &ix.targetTerms, sets.target))
	filter(dimYear, len(sq.Years) > 0, years)
	if !sq.Since.IsZero() {
		f.since = epochDays(sq.Since)
	}
	if !sq.Until.IsZero() {
		f.until = epochDays(sq.Until)
	}
	return f, nil
}

func termSlugs(ts []civicmon.Term) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.Slug
	}
	return strings.Join(s, ", ")
}

// A hitKey orders results: greater is earlier. k1 holds the relevance
// score and the day (or the negated day, oldest first), k2 the id (or its
// negation), so that every order is "greatest first" and ties are broken
// by id.
type hitKey struct {
	k1, k2 int64
	id     uint32
}

func (a hitKey) less(b hitKey) bool { return a.k1 < b.k1 || (a.k1 == b.k1 && a.k2 < b.k2) }

// keyOrder is a SearchSort as the walks use it.
type keyOrder uint8

const (
	orderNewest keyOrder = iota
	orderOldest
	orderRelevance
)

func orderOf(sort civicmon.SearchSort) keyOrder {
	switch sort {
	case civicmon.SortOldest:
		return orderOldest
	case civicmon.SortRelevance:
		return orderRelevance
	}
	return orderNewest
}

func makeKey(order keyOrder, score uint8, day int32, id int64) (int64, int64) {
	switch order {
	case orderOldest:
		return -int64(day), -id
	case orderRelevance:
		return int64(score)<<33 + int64(day) + 1<<32, id
	}
	return int64(day), id
}

func makeHitKey(order keyOrder, score uint8, day int32, id uint32) hitKey {
	k1, k2 := makeKey(order, score, day, int64(id))
	return hitKey{k1, k2, id}
}

// topK keeps the k greatest keys: a min-heap whose root is the least kept.
type topK struct {
	k int
	h []hitKey
}

func (t *topK) offer(x hitKey) {
	h := t.h
	if len(h) < t.k {
		// sift up
		h = append(h, x)
		i := len(h) - 1
		for i > 0 {
			parent := (i - 1) / 2
			if !h[i].less(h[parent]) {
				break
			}
			h[i], h[parent] = h[parent], h[i]
			i = parent
		}
		t.h = h
		return
	}
	if !h[0].less(x) {
		return
	}
	// replace the root and sift down
	h[0] = x
	for i := 0; ; {
		l, r, least := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].less(h[least]) {
			least = l
		}
		if r < len(h) && h[r].less(h[least]) {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

func (t *topK) full() bool { return len(t.h) >= t.k }

// least is the least key kept; the heap holds one.
func (t *topK) least() hitKey { return t.h[0] }

// sorted returns the kept keys, greatest first.
func (t *topK) sorted() []hitKey {
	out := slices.Clone(t.h)
	slices.SortFunc(out, func(a, b hitKey) int {
		if b.less(a) {
			return -1
		}
		if a.less(b) {
			return 1
		}
		return 0
	})
	return out
}

// facetCounts turns the counts of each dimension's values in the
// dimension's base into the result's facets. The caller holds mu (read).
func (ix *facetIndex) facetCounts(sq *civicmon.SearchQuery, b *searchBases) civicmon.SearchFacets {
	var out civicmon.SearchFacets
	add := func(list *[]civicmon.FacetCount, value string, n int, selected bool) {
		if n > 0 || selected {
			*list = append(*list, civicmon.FacetCount{Value: value, Count: n, Selected: selected})
		}
	}
	t := ix.tally(b)
	at := func(counts []int, i int) int {
		if i < len(counts) {
			return counts[i]
		}
		return 0 // no entry has it
	}
	var regions, categories [8]int
	for c, code := range ix.countryCode {
		if !ix.ref.countries[code] {
			continue
		}
		add(&out.Countries, code, at(t.country[dimCountry], c), slices.Contains(sq.Countries, code))
		if r := ix.ref.region[c]; r >= 0 {
			regions[r] += at(t.country[dimRegion], c)
		}
		if k := ix.ref.category[c]; k >= 0 {
			categories[k] += at(t.country[dimCategory], c)
		}
	}
	slices.SortStableFunc(out.Countries, func(a, b civicmon.FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	for i, r := range civicmon.Regions {
		add(&out.Regions, string(r), regions[i], slices.Contains(sq.Regions, r))
	}
	for i, fr := range civicmon.Freedoms {
		add(&out.Freedoms, string(fr), at(t.freedom[:], i), slices.Contains(sq.Freedoms, fr))
	}
	term := func(counts []int, ts *terms, slug string) int {
		if n, ok := ts.num[slug]; ok {
			return at(counts, n)
		}
		return 0
	}
	for _, v := range ix.ref.vocab.Violations {
		add(&out.Violations, v.Slug, term(t.viol, &ix.violTerms, v.Slug), slices.Contains(sq.Violations, v.Slug))
	}
	for _, v := range ix.ref.vocab.Targets {
		add(&out.Targets, v.Slug, term(t.target, &ix.targetTerms, v.Slug), slices.Contains(sq.Targets, v.Slug))
	}
	for i, k := range civicmon.Categories {
		add(&out.Categories, string(k), categories[i], slices.Contains(sq.Categories, k))
	}
	for y := numYears - 1; y >= 0; y-- {
		add(&out.Years, strconv.Itoa(firstYear+y), t.year[y], slices.Contains(sq.Years, firstYear+y))
	}
	return out
}

// Cursors are opaque to clients: base64 of the sort's letter and the last
// hit's key.
func encodeSearchCursor(sort civicmon.SearchSort, k hitKey) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%c%d.%d", sort[0], k.k1, k.k2))
}

func decodeSearchCursor(s string, sort civicmon.SearchSort) (*hitKey, error) {
	if s == "" {
		return nil, nil
	}
	bad := civicmon.Errorf(civicmon.EINVALID, "the page cursor %.40q does not belong to this search (sorted by %s): start again from the first page", s, sort)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 4 || b[0] != sort[0] {
		return nil, bad
	}
	a, z, ok := strings.Cut(string(b[1:]), ".")
	if !ok {
		return nil, bad
	}
	k1, err1 := strconv.ParseInt(a, 10, 64)
	k2, err2 := strconv.ParseInt(z, 10, 64)
	if err1 != nil || err2 != nil {
		return nil, bad
	}
	return &hitKey{k1: k1, k2: k2}, nil
}

// searchHits reads the page's updates, in the order of ids, through their
// public projection, with their marked title and snippet. An update
// unpublished since the index saw it is left out.
func (s *Store) searchHits(ctx context.Context, ids []int64, q *search.Query) ([]civicmon.SearchHit, error) {
	out := make([]civicmon.SearchHit, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// By id only: with the status in the WHERE clause SQLite may walk the
	// status index instead. Unpublished ones are left out below, by
	// Public.
	rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT `+searchColumnsSQL+` FROM updates
		WHERE id IN (`+placeholders(len(ids))+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]*civicmon.Update, len(ids))
	for rows.Next() {
		var u civicmon.Update
		if err := scanSearchHit(rows, &u); err != nil {
			return nil, err
		}
		byID[u.ID] = &u
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	m := q.Matcher()
	for _, id := range ids {
		u := byID[id]
		if u == nil {
			continue
		}
		p, ok := u.Public()
		if !ok {
			continue
		}
		h := civicmon.NewSearchHit(p)
		h.TitleMarked = segments(m.Highlight(p.Title))
		h.Snippet = segments(snippet(m, &p))
		out = append(out, h)
	}
	return out, nil
}

// snippet shows why p matched: the first of its summary, body and
// translations that holds a match; the summary's start otherwise.
func snippet(m *search.Matcher, p *civicmon.PublicUpdate) []search.Segment {
	if !m.Empty() {
		texts := []func() string{
			func() string { return p.Summary },
			func() string { return search.PlainText(p.Body) },
		}
		for _, t := range p.Translations {
			texts = append(texts, func() string { return t.Title }, func() string { return t.Summary },
				func() string { return search.PlainText(t.Body) })
		}
		for _, text := range texts {
			if segs, ok := m.Snippet(text(), snippetRunes); ok {
				return segs
			}
		}
	}
	lead := p.Summary
	if strings.TrimSpace(lead) == "" {
		lead = search.PlainText(p.Body)
	}
	return search.Lead(lead, snippetRunes)
}

func segments(ss []search.Segment) []civicmon.TextSegment {
	out := make([]civicmon.TextSegment, len(ss))
	for i, s := range ss {
		out[i] = civicmon.TextSegment(s)
	}
	return out
}

// LoadSearchIndex loads the in-memory facet index now rather than at the
// first search, which would otherwise wait for it (about half a second per
// 100,000 updates): `civicmon serve` can call it at start-up.
func (s *Store) LoadSearchIndex(ctx context.Context) error {
	_, err := s.db.facets().fresh(ctx, s.db)
	return err
}

// matchCache keeps the bitmaps of recent text lookups, for the searches
// that repeat a query with other filters (a reader choosing facets) or ask
// for its next page. An entry is valid for one state of the index: the
// search_log entry the facet index had caught up with, which every write
// to updates (and Reindex) moves on. Its bitmaps are shared by the
// searches that find them: nobody changes them.
type matchCache struct {
	mu    sync.Mutex
	limit int // bytes it may hold; matchCacheBytes when 0, none when negative
	gen   int64
	items map[string]*matchEntry
	order []string // least recently used first
	bytes int      // held
}

type matchEntry struct {
	ids   *roaring.Bitmap
	bytes int
}

// matchCacheBytes bounds the memory the cache holds by default: 8 MB, the
// size of a million ids as a list, and of many more as bitmaps. (A
// million-update monitor's live heap is some 50 MB without it; see
// "Search" in docs/benchmarks.md, memory.)
const matchCacheBytes = 8 << 20

// SetSearchParts fixes how many parts a search's lookups split into (see
// searchParts), or with 0 lets the store choose: one per processor, when
// each part holds at least 50,000 published updates. Tests use it to run
// the split path on a few updates.
func (db *DB) SetSearchParts(n int) {
	ix := db.facets()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.parts = max(n, 0)
}

// SetSearchCache bounds the memory of the cache of full-text lookups as so
// many update ids at 8 bytes each (the default, 1,048,576, is 8 MB; the
// cache holds compressed bitmaps, so it keeps many more ids), or switches
// it off with 0.
func (db *DB) SetSearchCache(ids int) {
	c := &db.facets().cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.limit = -1
	if ids > 0 {
		c.limit = 8 * ids
	}
	c.items, c.order, c.bytes = nil, nil, 0
	// The postings' cache likewise.
	db.setPostingsCache(-1)
	if ids > 0 {
		db.setPostingsCache(8 * ids)
	}
}

func (c *matchCache) get(gen int64, key string) (*roaring.Bitmap, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return nil, false
	}
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.touch(key)
	return e.ids, true
}

func (c *matchCache) put(gen int64, key string, ids *roaring.Bitmap) {
	size := int(ids.GetSizeInBytes())
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.limit
	if limit == 0 {
		limit = matchCacheBytes
	}
	if limit < 0 || size > limit/4 {
		return // switched off, or one bitmap would push out most others
	}
	if gen != c.gen || c.items == nil {
		c.gen, c.items, c.order, c.bytes = gen, map[string]*matchEntry{}, nil, 0
	}
	if _, ok := c.items[key]; ok {
		c.touch(key)
		return
	}
	for c.bytes+size > limit && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= c.items[old].bytes
		delete(c.items, old)
	}
	c.items[key] = &matchEntry{ids: ids, bytes: size}
	c.order = append(c.order, key)
	c.bytes += size
}

// touch moves key to the end of order. The caller holds mu.
func (c *matchCache) touch(key string) {
	if i := slices.Index(c.order, key); i >= 0 {
		c.order = append(append(c.order[:i:i], c.order[i+1:]...), key)
	}
}
