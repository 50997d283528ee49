package storetest

import (
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
	for _, f := range []civicmon.FieldTranslation{title, term} {
		if err := s.SaveFieldTranslation(ctx, &f); err != nil {
			t.Fatal(err)
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
	if err := s.DeleteFieldTranslation(ctx, term.Kind, term.Record, term.Lang); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFieldTranslation(ctx, term.Kind, term.Record, term.Lang); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	if got, _ := s.FieldTranslations(ctx); len(got) != 1 || got[0] != title {
		t.Fatalf("after delete: %+v", got)
	}
	// In a transaction that fails, a save is undone.
	err = s.InTx(ctx, func(tx civicmon.Store) error {
		f := term
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
