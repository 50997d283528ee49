package sqldb

// SearchUpdates: the engine (FTS5 or tsvector) finds which published
// updates match the text — the ids only, in one aggregated row, never
// scored or sorted by the engine — and the facet index (search_index.go)
// does the rest in memory: filters, facet counts, the total, and the
// order, picking the page's few updates with a bounded heap. Only the
// page's updates are then read from the database, for their public fields
// and snippets. See docs/architecture.md, "Search".

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/metrics"
	"github.com/civicmon/civicmon/search"
)

// maxScoredClauses is how many of a query's clauses count towards
// relevance: each costs two more index lookups (title, summary).
const maxScoredClauses = 4

// snippetRunes is about how long a snippet is.
const snippetRunes = 220

// Filter dimensions, as bits of an entry's failed filters.
const (
	dimCountry = 1 << iota
	dimRegion
	dimCategory
	dimFreedom
	dimViolation
	dimTarget
	dimYear
)

// searchFilter is a SearchQuery's filters compiled against the index.
type searchFilter struct {
	countryFail  []uint8 // by country number: which of the country, region and category filters it fails
	freedom      uint8   // 0: no filter
	viol, target []termWord
	years        *[numYears]bool
	since, until int32
}

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
	sc := ix.scanAll(&sq, f, sort, after, sq.Limit+1, m)
	top := sc.top.sorted()
	ids := make([]int64, len(top))
	for i, h := range top {
		ids[i] = ix.ids[h.p]
	}
	res.Total = sc.total
	if !sq.NoFacets {
		res.Facets = ix.facetCounts(&sq, sc)
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
		known, err = s.db.dialect.Text.Known(ctx, s.db.read, all)
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
func (m *textMatch) none() bool {
	if m.all {
		return false
	}
	for _, p := range m.parts {
		if len(p.ids) > 0 {
			return false
		}
	}
	return true
}

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

// textMatch is what the engine found for a query's text, part by part of
// the id space (see searchParts).
type textMatch struct {
	all   bool // no text: every update (but those of the parts' exclude)
	parts []partMatch
}

// partMatch is the engine's answer for the updates of one id range.
type partMatch struct {
	lo, hi  int64   // ids from lo up to, not including, hi
	ids     []int64 // the updates that match (when !all)
	exclude []int64 // when all: the updates a query of exclusions only leaves out
	// For relevance, per scored clause: the updates that have it (in
	// any of its forms) in the title, and in the summary, and those that
	// have it as written (anywhere).
	title, summary, exact [][]int64
}

// minPartEntries is the fewest published updates per part worth a part of
// its own: below it, a second lookup costs more than it saves.
const minPartEntries = 50_000

// The bounds of the whole id space.
const minID, maxID = math.MinInt64, math.MaxInt64

// searchParts splits the work of a search into ranges of update ids, one
// per processor, when the engine can look up part of the ids for less
// than all of them (TextIndex.Ranges: FTS5 seeks to a rowid range without
// reading the rest of a term's list; PostgreSQL's GIN index cannot): each
// part's lookups and its share of the pass over the facet index run side
// by side. A lone search then takes about the time of the slowest part,
// not of the whole; under many concurrent searches it costs the same CPU
// as one part would.
func (ix *facetIndex) searchParts(db *DB) []partMatch {
	whole := []partMatch{{lo: minID, hi: maxID}}
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
	parts := make([]partMatch, len(bounds)-1)
	for i := range parts {
		parts[i].lo, parts[i].hi = bounds[i], bounds[i+1]
	}
	return parts
}

// matchText asks the engine which updates match eq, q's expansion (see
// search.Query.Expand), and for relevance which have each clause of eq in
// the title and in the summary and each of q as written.
func (s *Store) matchText(ctx context.Context, ix *facetIndex, q, eq *search.Query, relevance bool) (*textMatch, error) {
	m := &textMatch{}
	if q.Empty() {
		m.all = true
		m.parts = []partMatch{{lo: minID, hi: maxID}}
		return m, nil
	}
	m.parts = ix.searchParts(s.db)
	type job struct {
		l   Lookup
		out *[]int64
	}
	var jobs []job
	var pos, epos []search.Clause
	if relevance {
		pos, epos = q.Positive(), eq.Positive()
		pos, epos = pos[:min(len(pos), maxScoredClauses)], epos[:min(len(epos), maxScoredClauses)]
	}
	m.all = !q.HasPositive()
	// The main lookup of every part first: they take longest.
	for i := range m.parts {
		p := &m.parts[i]
		if m.all {
			jobs = append(jobs, job{Lookup{Kind: LookupExclude, Query: eq, Lo: p.lo, Hi: p.hi}, &p.exclude})
		} else {
			jobs = append(jobs, job{Lookup{Kind: LookupMatch, Query: eq, Lo: p.lo, Hi: p.hi}, &p.ids})
		}
	}
	for i := range m.parts {
		p := &m.parts[i]
		p.title, p.summary, p.exact = make([][]int64, len(pos)), make([][]int64, len(pos)), make([][]int64, len(pos))
		for j, c := range epos {
			jobs = append(jobs,
				job{Lookup{Kind: LookupTitle, Clause: c, Lo: p.lo, Hi: p.hi}, &p.title[j]},
				job{Lookup{Kind: LookupSummary, Clause: c, Lo: p.lo, Hi: p.hi}, &p.summary[j]},
				job{Lookup{Kind: LookupExact, Clause: pos[j], Lo: p.lo, Hi: p.hi}, &p.exact[j]})
		}
	}
	// The lookups run side by side on connections of the read pool, as
	// many at a time as there are processors (the engine's work is CPU),
	// unless a recent search made them.
	gen := ix.generation()
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
			*j.out, errs[i] = s.matchIDs(ctx, j.l)
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
	return m, nil
}

// matchIDs returns the ids of the updates the engine matches with l, read
// from one aggregated row: a million rows through database/sql would cost
// more than the engine's own work.
func (s *Store) matchIDs(ctx context.Context, l Lookup) ([]int64, error) {
	list, err := s.db.dialect.Text.Match(ctx, s.db.read, l)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", l.key(), err)
	}
	return parseIDList(list)
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

// compile checks the query's filters against the reference data and turns
// them into masks over the index. The caller holds mu (read).
func (ix *facetIndex) compile(sq *civicmon.SearchQuery) (*searchFilter, error) {
	var errs []civicmon.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, civicmon.FieldError{Field: "search." + field, Message: fmt.Sprintf(format, args...)})
	}
	f := &searchFilter{since: -1 << 31, until: 1<<31 - 1}
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
	f.countryFail = make([]uint8, len(ix.countryCode))
	for n, code := range ix.countryCode {
		var fail uint8
		if len(sq.Countries) > 0 && !slices.Contains(sq.Countries, code) {
			fail |= dimCountry
		}
		if len(sq.Regions) > 0 {
			r := ix.ref.region[n]
			if r < 0 || !slices.Contains(sq.Regions, civicmon.Regions[r]) {
				fail |= dimRegion
			}
		}
		if len(sq.Categories) > 0 {
			c := ix.ref.category[n]
			if c < 0 || !slices.Contains(sq.Categories, civicmon.Categories[c]) {
				fail |= dimCategory
			}
		}
		f.countryFail[n] = fail
	}
	for _, fr := range sq.Freedoms {
		f.freedom |= uint8(fr.Bit())
	}
	if len(sq.Violations) > 0 {
		f.viol = make([]termWord, ix.viol.stride)
		for _, v := range sq.Violations {
			n := ix.violTerms.num[v]
			f.viol[n/termBits] |= 1 << (n % termBits)
		}
	}
	if len(sq.Targets) > 0 {
		f.target = make([]termWord, ix.target.stride)
		for _, t := range sq.Targets {
			n := ix.targetTerms.num[t]
			f.target[n/termBits] |= 1 << (n % termBits)
		}
	}
	if len(sq.Years) > 0 {
		f.years = new([numYears]bool)
		for _, y := range sq.Years {
			f.years[y-firstYear] = true
		}
	}
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
	p      int32
}

