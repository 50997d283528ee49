package mirror

import (
	"container/list"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/civicmon/civicmon"
)

// readStore is the store the export renders pages from: the real store,
// with the reads that pages repeat answered from memory. The export asks
// for every page of the site, in every language, and the site's handlers
// read page by page: the same country's history for four languages, the
// same update for its page, its translations and its citations, page 37
// of a list with OFFSET 720. So:
//
//   - the producer reads each list once, by keyset, a thousand updates at
//     a time, and lends each chunk here: the pages of a list, the updates'
//     own pages and their neighbours (newer, older) come from the chunk;
//   - other reads are remembered, a few thousand of the latest, since the
//     producer asks for the languages of one page one after another.
//
// Whatever is not in memory goes to the real store: a miss costs time,
// never a wrong page. Results are shared between pages, which only read
// them.
type readStore struct {
	civicmon.Store

	mu     sync.Mutex
	memo   map[string]*list.Element
	order  *list.List // of *memoEntry, newest first
	bytes  int        // about, of the remembered results
	chunks []*chunk   // lent by the producer, oldest first
	held   int        // updates in chunks
	walks  []*walkPage
	walked int // bytes of walks, about
	// walkStarts counts the walks begun through each list.
	walkStarts  map[walkID]int
	corrections map[int64][]civicmon.Correction
}

const (
	memoSize   = 4096
	memoBytes  = 32 << 20 // at most this much remembered, about
	chunkLimit = 980      // updates per chunk: a multiple of the pages' 20, and asking for one more stays within FindUpdates' maximum of 1,000
	heldMax    = 6000     // updates kept in chunks; the oldest chunks go first
)

type memoEntry struct {
	key  string
	val  any
	size int
}

// sizeOf guesses the memory a result holds.
func sizeOf(v any) int {
	n := 256
	switch v := v.(type) {
	case found:
		for i := range v.us {
			u := &v.us[i]
			n += 1024 + len(u.Title) + len(u.Summary) + len(u.Body) + len(u.InternalNotes)
			for _, t := range u.Translations {
				n += len(t.Title) + len(t.Summary) + len(t.Body)
			}
		}
	case *civicmon.Update:
		if v != nil {
			n += sizeOf(found{us: []civicmon.Update{*v}}) + 512*len(v.Incidents)
		}
	case *civicmon.SearchResult:
		n += 4096 + 512*len(v.Hits)
	case []civicmon.Rating:
		n += 256 * len(v)
	case []civicmon.Country:
		n += 256 * len(v)
	case map[string]civicmon.Rating:
		n += 256 * len(v)
	}
	return n
}

// chunk is a run of the updates a filter selects, newest first: items
// [offset, offset+len(items)) of total, and the updates on either side.
type chunk struct {
	key        listID
	offset     int
	total      int
	items      []civicmon.Update // without incidents, as FindUpdates gives them
	byID       map[int64]int
	bySlug     map[string]int
	incidents  map[int64][]civicmon.Incident
	prev, next *civicmon.Update // newer than items[0], older than the last
	last       bool             // the chunk ends the list
}

func newReadStore(st civicmon.Store) *readStore {
	return &readStore{Store: st, memo: map[string]*list.Element{}, order: list.New(), walkStarts: map[walkID]int{},
		corrections: map[int64][]civicmon.Correction{}}
}

// listID names what a filter selects, whatever page of it is asked, in
// whatever order: the filter's fields but its paging. It is a struct, not
// a formatted string, because every page of a list looks its chunk up by
// it, and fmt's reflection over the filter cost more than the lookup.
type listID struct {
	country, violation string
	region             civicmon.Region
	freedom            civicmon.Freedom
	author             int64
	statuses           string // joined by NUL, which no status holds
	since, until       string // dates as text: time.Time's == compares more than the day
}

