package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/sqlite"
)

// BenchmarkImportSQLite imports an NDJSON export of CIVICMON_BENCH_UPDATES
// synthetic updates into a new SQLite file, as `civicmon import` does (one
// transaction), and reports updates/s. The export is made before the clock
// starts.
//
//	CIVICMON_BENCH_UPDATES=100000 go test -run '^$' -bench BenchmarkImportSQLite -benchtime 1x ./bench/
func BenchmarkImportSQLite(b *testing.B) {
	ctx := context.Background()
	n := benchUpdates(b)
	dir := b.TempDir()
	src, err := sqlite.Open(filepath.Join(dir, "src.db"))
	if err != nil {
		b.Fatal(err)
	}
	if err := src.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.LoadCountries(ctx, src.Store()); err != nil {
		b.Fatal(err)
	}
	if _, err := gen.Run(ctx, src.Store(), gen.Options{Updates: n, Seed: 3}); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, "export.ndjson")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := dataio.Export(ctx, src.Store(), f, dataio.ExportOptions{Format: dataio.NDJSON}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	src.Close()
	st, _ := os.Stat(file)

	var imported int
	var elapsed time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := range b.N {
		db, err := sqlite.Open(filepath.Join(dir, "dst-"+itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Migrate(ctx, nil); err != nil {
			b.Fatal(err)
		}
		in, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		rep, err := dataio.Import(ctx, db.Store(), []dataio.Input{{Name: "export.ndjson", R: in}}, dataio.ImportOptions{})
		elapsed += time.Since(start)
		b.StopTimer()
		in.Close()
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
		imported += rep.Updates.Created
	}
	b.ReportMetric(float64(imported)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(st.Size())/float64(imported), "bytes/update")
}

func itoa(i int) string { return string(rune('0' + i%10)) }
