// Package stats counts the published record: updates and incidents by year,
// month, region, country, freedom, violation type and target group (and
// people affected where known), the distribution of rating categories on
// any date, the share of the world's population in each, and the rating
// changes of each year.
//
// The counts come from an in-memory index, never from a GROUP BY per
// request: per published update a few columns (day, country number,
// freedom bits, violation bits, where its incidents start), per incident
// five (day, freedom, violation, target, people affected) — about 30 bytes
// per update with two incidents. One pass over the columns answers every
// count of a filter at once. The index follows the store's change feed
// (civicmon.ChangeFeed): the updates of each write transaction are
// reloaded by state, this process's writes at once, other processes'
// within a second; the rating history and the countries (a few hundred
// rows) are reloaded whenever the data version moves.
package stats

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/civicmon/civicmon"
)

// Source is what the index reads: the change feed and the countries.
// Every civicmon.Store is one.
type Source interface {
	civicmon.ChangeFeed
	Countries(ctx context.Context) ([]civicmon.Country, error)
}

// Freshness is how long the index trusts itself without asking the
// database whether another process wrote; its own process's writes it
// notices at once.
const Freshness = time.Second

const dead = ^uint16(0) // country number of a removed update

// Index is the statistics index over one store. It is safe for concurrent
// use; it loads on first use.
type Index struct {
	src Source
	now civicmon.Clock

	refresh sync.Mutex // held while catching up
	mu      sync.RWMutex

	loaded      bool
	parts       int // how many parts a pass splits into; 0: automatic
	seq         int64
	dataVersion int64
	commits     uint64
	checked     time.Time

	// Countries by number; numbers only grow, so columns stay valid.
	countryNum  map[string]uint16
	countryCode []string
	region      []int8          // index in civicmon.Regions, -1 none
	ratings     [][]ratingPoint // by country number, oldest first
	countries   map[string]*civicmon.Country

	violTerms, targetTerms terms

	// Updates, one entry per published update (and removed ones, country
	// dead, until the next compaction).
	uID        []int64
	uDay       []int32
	uCountry   []uint16
	uFreedoms  []uint8
	uViol      []uint64 // violStride words per update
	violStride int
	uInc0      []int32 // first incident
	uIncN      []int32 // number of incidents
	pos        positions
	deadU      int

	// Incidents, in spans per update.
	iDay     []int32 // 0: unknown (the update's day counts)
	iFreedom []uint8 // index in civicmon.Freedoms
	iViol    []uint16
	iTarget  []uint16 // term number + 1; 0 none
	iPeople  []int32
	deadI    int
}

type ratingPoint struct {
	day    int32
	cat    int8 // index in civicmon.Categories
	score  int8
	approx bool
}

// terms numbers the slugs of a vocabulary in order of first sight.
type terms struct {
	num  map[string]uint16
	slug []string
}

func (t *terms) number(s string) uint16 {
	if n, ok := t.num[s]; ok {
		return n
	}
	if t.num == nil {
		t.num = map[string]uint16{}
	}
	n := uint16(len(t.slug))
	t.num[s] = n
	t.slug = append(t.slug, s)
	return n
}

// New returns the index over src; now is the clock that says which day it
// is (time.Now when nil).
func New(src Source, now civicmon.Clock) *Index {
	if now == nil {
		now = time.Now
	}
	return &Index{src: src, now: now, countryNum: map[string]uint16{}}
}

// Stale makes the next Fresh ask the store, whatever the time since the
// last: a page cache that renders again when the data version moves (a
// write by another process) calls it first, so that the page is not
// rendered from an index still trusting itself for its second, and kept.
func (ix *Index) Stale() {
	ix.mu.Lock()
	ix.checked = time.Time{}
	ix.mu.Unlock()
}