// listKey is the list that f pages through.
func listKey(f civicmon.UpdateFilter) listID {
	k := listID{country: f.CountryCode, violation: f.Violation, region: f.Region, freedom: f.Freedom, author: f.AuthorID}
	switch len(f.Statuses) {
	case 0:
	case 1:
		k.statuses = string(f.Statuses[0])
	default:
		parts := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			parts[i] = string(st)
		}
		k.statuses = strings.Join(parts, "\x00")
	}
	if !f.Since.IsZero() {
		k.since = f.Since.String()
	}
	if !f.Until.IsZero() {
		k.until = f.Until.String()
	}
	return k
}

// lend keeps a chunk for the pages about to be rendered.
func (s *readStore) lend(c *chunk) {
	c.byID = make(map[int64]int, len(c.items))
	c.bySlug = make(map[string]int, len(c.items))
	for i := range c.items {
		c.byID[c.items[i].ID] = i
		c.bySlug[c.items[i].Slug] = i
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunks = append(s.chunks, c)
	s.held += len(c.items)
	for s.held > heldMax && len(s.chunks) > 1 {
		s.held -= len(s.chunks[0].items)
		s.chunks[0] = nil
		s.chunks = s.chunks[1:]
	}
}

func (s *readStore) recall(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.memo[key]; ok {
		s.order.MoveToFront(el)
		return el.Value.(*memoEntry).val, true
	}
	return nil, false
}

func (s *readStore) remember(key string, val any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.memo[key]; ok {
		return
	}
	size := sizeOf(val)
	if size > memoBytes/16 {
		return
	}
	s.memo[key] = s.order.PushFront(&memoEntry{key, val, size})
	s.bytes += size
	for s.order.Len() > memoSize || s.bytes > memoBytes {
		old := s.order.Back()
		s.order.Remove(old)
		e := old.Value.(*memoEntry)
		delete(s.memo, e.key)
		s.bytes -= e.size
	}
}

// memoized answers key from memory, or from load, remembered.
func memoized[T any](s *readStore, key string, load func() (T, error)) (T, error) {
	if v, ok := s.recall(key); ok {
		return v.(T), nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	s.remember(key, v)
	return v, nil
}

type found struct {
	us    []civicmon.Update
	total int
}

func (s *readStore) FindUpdates(ctx context.Context, f civicmon.UpdateFilter) ([]civicmon.Update, int, error) {
	if us, total, ok := s.fromChunk(f); ok {
		return us, total, nil
	}
	if isWalk(f) {
		return s.walkFind(ctx, f)
	}
	if f.Limit <= 0 || f.Limit > 100 { // downloads page through everything: no memory
		return s.Store.FindUpdates(ctx, f)
	}
	key := f
	key.Before, key.After = nil, nil
	r, err := memoized(s, fmt.Sprintf("find %+v %v %v", key, deref(f.Before), deref(f.After)), func() (found, error) {
		us, total, err := s.Store.FindUpdates(ctx, f)
		return found{us, total}, err
	})
	return r.us, r.total, err
}

// fromChunk answers a page of a list, an update's neighbour, or a page of
// a download's walk from a lent chunk.
func (s *readStore) fromChunk(f civicmon.UpdateFilter) ([]civicmon.Update, int, bool) {
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	key := listKey(f)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Order == "oldest" && f.Before == nil && f.Offset == 0 && f.SkipTotal && limit > 1 {
		return s.oldestFromChunks(key, f.After, min(limit, 1000))
	}
	for i := len(s.chunks) - 1; i >= 0; i-- {
		c := s.chunks[i]
		if c.key != key {
			continue
		}
		total := c.total
		if f.SkipTotal {
			total = -1
		}
		switch {
		case f.Before == nil && f.After == nil && (f.Order == "" || f.Order == "newest"):
			end := c.offset + len(c.items)
			if f.Offset < c.offset || (f.Offset+limit > end && !c.last) {
				continue
			}
			lo := min(f.Offset-c.offset, len(c.items))
			hi := min(lo+limit, len(c.items))
			// Not a copy: the pages only read what the store gives them
			// (see readStore). The capacity is cut at hi so that an
			// append to the page cannot write over the chunk's next items.
			return c.items[lo:hi:hi], total, true
		case limit == 1 && f.Before != nil && f.After == nil && (f.Order == "" || f.Order == "newest"):
			// The next older update.
			k, ok := c.byID[f.Before.ID]
			if !ok || c.items[k].PublishedOn != f.Before.PublishedOn {
				continue
			}
			if k+1 < len(c.items) {
				return []civicmon.Update{c.items[k+1]}, total, true
			}
			if c.next != nil {
				return []civicmon.Update{*c.next}, total, true
			}
			if c.last {
				return nil, total, true
			}
		case limit == 1 && f.After != nil && f.Before == nil && f.Order == "oldest":
			// The next newer update.
			k, ok := c.byID[f.After.ID]
			if !ok || c.items[k].PublishedOn != f.After.PublishedOn {
				continue
			}
			if k > 0 {
				return []civicmon.Update{c.items[k-1]}, total, true
			}
			if c.prev != nil {
				return []civicmon.Update{*c.prev}, total, true
			}
			if c.offset == 0 {
				return nil, total, true
			}
		}
	}
	return nil, 0, false
}

// oldestFromChunks answers a walk through a list oldest first, a page at
// a time after the cursor: a country's downloads, which the producer asks
// for right after the country's pages, while its chunks are still lent.
// It answers only when the chunks hold every update of the page and, at
// the list's oldest end, the end itself; otherwise the store does. The
// page is a copy: the downloads set the incidents of its updates. The
// caller holds s.mu.
func (s *readStore) oldestFromChunks(key listID, after *civicmon.UpdateCursor, limit int) ([]civicmon.Update, int, bool) {
	// pos is the position in the list (newest first) of the next update
	// to give: the one before the cursor's, or the list's last.
	var c *chunk
	pos := -1
	for _, x := range s.chunks {
		if x.key != key {
			continue
		}
		if after == nil {
			if x.last {
				c, pos = x, x.offset+len(x.items)-1
			}
			continue
		}
		if k, ok := x.byID[after.ID]; ok && x.items[k].PublishedOn == after.PublishedOn {
			c, pos = x, x.offset+k-1
		}
	}
	if c == nil {
		return nil, 0, false
	}
	var out []civicmon.Update
	for len(out) < limit && pos >= 0 {
		if pos < c.offset {
			// The newer updates are in the chunk lent before c, if it is
			// still here.
			c = s.chunkAt(key, pos)
			if c == nil {
				return nil, 0, false
			}
		}
		if out == nil {
			out = make([]civicmon.Update, 0, min(limit, pos+1))
		}
		for k := pos - c.offset; k >= 0 && len(out) < limit; k-- {
			out = append(out, c.items[k])
			pos--
		}
	}
	return out, -1, true
}

// chunkAt is the lent chunk of the list that holds position pos, or nil.
func (s *readStore) chunkAt(key listID, pos int) *chunk {
	for _, c := range s.chunks {
		if c.key == key && c.offset <= pos && pos < c.offset+len(c.items) {
			return c
		}
	}
	return nil
}

// IncidentsByUpdate answers from the lent chunks when they hold every
// update asked for with its incidents (a country's downloads, after its
// pages), and from the store otherwise.
func (s *readStore) IncidentsByUpdate(ctx context.Context, ids []int64) (map[int64][]civicmon.Incident, error) {
	if out, ok := s.incidentsFromChunks(ids); ok {
		return out, nil
	}
	return s.walkIncidents(ctx, ids)
}

func (s *readStore) incidentsFromChunks(ids []int64) (map[int64][]civicmon.Incident, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64][]civicmon.Incident, len(ids))
	var c *chunk // the chunk of the last id: the ids come in runs from one chunk
	for _, id := range ids {
		if c == nil || !c.holds(id) {
			if c = s.chunkOf(id); c == nil {
				return nil, false
			}
		}
		// Like the store, no entry for an update without incidents. The
		// slices are shared: the downloads only read them.
		if in, ok := c.incidents[id]; ok {
			out[id] = in
		}
	}
	return out, true
}

