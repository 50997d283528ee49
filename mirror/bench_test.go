package mirror

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/storetest"
)

func BenchmarkExportDemo(b *testing.B) {
	db := storetest.SQLite.Open(b)
	if _, err := demo.Load(context.Background(), db.Store()); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		dir := filepath.Join(b.TempDir(), "m")
		if _, err := Export(context.Background(), db.Store(), dir, Options{BaseURL: "https://m.example.org", Unsigned: true, Langs: benchLangs}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExportGen(b *testing.B) {
	db := storetest.SQLite.Open(b)
	ctx := context.Background()
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		b.Fatal(err)
	}
	if _, err := gen.Run(ctx, db.Store(), gen.Options{Updates: 2000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "m")
		if _, err := Export(ctx, db.Store(), dir, Options{BaseURL: "https://m.example.org", Unsigned: true, Langs: benchLangs}); err != nil {
			b.Fatal(err)
		}
	}
}

var benchLangs = []i18n.Lang{i18n.English}
