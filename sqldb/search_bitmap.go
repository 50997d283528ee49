package sqldb

// Search by bitmap algebra: the facet index keeps, beside its columns, a
// Roaring bitmap of update ids per facet value, and a search is a few
// intersections of them with the engine's matches — the total and every
// facet count are cardinalities, and the page is found by walking the
// result in id (nearly date) order and stopping as soon as nothing left
// can enter it. The cost grows with the page and the number of facet
// values, not with the number of matches. See docs/architecture.md,
// "Search".

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// bitmapID is update id as the bitmaps hold it: both engines count ids up
// from 1, so 32 bits last four billion updates; past that, searches fail
// plainly rather than mix ids up.
func bitmapID(id int64) (uint32, error) {
	if id < 0 || id > math.MaxUint32 {
		return 0, fmt.Errorf("search: update id %d does not fit the search index's 32-bit ids", id)
	}
	return uint32(id), nil
}

// numFreedoms is the number of freedom bits (civicmon.Freedoms).
const numFreedoms = 3

// facetSets are the facet index's bitmaps: per facet value, the ids of the
// entries that have it. They are kept from the columns, in put and remove.
type facetSets struct {
	published    *roaring.Bitmap              // every entry
	country      []*roaring.Bitmap            // by country number
	freedom      [numFreedoms]*roaring.Bitmap // by freedom bit
	viol, target []*roaring.Bitmap            // by term number
	year         [numYears]*roaring.Bitmap    // by year - firstYear; nil while none
	days         dayBlocks
}

func newFacetSets() facetSets {
	s := facetSets{published: roaring.New()}
	for b := range s.freedom {
		s.freedom[b] = roaring.New()
	}
	return s
}

// setAt returns (*list)[n], made first if need be.
func setAt(list *[]*roaring.Bitmap, n int) *roaring.Bitmap {
	for len(*list) <= n {
		*list = append(*list, roaring.New())
	}
	return (*list)[n]
}

// addSets adds entry p's id to the bitmaps of its values, read from the
// columns. The caller holds mu.
func (ix *facetIndex) addSets(p int32) {
	id := uint32(ix.ids[p])
	s := &ix.sets
	s.published.Add(id)
	setAt(&s.country, int(ix.country[p])).Add(id)
	for b := range numFreedoms {
		if ix.freedoms[p]&(1<<b) != 0 {
			s.freedom[b].Add(id)
		}
	}
	eachTerm(ix.viol.at(int(p)), func(n int) { setAt(&s.viol, n).Add(id) })
	eachTerm(ix.target.at(int(p)), func(n int) { setAt(&s.target, n).Add(id) })
	day := ix.days[p]
	if y := int(yearOfDay(day)) - firstYear; y >= 0 && y < numYears {
		if s.year[y] == nil {
			s.year[y] = roaring.New()
		}
		s.year[y].Add(id)
	}
	s.days.include(id, day, len(ix.ids))
}

// removeSets takes entry p's id out of the bitmaps of its values. The day
// bounds stay as they are: they need only be bounds. The caller holds mu.
func (ix *facetIndex) removeSets(p int32) {
	id := uint32(ix.ids[p])
	s := &ix.sets
	s.published.Remove(id)
	s.country[ix.country[p]].Remove(id)
	for b := range numFreedoms {
		s.freedom[b].Remove(id)
	}
	eachTerm(ix.viol.at(int(p)), func(n int) { s.viol[n].Remove(id) })
	eachTerm(ix.target.at(int(p)), func(n int) { s.target[n].Remove(id) })
	if y := int(yearOfDay(ix.days[p])) - firstYear; y >= 0 && y < numYears && s.year[y] != nil {
		s.year[y].Remove(id)
	}
}

// eachTerm calls f with each term number set in w.
func eachTerm(w []termWord, f func(n int)) {
	for i, x := range w {
		for ; x != 0; x &= x - 1 {
			f(i*termBits + bits.TrailingZeros32(x))
		}
	}
}

