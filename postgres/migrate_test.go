package postgres_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/postgres"
	"github.com/civicmon/civicmon/storetest"
)

// TestNarrowSearchRows: version 10 copies update_search into a table whose
// vectors are stored out of line, and searches find what they found
// before. The migration is run again over a table with rows, as it runs on
// a database of version 9.
func TestNarrowSearchRows(t *testing.T) {
	ctx := context.Background()
	db := storetest.Postgres.Open(t)
	s := db.Store()
	if err := s.PutCountry(ctx, &civicmon.Country{Code: "KZ", Code3: "KAZ", Name: "Kazakhstan", Slug: "kazakhstan", Region: civicmon.RegionEuropeCentralAsia}); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Journalists detained in Almaty", "Қазақстан: internet shutdown", "Draft about journalists"} {
		u := civicmon.Update{CountryCode: "KZ", Title: title, Summary: "A summary long enough to leave the row when it is stored out of line, " +
			"as every vector of this table is.", Body: "Body text about journalists and protests.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-11-01")}
		if title == "Draft about journalists" {
			u.Status, u.PublishedOn = civicmon.StatusDraft, civicmon.Date{}
		}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string) int {
		t.Helper()
		res, err := s.SearchUpdates(ctx, civicmon.SearchQuery{Text: q, Limit: 10})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return res.Total
	}
	before := []int{count("journalists"), count("қазақстан"), count(`"internet shutdown"`)}
	if before[0] != 2 || before[1] != 1 || before[2] != 1 {
		t.Fatalf("before: %v, want [2 1 1]", before)
	}

	migration, err := fs.ReadFile(postgres.Dialect.Migrations, "0010_narrow_search_rows.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.WriteDB().ExecContext(ctx, string(migration)); err != nil {
		t.Fatalf("migration 10 over rows: %v", err)
	}
	var rows int
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM update_search`).Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("update_search holds %d rows, %v; want the 2 published updates", rows, err)
	}
	var external int
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_attribute
		WHERE attrelid = 'update_search'::regclass AND attname IN ('doc', 'title', 'summary') AND attstorage = 'e'`).Scan(&external); err != nil || external != 3 {
		t.Fatalf("%d of the 3 vectors are stored out of line, uncompressed (%v)", external, err)
	}
	var options string
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT array_to_string(reloptions, ',') FROM pg_class
		WHERE oid = 'update_search'::regclass`).Scan(&options); err != nil || options != "toast_tuple_target=128" {
		t.Fatalf("update_search options %q, %v", options, err)
	}
	// The old table's indexes and constraints went with it; the new ones
	// have the old names, and deleting an update still removes its row.
	var indexes int
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'update_search'
		AND indexname IN ('update_search_pkey', 'update_search_doc', 'update_search_title', 'update_search_summary')
		AND schemaname = current_schema()`).Scan(&indexes); err != nil || indexes != 4 {
		t.Fatalf("%d of update_search's 4 indexes, %v", indexes, err)
	}
	after := []int{count("journalists"), count("қазақстан"), count(`"internet shutdown"`)}
	if after[0] != before[0] || after[1] != before[1] || after[2] != before[2] {
		t.Fatalf("after the migration: %v, before: %v", after, before)
	}
	if _, err := db.WriteDB().ExecContext(ctx, `DELETE FROM updates WHERE title = 'Journalists detained in Almaty'`); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM update_search`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("after deleting an update, update_search holds %d rows, %v; want 1", rows, err)
	}
}
