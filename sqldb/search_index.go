package sqldb

// The facet index: a compact in-memory table of every published update's
// filterable fields, so that filters, facet counts and date ordering never
// need a GROUP BY or a sort in the database. See docs/architecture.md,
// "Search".
//
// Per published update it holds the id, the day of publication, a country
// number, the freedom bits, and one bit per violation type and per target
// group (of its incidents): about 27 bytes, some 27 MB for a million
// updates. Region and the current rating category are properties of the
// country, kept per country and reloaded with the rest of the reference
// data. Searches read the same facts as bitmaps of ids per facet value
// (search_bitmap.go), kept from the columns, which tell put and remove
// which bitmaps an entry was in.
//
// It is kept in step with the database by search_log: every write
// transaction that changes updates appends their id range, and before each
// search the index reloads the updates named by entries it has not seen —
// its own process's writes at once (the commit counter moves), other
// processes' within a second (data_version is polled). Reloading is by
// state, not by delta, so applying an entry twice is harmless.

import (
	"context"
	"database/sql"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/search"
)

// facetIndexes holds each open DB's facet index without keeping the DB
// alive: an index goes with its DB.
var facetIndexes = struct {
	sync.Mutex
	m map[weak.Pointer[DB]]*facetIndex
}{m: map[weak.Pointer[DB]]*facetIndex{}}

func (db *DB) facets() *facetIndex {
	wp := weak.Make(db)
	facetIndexes.Lock()
	defer facetIndexes.Unlock()
	ix := facetIndexes.m[wp]
	if ix == nil {
		ix = newFacetIndex()
		facetIndexes.m[wp] = ix
		runtime.AddCleanup(db, func(wp weak.Pointer[DB]) {
			facetIndexes.Lock()
			delete(facetIndexes.m, wp)
			facetIndexes.Unlock()
		}, wp)
	}
	return ix
}

type termWord = uint32

const termBits = 32

// Year counts cover 1800–2199 (SearchQuery.Validate refuses others).
const (
	firstYear = 1800
	numYears  = 400
)

// bitColumn holds a set of term numbers per entry, stride words each.
// Words are 32 bits: a vocabulary of up to 32 violation types (or target
// groups) takes 4 bytes per update, where 64-bit words took 8 — 8 MB less
// heap for a million updates.
type bitColumn struct {
	stride int
	w      []termWord
}

func (b *bitColumn) at(i int) []termWord { return b.w[i*b.stride : (i+1)*b.stride] }

// widen makes room for term number n.
func (b *bitColumn) widen(n, entries int) {
	need := n/termBits + 1
	if need <= b.stride {
		return
	}
	w := make([]termWord, need*entries, need*max(entries, cap(b.w)/max(b.stride, 1)))
	for i := range entries {
		copy(w[i*need:], b.w[i*b.stride:(i+1)*b.stride])
	}
	b.stride, b.w = need, w
}

// terms numbers the slugs of a vocabulary as they are first seen.
type terms struct {
	slugs []string
	num   map[string]int
}

func (t *terms) number(slug string) int {
	if n, ok := t.num[slug]; ok {
		return n
	}
	if t.num == nil {
		t.num = map[string]int{}
	}
	n := len(t.slugs)
	t.slugs = append(t.slugs, slug)
	t.num[slug] = n
	return n
}

// facetRef is the reference data the index reads filters through: which
// countries exist, their regions and current categories, the vocabulary.
type facetRef struct {
	countries map[string]bool
	region    []int8 // by country number: index in civicmon.Regions, -1 unknown
	category  []int8 // by country number: index in civicmon.Categories today, -1 unrated
	vocab     *civicmon.Vocabulary
	day       int32 // the day the categories are current for
}