// compact shrinks the bitmaps after a full load: a copy drops the room
// that growing left in their containers (a quarter of their memory), and
// each year's ids, counted up in date order, make a run or two. Other
// runs would be slow to intersect with: a container of 2,000 runs (the
// published updates, between drafts) is read run by run, where a plain
// bitmap is read bit by bit.
func (s *facetSets) compact() {
	for _, list := range [][]*roaring.Bitmap{{s.published}, s.country, s.freedom[:], s.viol, s.target, s.year[:]} {
		for i := range list {
			if list[i] != nil {
				list[i] = list[i].Clone()
			}
		}
	}
	s.published = s.published.Clone()
	for _, y := range s.year {
		if y != nil {
			y.RunOptimize()
		}
	}
}

// dayBlockShift groups ids in blocks of 1024 for the day bounds: about a
// page's worth of entries that, ids being counted up as updates are
// published, share a few days.
const dayBlockShift = 10

// dayBounds bound the days of some entries; empty, min > max.
type dayBounds struct{ min, max int32 }

var noDays = dayBounds{min: math.MaxInt32, max: math.MinInt32}

// anyDay is what a walk assumes when it knows nothing.
var anyDay = dayBounds{min: math.MinInt32, max: math.MaxInt32}

func (b *dayBounds) include(day int32) {
	b.min, b.max = min(b.min, day), max(b.max, day)
}

// dayBlocks bounds the days of the entries of each block of ids, so that
// an ordered walk can tell when no entry still to come can make the page,
// and skip the blocks a cursor has passed. Bounds widen as entries come
// and never narrow (a removal leaves them loose, which is still right).
type dayBlocks struct {
	block []dayBounds // by id >> dayBlockShift
	// far bounds the entries with ids beyond those of block (an odd
	// far-off id must not make a slice of millions of blocks).
	far dayBounds
	// Derived by settle: per block, the latest day of its entries and of
	// every block before it, and the earliest of its and every one after
	// (far included).
	latestUpTo, earliestFrom []int32
	settled                  bool
}

// minDayBlocks is how many blocks the slice may hold whatever the number of
// entries: 4,096 blocks, ids up to four million.
const minDayBlocks = 1 << 12

func (d *dayBlocks) include(id uint32, day int32, entries int) {
	d.settled = false
	b := int(id >> dayBlockShift)
	if b >= len(d.block) {
		limit := max(minDayBlocks, entries>>4) // ids up to 64 per entry
		if b >= limit {
			d.far.include(day)
			return
		}
		n := min(max(b+1, 2*len(d.block)), limit)
		for len(d.block) < n {
			// Entries of far may have ids in the new blocks.
			d.block = append(d.block, d.far)
		}
	}
	d.block[b].include(day)
}

func (d *dayBlocks) reset() { *d = dayBlocks{far: noDays} }

// settle derives the prefix and suffix bounds. The caller holds mu.
func (d *dayBlocks) settle() {
	n := len(d.block)
	d.latestUpTo = append(d.latestUpTo[:0], make([]int32, n)...)
	d.earliestFrom = append(d.earliestFrom[:0], make([]int32, n)...)
	latest := noDays.max
	for b, bd := range d.block {
		latest = max(latest, bd.max)
		d.latestUpTo[b] = latest
	}
	earliest := d.far.min
	for b := n - 1; b >= 0; b-- {
		earliest = min(earliest, d.block[b].min)
		d.earliestFrom[b] = earliest
	}
	d.settled = true
}

// bounds bounds the days of block b's entries.
func (d *dayBlocks) bounds(b int) dayBounds {
	switch {
	case !d.settled:
		return anyDay
	case b < len(d.block):
		return d.block[b]
	}
	return d.far
}

// latest bounds the days of the entries of block b and every block before.
func (d *dayBlocks) latest(b int) int32 {
	switch {
	case !d.settled:
		return anyDay.max
	case b < len(d.latestUpTo):
		return d.latestUpTo[b]
	case len(d.latestUpTo) > 0:
		return max(d.latestUpTo[len(d.latestUpTo)-1], d.far.max)
	}
	return d.far.max
}

