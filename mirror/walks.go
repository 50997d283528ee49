package mirror

import (
	"context"
	"slices"

	"github.com/civicmon/civicmon"
)

// walkPage is a page of a walk through a list oldest first, by keyset, as
// the store gave it: the downloads of the whole archive (updates.csv,
// incidents.csv, civicmon.json, civicmon.ndjson) each walk every update,
// two at a time side by side, with the same page size and so the same
// cursors. The first walk to reach a page reads it; the others find it
// here, with its incidents.
type walkPage struct {
	walk  walkID
	after civicmon.UpdateCursor // the zero cursor for the first page
	items []civicmon.Update
	// incidents of the items, once a walk asked for them.
	incidents map[int64][]civicmon.Incident
	size      int // about, in bytes
}

// walkID names the walks that share pages: through the same list, with
// the same page size.
type walkID struct {
	key   listID
	limit int
}

// walkBytes bounds the walk pages kept, about (see dropWalkPage for which
// go first). At 10,000 updates that is about the whole archive, so that
// all four downloads read it once; at a million, the two walks side by
// side still share their pages.
const walkBytes = 48 << 20

// isWalk says whether f asks for a page of a download's walk.
func isWalk(f civicmon.UpdateFilter) bool {
	return f.Order == "oldest" && f.Before == nil && f.Offset == 0 && f.SkipTotal && f.Limit > 100
}

// walkFind answers a page of a walk from the pages kept, or reads it and
// keeps it. The pages given are copies: the downloads set their updates'
// incidents.
func (s *readStore) walkFind(ctx context.Context, f civicmon.UpdateFilter) ([]civicmon.Update, int, error) {
	walk, after := walkID{listKey(f), f.Limit}, deref(f.After)
	s.mu.Lock()
	if f.After == nil {
		s.walkStarts[walk]++
	}
	for _, p := range s.walks {
		if p.walk == walk && p.after == after {
			us := slices.Clone(p.items)
			s.mu.Unlock()
			return us, -1, nil
		}
	}
	s.mu.Unlock()
	us, total, err := s.Store.FindUpdates(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	p := &walkPage{walk: walk, after: after, items: slices.Clone(us), size: sizeOf(found{us: us})}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.walks = append(s.walks, p)
	s.walked += p.size
	for s.walked > walkBytes && len(s.walks) > 1 {
		s.dropWalkPage()
	}
	return us, total, nil
}

// dropWalkPage forgets a page: the oldest of a walk that no other walk has
// begun beside (the sitemaps', which nothing else reads), or else the
// oldest. The caller holds s.mu.
func (s *readStore) dropWalkPage() {
	i := slices.IndexFunc(s.walks, func(p *walkPage) bool { return s.walkStarts[p.walk] < 2 })
	if i < 0 {
		i = 0
	}
	s.walked -= s.walks[i].size
	s.walks = slices.Delete(s.walks, i, i+1)
}

// walkIncidents answers the incidents of a kept walk page's updates, which
// a download asks for right after the page, or reads and keeps them.
func (s *readStore) walkIncidents(ctx context.Context, ids []int64) (map[int64][]civicmon.Incident, error) {
	s.mu.Lock()
	p := s.walkOf(ids)
	if p != nil && p.incidents != nil {
		s.mu.Unlock()
		return p.incidents, nil // shared: the downloads only read the map and its slices
	}
	s.mu.Unlock()
	in, err := s.Store.IncidentsByUpdate(ctx, ids)
	if err != nil || p == nil {
		return in, err
	}
	size := 0
	for _, list := range in {
		size += 512 * len(list)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.incidents == nil && slices.Contains(s.walks, p) {
		p.incidents = in
		p.size += size
		s.walked += size
	}
	return in, nil
}

// walkOf is the kept walk page whose updates are ids, in order, or nil.
// The caller holds s.mu.
func (s *readStore) walkOf(ids []int64) *walkPage {
	if len(ids) == 0 {
		return nil
	}
	for _, p := range s.walks {
		if len(p.items) != len(ids) || p.items[0].ID != ids[0] || p.items[len(ids)-1].ID != ids[len(ids)-1] {
			continue
		}
		same := true
		for i := range ids {
			if p.items[i].ID != ids[i] {
				same = false
				break
			}
		}
		if same {
			return p
		}
	}
	return nil
}