type facetIndex struct {
	// refresh serialises catching up; mu guards everything below.
	refresh sync.Mutex
	mu      sync.RWMutex

	ids      []int64
	days     []int32
	country  []uint16
	freedoms []uint8
	viol     bitColumn
	target   bitColumn
	pos      posMap
	sets     facetSets

	countryNum  map[string]uint16
	countryCode []string
	violTerms   terms
	targetTerms terms
	ref         facetRef

	cache matchCache // of the full-text lookups, by generation
	parts int        // how many parts a search splits into; 0: automatic

	loaded      bool
	seq         int64 // the last search_log entry applied
	dataVersion int64
	commits     uint64
	checked     time.Time
	current     bool // the full-text index is this normaliser's
}

func newFacetIndex() *facetIndex {
	ix := &facetIndex{
		countryNum: map[string]uint16{},
		viol:       bitColumn{stride: 1},
		target:     bitColumn{stride: 1},
		sets:       newFacetSets(),
	}
	ix.sets.days.reset()
	return ix
}

// posMap finds an entry by update id: a slice where ids are dense (they
// are: both engines count them up), a map for the odd far-off one.
type posMap struct {
	dense  []int32 // id → entry + 1; 0 when absent
	sparse map[int64]int32
}

func (m *posMap) get(id int64) int32 {
	if id >= 0 && id < int64(len(m.dense)) {
		return m.dense[id] - 1
	}
	if p, ok := m.sparse[id]; ok {
		return p
	}
	return -1
}

func (m *posMap) set(id int64, p int32, entries int) {
	if id >= 0 && id < int64(len(m.dense)) {
		m.dense[id] = p + 1
		return
	}
	if id >= 0 && id < int64(2*entries+1<<16) {
		n := max(int(id)+1, 2*len(m.dense))
		d := make([]int32, n)
		copy(d, m.dense)
		m.dense = d
		// Move sparse entries that now fit.
		for sid, sp := range m.sparse {
			if sid < int64(n) {
				d[sid] = sp + 1
				delete(m.sparse, sid)
			}
		}
		d[id] = p + 1
		return
	}
	if m.sparse == nil {
		m.sparse = map[int64]int32{}
	}
	m.sparse[id] = p
}

func (m *posMap) del(id int64) {
	if id >= 0 && id < int64(len(m.dense)) {
		m.dense[id] = 0
		return
	}
	delete(m.sparse, id)
}

// facetRow is one update as the index loads it.
type facetRow struct {
	id        int64
	published bool
	day       int32
	country   string
	freedoms  uint8
	viol      []string
	targets   []string
}

// epochDays is the day number of d: days since 1970-01-01.
func epochDays(d civicmon.Date) int32 {
	return int32(math.Floor(float64(d.Time().Unix()) / 86400))
}

// yearOfDay is the year of day number day, by integer arithmetic: the
// searches that count facets entry by entry ask it of every entry (Howard
// Hinnant's civil_from_days).
func yearOfDay(day int32) int16 {
	z := int64(day) + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // day of the 400-year era
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era, from March
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of that year, from March 1
	y := yoe + era*400
	if doy >= 306 { // January or February: of the next civil year
		y++
	}
	return int16(y)
}

// put adds or replaces the entry of r, or removes it when r is not
// published. The caller holds mu, and settles the day bounds when done.
func (ix *facetIndex) put(r *facetRow) error {
	if _, err := bitmapID(r.id); err != nil {
		return err
	}
	p := ix.pos.get(r.id)
	if !r.published {
		if p >= 0 {
			ix.remove(p)
		}
		return nil
	}
	if p >= 0 {
		ix.removeSets(p)
	} else {
		p = int32(len(ix.ids))
		ix.ids = append(ix.ids, r.id)
		ix.days = append(ix.days, 0)
		ix.country = append(ix.country, 0)
		ix.freedoms = append(ix.freedoms, 0)
		ix.viol.w = append(ix.viol.w, make([]termWord, ix.viol.stride)...)
		ix.target.w = append(ix.target.w, make([]termWord, ix.target.stride)...)
		ix.pos.set(r.id, p, len(ix.ids))
	}
	ix.days[p] = r.day
	ix.country[p] = ix.countryNumber(r.country)
	ix.freedoms[p] = r.freedoms
	ix.setTerms(&ix.viol, &ix.violTerms, int(p), r.viol)
	ix.setTerms(&ix.target, &ix.targetTerms, int(p), r.targets)
	ix.addSets(p)
	return nil
}