// holds says whether c has update id and its incidents.
func (c *chunk) holds(id int64) bool {
	_, ok := c.byID[id]
	return ok && c.incidents != nil
}

// chunkOf is the newest lent chunk that holds update id with its
// incidents, or nil.
func (s *readStore) chunkOf(id int64) *chunk {
	for i := len(s.chunks) - 1; i >= 0; i-- {
		if s.chunks[i].holds(id) {
			return s.chunks[i]
		}
	}
	return nil
}

func (s *readStore) UpdateBySlug(ctx context.Context, slug string) (*civicmon.Update, error) {
	s.mu.Lock()
	for i := len(s.chunks) - 1; i >= 0; i-- {
		c := s.chunks[i]
		if k, ok := c.bySlug[slug]; ok && c.incidents != nil {
			u := c.items[k]
			u.Incidents = c.incidents[u.ID]
			s.mu.Unlock()
			return &u, nil
		}
	}
	s.mu.Unlock()
	return memoized(s, "slug "+slug, func() (*civicmon.Update, error) { return s.Store.UpdateBySlug(ctx, slug) })
}

func (s *readStore) SearchUpdates(ctx context.Context, q civicmon.SearchQuery) (*civicmon.SearchResult, error) {
	return memoized(s, fmt.Sprintf("search %+v", q), func() (*civicmon.SearchResult, error) { return s.Store.SearchUpdates(ctx, q) })
}