// Fresh brings the index up to date with the store.
func (ix *Index) Fresh(ctx context.Context) error {
	commits := ix.src.Commits()
	now := time.Now()
	upToDate := func() bool {
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		return ix.loaded && commits == ix.commits && now.Sub(ix.checked) < Freshness
	}
	if upToDate() {
		return nil
	}
	ix.refresh.Lock()
	defer ix.refresh.Unlock()
	if upToDate() {
		return nil
	}
	p, err := ix.src.ChangePosition(ctx)
	if err != nil {
		return err
	}
	if !ix.loaded || p.DataVersion != ix.dataVersion {
		if err := ix.loadReference(ctx); err != nil {
			return err
		}
	}
	if !ix.loaded {
		if err := ix.load(ctx, civicmon.IDRange{}); err != nil {
			return err
		}
	} else if p.Seq > ix.seq {
		ranges, err := ix.src.ChangedUpdates(ctx, ix.seq, p.Seq)
		if err != nil {
			return err
		}
		for _, r := range ranges {
			if err := ix.load(ctx, r); err != nil {
				return err
			}
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.loaded = true
	ix.seq = max(ix.seq, p.Seq)
	ix.dataVersion = p.DataVersion
	ix.commits = commits
	ix.checked = now
	if ix.deadU > 64 && ix.deadU > len(ix.uID)/2 || ix.deadI > 256 && ix.deadI > len(ix.iDay)/2 {
		ix.compact()
	}
	return nil
}

// loadReference reloads the countries and every rating. The caller holds
// refresh.
func (ix *Index) loadReference(ctx context.Context) error {
	cs, err := ix.src.Countries(ctx)
	if err != nil {
		return err
	}
	rs, err := ix.src.AllRatings(ctx)
	if err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.countries = make(map[string]*civicmon.Country, len(cs))
	for i := range cs {
		c := &cs[i]
		ix.countries[c.Code] = c
		n := ix.number(c.Code)
		ix.region[n] = int8(slices.Index(civicmon.Regions, c.Region))
	}
	for i := range ix.ratings {
		ix.ratings[i] = ix.ratings[i][:0]
	}
	for _, r := range rs {
		n := ix.number(r.CountryCode)
		ix.ratings[n] = append(ix.ratings[n], ratingPoint{
			day: epochDay(r.EffectiveDate), cat: int8(slices.Index(civicmon.Categories, r.Category)),
			score: int8(r.Score), approx: r.DateApproximate,
		})
	}
	return nil
}

// number is the country's number, given one if new. The caller holds mu.
func (ix *Index) number(code string) uint16 {
	if n, ok := ix.countryNum[code]; ok {
		return n
	}
	n := uint16(len(ix.countryCode))
	ix.countryNum[code] = n
	ix.countryCode = append(ix.countryCode, code)
	ix.region = append(ix.region, -1)
	ix.ratings = append(ix.ratings, nil)
	return n
}

// load reads the published updates of r (all for the zero range) and puts
// them in place of what the index held for those ids. The caller holds
// refresh.
func (ix *Index) load(ctx context.Context, r civicmon.IDRange) error {
	seen := map[int64]bool{}
	whole := r == civicmon.IDRange{}
	// Batches keep the write lock short while a large range loads.
	var batch []civicmon.UpdateFacts
	flush := func() {
		ix.mu.Lock()
		for i := range batch {
			ix.put(&batch[i])
		}
		ix.mu.Unlock()
		batch = batch[:0]
	}
	err := ix.src.UpdateFacts(ctx, r, func(f *civicmon.UpdateFacts) error {
		if !whole {
			seen[f.ID] = true
		}
		c := *f
		c.Violations = slices.Clone(f.Violations)
		c.Incidents = slices.Clone(f.Incidents)
		batch = append(batch, c)
		if len(batch) == 4096 {
			flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	flush()
	if whole {
		return nil
	}
	// The ids of the range that are no longer published (or gone).
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if r.Last-r.First < int64(len(ix.uID)) {
		for id := r.First; id <= r.Last; id++ {
			if p, ok := ix.pos.get(id); ok && !seen[id] {
				ix.remove(id, p)
			}
		}
	} else {
		for p, id := range ix.uID {
			if ix.uCountry[p] != dead && id >= r.First && id <= r.Last && !seen[id] {
				ix.remove(id, int32(p))
			}
		}
	}
	return nil
}

// put stores f, replacing what the index held for its id. The caller
// holds mu.
func (ix *Index) put(f *civicmon.UpdateFacts) {
	if p, ok := ix.pos.get(f.ID); ok {
		ix.remove(f.ID, p)
	}
	for _, v := range f.Violations {
		ix.violTerm(v)
	}
	p := int32(len(ix.uID))
	ix.pos.set(f.ID, p)
	ix.uID = append(ix.uID, f.ID)
	ix.uDay = append(ix.uDay, epochDay(f.PublishedOn))
	ix.uCountry = append(ix.uCountry, ix.number(f.CountryCode))
	ix.uFreedoms = append(ix.uFreedoms, uint8(f.Freedoms))
	for range ix.violStride {
		ix.uViol = append(ix.uViol, 0)
	}
	w := ix.uViol[int(p)*ix.violStride:]
	for _, v := range f.Violations {
		n := ix.violTerms.num[v]
		w[n/64] |= 1 << (n % 64)
	}
	ix.uInc0 = append(ix.uInc0, int32(len(ix.iDay)))
	ix.uIncN = append(ix.uIncN, int32(len(f.Incidents)))
	for _, in := range f.Incidents {
		var day int32
		if !in.OccurredOn.IsZero() {
			day = epochDay(in.OccurredOn)
		}
		var target uint16
		if in.Target != "" {
			target = ix.targetTerms.number(in.Target) + 1
		}
		ix.iDay = append(ix.iDay, day)
		ix.iFreedom = append(ix.iFreedom, uint8(max(0, slices.Index(civicmon.Freedoms, in.Freedom))))
		ix.iViol = append(ix.iViol, ix.violTerm(in.Violation))
		ix.iTarget = append(ix.iTarget, target)
		ix.iPeople = append(ix.iPeople, int32(in.PeopleAffected))
	}
}

// violTerm numbers a violation type, widening the update's bit words when
// the vocabulary outgrows them. The caller holds mu.
func (ix *Index) violTerm(slug string) uint16 {
	n := ix.violTerms.number(slug)
	if need := int(n)/64 + 1; need > ix.violStride {
		old := ix.uViol
		ix.uViol = make([]uint64, len(ix.uID)*need, (len(ix.uID)+1)*need)
		for p := range ix.uID {
			copy(ix.uViol[p*need:], old[p*ix.violStride:(p+1)*ix.violStride])
		}
		ix.violStride = need
	}
	return n
}

// remove marks an update (and its incidents) gone. The caller holds mu.
func (ix *Index) remove(id int64, p int32) {
	ix.pos.del(id)
	ix.uCountry[p] = dead
	ix.deadU++
	ix.deadI += int(ix.uIncN[p])
}

// compact drops removed updates and their incidents. The caller holds mu.
func (ix *Index) compact() {
	n := len(ix.uID) - ix.deadU
	ni := len(ix.iDay) - ix.deadI
	uID, uDay, uCountry := make([]int64, 0, n), make([]int32, 0, n), make([]uint16, 0, n)
	uFreedoms, uViol := make([]uint8, 0, n), make([]uint64, 0, n*ix.violStride)
	uInc0, uIncN := make([]int32, 0, n), make([]int32, 0, n)
	iDay, iFreedom, iViol, iTarget, iPeople := make([]int32, 0, ni), make([]uint8, 0, ni),
		make([]uint16, 0, ni), make([]uint16, 0, ni), make([]int32, 0, ni)
	for p := range ix.uID {
		if ix.uCountry[p] == dead {
			continue
		}
		ix.pos.set(ix.uID[p], int32(len(uID)))
		uID = append(uID, ix.uID[p])
		uDay = append(uDay, ix.uDay[p])
		uCountry = append(uCountry, ix.uCountry[p])
		uFreedoms = append(uFreedoms, ix.uFreedoms[p])
		uViol = append(uViol, ix.uViol[p*ix.violStride:(p+1)*ix.violStride]...)
		a, b := ix.uInc0[p], ix.uInc0[p]+ix.uIncN[p]
		uInc0 = append(uInc0, int32(len(iDay)))
		uIncN = append(uIncN, ix.uIncN[p])
		iDay = append(iDay, ix.iDay[a:b]...)
		iFreedom = append(iFreedom, ix.iFreedom[a:b]...)
		iViol = append(iViol, ix.iViol[a:b]...)
		iTarget = append(iTarget, ix.iTarget[a:b]...)
		iPeople = append(iPeople, ix.iPeople[a:b]...)
	}
	ix.uID, ix.uDay, ix.uCountry, ix.uFreedoms, ix.uViol, ix.uInc0, ix.uIncN = uID, uDay, uCountry, uFreedoms, uViol, uInc0, uIncN
	ix.iDay, ix.iFreedom, ix.iViol, ix.iTarget, ix.iPeople = iDay, iFreedom, iViol, iTarget, iPeople
	ix.deadU, ix.deadI = 0, 0
}

// epochDay is a date as days since 1970-01-01.
func epochDay(d civicmon.Date) int32 {
	if d.IsZero() {
		return 0
	}
	return int32(d.Time().Unix() / 86400)
}

func dayDate(day int32) civicmon.Date {
	return civicmon.DateOf(time.Unix(int64(day)*86400, 0).UTC())
}

// positions maps an update id to its place in the columns. Update ids are
// dense (the database numbers them), so a slice indexed by id costs 4 bytes
// an update where a map costs some 40; ids far beyond the count (an
// imported or hand-made one) go to a map.
type positions struct {
	dense  []int32 // id → place + 1; 0: none
	sparse map[int64]int32
}

func (m *positions) get(id int64) (int32, bool) {
	if id >= 0 && id < int64(len(m.dense)) {
		p := m.dense[id]
		return p - 1, p != 0
	}
	p, ok := m.sparse[id]
	return p, ok
}

func (m *positions) set(id int64, p int32) {
	if id >= 0 && id < int64(len(m.dense)) {
		m.dense[id] = p + 1
		return
	}
	if id >= 0 && id < int64(len(m.dense))*2+1<<22 {
		grown := make([]int32, max(id+1, int64(len(m.dense))*5/4, 1024))
		copy(grown, m.dense)
		m.dense = grown
		m.dense[id] = p + 1
		return
	}
	if m.sparse == nil {
		m.sparse = map[int64]int32{}
	}
	m.sparse[id] = p
}

func (m *positions) del(id int64) {
	if id >= 0 && id < int64(len(m.dense)) {
		m.dense[id] = 0
		return
	}
	delete(m.sparse, id)
}
