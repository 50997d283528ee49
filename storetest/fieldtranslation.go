package storetest

import (
	"errors"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

// testFieldTranslations: a translation is stored, replaced (text and
// status), listed in order and deleted; a bad one is refused, naming its
// fields, and changes nothing.
func testFieldTranslations(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	title := civicmon.FieldTranslation{Kind: civicmon.FieldWatchlistTitle, Record: "2019-10-01", Lang: "ru", Text: "Черный список", Status: civicmon.TranslationMachine}
	term := civicmon.FieldTranslation{Kind: civicmon.FieldViolation, Record: "censorship", Lang: "fr", Text: "Censure", Status: civicmon.TranslationReviewed}
	for _, f := range []*civicmon.FieldTranslation{&title, &term} {
		if err := s.SaveFieldTranslation(ctx, f); err != nil {
			t.Fatal(err)
		}
		if f.Version != 1 {
			t.Fatalf("a new translation is at version %d, want 1", f.Version)
		}
	}
	title.Text, title.Status = "Список наблюдения", civicmon.TranslationReviewed
	if err := s.SaveFieldTranslation(ctx, &title); err != nil {
		t.Fatal(err)
	}
	got, err := s.FieldTranslations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != term || got[1] != title {
		t.Fatalf("translations = %+v, want %+v and %+v in order", got, term, title)
	}
	bad := civicmon.FieldTranslation{Kind: "nope", Record: "", Lang: "Russian", Text: " ", Status: "draft"}
	err = s.SaveFieldTranslation(ctx, &bad)
	wantCode(t, err, civicmon.EINVALID)
	for _, field := range []string{"translation.kind", "translation.record", "translation.lang", "translation.text", "translation.status"} {
		wantFieldError(t, err, field, "")
	}
	if err := s.DeleteFieldTranslation(ctx, term.Kind, term.Record, term.Lang, term.Version); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFieldTranslation(ctx, term.Kind, term.Record, term.Lang, term.Version); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	if got, _ := s.FieldTranslations(ctx); len(got) != 1 || got[0] != title {
		t.Fatalf("after delete: %+v", got)
	}
	// In a transaction that fails, a save is undone.
	err = s.InTx(ctx, func(tx civicmon.Store) error {
		f := term
		f.Version = 0
		if err := tx.SaveFieldTranslation(ctx, &f); err != nil {
			return err
		}
		return civicmon.Errorf(civicmon.ECONFLICT, "roll back")
	})
	if err == nil {
		t.Fatal("the transaction did not fail")
	}
	if got, _ := s.FieldTranslations(ctx); len(got) != 1 {
		t.Fatalf("a rolled-back save stayed: %+v", got)
	}
}

// testFieldTranslationVersions: a translation's save and removal name the
// version they were made from; one made from an older version — or a
// "new" one when another was stored meanwhile — is refused with a
// *StaleError and changes nothing; of two saves of one version exactly
// one wins.
func testFieldTranslationVersions(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	mine := civicmon.FieldTranslation{Kind: civicmon.FieldTarget, Record: "journalists", Lang: "es", Text: "Periodistas", Status: civicmon.TranslationMachine}
	if err := s.SaveFieldTranslation(ctx, &mine); err != nil {
		t.Fatal(err)
	}
	// Another person, who opened the list before it was stored, adds it too.
	other := mine
	other.Version, other.Text = 0, "Prensa"
	wantStale(t, s.SaveFieldTranslation(ctx, &other))
	stored := func() civicmon.FieldTranslation {
		t.Helper()
		all, err := s.FieldTranslations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range all {
			if f.Kind == mine.Kind && f.Record == mine.Record && f.Lang == mine.Lang {
				return f
			}
		}
		return civicmon.FieldTranslation{}
	}
	if got := stored(); got != mine {
		t.Fatalf("after a refused save: %+v, want %+v", got, mine)
	}
	// Both open version 1; the first to save wins, the second is refused.
	a, b := mine, mine
	a.Text, a.Status = "Periodistas y reporteros", civicmon.TranslationReviewed
	b.Text = "Los periodistas"
	if err := s.SaveFieldTranslation(ctx, &a); err != nil || a.Version != 2 {
		t.Fatalf("save at version 1: %v, now at %d", err, a.Version)
	}
	err := s.SaveFieldTranslation(ctx, &b)
	wantStale(t, err)
	var se *civicmon.StaleError
	if errors.As(err, &se); se.Stored != 2 || se.Version != 1 || b.Version != 1 {
		t.Fatalf("stale save: %+v, b at version %d", se, b.Version)
	}
	// A removal from version 1 would drop a's text: refused too.
	wantStale(t, s.DeleteFieldTranslation(ctx, mine.Kind, mine.Record, mine.Lang, 1))
	if got := stored(); got != a {
		t.Fatalf("after refused saves and removal: %+v, want %+v", got, a)
	}
	// Two saves of one version at once: exactly one wins.
	c, d := a, a
	c.Text, d.Text = "C", "D"
	oneWins(t, race(func() error { return s.SaveFieldTranslation(ctx, &c) }, func() error { return s.SaveFieldTranslation(ctx, &d) }))
	if got := stored(); got.Version != 3 || (got.Text != "C" && got.Text != "D") {
		t.Fatalf("after the race: %+v", got)
	}
	// Removing at the stored version removes it.
	if err := s.DeleteFieldTranslation(ctx, mine.Kind, mine.Record, mine.Lang, 3); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got.Version != 0 {
		t.Fatalf("after removal: %+v", got)
	}
}
