package mirror

import (
	"container/list"
	"context"
	"fmt"
	"slices"
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
	case []civicmon.Correction:
		for _, c := range v {
			n += 128 + len(c.Note)
		}
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
	key        string
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
	return &readStore{Store: st, memo: map[string]*list.Element{}, order: list.New()}
}

// listKey names what a filter selects, whatever page of it is asked.
func listKey(f civicmon.UpdateFilter) string {
	f.Limit, f.Offset, f.SkipTotal, f.Before, f.After, f.Order = 0, 0, false, nil, nil, ""
	return fmt.Sprintf("%+v", f)
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

// fromChunk answers a page of a list, or an update's neighbour, from a
// lent chunk.
func (s *readStore) fromChunk(f civicmon.UpdateFilter) ([]civicmon.Update, int, bool) {
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	key := listKey(f)
	s.mu.Lock()
	defer s.mu.Unlock()
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
			return slices.Clone(c.items[lo:hi]), total, true
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

func (s *readStore) Corrections(ctx context.Context, id int64) ([]civicmon.Correction, error) {
	return memoized(s, fmt.Sprint("corrections ", id), func() ([]civicmon.Correction, error) { return s.Store.Corrections(ctx, id) })
}

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
