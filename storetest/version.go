package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

// wantStale checks that err is the refusal of a save from an older
// version: a *StaleError whose code is ECONFLICT.
func wantStale(t *testing.T, err error) {
	t.Helper()
	var se *civicmon.StaleError
	if !errors.As(err, &se) || civicmon.ErrorCode(err) != civicmon.ECONFLICT {
		t.Fatalf("err = %v (%T); want a *StaleError with code %s", err, err, civicmon.ECONFLICT)
	}
}

// race runs the saves at once and returns their errors.
func race(saves ...func() error) []error {
	errs := make([]error, len(saves))
	var start, done sync.WaitGroup
	start.Add(1)
	for i, save := range saves {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = save()
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// oneWins checks that exactly one of the errors is nil and the others are
// *StaleError.
func oneWins(t *testing.T, errs []error) {
	t.Helper()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantStale(t, err)
	}
	if won != 1 {
		t.Fatalf("%d of %d saves of one version won (%v); want exactly one", won, len(errs), errs)
	}
}

func testUpdateVersions(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	u := sampleUpdate()
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if u.Version != 1 {
		t.Fatalf("created update's version = %d, want 1", u.Version)
	}
	tabA, _ := s.UpdateByID(ctx, u.ID)
	tabB, _ := s.UpdateByID(ctx, u.ID)
	tabA.Summary = "A colleague's new summary"
	if err := s.SaveUpdate(ctx, tabA); err != nil {
		t.Fatal(err)
	}
	if tabA.Version != 2 {
		t.Fatalf("saved update's version = %d, want 2", tabA.Version)
	}
	// The older tab's save would put the old summary back: refused, and
	// nothing of it stored.
	tabB.Title = "A title change from an older tab"
	err := s.SaveUpdate(ctx, tabB)
	wantStale(t, err)
	var se *civicmon.StaleError
	errors.As(err, &se)
	if se.Entity != "update" || se.Version != 1 || se.Stored != 2 {
		t.Fatalf("stale error = %+v; want update at 2, saved from 1", se)
	}
	got, _ := s.UpdateByID(ctx, u.ID)
	if got.Version != 2 || got.Summary != "A colleague's new summary" || got.Title == tabB.Title {
		t.Fatalf("after a refused save: version %d, %q, %q", got.Version, got.Title, got.Summary)
	}
	if revs, _ := s.Revisions(ctx, "update", u.ID); len(revs) != 2 {
		t.Fatalf("%d revisions after one create, one save and one refused save; want 2", len(revs))
	}
	// No version at all is older than any.
	blind := *got
	blind.Version = 0
	wantStale(t, s.SaveUpdate(ctx, &blind))

	// Two saves of one version at once: one wins, the other is refused,
	// however their statements interleave (rounds, for the interleavings).
	for round := 0; round < 8; round++ {
		cur, _ := s.UpdateByID(ctx, u.ID)
		a, b := *cur, *cur
		a.Title, b.Title = "Racer A", "Racer B"
		oneWins(t, race(func() error { return s.SaveUpdate(ctx, &a) }, func() error { return s.SaveUpdate(ctx, &b) }))
		after, _ := s.UpdateByID(ctx, u.ID)
		if after.Version != cur.Version+1 || (after.Title != "Racer A" && after.Title != "Racer B") {
			t.Fatalf("round %d: version %d → %d, title %q", round, cur.Version, after.Version, after.Title)
		}
	}

	// A save whose transaction has written but not committed: the other
	// save of the same version waits for it (PostgreSQL: on the row, after
	// its own read of the version passed; SQLite: for the write lock) and
	// is then refused by the conditional UPDATE or its read.
	cur, _ := s.UpdateByID(ctx, u.ID)
	first, second := *cur, *cur
	first.Title, second.Title = "First", "Second"
	written := make(chan struct{})
	var firstErr, secondErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		firstErr = s.InTx(ctx, func(tx civicmon.Store) error {
			if err := tx.SaveUpdate(ctx, &first); err != nil {
				return err
			}
			close(written)
			// Long enough for the other save to reach its UPDATE; the
			// outcome is the same if it has not.
			time.Sleep(150 * time.Millisecond)
			return nil
		})
	}()
	go func() {
		defer wg.Done()
		<-written
		secondErr = s.SaveUpdate(ctx, &second)
	}()
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	wantStale(t, secondErr)
	if got, _ := s.UpdateByID(ctx, u.ID); got.Title != "First" || got.Version != cur.Version+1 {
		t.Fatalf("after the waiting save: %q at version %d", got.Title, got.Version)
	}
}

