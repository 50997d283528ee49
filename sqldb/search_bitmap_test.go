package sqldb

import (
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// walkFixture is a facet index of many blocks of ids: days mostly follow
// ids, some anywhere, a few ids far off; then entries redated (their
// blocks' bounds left loose) and removed. days maps each entry's id to its
// day, for the brute-force answers.
func walkFixture(t *testing.T, rnd *rand.Rand) (*facetIndex, map[uint32]int32) {
	t.Helper()
	ix := newFacetIndex()
	days := map[uint32]int32{}
	put := func(id uint32, day int32) {
		t.Helper()
		r := facetRow{id: int64(id), published: true, day: day, country: []string{"KZ", "CL", "CI", "FR"}[rnd.IntN(4)],
			freedoms: uint8(rnd.IntN(8))}
		for _, v := range []string{"v0", "v1", "v2", "v3", "v4"} {
			if rnd.IntN(3) == 0 {
				r.viol = append(r.viol, v)
			}
		}
		for _, v := range []string{"t0", "t1", "t2"} {
			if rnd.IntN(4) == 0 {
				r.targets = append(r.targets, v)
			}
		}
		if err := ix.put(&r); err != nil {
			t.Fatal(err)
		}
		days[id] = day
	}
	randomDay := func() int32 { return 16000 + rnd.Int32N(4000) }
	for id := uint32(1); id < 20_000; id++ {
		if rnd.IntN(3) == 0 {
			continue // a draft's id
		}
		day := 16000 + int32(id)/6 // ties: a few a day
		if rnd.IntN(10) == 0 {
			day = randomDay()
		}
		put(id, day)
	}
	for _, id := range []uint32{3_000_000_000, 3_000_000_001, 4_000_000_000, math.MaxUint32} {
		put(id, randomDay())
	}
	ix.sets.days.settle()
	ids := slices.Sorted(func(yield func(uint32) bool) {
		for id := range days {
			if !yield(id) {
				return
			}
		}
	})
	for _, i := range rnd.Perm(len(ids))[:2000] {
		id := ids[i]
		if rnd.IntN(2) == 0 {
			put(id, randomDay())
		} else {
			ix.put(&facetRow{id: int64(id)}) // unpublished
			delete(days, id)
		}
	}
	ix.sets.days.settle()
	return ix, days
}

// randomSubset is some of set: dense, sparse, or a range of it.
func randomSubset(rnd *rand.Rand, set *roaring.Bitmap) *roaring.Bitmap {
	out := roaring.New()
	p := []float64{1, 0.5, 0.05, 0.001}[rnd.IntN(4)]
	set.Iterate(func(id uint32) bool {
		if rnd.Float64() < p {
			out.Add(id)
		}
		return true
	})
	if rnd.IntN(4) == 0 {
		lo := uint64(rnd.IntN(20_000))
		out.And(roaring.FlipInt(roaring.New(), int(lo), int(lo)+rnd.IntN(5000)))
	}
	return out
}

// entry is an entry as the brute force sorts it.
type entry struct {
	score int
	day   int32
	id    uint32
}

// bruteTop is the k first entries after the cursor (the zero entry and
// false: none), sorted by score then day, descending or (oldest first)
// ascending, ties by id likewise.
func bruteTop(es []entry, oldest bool, after entry, hasAfter bool, k int) []uint32 {
	less := func(a, b entry) int { // <0 when a comes first
		if oldest {
			return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.id, b.id))
		}
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.day, a.day), cmp.Compare(b.id, a.id))
	}
	slices.SortFunc(es, less)
	var out []uint32
	for _, e := range es {
		if hasAfter && less(e, after) <= 0 {
			continue
		}
		if len(out) == k {
			break
		}
		out = append(out, e.id)
	}
	return out
}

func keyIDs(keys []hitKey) []uint32 {
	var out []uint32
	for _, k := range keys {
		out = append(out, k.id)
	}
	return out
}