func (a hitKey) less(b hitKey) bool { return a.k1 < b.k1 || (a.k1 == b.k1 && a.k2 < b.k2) }

// keyOrder is a SearchSort as the pass uses it: a string comparison per
// candidate was a tenth of the pass over a word's matches.
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

// scan is one pass over the candidates: total, facet counts, top keys.
type scan struct {
	f      *searchFilter
	sort   civicmon.SearchSort
	after  *hitKey // only keys less than this (the page after the cursor)
	top    topK
	facets bool
	total  int

	// Facet counts. all counts the entries that pass every filter, by
	// country; only[d] those that fail only dimension d's filter.
	all                     []int
	onlyCountry, onlyRegion []int
	onlyCategory            []int
	freedom                 [8]int
	viol, target            []int
	year                    [numYears]int
}

func (ix *facetIndex) newScan(sq *civicmon.SearchQuery, f *searchFilter, sort civicmon.SearchSort, after *hitKey, k int) *scan {
	sc := &scan{f: f, sort: sort, after: after, top: topK{k: k}, facets: !sq.NoFacets}
	if sc.facets {
		n := len(ix.countryCode)
		sc.all, sc.onlyCountry, sc.onlyRegion, sc.onlyCategory = make([]int, n), make([]int, n), make([]int, n), make([]int, n)
		sc.viol = make([]int, ix.viol.stride*termBits)
		sc.target = make([]int, ix.target.stride*termBits)
	}
	return sc
}