func (s *readStore) RatingHistory(ctx context.Context, code string) ([]civicmon.Rating, error) {
	return memoized(s, "history "+code, func() ([]civicmon.Rating, error) { return s.Store.RatingHistory(ctx, code) })
}

// Corrections are kept apart from the other reads, by update id: an
// update's are asked for by its page in each language and by every feed
// it is in, and among the other reads one in seven had been forgotten in
// between. They are few and small (most updates have none), so every
// update's are kept, up to correctionsMax.
func (s *readStore) Corrections(ctx context.Context, id int64) ([]civicmon.Correction, error) {
	s.mu.Lock()
	cs, ok := s.corrections[id]
	s.mu.Unlock()
	if ok {
		return cs, nil
	}
	cs, err := s.Store.Corrections(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.corrections) >= correctionsMax {
		clear(s.corrections)
	}
	s.corrections[id] = cs
	s.mu.Unlock()
	return cs, nil
}

// correctionsMax bounds the updates whose corrections are kept (≈50 bytes
// each without any).
const correctionsMax = 200000

func (s *readStore) CurrentRatings(ctx context.Context, asOf civicmon.Date) (map[string]civicmon.Rating, error) {
	return memoized(s, "current "+asOf.String(), func() (map[string]civicmon.Rating, error) { return s.Store.CurrentRatings(ctx, asOf) })
}

func (s *readStore) Countries(ctx context.Context) ([]civicmon.Country, error) {
	cs, err := memoized(s, "countries", func() ([]civicmon.Country, error) { return s.Store.Countries(ctx) })
	return slices.Clone(cs), err // callers may sort their copy
}

func (s *readStore) CountryByCode(ctx context.Context, code string) (*civicmon.Country, error) {
	c, err := memoized(s, "country "+code, func() (*civicmon.Country, error) { return s.Store.CountryByCode(ctx, code) })
	if err != nil {
		return nil, err
	}
	cp := *c
	return &cp, nil
}

func deref(c *civicmon.UpdateCursor) civicmon.UpdateCursor {
	if c == nil {
		return civicmon.UpdateCursor{}
	}
	return *c
}