func TestSearchWalks(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	ix, days := walkFixture(t, rnd)
	if got := ix.sets.published.GetCardinality(); got != uint64(len(days)) {
		t.Fatalf("published holds %d ids, want %d", got, len(days))
	}
	for i := range 600 {
		set := randomSubset(rnd, ix.sets.published)
		k := 1 + rnd.IntN(30)
		// Relevance: up to four clauses' random title, summary and exact
		// sets.
		m := &textMatch{}
		for range 1 + rnd.IntN(4) {
			m.title = append(m.title, randomSubset(rnd, set))
			m.summary = append(m.summary, randomSubset(rnd, set))
			m.exact = append(m.exact, randomSubset(rnd, set))
		}
		var es []entry
		set.Iterate(func(id uint32) bool {
			e := entry{day: days[id], id: id}
			for j := range m.title {
				if m.exact[j].Contains(id) {
					e.score += 3
				}
				if m.title[j].Contains(id) {
					e.score += 2
				}
				if m.summary[j].Contains(id) {
					e.score++
				}
			}
			es = append(es, e)
			return true
		})
		unscored := slices.Clone(es)
		for j := range unscored {
			unscored[j].score = 0
		}
		for _, order := range []keyOrder{orderNewest, orderOldest, orderRelevance} {
			es := es
			if order != orderRelevance {
				es = unscored
			}
			// The cursor: none, an entry of the set, or any key.
			var after entry
			var afterKey *hitKey
			switch n := rnd.IntN(3); {
			case n == 1 && len(es) > 0:
				after = es[rnd.IntN(len(es))]
				afterKey = new(makeHitKey(order, uint8(after.score), after.day, after.id))
			case n == 2:
				after = entry{day: 16000 + rnd.Int32N(4000), id: rnd.Uint32N(25_000)}
				if order == orderRelevance {
					after.score = rnd.IntN(25)
				}
				afterKey = new(makeHitKey(order, uint8(after.score), after.day, after.id))
			}
			want := bruteTop(slices.Clone(es), order == orderOldest, after, afterKey != nil, k)
			got := keyIDs(ix.page(set, m, order, afterKey, k))
			if !slices.Equal(got, want) {
				t.Fatalf("case %d, order %d, %d of %d entries after %+v (%v):\n got %v\nwant %v",
					i, order, k, len(es), after, afterKey != nil, got, want)
			}
		}
	}
}

// An index changed since its day bounds were settled walks without them,
// and still right.
func TestSearchWalkUnsettled(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	ix, days := walkFixture(t, rnd)
	if err := ix.put(&facetRow{id: 5, published: true, day: 30000, country: "KZ"}); err != nil {
		t.Fatal(err)
	}
	days[5] = 30000
	if err := ix.put(&facetRow{id: 19_000, published: true, day: 100, country: "KZ"}); err != nil {
		t.Fatal(err)
	}
	days[19_000] = 100
	var es []entry
	for id, day := range days {
		es = append(es, entry{day: day, id: id})
	}
	for _, order := range []keyOrder{orderNewest, orderOldest} {
		want := bruteTop(slices.Clone(es), order == orderOldest, entry{}, false, 3)
		if got := keyIDs(ix.page(ix.sets.published, &textMatch{}, order, nil, 3)); !slices.Equal(got, want) {
			t.Errorf("order %d: got %v, want %v", order, got, want)
		}
	}
}

func TestSearchPublishedWithin(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	ix, days := walkFixture(t, rnd)
	for range 200 {
		set := randomSubset(rnd, ix.sets.published)
		since, until := 15900+rnd.Int32N(4200), int32(math.MaxInt32)
		if rnd.IntN(3) > 0 {
			until = since + rnd.Int32N(1500)
		}
		if rnd.IntN(4) == 0 {
			since = math.MinInt32
		}
		want := roaring.New()
		set.Iterate(func(id uint32) bool {
			if d := days[id]; d >= since && d <= until {
				want.Add(id)
			}
			return true
		})
		if got := ix.publishedWithin(set, since, until); !got.Equals(want) {
			t.Fatalf("%d to %d: %d entries, want %d", since, until, got.GetCardinality(), want.GetCardinality())
		}
	}
}

func TestSearchScoreSlices(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	// Dense and sparse sets: bitmap, array and run containers meet.
	base := roaring.New()
	for range 60_000 {
		base.Add(rnd.Uint32N(1 << 18))
	}
	base.AddRange(1<<18, 1<<18+5000)
	m := &textMatch{}
	for j := range maxScoredClauses {
		m.title = append(m.title, randomSubset(rnd, base))
		m.summary = append(m.summary, randomSubset(rnd, base))
		m.exact = append(m.exact, randomSubset(rnd, base))
		if j == 0 {
			m.exact[j] = base.Clone() // every entry: the greatest sums
		}
	}
	var before []*roaring.Bitmap
	for j := range m.title {
		before = append(before, m.title[j].Clone(), m.summary[j].Clone(), m.exact[j].Clone())
	}
	slices := scoreSlices(base, m)
	for j := range m.title {
		if !m.title[j].Equals(before[3*j]) || !m.summary[j].Equals(before[3*j+1]) || !m.exact[j].Equals(before[3*j+2]) {
			t.Fatalf("clause %d's sets changed: they may be the cache's", j)
		}
	}
	base.Iterate(func(id uint32) bool {
		want := 0
		for j := range m.title {
			for _, c := range []struct {
				set *roaring.Bitmap
				w   int
			}{{m.exact[j], 3}, {m.title[j], 2}, {m.summary[j], 1}} {
				if c.set.Contains(id) {
					want += c.w
				}
			}
		}
		got := 0
		for i, s := range slices {
			if s != nil && s.Contains(id) {
				got |= 1 << i
			}
		}
		if got != want {
			t.Fatalf("id %d scores %d, want %d", id, got, want)
		}
		return true
	})
}