// scorePool recycles the per-entry relevance scores.
var scorePool sync.Pool

// scanAll makes the pass over the candidates of m, a part at a time side
// by side, and returns the parts' scans merged. The caller holds mu (read).
func (ix *facetIndex) scanAll(sq *civicmon.SearchQuery, f *searchFilter, sort civicmon.SearchSort, after *hitKey, k int, m *textMatch) *scan {
	var score []uint8
	if sort == civicmon.SortRelevance {
		if b, ok := scorePool.Get().(*[]uint8); ok && cap(*b) >= len(ix.ids) {
			score = (*b)[:len(ix.ids)]
		} else {
			score = make([]uint8, len(ix.ids))
		}
		defer func() {
			clear(score)
			scorePool.Put(&score)
		}()
	}
	var excluded []uint64
	if m.all {
		for _, p := range m.parts {
			for _, id := range p.exclude {
				if excluded == nil {
					excluded = make([]uint64, len(ix.ids)/64+1)
				}
				if e := ix.pos.get(id); e >= 0 {
					excluded[e/64] |= 1 << (e % 64)
				}
			}
		}
	}
	// Without text the parts are ranges of entries; with text, the
	// engine's parts (disjoint id ranges, so disjoint entries: each part
	// writes only its own entries' scores).
	n := len(m.parts)
	if m.all {
		n = max(1, min(runtime.GOMAXPROCS(0), len(ix.ids)/minPartEntries))
		if ix.parts > 0 {
			n = ix.parts
		}
	}
	scans := make([]*scan, n)
	var wg sync.WaitGroup
	for i := range n {
		scans[i] = ix.newScan(sq, f, sort, after, k)
		part := func() {
			if m.all {
				ix.run(scans[i], nil, len(ix.ids)*i/n, len(ix.ids)*(i+1)/n, excluded, nil)
				return
			}
			p := &m.parts[i]
			if score != nil {
				add := func(ids []int64, w uint8) {
					for _, id := range ids {
						if e := ix.pos.get(id); e >= 0 {
							score[e] += w
						}
					}
				}
				for j := range p.title {
					add(p.exact[j], 3)
					add(p.title[j], 2)
					add(p.summary[j], 1)
				}
			}
			list := make([]int32, 0, len(p.ids))
			for _, id := range p.ids {
				if e := ix.pos.get(id); e >= 0 {
					list = append(list, e)
				}
			}
			ix.run(scans[i], list, 0, len(list), nil, score)
		}
		if i == n-1 {
			part()
		} else {
			wg.Go(part)
		}
	}
	wg.Wait()
	sc := scans[0]
	for _, o := range scans[1:] {
		sc.merge(o)
	}
	return sc
}

// merge adds o's counts and keys to sc.
func (sc *scan) merge(o *scan) {
	sc.total += o.total
	for _, h := range o.top.h {
		if len(sc.top.h) < sc.top.k || sc.top.h[0].less(h) {
			sc.top.offer(h)
		}
	}
	if !sc.facets {
		return
	}
	addInts(sc.all, o.all)
	addInts(sc.onlyCountry, o.onlyCountry)
	addInts(sc.onlyRegion, o.onlyRegion)
	addInts(sc.onlyCategory, o.onlyCategory)
	addInts(sc.freedom[:], o.freedom[:])
	addInts(sc.viol, o.viol)
	addInts(sc.target, o.target)
	addInts(sc.year[:], o.year[:])
}