// earliest bounds the days of the entries of block b and every block after.
func (d *dayBlocks) earliest(b int) int32 {
	switch {
	case !d.settled:
		return anyDay.min
	case b < len(d.earliestFrom):
		return d.earliestFrom[b]
	}
	return d.far.min
}

// dayOf is the day of the entry with id. The caller holds mu (read) and
// knows the entry is there.
func (ix *facetIndex) dayOf(id uint32) int32 { return ix.days[ix.pos.get(int64(id))] }

// publishedWithin keeps of set the entries published from since to until:
// whole blocks of ids at once where the day bounds of a block fall inside
// (or outside) the range, entry by entry only in the blocks that straddle
// its ends — a few, ids being counted up in date order. The caller holds
// mu (read).
func (ix *facetIndex) publishedWithin(set *roaring.Bitmap, since, until int32) *roaring.Bitmap {
	d := &ix.sets.days
	inside := roaring.New()
	var checked []uint32
	check := func(lo, hi uint64) { // ids from lo up to, not including, hi
		if lo > math.MaxUint32 {
			return
		}
		it := set.Iterator()
		it.AdvanceIfNeeded(uint32(lo))
		for it.HasNext() && uint64(it.PeekNext()) < hi {
			id := it.Next()
			if day := ix.dayOf(id); day >= since && day <= until {
				checked = append(checked, id)
			}
		}
	}
	runStart := -1 // the first of the blocks inside the range just before b
	endRun := func(b int) {
		if runStart >= 0 {
			inside.AddRange(uint64(runStart)<<dayBlockShift, uint64(b)<<dayBlockShift)
			runStart = -1
		}
	}
	n := 0
	if d.settled {
		n = len(d.block)
	}
	for b := range n {
		bd := d.block[b]
		switch {
		case bd.min > bd.max || bd.max < since || bd.min > until:
			endRun(b)
		case bd.min >= since && bd.max <= until:
			if runStart < 0 {
				runStart = b
			}
		default:
			endRun(b)
			if set.IntersectsWithInterval(uint64(b)<<dayBlockShift, uint64(b+1)<<dayBlockShift) {
				check(uint64(b)<<dayBlockShift, uint64(b+1)<<dayBlockShift)
			}
		}
	}
	endRun(n)
	check(uint64(n)<<dayBlockShift, math.MaxUint32+1) // beyond the blocks (all, unsettled)
	inside.And(set)
	inside.AddMany(checked)
	return inside
}

// searchBases are the sets a search counts: every entry the text and all
// filters keep, and per filter dimension those kept by the text and every
// other filter — an entry failing only dimension d's filter still counts
// in d's facet, which ignores its own filter.
type searchBases struct {
	all  *roaring.Bitmap
	but  [numDims]*roaring.Bitmap // all, when the dimension has no filter
	text *roaring.Bitmap          // the text's matches published in the date range
}

// bases intersects the text's entries with the filters. The results may be
// the index's own bitmaps or the cache's: they are only read. The caller
// holds mu (read).
func (ix *facetIndex) bases(m *textMatch, f *searchFilter, facets bool) *searchBases {
	var t *roaring.Bitmap
	switch {
	case !m.all:
		t = roaring.And(ix.sets.published, m.ids)
	case m.exclude != nil && !m.exclude.IsEmpty():
		t = roaring.AndNot(ix.sets.published, m.exclude)
	default:
		t = ix.sets.published
	}
	if f.dated() {
		t = ix.publishedWithin(t, f.since, f.until)
	}
	b := &searchBases{text: t, all: intersectAll(t, f.dim[:], -1)}
	if facets {
		for d := range numDims {
			b.but[d] = b.all
			if f.dim[d] != nil {
				b.but[d] = intersectAll(t, f.dim[:], d)
			}
		}
	}
	return b
}

