package storetest

// The randomized differential test of search: generated updates (random
// countries, freedoms, violations, target groups, dates and words), then
// random queries — text with exclusions and OR, filters of every kind, the
// three orders, small pages walked to the end by cursor — each answered by
// the store and by a plain reference computed here from the generated
// data: every hit in order, the total and every facet count must agree.
// Then writes that move, retag, unpublish, delete and publish updates, and
// the same again.

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/search"
	"github.com/civicmon/civicmon/sqldb"
)

// randomWords are the generated texts' words: three letters, so that the
// analysis adds no other form (a stem or name key) that two of them could
// share, and none in the other fixtures' texts.
var randomWords = []string{"zub", "gox", "dax", "wic", "pev", "nud", "hax", "fim", "jix", "vup"}

// refUpdate is what the reference knows of a published update.
type refUpdate struct {
	id                    int64
	slug                  string
	day                   int
	country               string
	freedoms              civicmon.FreedomSet
	violations, targets   []string
	title, summary, whole map[string]bool // tokens of the title, the summary, all the text
}

// randomSearch holds the generated data and the reference's reference
// data.
type randomSearch struct {
	t         *testing.T
	db        *sqldb.DB
	s         civicmon.Store
	rnd       *rand.Rand
	pub       map[string]*refUpdate // published, by slug
	slugs     []string              // every generated update
	codes     []string              // countries updates are in
	countries []civicmon.Country    // the countries the store rates (facets list these)
	region    map[string]civicmon.Region
	category  map[string]civicmon.Category
	vocab     *civicmon.Vocabulary
	viols     []string // violation types updates get
	targets   []string // target groups incidents get
}

