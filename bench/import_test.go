package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/sqlite"
)

// Environment of BenchmarkImportSQLite.
const (
	// ImportFileEnv names an NDJSON export to import instead of making one;
	// when the file does not exist, the benchmark makes it there and keeps
	// it for the next run.
	ImportFileEnv = "CIVICMON_BENCH_IMPORT_FILE"
	// ImportProfileEnv names a file for a CPU profile of the timed imports
	// alone (go test -cpuprofile would also profile making the export).
	ImportProfileEnv = "CIVICMON_BENCH_IMPORT_PROFILE"
)

// BenchmarkImportSQLite imports an NDJSON export of CIVICMON_BENCH_UPDATES
// synthetic updates into a new SQLite file, as `civicmon import` does (one
// transaction), and reports updates/s. The export is made before the clock
// starts.
//
//	CIVICMON_BENCH_UPDATES=100000 go test -run '^$' -bench BenchmarkImportSQLite -benchtime 1x ./bench/
func BenchmarkImportSQLite(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	file := os.Getenv(ImportFileEnv)
	if file == "" {
		file = filepath.Join(dir, "export.ndjson")
	}
	if _, err := os.Stat(file); err != nil {
		makeImportFile(b, ctx, file, benchUpdates(b))
	}
	st, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	if p := os.Getenv(ImportProfileEnv); p != "" {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	var imported, limitRows int
	var elapsed, cpu, limit time.Duration
	limitOK := true
	var written int64
	var indexing time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := range b.N {
		path := filepath.Join(dir, "dst-"+strconv.Itoa(i)+".db")
		db := newBenchDB(b, ctx, path, false)
		before := rowCounts(b, path)
		in, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0, w0 := time.Now(), cpuTime(), bytesWritten()
		rep, err := dataio.Import(ctx, db.Store(), []dataio.Input{{Name: "export.ndjson", R: in}}, dataio.ImportOptions{})
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		written += bytesWritten() - w0
		b.StopTimer()
		in.Close()
		if err != nil {
			b.Fatal(err)
		}
		indexing += indexAfterImport(b, ctx, db, rep.Updates.Created)
		db.Close()
		imported += rep.Updates.Created
		d, rows, ok := sqlite3Limit(b, path, before)
		limit, limitRows, limitOK = limit+d, limitRows+rows, limitOK && ok
	}
	rate := float64(imported) / elapsed.Seconds()
	b.ReportMetric(rate, "updates/s")
	if limitOK {
		limitRate := float64(imported) / limit.Seconds()
		b.ReportMetric(limitRate, "limit-updates/s")
		b.ReportMetric(float64(limitRows)/float64(imported), "limit-rows/update")
		b.ReportMetric(rate/limitRate, "of-limit")
	}
	b.ReportMetric(float64(imported)/indexing.Seconds(), "indexed-after-updates/s")
	b.ReportMetric(float64(st.Size())/float64(imported)*float64(b.N), "bytes/update")
	// CPU time of the process (all goroutines) per update: on a shared
	// machine, steadier than the wall clock.
	b.ReportMetric(float64(cpu.Microseconds())/float64(imported), "cpu-µs/update")
	// Bytes the process handed to write(2) and pwrite(2) per update: the
	// log, the checkpoint into the database file.
	if written > 0 {
		b.ReportMetric(float64(written)/float64(imported), "written-B/update")
	}
}

// bytesWritten is what the process has written so far (wchar in
// /proc/self/io), or 0 where that is not known.
func bytesWritten() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// makeImportFile writes an NDJSON export of n synthetic updates (seed 3)
// with the demo countries to file.
func makeImportFile(b *testing.B, ctx context.Context, file string, n int) {
	src, err := sqlite.Open(filepath.Join(b.TempDir(), "src.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if err := src.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.LoadCountries(ctx, src.Store()); err != nil {
		b.Fatal(err)
	}
	if _, err := gen.Run(ctx, src.Store(), gen.Options{Updates: n, Seed: 3}); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := dataio.Export(ctx, src.Store(), f, dataio.ExportOptions{Format: dataio.NDJSON}); err != nil {
		f.Close()
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkImportDossierSQLite imports a country-page text dossier of
// CIVICMON_BENCH_UPDATES dated updates (the "Latest Developments" form:
// a date line, a title, a summary), as `civicmon import` does, into a new
// SQLite database with the demo countries. Titles and summaries are the
// synthetic updates' (seed 3). Dated updates are published, so each is
// indexed for search in the same transaction.
func BenchmarkImportDossierSQLite(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	n := benchUpdates(b)
	countries, err := demo.Countries()
	if err != nil {
		b.Fatal(err)
	}
	var kz civicmon.Country
	for _, c := range countries {
		if c.Code == "KZ" {
			kz = c
		}
	}
	g := gen.NewGenerator(3, n, []civicmon.Country{kz})
	var text strings.Builder
	text.WriteString("Kazakhstan\n")
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var u civicmon.Update
	for i := range n {
		g.Update(i, &u)
		d := day.AddDate(0, 0, -i/8) // eight a day, newest first
		fmt.Fprintf(&text, "\n%s %d.%d.%d Kazakhstan - Latest Developments -\n\n%s (%d)\n\n%s Read more\n",
			d.Weekday(), d.Day(), int(d.Month()), d.Year(), u.Title, i, u.Summary)
	}
	file := []byte(text.String())
	var imported, limitRows int
	var elapsed, cpu, limit, indexing, gap time.Duration
	limitOK := true
	b.ResetTimer()
	b.StopTimer()
	for i := range b.N {
		path := filepath.Join(dir, "dst-"+strconv.Itoa(i)+".db")
		db := newBenchDB(b, ctx, path, true)
		before := rowCounts(b, path)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		rep, err := dataio.Import(ctx, db.Store(), []dataio.Input{{Name: "kazakhstan.txt", R: bytes.NewReader(file)}}, dataio.ImportOptions{})
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Updates.Created != n {
			b.Fatalf("imported %d updates of %d", rep.Updates.Created, n)
		}
		gap += searchBeforeIndexing(b, ctx, db)
		indexing += indexAfterImport(b, ctx, db, n)
		db.Close()
		imported += rep.Updates.Created
		// The same rows by the sqlite3 tool into tables without indexes,
		// in the same run: the limit the import is measured against.
		d, rows, ok := sqlite3Limit(b, path, before)
		limit, limitRows, limitOK = limit+d, limitRows+rows, limitOK && ok
	}
	rate := float64(imported) / elapsed.Seconds()
	b.ReportMetric(rate, "updates/s")
	b.ReportMetric(float64(imported)/indexing.Seconds(), "indexed-after-updates/s")
	b.ReportMetric(float64(gap.Milliseconds())/float64(b.N), "ms-engine-search-before")
	b.ReportMetric(float64(len(file))/float64(n), "bytes/update")
	b.ReportMetric(float64(cpu.Microseconds())/float64(imported), "cpu-µs/update")
	if limitOK {
		limitRate := float64(imported) / limit.Seconds()
		b.ReportMetric(limitRate, "limit-updates/s")
		b.ReportMetric(float64(limitRows)/float64(imported), "limit-rows/update")
		b.ReportMetric(rate/limitRate, "of-limit")
	}
}

// newBenchDB makes a new SQLite database at path with the current schema,
// and with the demo countries when asked.
func newBenchDB(b *testing.B, ctx context.Context, path string, countries bool) *sqldb.DB {
	db, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	if countries {
		if _, err := demo.LoadCountries(ctx, db.Store()); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// indexAfterImport puts the imported updates into the engine's full-text
// index, as `civicmon import` does once the import has committed (or the
// server's flush), and returns how long that took: the import's own speed
// leaves it out, the report gives it beside.
func indexAfterImport(b *testing.B, ctx context.Context, db *sqldb.DB, published int) time.Duration {
	start := time.Now()
	n, err := db.Store().IndexDeferred(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	if n != published {
		b.Fatalf("%d updates indexed after the import, want %d: the import did not leave them to after its commit", n, published)
	}
	return time.Since(start)
}

// searchBeforeIndexing times a search asked of the engine's index (as
// when the postings are behind) between the import's commit and the
// indexing after it: the engine answers for the imported updates by
// analysing them.
func searchBeforeIndexing(b *testing.B, ctx context.Context, db *sqldb.DB) time.Duration {
	db.SetSearchPostings(false)
	defer db.SetSearchPostings(true)
	start := time.Now()
	res, err := db.Store().SearchUpdates(ctx, civicmon.SearchQuery{Text: "police"})
	if err != nil {
		b.Fatal(err)
	}
	if res.Total == 0 {
		b.Fatal("the search before indexing found nothing")
	}
	return time.Since(start)
}