// intersectAll is t ∧ every set of sets but the one at except (nil sets
// are no filter); t itself when there is none.
func intersectAll(t *roaring.Bitmap, sets []*roaring.Bitmap, except int) *roaring.Bitmap {
	out := t
	for d, s := range sets {
		if s != nil && d != except {
			out = roaring.And(out, s)
		}
	}
	return out
}

// union is the union of sets, which it may return itself when it is one;
// nil sets are empty.
func union(sets []*roaring.Bitmap) *roaring.Bitmap {
	var some []*roaring.Bitmap
	for _, s := range sets {
		if s != nil && !s.IsEmpty() {
			some = append(some, s)
		}
	}
	switch len(some) {
	case 0:
		return roaring.New()
	case 1:
		return some[0]
	}
	return roaring.FastOr(some...)
}

// facetTally is a search's facet counts by the index's numbers.
type facetTally struct {
	// In the bases of the country, region and category dimensions: by
	// country number (regions and categories add up their countries).
	country      [dimCategory + 1][]int
	freedom      [numFreedoms]int
	viol, target []int // by term number
	year         [numYears]int
}

// entryCountShare: a base of less than an eighth of the entries is counted
// entry by entry, reading the columns, rather than by intersections. Its
// containers are arrays, which intersect with each value's by merging —
// the cost of every value's intersection would follow the size of the
// base — where a dense base's are plain bitmaps, probed once per id of
// each value: about one probe per entry of the index per dimension,
// whatever the number of matches.
const entryCountShare = 8

// tally counts each dimension's values in its base: once for the
// dimensions that share a base. The caller holds mu (read).
func (ix *facetIndex) tally(b *searchBases) *facetTally {
	s := &ix.sets
	t := &facetTally{viol: make([]int, len(s.viol)), target: make([]int, len(s.target))}
	var done [numDims]bool
	for d := range numDims {
		if done[d] {
			continue
		}
		var group [numDims]bool
		for e := d; e < numDims; e++ {
			if !done[e] && b.but[e] == b.but[d] {
				group[e], done[e] = true, true
			}
		}
		// The country, region and category dimensions of the group count
		// the same countries in the same base: once.
		byCountry := -1
		for e := dimCountry; e <= dimCategory; e++ {
			if group[e] {
				if byCountry < 0 {
					byCountry = e
					t.country[e] = make([]int, len(s.country))
				} else {
					group[e] = false
					t.country[e] = t.country[byCountry] // the same counts
				}
			}
		}
		base := b.but[d]
		if base.GetCardinality()*entryCountShare < uint64(len(ix.ids)) {
			ix.tallyEntries(base, &group, t)
		} else {
			ix.tallySets(base, &group, t)
		}
	}
	return t
}

// tallyEntries counts the values of the dimensions of group entry by entry.
func (ix *facetIndex) tallyEntries(base *roaring.Bitmap, group *[numDims]bool, t *facetTally) {
	var country []int
	for d := dimCountry; d <= dimCategory; d++ {
		if group[d] {
			country = t.country[d]
		}
	}
	buf := make([]uint32, 256)
	it := base.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, id := range buf[:n] {
			p := ix.pos.get(int64(id))
			if country != nil {
				country[ix.country[p]]++
			}
			if group[dimFreedom] {
				for b := range numFreedoms {
					if ix.freedoms[p]&(1<<b) != 0 {
						t.freedom[b]++
					}
				}
			}
			if group[dimViolation] {
				for w, x := range ix.viol.at(int(p)) {
					for ; x != 0; x &= x - 1 {
						t.viol[w*termBits+bits.TrailingZeros32(x)]++
					}
				}
			}
			if group[dimTarget] {
				for w, x := range ix.target.at(int(p)) {
					for ; x != 0; x &= x - 1 {
						t.target[w*termBits+bits.TrailingZeros32(x)]++
					}
				}
			}
			if group[dimYear] {
				if y := int(yearOfDay(ix.days[p])) - firstYear; y >= 0 && y < numYears {
					t.year[y]++
				}
			}
		}
	}
}

