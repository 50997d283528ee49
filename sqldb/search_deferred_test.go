package sqldb_test

import (
	"sync"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/storetest"
)

// An import's updates are indexed after its commit chunk by chunk, each
// chunk analysed ahead of its transaction: an update a write changes
// between the two is indexed as it is after the write, not as it was
// read.
func TestIndexDeferredAfterAnEdit(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := db.Store()
			kazakhstan(t, s)
			us := bulkUpdates("def", 2500) // two chunks
			if err := s.InBulkTx(ctx, func(tx civicmon.Store) error { return tx.InsertUpdates(ctx, us) }); err != nil {
				t.Fatal(err)
			}
			edited, err := s.UpdateBySlug(ctx, "def-5")
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			chunks := 0
			db.SetAfterPrepare(func(first, upto int64) {
				mu.Lock()
				defer mu.Unlock()
				chunks++
				if edited.ID < first || edited.ID > upto {
					return
				}
				edited.Title = "Walrus spotted"
				if err := s.SaveUpdate(ctx, edited); err != nil {
					t.Error(err)
				}
			})
			n, err := s.IndexDeferred(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n != 2500 || chunks != 2 {
				t.Errorf("IndexDeferred indexed %d updates in %d chunks, want 2500 in 2", n, chunks)
			}
			var waiting int
			if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM search_deferred`).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting != 0 {
				t.Errorf("%d ranges still waiting", waiting)
			}
			db.SetSearchPostings(false) // the engine's index answers
			for q, want := range map[string]int{"walrus": 1, "bulk": 2499} {
				res, err := s.SearchUpdates(ctx, civicmon.SearchQuery{Text: q, NoFacets: true})
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != want {
					t.Errorf("%q: %d updates, want %d", q, res.Total, want)
				}
			}
		})
	}
}