func TestSearchIDsBeyond32Bits(t *testing.T) {
	ix := newFacetIndex()
	if err := ix.put(&facetRow{id: math.MaxUint32 + 1, published: true, day: 1, country: "KZ"}); err == nil {
		t.Error("an id past 32 bits is taken")
	}
	for _, list := range []string{"1,4294967296", "1,99999999999999999999999", "-1"} {
		if _, err := parseIDBitmap(list); err == nil {
			t.Errorf("%q parsed", list)
		}
	}
	for _, list := range []string{"1,,2", "1,", ",1", "1 2"} {
		if _, err := parseIDBitmap(list); err == nil {
			t.Errorf("%q parsed", list)
		}
	}
	b, err := parseIDBitmap("7,4294967295,3")
	if err != nil || !slices.Equal(b.ToArray(), []uint32{3, 7, math.MaxUint32}) {
		t.Errorf("parsed %v, %v", b.ToArray(), err)
	}
	if b, err := parseIDBitmap(""); err != nil || !b.IsEmpty() {
		t.Errorf("empty list: %v, %v", b, err)
	}
	// Dense lists go through a plain bitset.
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, density := range []int{1, 3, 40, 1000} {
		var list []byte
		want := roaring.New()
		for id := uint32(200_000); id > 0; id-- {
			if rnd.IntN(density) == 0 {
				list = strconv.AppendUint(append(list, ','), uint64(id), 10)
				want.Add(id)
			}
		}
		got, err := parseIDBitmap(string(list[1:]))
		if err != nil || !got.Equals(want) {
			t.Errorf("one id in %d: %d ids, want %d (%v)", density, got.GetCardinality(), want.GetCardinality(), err)
		}
	}
}

func TestMatchCacheBytes(t *testing.T) {
	var c matchCache
	c.limit = 64 << 10
	for i := range 200 {
		b := roaring.New()
		for j := range 100 + i*10 {
			b.Add(uint32(j * 70_000)) // a container per id: no compression
		}
		c.put(1, string(rune('a'+i%26))+string(rune('a'+i/26)), b)
		if c.bytes > c.limit {
			t.Fatalf("after %d: %d bytes held, limit %d", i, c.bytes, c.limit)
		}
	}
	if len(c.items) == 0 {
		t.Error("the cache holds nothing")
	}
	if _, ok := c.get(2, "aa"); ok {
		t.Error("an entry of another generation is found")
	}
}

func TestYearOfDay(t *testing.T) {
	for day := int32(-800_000); day <= 800_000; day++ {
		if got, want := yearOfDay(day), int16(time.Unix(int64(day)*86400, 0).UTC().Year()); got != want {
			t.Fatalf("day %d: year %d, want %d", day, got, want)
		}
	}
}

// The two ways of counting facets agree.
func TestSearchTally(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	ix, _ := walkFixture(t, rnd)
	all := [numDims]bool{}
	for d := range all {
		all[d] = true
	}
	for i := range 100 {
		base := randomSubset(rnd, ix.sets.published)
		fresh := func() *facetTally {
			s := &ix.sets
			t := &facetTally{viol: make([]int, len(s.viol)), target: make([]int, len(s.target))}
			t.country[dimCountry] = make([]int, len(s.country))
			return t
		}
		byEntries, bySets := fresh(), fresh()
		group := all
		group[dimRegion], group[dimCategory] = false, false
		ix.tallyEntries(base, &group, byEntries)
		ix.tallySets(base, &group, bySets)
		if !reflect.DeepEqual(byEntries, bySets) {
			t.Fatalf("case %d, %d entries: entry by entry %+v\nby sets %+v", i, base.GetCardinality(), byEntries, bySets)
		}
	}
}