// tallySets counts the values of the dimensions of group as the
// cardinalities of their bitmaps' intersections with base, never made.
func (ix *facetIndex) tallySets(base *roaring.Bitmap, group *[numDims]bool, t *facetTally) {
	s := &ix.sets
	count := func(out []int, sets []*roaring.Bitmap) {
		for i, set := range sets {
			if set != nil {
				out[i] = int(base.AndCardinality(set))
			}
		}
	}
	for d := dimCountry; d <= dimCategory; d++ {
		if group[d] {
			count(t.country[d], s.country)
		}
	}
	if group[dimFreedom] {
		count(t.freedom[:], s.freedom[:])
	}
	if group[dimViolation] {
		count(t.viol, s.viol)
	}
	if group[dimTarget] {
		count(t.target, s.target)
	}
	if group[dimYear] {
		count(t.year[:], s.year[:])
	}
}

// walkDown offers top the keys of the entries of set less than after,
// greatest id first, all with relevance score: newest first, or one score
// level of relevance. It stops as soon as the heap is full and no entry
// still to come can beat its least key: those have smaller ids and days no
// later than the latest of their blocks. The caller holds mu (read).
func (ix *facetIndex) walkDown(set *roaring.Bitmap, order keyOrder, score uint8, after *hitKey, top *topK) {
	if set.IsEmpty() {
		return
	}
	days := &ix.sets.days
	buf := make([]uint32, 0, 1<<dayBlockShift)
	hi := set.Maximum()
	for {
		b := int(hi >> dayBlockShift)
		lo := uint32(b) << dayBlockShift
		latest := days.latest(b)
		if top.full() && !top.least().less(makeHitKey(order, score, latest, hi)) {
			return
		}
		// A cursor passed the block when its least possible key is not
		// less than after.
		if after == nil || makeHitKey(order, score, days.bounds(b).min, lo).less(*after) {
			buf = appendIDs(buf[:0], set, lo, hi)
			for i := len(buf) - 1; i >= 0; i-- {
				id := buf[i]
				if top.full() && !top.least().less(makeHitKey(order, score, latest, id)) {
					return
				}
				key := makeHitKey(order, score, ix.dayOf(id), id)
				if (after == nil || key.less(*after)) && (!top.full() || top.least().less(key)) {
					top.offer(key)
				}
			}
		}
		if lo == 0 {
			return
		}
		below := set.Rank(lo - 1)
		if below == 0 {
			return
		}
		hi, _ = set.Select(uint32(below - 1))
	}
}

// walkUp offers top the keys of the entries of set less than after,
// oldest first: least id first, stopping as soon as the heap is full and
// no entry still to come can beat its least key. The caller holds mu
// (read).
func (ix *facetIndex) walkUp(set *roaring.Bitmap, after *hitKey, top *topK) {
	days := &ix.sets.days
	it := set.Iterator()
	for it.HasNext() {
		first := it.PeekNext()
		b := int(first >> dayBlockShift)
		last := uint32(b)<<dayBlockShift | (1<<dayBlockShift - 1)
		earliest := days.earliest(b)
		if top.full() && !top.least().less(makeHitKey(orderOldest, 0, earliest, first)) {
			return
		}
		if after != nil && !makeHitKey(orderOldest, 0, days.bounds(b).max, last).less(*after) {
			// A cursor passed the block.
			if last == math.MaxUint32 {
				return
			}
			it.AdvanceIfNeeded(last + 1)
			continue
		}
		for it.HasNext() && it.PeekNext() <= last {
			id := it.Next()
			if top.full() && !top.least().less(makeHitKey(orderOldest, 0, earliest, id)) {
				return
			}
			key := makeHitKey(orderOldest, 0, ix.dayOf(id), id)
			if (after == nil || key.less(*after)) && (!top.full() || top.least().less(key)) {
				top.offer(key)
			}
		}
	}
}