func addInts(dst, src []int) {
	for i, v := range src {
		dst[i] += v
	}
}

// run makes the pass over candidates from up to to: entries of list, or
// when list is nil the entries themselves, less those excluded. The
// caller holds mu (read).
func (ix *facetIndex) run(sc *scan, list []int32, from, to int, excluded []uint64, score []uint8) {
	f := sc.f
	vs, ts := ix.viol.stride, ix.target.stride
	order := orderOf(sc.sort)
	// Candidates come roughly in id order, and so in date order: walk
	// them newest first unless the oldest come first, so that the heap
	// fills with the page's updates early and turns most others away at
	// its root.
	i, step := to-1, -1
	if sc.sort == civicmon.SortOldest {
		i, step = from, 1
	}
	for ; i >= from && i < to; i += step {
		p := i
		if list != nil {
			p = int(list[i])
		} else if excluded != nil && excluded[p/64]&(1<<(p%64)) != 0 {
			continue
		}
		day := ix.days[p]
		if day < f.since || day > f.until {
			continue
		}
		c := ix.country[p]
		fail := f.countryFail[c]
		fr := ix.freedoms[p]
		if f.freedom != 0 && fr&f.freedom == 0 {
			fail |= dimFreedom
		}
		vw := ix.viol.w[p*vs : p*vs+vs]
		if f.viol != nil && !intersects(vw, f.viol) {
			fail |= dimViolation
		}
		tw := ix.target.w[p*ts : p*ts+ts]
		if f.target != nil && !intersects(tw, f.target) {
			fail |= dimTarget
		}
		y := int(ix.years[p]) - firstYear
		if f.years != nil && (y < 0 || y >= numYears || !f.years[y]) {
			fail |= dimYear
		}
		if fail == 0 {
			sc.total++
			var s uint8
			if score != nil {
				s = score[p]
			}
			k1, k2 := makeKey(order, s, day, ix.ids[p])
			key := hitKey{k1, k2, int32(p)}
			// Most keys lose to the heap's least: check that first.
			if (sc.after == nil || key.less(*sc.after)) && (len(sc.top.h) < sc.top.k || sc.top.h[0].less(key)) {
				sc.top.offer(key)
			}
		}
		if !sc.facets || fail&(fail-1) != 0 {
			continue // fails two filters or more: counts nowhere
		}
		if fail == 0 {
			sc.all[c]++
		}
		if fail&^dimFreedom == 0 {
			for b := range 3 {
				if fr&(1<<b) != 0 {
					sc.freedom[b]++
				}
			}
		}
		if fail&^dimViolation == 0 {
			for w, x := range vw {
				for ; x != 0; x &= x - 1 {
					sc.viol[w*termBits+bits.TrailingZeros32(x)]++
				}
			}
		}
		if fail&^dimTarget == 0 {
			for w, x := range tw {
				for ; x != 0; x &= x - 1 {
					sc.target[w*termBits+bits.TrailingZeros32(x)]++
				}
			}
		}
		if fail&^dimYear == 0 && y >= 0 && y < numYears {
			sc.year[y]++
		}
		switch fail {
		case dimCountry:
			sc.onlyCountry[c]++
		case dimRegion:
			sc.onlyRegion[c]++
		case dimCategory:
			sc.onlyCategory[c]++
		}
	}
}

func intersects(a, b []termWord) bool {
	for i := range b {
		if a[i]&b[i] != 0 {
			return true
		}
	}
	return false
}