func (ix *facetIndex) setTerms(col *bitColumn, ts *terms, p int, slugs []string) {
	for _, s := range slugs {
		col.widen(ts.number(s), len(ix.ids))
	}
	w := col.at(p)
	clear(w)
	for _, s := range slugs {
		n := ts.num[s]
		w[n/termBits] |= 1 << (n % termBits)
	}
}

func (ix *facetIndex) countryNumber(code string) uint16 {
	if n, ok := ix.countryNum[code]; ok {
		return n
	}
	n := uint16(len(ix.countryCode))
	ix.countryCode = append(ix.countryCode, code)
	ix.countryNum[code] = n
	ix.ref.region = append(ix.ref.region, -1)
	ix.ref.category = append(ix.ref.category, -1)
	return n
}

// remove deletes entry p, moving the last entry into its place.
func (ix *facetIndex) remove(p int32) {
	ix.removeSets(p)
	last := int32(len(ix.ids) - 1)
	ix.pos.del(ix.ids[p])
	if p != last {
		ix.ids[p] = ix.ids[last]
		ix.days[p] = ix.days[last]
		ix.country[p] = ix.country[last]
		ix.freedoms[p] = ix.freedoms[last]
		copy(ix.viol.at(int(p)), ix.viol.at(int(last)))
		copy(ix.target.at(int(p)), ix.target.at(int(last)))
		ix.pos.set(ix.ids[p], p, len(ix.ids))
	}
	ix.ids = ix.ids[:last]
	ix.days = ix.days[:last]
	ix.country = ix.country[:last]
	ix.freedoms = ix.freedoms[:last]
	ix.viol.w = ix.viol.w[:int(last)*ix.viol.stride]
	ix.target.w = ix.target.w[:int(last)*ix.target.stride]
}

// reset empties the index for a full load.
// The caller holds mu.
func (ix *facetIndex) reset() {
	ix.ids, ix.days, ix.country, ix.freedoms = nil, nil, nil, nil
	ix.viol, ix.target = bitColumn{stride: 1}, bitColumn{stride: 1}
	ix.pos = posMap{}
	ix.sets = newFacetSets()
	ix.sets.days.reset()
	ix.countryNum, ix.countryCode = map[string]uint16{}, nil
	ix.violTerms, ix.targetTerms = terms{}, terms{}
	ix.ref.region, ix.ref.category = nil, nil
}

// generation names the state of the index: the last search_log entry
// applied, negative while the full-text index is stale.
func (ix *facetIndex) generation() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if !ix.current {
		return -1 - ix.seq
	}
	return ix.seq
}

// searchFreshness is how long the index trusts itself without asking the
// database whether another process wrote: its own writes it notices at
// once.
const searchFreshness = time.Second