// appendIDs appends the ids of set from lo to hi.
func appendIDs(buf []uint32, set *roaring.Bitmap, lo, hi uint32) []uint32 {
	it := set.Iterator()
	it.AdvanceIfNeeded(lo)
	for it.HasNext() {
		id := it.Next()
		if id > hi {
			break
		}
		buf = append(buf, id)
	}
	return buf
}

// scoreBits is how many bit slices hold a relevance score: up to 6 per
// scored clause (3 as written, 2 in the title, 1 in the summary).
const scoreBits = 5

var _ [1<<scoreBits - 1 - 6*maxScoredClauses]struct{} // the greatest score fits

// scoreSlices adds up the entries' relevance scores, restricted to base,
// as a bit-sliced sum: slice i holds the entries whose score has bit i set
// (nil: none). Adding a set of weight w is a binary addition per bit of w,
// carrying through the slices.
func scoreSlices(base *roaring.Bitmap, m *textMatch) [scoreBits]*roaring.Bitmap {
	var slices [scoreBits]*roaring.Bitmap
	addAt := func(x *roaring.Bitmap, bit int) {
		carry := x
		for i := bit; i < scoreBits && !carry.IsEmpty(); i++ {
			if slices[i] == nil {
				slices[i] = carry.Clone()
				return
			}
			// Not the in-place Xor: roaring v2.30.0's changes its argument
			// when an array or run container meets a bitmap container
			// (RoaringBitmap/roaring pull request 564, "Fix Xor modifying
			// its argument"), and carry may be a clause's set.
			slices[i], carry = roaring.Xor(slices[i], carry), roaring.And(slices[i], carry)
		}
	}
	for j := range m.title {
		for _, c := range []struct {
			set    *roaring.Bitmap
			weight int
		}{{m.exact[j], 3}, {m.title[j], 2}, {m.summary[j], 1}} {
			if c.set == nil {
				continue
			}
			x := roaring.And(base, c.set)
			for bit := 0; c.weight>>bit != 0; bit++ {
				if c.weight>>bit&1 != 0 {
					addAt(x, bit)
				}
			}
		}
	}
	return slices
}

// walkRelevance offers top the keys of base's entries by relevance: score
// level by level from the highest down, each walked as newest first, until
// the heap is full — every key of a level is greater than every key of
// the levels below. The caller holds mu (read).
func (ix *facetIndex) walkRelevance(base *roaring.Bitmap, m *textMatch, after *hitKey, top *topK) {
	slices := scoreSlices(base, m)
	for level := 6 * len(m.title); level >= 0 && !top.full(); level-- {
		if after != nil && int64(level) > after.k1>>33 {
			continue // every key of the level is greater than the cursor's
		}
		if set := scoreLevel(base, slices, level); set != nil {
			ix.walkDown(set, orderRelevance, uint8(level), after, top)
		}
	}
}

// scoreLevel is the entries of base that score level: in the slices of its
// bits and in none of the others; nil when none can. It starts from the
// smallest set it can, a slice rather than base.
func scoreLevel(base *roaring.Bitmap, slices [scoreBits]*roaring.Bitmap, level int) *roaring.Bitmap {
	var set *roaring.Bitmap
	for i, s := range slices {
		if level>>i&1 == 0 {
			continue
		}
		switch {
		case s == nil:
			return nil
		case set == nil:
			set = s.Clone()
		default:
			set.And(s)
		}
	}
	if set == nil {
		set = base.Clone() // level 0
	}
	for i, s := range slices {
		if level>>i&1 == 0 && s != nil {
			set.AndNot(s)
		}
	}
	return set
}

// page finds the k greatest keys of base's entries less than after. The
// caller holds mu (read).
func (ix *facetIndex) page(base *roaring.Bitmap, m *textMatch, order keyOrder, after *hitKey, k int) []hitKey {
	top := topK{k: k}
	switch order {
	case orderNewest:
		ix.walkDown(base, orderNewest, 0, after, &top)
	case orderOldest:
		ix.walkUp(base, after, &top)
	case orderRelevance:
		ix.walkRelevance(base, m, after, &top)
	}
	return top.sorted()
}