// facetCounts turns a scan's counts into the result's facets. The caller
// holds mu (read).
func (ix *facetIndex) facetCounts(sq *civicmon.SearchQuery, sc *scan) civicmon.SearchFacets {
	var out civicmon.SearchFacets
	add := func(list *[]civicmon.FacetCount, value string, n int, selected bool) {
		if n > 0 || selected {
			*list = append(*list, civicmon.FacetCount{Value: value, Count: n, Selected: selected})
		}
	}
	var regions [8]int
	var categories [8]int
	for c, code := range ix.countryCode {
		if !ix.ref.countries[code] {
			continue
		}
		add(&out.Countries, code, sc.all[c]+sc.onlyCountry[c], slices.Contains(sq.Countries, code))
		if r := ix.ref.region[c]; r >= 0 {
			regions[r] += sc.all[c] + sc.onlyRegion[c]
		}
		if k := ix.ref.category[c]; k >= 0 {
			categories[k] += sc.all[c] + sc.onlyCategory[c]
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
		add(&out.Freedoms, string(fr), sc.freedom[i], slices.Contains(sq.Freedoms, fr))
	}
	for _, t := range ix.ref.vocab.Violations {
		add(&out.Violations, t.Slug, sc.viol[ix.violTerms.num[t.Slug]], slices.Contains(sq.Violations, t.Slug))
	}
	for _, t := range ix.ref.vocab.Targets {
		add(&out.Targets, t.Slug, sc.target[ix.targetTerms.num[t.Slug]], slices.Contains(sq.Targets, t.Slug))
	}
	for i, k := range civicmon.Categories {
		add(&out.Categories, string(k), categories[i], slices.Contains(sq.Categories, k))
	}
	for y := numYears - 1; y >= 0; y-- {
		add(&out.Years, strconv.Itoa(firstYear+y), sc.year[y], slices.Contains(sq.Years, firstYear+y))
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

// matchCache keeps the id lists of recent text lookups, for the searches
// that repeat a query with other filters (a reader choosing facets) or ask
// for its next page. An entry is valid for one state of the index: the
// search_log entry the facet index had caught up with, which every write
// to updates (and Reindex) moves on.
type matchCache struct {
	mu    sync.Mutex
	limit int // ids it may hold; matchCacheIDs when 0, none when negative
	gen   int64
	items map[string]*matchEntry
	order []string // least recently used first
	ids   int      // ids held
}

type matchEntry struct{ ids []int64 }

// matchCacheIDs bounds the ids the cache holds by default (8 bytes each),
// and so its memory: 8 MB. (A million-update monitor's live heap is some
// 40 MB without it; see "Search" in docs/benchmarks.md, memory.)
const matchCacheIDs = 1 << 20

// SetSearchParts fixes how many parts a search's work splits into (see
// searchParts), or with 0 lets the store choose: one per processor, when
// each part holds at least 50,000 published updates. Tests use it to run
// the split path on a few updates.
func (db *DB) SetSearchParts(n int) {
	ix := db.facets()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.parts = max(n, 0)
}

// SetSearchCache sets how many update ids the cache of full-text lookups
// may hold (8 bytes each; the default, 1,048,576, is 8 MB), or switches it
// off with 0.
func (db *DB) SetSearchCache(ids int) {
	c := &db.facets().cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.limit = -1
	if ids > 0 {
		c.limit = ids
	}
	c.items, c.order, c.ids = nil, nil, 0
	// The postings' cache, 8 bytes an id as well.
	db.setPostingsCache(-1)
	if ids > 0 {
		db.setPostingsCache(8 * ids)
	}
}

func (c *matchCache) get(gen int64, key string) ([]int64, bool) {
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

func (c *matchCache) put(gen int64, key string, ids []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.limit
	if limit == 0 {
		limit = matchCacheIDs
	}
	if limit < 0 || len(ids) > limit/4 {
		return // switched off, or one list would push out most others
	}
	if gen != c.gen || c.items == nil {
		c.gen, c.items, c.order, c.ids = gen, map[string]*matchEntry{}, nil, 0
	}
	if _, ok := c.items[key]; ok {
		c.touch(key)
		return
	}
	for c.ids+len(ids) > limit && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.ids -= len(c.items[old].ids)
		delete(c.items, old)
	}
	c.items[key] = &matchEntry{ids: ids}
	c.order = append(c.order, key)
	c.ids += len(ids)
}

// touch moves key to the end of order. The caller holds mu.
func (c *matchCache) touch(key string) {
	if i := slices.Index(c.order, key); i >= 0 {
		c.order = append(append(c.order[:i:i], c.order[i+1:]...), key)
	}
}