func testSearchRandom(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	rs := &randomSearch{t: t, db: db, s: s, rnd: rand.New(rand.NewPCG(11, 12)), pub: map[string]*refUpdate{}}
	// Only the generated updates.
	all, _, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Limit: 1000, Statuses: []civicmon.Status{
		civicmon.StatusDraft, civicmon.StatusInReview, civicmon.StatusPublished, civicmon.StatusArchived}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if err := s.DeleteUpdate(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Countries in every region, rated in every category or not at all,
	// one with a rating not yet in force; Côte d'Ivoire, unrated, has
	// updates, Nigeria none.
	for _, c := range []civicmon.Country{
		{Code: "FR", Code3: "FRA", Name: "France", Slug: "france", Region: civicmon.RegionEuropeCentralAsia},
		{Code: "BR", Code3: "BRA", Name: "Brazil", Slug: "brazil", Region: civicmon.RegionAmericas},
		{Code: "IN", Code3: "IND", Name: "India", Slug: "india", Region: civicmon.RegionAsiaPacific},
		{Code: "EG", Code3: "EGY", Name: "Egypt", Slug: "egypt", Region: civicmon.RegionMENA},
		{Code: "NG", Code3: "NGA", Name: "Nigeria", Slug: "nigeria", Region: civicmon.RegionAfrica},
	} {
		if err := s.PutCountry(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []civicmon.Rating{
		{CountryCode: "FR", EffectiveDate: civicmon.MustDate("2019-01-01"), Category: civicmon.Open},
		{CountryCode: "BR", EffectiveDate: civicmon.MustDate("2021-03-04"), Category: civicmon.Obstructed},
		{CountryCode: "IN", EffectiveDate: civicmon.MustDate("2020-05-06"), Category: civicmon.Repressed},
		{CountryCode: "EG", EffectiveDate: civicmon.MustDate("2018-07-08"), Category: civicmon.Closed},
		{CountryCode: "EG", EffectiveDate: civicmon.MustDate("2099-01-01"), Category: civicmon.Open},
	} {
		if err := s.AddRating(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	rs.codes = []string{"KZ", "CL", "CI", "FR", "BR", "IN", "EG"}
	rs.loadRef()
	// Violation types and target groups, one of them numbered past the
	// first 32 (ManyTerms added 70): more than one word of bits.
	for _, v := range rs.vocab.Violations[:6] {
		rs.viols = append(rs.viols, v.Slug)
	}
	for _, v := range rs.vocab.Targets[:5] {
		rs.targets = append(rs.targets, v.Slug)
	}
	if rs.vocab.HasViolation("extra-69") && rs.vocab.HasTarget("group-68") {
		rs.viols = append(rs.viols, "extra-69")
		rs.targets = append(rs.targets, "group-68")
	}

	// 2,600 updates of which about a fifth published: drafts between them
	// spread the published ones over several blocks of ids.
	var us []civicmon.Update
	for i := range 2600 {
		u := rs.randomUpdate(i)
		rs.slugs = append(rs.slugs, u.Slug)
		us = append(us, u)
	}
	for batch := range slices.Chunk(us, 500) {
		if err := s.InsertUpdates(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	rs.reread(rs.slugs)
	if len(rs.pub) < 300 {
		t.Fatalf("%d published updates generated", len(rs.pub))
	}
	defer db.SetSearchParts(0)
	defer db.SetSearchCache(1 << 20)
	t.Run("Generated", func(t *testing.T) { rs.check(t, 300) })

	// Writes: moved, retagged and redated; unpublished; deleted; published.
	var changed []string
	for _, slug := range rs.pickSlugs(120) {
		u, err := s.UpdateBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		switch rs.rnd.IntN(4) {
		case 0:
			err = s.DeleteUpdate(ctx, u.ID)
		case 1:
			u.Status = civicmon.StatusDraft
			err = s.SaveUpdate(ctx, u)
		default:
			n := rs.randomUpdate(rs.rnd.IntN(2600))
			if n.PublishedOn.IsZero() {
				n.PublishedOn = civicmon.MustDate("2015-01-01").AddDays(rs.rnd.IntN(4000))
			}
			u.Status, u.PublishedOn = civicmon.StatusPublished, n.PublishedOn
			u.CountryCode, u.Freedoms, u.Violations, u.Incidents = n.CountryCode, n.Freedoms, n.Violations, n.Incidents
			u.Title, u.Summary, u.Body = n.Title, n.Summary, n.Body
			err = s.SaveUpdate(ctx, u)
		}
		if err != nil {
			t.Fatal(err)
		}
		changed = append(changed, slug)
	}
	rs.reread(changed)
	t.Run("AfterWrites", func(t *testing.T) { rs.check(t, 200) })
}

// loadRef reads the reference data the search reads through: countries,
// their regions and current categories, the vocabulary.
func (rs *randomSearch) loadRef() {
	var err error
	if rs.countries, err = rs.s.Countries(ctx); err != nil {
		rs.t.Fatal(err)
	}
	rs.region = map[string]civicmon.Region{}
	for _, c := range rs.countries {
		rs.region[c.Code] = c.Region
	}
	ratings, err := rs.s.CurrentRatings(ctx, civicmon.DateOf(rs.db.Now()))
	if err != nil {
		rs.t.Fatal(err)
	}
	rs.category = map[string]civicmon.Category{}
	for code, r := range ratings {
		if slices.Contains(civicmon.Categories, r.Category) {
			rs.category[code] = r.Category
		}
	}
	if rs.vocab, err = rs.s.Vocabulary(ctx); err != nil {
		rs.t.Fatal(err)
	}
}

func (rs *randomSearch) pickSlugs(n int) []string {
	var out []string
	for _, i := range rs.rnd.Perm(len(rs.slugs))[:n] {
		out = append(out, rs.slugs[i])
	}
	return out
}

// randomWordsText is up to n words of randomWords, each drawn with
// probability p.
func (rs *randomSearch) randomText(p float64) []string {
	var out []string
	for _, w := range randomWords {
		if rs.rnd.Float64() < p {
			out = append(out, w)
		}
	}
	rs.rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// randomUpdate is update number i: published about one time in five, on a
// day that mostly follows i (so ids are nearly in date order), sometimes
// anywhere in 2015–2025, often on the same day as others.
func (rs *randomSearch) randomUpdate(i int) civicmon.Update {
	r := rs.rnd
	u := civicmon.Update{
		Slug:        fmt.Sprintf("random-%04d", i),
		CountryCode: rs.codes[r.IntN(len(rs.codes))],
		Status:      civicmon.StatusDraft,
		Title:       strings.Join(append([]string{"Report", strconv.Itoa(i)}, rs.randomText(0.15)...), " "),
		Summary:     strings.Join(rs.randomText(0.2), " ") + ".",
		Body:        strings.Join(rs.randomText(0.25), ", "),
	}
	switch n := r.IntN(20); {
	case n < 4:
		u.Status = civicmon.StatusPublished
	case n == 4:
		u.Status = civicmon.StatusArchived
	}
	if u.Status != civicmon.StatusDraft {
		start := civicmon.MustDate("2015-01-01")
		day := i * 4000 / 2600 / 3 * 3 // three days a step: ties
		if r.IntN(4) == 0 {
			day = r.IntN(4000)
		}
		u.PublishedOn = start.AddDays(day)
	}
	for b := range 3 {
		if r.IntN(3) == 0 {
			u.Freedoms |= 1 << b
		}
	}
	for _, v := range rs.viols {
		if r.IntN(5) == 0 {
			u.Violations = append(u.Violations, v)
		}
	}
	for range r.IntN(4) {
		in := civicmon.Incident{Freedom: civicmon.Freedoms[r.IntN(3)], Violation: rs.viols[r.IntN(len(rs.viols))]}
		if r.IntN(4) > 0 {
			in.Target = rs.targets[r.IntN(len(rs.targets))]
		}
		u.Incidents = append(u.Incidents, in)
	}
	return u
}

// reread brings the reference up to date with the stored updates named.
func (rs *randomSearch) reread(slugs []string) {
	for _, slug := range slugs {
		delete(rs.pub, slug)
		u, err := rs.s.UpdateBySlug(ctx, slug)
		if civicmon.ErrorCode(err) == civicmon.ENOTFOUND {
			continue
		}
		if err != nil {
			rs.t.Fatal(err)
		}
		if !u.Published() {
			continue
		}
		ru := &refUpdate{id: u.ID, slug: u.Slug, day: int(u.PublishedOn.Time().Unix() / 86400), country: u.CountryCode,
			freedoms: u.Freedoms, violations: u.Violations,
			title: tokenSet(u.Title), summary: tokenSet(u.Summary), whole: tokenSet(u.Title + " " + u.Summary + " " + u.Body)}
		for _, in := range u.Incidents {
			if in.Target != "" && !slices.Contains(ru.targets, in.Target) {
				ru.targets = append(ru.targets, in.Target)
			}
		}
		rs.pub[slug] = ru
	}
}

func tokenSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[w] = true
	}
	return out
}

// randomQuery: words, exclusions and alternatives of randomWords, or none;
// each kind of filter now and then; any order; a small page.
func (rs *randomSearch) randomQuery() civicmon.SearchQuery {
	r := rs.rnd
	word := func() string { return randomWords[r.IntN(len(randomWords))] }
	var q civicmon.SearchQuery
	if r.IntN(10) < 7 {
		var clauses []string
		for range 1 + r.IntN(3) {
			switch n := r.IntN(20); {
			case n < 12:
				clauses = append(clauses, word())
			case n < 17:
				clauses = append(clauses, "-"+word())
			default:
				clauses = append(clauses, word()+" OR "+word())
			}
		}
		q.Text = strings.Join(clauses, " ")
	}
	some := func(n int) bool { return r.IntN(n) == 0 }
	pick := func(k int) []int { return r.Perm(k)[:1+r.IntN(min(2, k))] }
	if some(4) {
		for _, i := range pick(len(rs.codes) + 1) {
			q.Countries = append(q.Countries, append(slices.Clone(rs.codes), "NG")[i])
		}
	}
	if some(4) {
		for _, i := range pick(len(civicmon.Regions)) {
			q.Regions = append(q.Regions, civicmon.Regions[i])
		}
	}
	if some(5) {
		for _, i := range pick(len(civicmon.Categories)) {
			q.Categories = append(q.Categories, civicmon.Categories[i])
		}
	}
	if some(4) {
		for _, i := range pick(3) {
			q.Freedoms = append(q.Freedoms, civicmon.Freedoms[i])
		}
	}
	if some(4) {
		for _, i := range pick(len(rs.viols)) {
			q.Violations = append(q.Violations, rs.viols[i])
		}
	}
	if some(4) {
		for _, i := range pick(len(rs.targets)) {
			q.Targets = append(q.Targets, rs.targets[i])
		}
	}
	if some(4) {
		for _, i := range pick(13) {
			q.Years = append(q.Years, 2014+i)
		}
	}
	if some(4) {
		start := civicmon.MustDate("2014-06-01")
		if some(3) {
			q.Since = start.AddDays(r.IntN(4500))
		}
		if some(3) {
			q.Until = start.AddDays(r.IntN(4500))
			if !q.Since.IsZero() && q.Until.Before(q.Since) {
				q.Since, q.Until = q.Until, q.Since
			}
		}
	}
	q.Sort = []civicmon.SearchSort{"", civicmon.SortRelevance, civicmon.SortNewest, civicmon.SortOldest}[r.IntN(4)]
	q.Limit = 1 + r.IntN(7)
	q.NoFacets = some(8)
	return q
}

// refAnswer is the reference's answer to a query: the hits in order, the
// order used, and the facets.
type refAnswer struct {
	slugs  []string
	sort   civicmon.SearchSort
	facets civicmon.SearchFacets
}

// answer computes the reference answer by brute force.
func (rs *randomSearch) answer(sq civicmon.SearchQuery) refAnswer {
	q := search.Parse(sq.Text)
	has := func(tokens map[string]bool, c search.Clause) bool {
		for _, alt := range c.Alts {
			if len(alt) == 1 && tokens[alt[0]] {
				return true
			}
		}
		return false
	}
	matches := func(u *refUpdate) bool {
		for _, c := range q.Clauses {
			if has(u.whole, c) == c.Not {
				return false
			}
		}
		return true
	}
	score := func(u *refUpdate) int {
		n := 0
		for i, c := range q.Positive() {
			if i == 4 {
				break
			}
			if has(u.whole, c) {
				n += 3 // as written: the words have no other form
			}
			if has(u.title, c) {
				n += 2
			}
			if has(u.summary, c) {
				n++
			}
		}
		return n
	}
	anyOf := func(have, want []string) bool {
		for _, w := range want {
			if slices.Contains(have, w) {
				return true
			}
		}
		return false
	}
	// passes[d]: whether u passes dimension d's filter.
	const (
		country = iota
		region
		category
		freedom
		violation
		target
		year
		dims
	)
	passes := func(u *refUpdate) [dims]bool {
		var p [dims]bool
		p[country] = len(sq.Countries) == 0 || slices.Contains(sq.Countries, u.country)
		r, known := rs.region[u.country]
		p[region] = len(sq.Regions) == 0 || known && slices.Contains(sq.Regions, r)
		k, rated := rs.category[u.country]
		p[category] = len(sq.Categories) == 0 || rated && slices.Contains(sq.Categories, k)
		p[freedom] = len(sq.Freedoms) == 0
		for _, f := range sq.Freedoms {
			p[freedom] = p[freedom] || u.freedoms.Has(f)
		}
		p[violation] = len(sq.Violations) == 0 || anyOf(u.violations, sq.Violations)
		p[target] = len(sq.Targets) == 0 || anyOf(u.targets, sq.Targets)
		p[year] = len(sq.Years) == 0 || slices.Contains(sq.Years, time.Unix(int64(u.day)*86400, 0).UTC().Year())
		return p
	}
	inDates := func(u *refUpdate) bool {
		day := civicmon.DateOf(time.Unix(int64(u.day)*86400, 0).UTC())
		return (sq.Since.IsZero() || !day.Before(sq.Since)) && (sq.Until.IsZero() || !day.After(sq.Until))
	}

	sort := sq.Sort
	if sort == "" || (sort == civicmon.SortRelevance && !q.HasPositive()) {
		sort = civicmon.SortNewest
		if sq.Sort == "" && q.HasPositive() {
			sort = civicmon.SortRelevance
		}
	}
	ans := refAnswer{sort: sort}
	var hits []*refUpdate
	// Facet counts: an update counts in dimension d's facet when it
	// passes every filter but maybe d's.
	countries := map[string]int{}
	var regions, categories, freedoms [8]int
	violations, targets, years := map[string]int{}, map[string]int{}, map[int]int{}
	for _, u := range rs.pub {
		if !matches(u) || !inDates(u) {
			continue
		}
		p := passes(u)
		failed := 0
		for _, ok := range p {
			if !ok {
				failed++
			}
		}
		if failed == 0 {
			hits = append(hits, u)
		}
		countsIn := func(d int) bool { return failed == 0 || failed == 1 && !p[d] }
		if countsIn(country) {
			countries[u.country]++
		}
		if countsIn(region) {
			if r, ok := rs.region[u.country]; ok {
				regions[slices.Index(civicmon.Regions, r)]++
			}
		}
		if countsIn(category) {
			if k, ok := rs.category[u.country]; ok {
				categories[slices.Index(civicmon.Categories, k)]++
			}
		}
		if countsIn(freedom) {
			for i, f := range civicmon.Freedoms {
				if u.freedoms.Has(f) {
					freedoms[i]++
				}
			}
		}
		if countsIn(violation) {
			for _, v := range u.violations {
				violations[v]++
			}
		}
		if countsIn(target) {
			for _, v := range u.targets {
				targets[v]++
			}
		}
		if countsIn(year) {
			years[time.Unix(int64(u.day)*86400, 0).UTC().Year()]++
		}
	}
	slices.SortFunc(hits, func(a, b *refUpdate) int {
		switch sort {
		case civicmon.SortOldest:
			return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.id, b.id))
		case civicmon.SortRelevance:
			return cmp.Or(cmp.Compare(score(b), score(a)), cmp.Compare(b.day, a.day), cmp.Compare(b.id, a.id))
		}
		return cmp.Or(cmp.Compare(b.day, a.day), cmp.Compare(b.id, a.id))
	})
	for _, u := range hits {
		ans.slugs = append(ans.slugs, u.slug)
	}
	if sq.NoFacets {
		return ans
	}
	f := &ans.facets
	add := func(list *[]civicmon.FacetCount, value string, n int, selected bool) {
		if n > 0 || selected {
			*list = append(*list, civicmon.FacetCount{Value: value, Count: n, Selected: selected})
		}
	}
	for _, c := range rs.countries {
		add(&f.Countries, c.Code, countries[c.Code], slices.Contains(sq.Countries, c.Code))
	}
	slices.SortStableFunc(f.Countries, func(a, b civicmon.FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	for i, r := range civicmon.Regions {
		add(&f.Regions, string(r), regions[i], slices.Contains(sq.Regions, r))
	}
	for i, fr := range civicmon.Freedoms {
		add(&f.Freedoms, string(fr), freedoms[i], slices.Contains(sq.Freedoms, fr))
	}
	for _, v := range rs.vocab.Violations {
		add(&f.Violations, v.Slug, violations[v.Slug], slices.Contains(sq.Violations, v.Slug))
	}
	for _, v := range rs.vocab.Targets {
		add(&f.Targets, v.Slug, targets[v.Slug], slices.Contains(sq.Targets, v.Slug))
	}
	for i, k := range civicmon.Categories {
		add(&f.Categories, string(k), categories[i], slices.Contains(sq.Categories, k))
	}
	for y := 2199; y >= 1800; y-- {
		add(&f.Years, strconv.Itoa(y), years[y], slices.Contains(sq.Years, y))
	}
	return ans
}

// check asks n random queries, each page by page to the end, and compares
// every page with the reference.
func (rs *randomSearch) check(t *testing.T, n int) {
	var pages, hits, empty int
	defer func() { t.Logf("%d queries, %d pages, %d hits; %d found nothing", n, pages, hits, empty) }()
	for i := range n {
		sq := rs.randomQuery()
		// The engine's work in one part or several; the lookups cached or
		// not.
		rs.db.SetSearchParts(rs.rnd.IntN(4))
		if rs.rnd.IntN(4) == 0 {
			rs.db.SetSearchCache(0)
		} else {
			rs.db.SetSearchCache(1 << 20)
		}
		want := rs.answer(sq)
		hits += len(want.slugs)
		if len(want.slugs) == 0 {
			empty++
		}
		var got []string
		q := sq
		for page := 0; ; page++ {
			res, err := rs.s.SearchUpdates(ctx, q)
			if err != nil {
				t.Fatalf("query %d %+v: %v", i, q, err)
			}
			if res.Sort != want.sort || res.Total != len(want.slugs) {
				t.Fatalf("query %d %+v page %d: sort %s, total %d; want %s, %d", i, q, page, res.Sort, res.Total, want.sort, len(want.slugs))
			}
			if d := facetDiff(res.Facets, want.facets); d != "" {
				t.Fatalf("query %d %+v page %d: facets differ:\n%s", i, q, page, d)
			}
			got = append(got, hitSlugs(res)...)
			pages++
			if res.NextCursor == "" {
				break
			}
			if page > len(want.slugs) {
				t.Fatalf("query %d %+v: more pages than hits", i, sq)
			}
			q.Cursor = res.NextCursor
			if page == 2 && len(want.slugs) > 60 {
				q.Limit = civicmon.SearchMaxLimit // the rest in larger pages
			}
		}
		if !slices.Equal(got, want.slugs) {
			t.Fatalf("query %d %+v: pages give\n%q\nwant\n%q", i, sq, got, want.slugs)
		}
		// The same as one big page.
		if len(got) <= civicmon.SearchMaxLimit {
			q := sq
			q.Limit = civicmon.SearchMaxLimit
			res, err := rs.s.SearchUpdates(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if one := hitSlugs(res); !slices.Equal(got, one) || res.NextCursor != "" {
				t.Fatalf("query %d %+v: pages give\n%q\none page\n%q", i, sq, got, one)
			}
		}
	}
}

func facetDiff(got, want civicmon.SearchFacets) string {
	var b strings.Builder
	for _, d := range []struct {
		name      string
		got, want []civicmon.FacetCount
	}{
		{"countries", got.Countries, want.Countries}, {"regions", got.Regions, want.Regions},
		{"freedoms", got.Freedoms, want.Freedoms}, {"violations", got.Violations, want.Violations},
		{"targets", got.Targets, want.Targets}, {"categories", got.Categories, want.Categories},
		{"years", got.Years, want.Years},
	} {
		if g, w := facets(d.got), facets(d.want); g != w {
			fmt.Fprintf(&b, "%s: got  %s\n%s  want %s\n", d.name, g, strings.Repeat(" ", len(d.name)), w)
		}
	}
	return b.String()
}
