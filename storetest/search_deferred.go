package storetest

// An import leaves the engine's full-text index to after its commit
// (sqldb/search_deferred.go): searches asking the engine find its updates
// all the same — before the flush indexes them, after an edit, an
// unpublishing or a deletion of one of them, and after the flush — and
// the engine's index the flush fills holds what a write in step would
// have put there (an edit after it forgets exactly those rows).

import (
	"fmt"
	"slices"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

func deferredCount(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM search_deferred`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// engineHits is wantHits with the engine's index answering.
func engineHits(t *testing.T, db *sqldb.DB, q civicmon.SearchQuery, want ...string) {
	t.Helper()
	db.SetSearchPostings(false)
	defer db.SetSearchPostings(true)
	wantHits(t, db.Store(), q, want...)
}

func testSearchDeferred(t *testing.T, db *sqldb.DB) {
	s := langFixtureStore(t, db)
	st := db.Store()
	if err := st.FlushPostings(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var us []civicmon.Update
	for i := range 12 {
		u := civicmon.Update{Slug: fmt.Sprintf("imported-%d", i), CountryCode: "CL", Status: civicmon.StatusPublished, Language: "es",
			PublishedOn: civicmon.MustDate("2023-06-01").AddDays(i), Title: "Protest in Santiago", Summary: "Tear gas was fired at protesters.",
			Body: "The president spoke of order.", Freedoms: civicmon.NewFreedomSet(civicmon.Assembly)}
		switch i % 4 {
		case 0:
			u.Title = "President meets journalists"
		case 1:
			u.Body = "A zebra crossing was closed by the walruses."
		case 3:
			u.Status = civicmon.StatusDraft // not searchable, whatever the index
			u.Title = "Walrus sighted"
		}
		us = append(us, u)
	}
	err := st.InBulkTx(ctx, func(tx civicmon.Store) error { return tx.InsertUpdates(ctx, us) })
	if err != nil {
		t.Fatal(err)
	}
	if n := deferredCount(t, db); n != 1 {
		t.Fatalf("search_deferred holds %d ranges after an import, want 1: the import put its updates in the engine's index", n)
	}
	engineHits(t, db, text(`"zebra crossing"`), "imported-9", "imported-5", "imported-1")
	engineHits(t, db, text("walrus"), "imported-9", "imported-5", "imported-1")
	samePostingsAnswers(t, db, "imported, not yet in the engine's index")

	// Writes to the imported updates before the flush.
	byslug := func(slug string) *civicmon.Update {
		t.Helper()
		u, err := s.UpdateBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	edited := byslug("imported-5")
	edited.Body = "A narwhal crossing."
	if err := s.SaveUpdate(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUpdate(ctx, byslug("imported-9").ID); err != nil {
		t.Fatal(err)
	}
	unpublished := byslug("imported-0")
	unpublished.Status = civicmon.StatusDraft
	if err := s.SaveUpdate(ctx, unpublished); err != nil {
		t.Fatal(err)
	}
	// Edited twice: the first text must not stay behind in the index.
	twice := byslug("imported-6")
	for _, body := range []string{"An orca crossing.", "A seal crossing."} {
		twice.Body = body
		if err := s.SaveUpdate(ctx, twice); err != nil {
			t.Fatal(err)
		}
	}
	engineHits(t, db, text("walrus"), "imported-1")
	engineHits(t, db, text("narwhal"), "imported-5")
	engineHits(t, db, text("orca"))
	engineHits(t, db, text("narwhl"), "imported-5") // a typo of a word only they hold
	// The workspace's archive, which finds drafts too, asks the engine
	// the same way.
	db.SetSearchPostings(false)
	found, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Text: "walrus", Limit: 10})
	db.SetSearchPostings(true)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, u := range found {
		slugs = append(slugs, u.Slug)
	}
	slices.Sort(slugs)
	// imported-1 published; imported-3, -7, -11 drafts titled "Walrus
	// sighted"; imported-5 and -9 no longer hold it.
	if want := []string{"imported-1", "imported-11", "imported-3", "imported-7"}; total != 4 || !slices.Equal(slugs, want) {
		t.Errorf("the archive's search for walrus while waiting: %q (%d), want %q", slugs, total, want)
	}
	samePostingsAnswers(t, db, "imported, edited, not yet in the engine's index")

	n, err := st.IndexDeferred(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 12 imported, 3 drafts, one deleted, one unpublished.
	if n != 7 {
		t.Errorf("IndexDeferred indexed %d updates, want 7", n)
	}
	if n := deferredCount(t, db); n != 0 {
		t.Errorf("search_deferred holds %d ranges after IndexDeferred, want none", n)
	}
	engineHits(t, db, text("narwhal"), "imported-5")
	engineHits(t, db, text("orca"))
	engineHits(t, db, text("seal"), "imported-6")
	samePostingsAnswers(t, db, "imported, then indexed")

	// The rows the flush wrote are forgotten exactly when the updates
	// change again (FTS5 forgets only the tokens it was given).
	edited = byslug("imported-5")
	edited.Body = "A walrus crossing."
	if err := s.SaveUpdate(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUpdate(ctx, byslug("imported-2").ID); err != nil {
		t.Fatal(err)
	}
	engineHits(t, db, text("narwhal"))
	engineHits(t, db, text("walrus"), "imported-5", "imported-1")
	samePostingsAnswers(t, db, "indexed, then edited")
	if n, err := st.IndexDeferred(ctx, nil); err != nil || n != 0 {
		t.Errorf("IndexDeferred with nothing waiting: %d, %v", n, err)
	}

	// A second import, left to the server's flush, and a reindex before
	// it: the reindex indexes every published update, and nothing is left
	// waiting.
	more := []civicmon.Update{{Slug: "imported-late", CountryCode: "CL", Status: civicmon.StatusPublished, Language: "en",
		PublishedOn: civicmon.MustDate("2023-09-01"), Title: "Walrus again", Summary: "Summary.", Body: "Body."}}
	if err := st.InBulkTx(ctx, func(tx civicmon.Store) error { return tx.InsertUpdates(ctx, more) }); err != nil {
		t.Fatal(err)
	}
	engineHits(t, db, text("walrus"), "imported-late", "imported-5", "imported-1")
	// An index of another normaliser (an upgrade; searches say to
	// reindex) is left alone, and the import waits.
	if _, err := db.WriteDB().ExecContext(ctx, `UPDATE search_state SET normalizer = normalizer + 1000`); err != nil {
		t.Fatal(err)
	}
	if n, err := st.IndexDeferred(ctx, nil); err != nil || n != 0 || deferredCount(t, db) != 1 {
		t.Errorf("IndexDeferred on an index of another normaliser: %d indexed, %v; %d ranges waiting, want 1", n, err, deferredCount(t, db))
	}
	if _, err := db.WriteDB().ExecContext(ctx, `UPDATE search_state SET normalizer = normalizer - 1000`); err != nil {
		t.Fatal(err)
	}
	if err := st.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := deferredCount(t, db); n != 0 {
		t.Errorf("search_deferred holds %d ranges after a reindex, want none", n)
	}
	if err := st.FlushPostings(ctx, nil); err != nil {
		t.Fatal(err)
	}
	engineHits(t, db, text("walrus"), "imported-late", "imported-5", "imported-1")
	samePostingsAnswers(t, db, "imported again, reindexed")
}