func testWatchlistVersions(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	w := civicmon.WatchlistEdition{PublishedOn: civicmon.MustDate("2024-03-01"), Title: "March 2024",
		Entries: []civicmon.WatchlistEntry{{CountryCode: "KZ", Narrative: "n"}}}
	if err := s.CreateWatchlistEdition(ctx, &w); err != nil {
		t.Fatal(err)
	}
	if w.Version != 1 {
		t.Fatalf("created edition's version = %d", w.Version)
	}
	eds, _ := s.WatchlistEditions(ctx)
	if eds[0].Version != 1 {
		t.Fatalf("listed edition's version = %d", eds[0].Version)
	}
	a, b := eds[0], eds[0]
	a.Title = "March 2024 (A)"
	if err := s.SaveWatchlistEdition(ctx, &a); err != nil || a.Version != 2 {
		t.Fatalf("save: %v, version %d", err, a.Version)
	}
	b.Entries = nil
	wantStale(t, s.SaveWatchlistEdition(ctx, &b))
	if eds, _ = s.WatchlistEditions(ctx); eds[0].Version != 2 || len(eds[0].Entries) != 1 || eds[0].Title != "March 2024 (A)" {
		t.Fatalf("after a refused save: %+v", eds[0])
	}
	for round := 0; round < 4; round++ {
		eds, _ = s.WatchlistEditions(ctx)
		x, y := eds[0], eds[0]
		x.Title, y.Title = "X", "Y"
		oneWins(t, race(func() error { return s.SaveWatchlistEdition(ctx, &x) }, func() error { return s.SaveWatchlistEdition(ctx, &y) }))
	}
}

func testSettingVersions(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	if v, n, err := s.SettingVersion(ctx, "k"); err != nil || v != "" || n != 0 {
		t.Fatalf("unset: %q %d %v", v, n, err)
	}
	n, err := s.SetSettingAt(ctx, "k", "editor", 0)
	if err != nil || n != 1 {
		t.Fatalf("first set: %d %v", n, err)
	}
	// Another form opened before the setting existed.
	_, err = s.SetSettingAt(ctx, "k", "admin", 0)
	wantStale(t, err)
	if n, err = s.SetSettingAt(ctx, "k", "admin", 1); err != nil || n != 2 {
		t.Fatalf("second set: %d %v", n, err)
	}
	_, err = s.SetSettingAt(ctx, "k", "researcher", 1)
	wantStale(t, err)
	if v, n, _ := s.SettingVersion(ctx, "k"); v != "admin" || n != 2 {
		t.Fatalf("after a refused set: %q at %d", v, n)
	}
	// SetSetting, for values the program keeps, moves the version too.
	if err := s.SetSetting(ctx, "k", "editor"); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := s.SettingVersion(ctx, "k"); n != 3 {
		t.Fatalf("after SetSetting: version %d, want 3", n)
	}
	oneWins(t, race(func() error { _, err := s.SetSettingAt(ctx, "k", "a", 3); return err },
		func() error { _, err := s.SetSettingAt(ctx, "k", "b", 3); return err }))
	oneWins(t, race(func() error { _, err := s.SetSettingAt(ctx, "new", "a", 0); return err },
		func() error { _, err := s.SetSettingAt(ctx, "new", "b", 0); return err }))
}

func testProposalVersions(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	researcher := createUser(t, s, "r@example.org", civicmon.RoleResearcher)
	editor := createUser(t, s, "e@example.org", civicmon.RoleEditor)
	p := civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2024-01-01"), Category: civicmon.Repressed,
		Rationale: "why", ProposedBy: researcher.ID}
	if err := s.ProposeRating(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != 1 {
		t.Fatalf("proposal's version = %d", p.Version)
	}
	if _, err := s.ApproveRatingProposal(ctx, p.ID, editor.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.RatingProposal(ctx, p.ID); got.Version != 2 {
		t.Fatalf("decided proposal's version = %d, want 2", got.Version)
	}
}