// fresh brings the index up to date with the database and reports whether
// the full-text index is usable (built by this normaliser).
func (ix *facetIndex) fresh(ctx context.Context, db *DB) (current bool, err error) {
	commits := db.Commits()
	now := time.Now()
	today := epochDays(civicmon.DateOf(db.Now().UTC()))
	upToDate := func() (ok, current bool) {
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		return ix.loaded && commits == ix.commits && now.Sub(ix.checked) < searchFreshness && ix.ref.day == today, ix.current
	}
	if ok, current := upToDate(); ok {
		return current, nil
	}
	ix.refresh.Lock()
	defer ix.refresh.Unlock()
	if ok, current := upToDate(); ok {
		return current, nil // another search caught up meanwhile
	}

	var dv, seq int64
	var normalizer int
	err = db.read.QueryRowContext(ctx, `SELECT (SELECT data_version FROM civicmon_meta WHERE id = 1),
		(SELECT COALESCE(MAX(seq), 0) FROM search_log), (SELECT normalizer FROM search_state WHERE id = 1)`).
		Scan(&dv, &seq, &normalizer)
	if err != nil {
		return false, err
	}
	loaded := ix.loaded
	if !loaded {
		if err := ix.load(ctx, db); err != nil {
			return false, err
		}
	} else if seq > ix.seq {
		if err := ix.catchUp(ctx, db, ix.seq, seq); err != nil {
			return false, err
		}
	}
	var ref *facetRefData
	if !loaded || dv != ix.dataVersion || ix.ref.day != today {
		if ref, err = loadFacetRef(ctx, db, today); err != nil {
			return false, err
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ref != nil {
		ix.applyRef(ref)
	}
	ix.loaded = true
	ix.seq = max(ix.seq, seq)
	ix.dataVersion = dv
	ix.commits = commits
	ix.checked = now
	ix.current = normalizer == search.IndexVersion
	return ix.current, nil
}

// applyRef installs reference data. The caller holds mu.
func (ix *facetIndex) applyRef(ref *facetRefData) {
	ix.ref.countries, ix.ref.vocab, ix.ref.day = ref.countries, ref.vocab, ref.day
	for code := range ref.countries {
		ix.countryNumber(code)
	}
	for _, t := range ref.vocab.Violations {
		ix.viol.widen(ix.violTerms.number(t.Slug), len(ix.ids))
	}
	for _, t := range ref.vocab.Targets {
		ix.target.widen(ix.targetTerms.number(t.Slug), len(ix.ids))
	}
	for n, code := range ix.countryCode {
		ix.ref.region[n], ix.ref.category[n] = -1, -1
		if r, ok := ref.regionOf[code]; ok {
			ix.ref.region[n] = r
		}
		if c, ok := ref.categoryOf[code]; ok {
			ix.ref.category[n] = c
		}
	}
}

// load reads every published update. The caller holds refresh.
//
// It streams the rows of the covering indexes of migration 9 straight into
// the columns, scanning text into reused buffers: a million updates take
// some 40 MB of memory with the bitmaps.
func (ix *facetIndex) load(ctx context.Context, db *DB) error {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM updates WHERE status = 'published'`).Scan(&n); err != nil {
		return err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, `+db.dialect.DayExpr+`, country_code, freedoms, violations
		FROM updates WHERE status = 'published' ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.reset()
	ix.ids, ix.days = make([]int64, 0, n), make([]int32, 0, n)
	ix.country, ix.freedoms = make([]uint16, 0, n), make([]uint8, 0, n)
	ix.viol.w, ix.target.w = make([]termWord, 0, n), make([]termWord, 0, n)
	var id, day, freedoms int64
	var country, violations sql.RawBytes
	var slugs []string
	for rows.Next() {
		if err := rows.Scan(&id, &day, &country, &freedoms, &violations); err != nil {
			return err
		}
		slugs = slugs[:0]
		for v := range strings.FieldsSeq(string(violations)) {
			slugs = append(slugs, v)
		}
		r := facetRow{id: id, published: true, day: int32(day), country: string(country), freedoms: uint8(freedoms), viol: slugs}
		if err := ix.put(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	trows, err := db.read.QueryContext(ctx, `SELECT update_id, target FROM incidents WHERE target IS NOT NULL`)
	if err != nil {
		return err
	}
	defer trows.Close()
	var target sql.RawBytes
	for trows.Next() {
		if err := trows.Scan(&id, &target); err != nil {
			return err
		}
		p := ix.pos.get(id)
		if p < 0 {
			continue
		}
		t, ok := ix.targetTerms.num[string(target)] // no copy of target
		if !ok {
			t = ix.targetTerms.number(string(target))
			ix.target.widen(t, len(ix.ids))
		}
		ix.target.at(int(p))[t/termBits] |= 1 << (t % termBits)
		setAt(&ix.sets.target, t).Add(uint32(id))
	}
	if err := trows.Err(); err != nil {
		return err
	}
	ix.sets.compact()
	ix.sets.days.settle()
	return nil
}

// catchUp reloads the updates named by search_log entries after from, up
// to to. The caller holds refresh.
func (ix *facetIndex) catchUp(ctx context.Context, db *DB, from, to int64) error {
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(`SELECT first_id, last_id FROM search_log
		WHERE seq > ? AND seq <= ? ORDER BY first_id`), from, to)
	if err != nil {
		return err
	}
	type span struct{ first, last int64 }
	var spans []span
	for rows.Next() {
		var s span
		if err := rows.Scan(&s.first, &s.last); err != nil {
			rows.Close()
			return err
		}
		if n := len(spans); n > 0 && s.first <= spans[n-1].last+1 {
			spans[n-1].last = max(spans[n-1].last, s.last)
		} else {
			spans = append(spans, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range spans {
		fr, err := loadFacetRows(ctx, db, s.first, s.last)
		if err != nil {
			return err
		}
		ix.mu.Lock()
		// Updates of the span that are gone (deleted) have no row.
		seen := make(map[int64]bool, len(fr))
		for i := range fr {
			seen[fr[i].id] = true
			if err := ix.put(&fr[i]); err != nil {
				ix.sets.days.settle()
				ix.mu.Unlock()
				return err
			}
		}
		if s.last-s.first < 1<<20 {
			for id := s.first; id <= s.last; id++ {
				if p := ix.pos.get(id); p >= 0 && !seen[id] {
					ix.remove(p)
				}
			}
		} else {
			for p := int32(len(ix.ids)) - 1; p >= 0; p-- {
				if id := ix.ids[p]; id >= s.first && id <= s.last && !seen[id] {
					ix.remove(p)
				}
			}
		}
		ix.sets.days.settle()
		ix.mu.Unlock()
	}
	return nil
}

// loadFacetRows reads the updates with ids first to last: published ones
// with their facet fields, the others as not published (to be removed).
func loadFacetRows(ctx context.Context, db *DB, first, last int64) ([]facetRow, error) {
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(`SELECT id, status = 'published', `+db.dialect.DayExpr+`,
		country_code, freedoms, violations FROM updates WHERE id BETWEEN ? AND ? ORDER BY id`), first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []facetRow
	for rows.Next() {
		var r facetRow
		var violations string
		var freedoms int64
		var day int64
		if err := rows.Scan(&r.id, &r.published, &day, &r.country, &freedoms, &violations); err != nil {
			return nil, err
		}
		r.day, r.freedoms = int32(day), uint8(freedoms)
		if r.published {
			r.viol = strings.Fields(violations)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	trows, err := db.read.QueryContext(ctx, db.dialect.rebind(`SELECT update_id, target FROM incidents
		WHERE update_id BETWEEN ? AND ? AND target IS NOT NULL ORDER BY update_id`), first, last)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	// Both lists are in id order: walk them together.
	i := 0
	for trows.Next() {
		var id int64
		var target string
		if err := trows.Scan(&id, &target); err != nil {
			return nil, err
		}
		for i < len(out) && out[i].id < id {
			i++
		}
		if i < len(out) && out[i].id == id && out[i].published && !slices.Contains(out[i].targets, target) {
			out[i].targets = append(out[i].targets, target)
		}
	}
	return out, trows.Err()
}

type facetRefData struct {
	facetRef
	regionOf   map[string]int8
	categoryOf map[string]int8
}

func loadFacetRef(ctx context.Context, db *DB, today int32) (*facetRefData, error) {
	s := db.Store()
	cs, err := s.Countries(ctx)
	if err != nil {
		return nil, err
	}
	asOf := civicmon.DateOf(time.Unix(int64(today)*86400, 0).UTC())
	ratings, err := s.CurrentRatings(ctx, asOf)
	if err != nil {
		return nil, err
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	ref := &facetRefData{
		facetRef:   facetRef{countries: map[string]bool{}, vocab: vocab, day: today},
		regionOf:   map[string]int8{},
		categoryOf: map[string]int8{},
	}
	for _, c := range cs {
		ref.countries[c.Code] = true
		ref.regionOf[c.Code] = int8(slices.Index(civicmon.Regions, c.Region))
	}
	for code, r := range ratings {
		ref.categoryOf[code] = int8(slices.Index(civicmon.Categories, r.Category))
	}
	return ref, nil
}
