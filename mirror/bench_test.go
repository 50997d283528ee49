package mirror

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/storetest"
)

func BenchmarkExportDemo(b *testing.B) {
	db := storetest.SQLite.Open(b)
	if _, err := demo.Load(context.Background(), db.Store()); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		dir := filepath.Join(b.TempDir(), "m")
		if _, err := Export(context.Background(), db.Store(), dir, Options{BaseURL: "https://m.example.org", Unsigned: true}); err != nil {
			b.Fatal(err)
		}
	}
}
