// Package bench holds civicmon's benchmarks.
//
// The synthetic data generator, into a fresh SQLite file and alone:
//
//	go test -run '^$' -bench 'BenchmarkGen(SQLite|Only)$' -benchtime 1x ./bench/
//
// generates CIVICMON_BENCH_UPDATES updates (default 100,000) per iteration;
// bench/gen.sh runs it for 1,000,000.
package bench

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
)

// UpdatesEnv sets how many updates each iteration of the generator
// benchmarks makes.
const UpdatesEnv = "CIVICMON_BENCH_UPDATES"

func benchUpdates(b *testing.B) int {
	s := os.Getenv(UpdatesEnv)
	if s == "" {
		return 100_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number of updates", UpdatesEnv, s)
	}
	return n
}

// BenchmarkGenSQLite stores synthetic updates into a new SQLite file, the
// way `civicmon gen` does: generation pipelined with InsertUpdates, one
// transaction per batch of gen.DefaultBatchSize. The countries are loaded
// before the clock starts; the final checkpoint into the database file is
// timed.
func BenchmarkGenSQLite(b *testing.B) {
	ctx := context.Background()
	n := benchUpdates(b)
	var (
		total               gen.Stats
		dbBytes, walBytes   int64
		incidentsPerUpdate  float64
		elapsedPerIteration time.Duration
	)
	b.StopTimer()
	for i := range b.N {
		path := filepath.Join(b.TempDir(), "gen-"+strconv.Itoa(i)+".db")
		db := newBenchDB(b, ctx, path, true)
		b.StartTimer()
		st, err := gen.Run(ctx, db.Store(), gen.Options{Updates: n, Seed: uint64(i + 1)})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		total.Updates += st.Updates
		total.Incidents += st.Incidents
		total.Elapsed += st.Elapsed
		dbBytes += fileSize(path)
		walBytes += fileSize(path + "-wal")
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		os.Remove(path)
		os.Remove(path + "-wal")
	}
	incidentsPerUpdate = float64(total.Incidents) / float64(total.Updates)
	elapsedPerIteration = total.Elapsed / time.Duration(b.N)
	b.ReportMetric(total.Rate(), "updates/s")
	b.ReportMetric(elapsedPerIteration.Seconds(), "s/run")
	b.ReportMetric(float64(dbBytes)/float64(b.N)/1e6, "MB-db")
	b.ReportMetric(float64(walBytes)/float64(b.N)/1e6, "MB-wal")
	b.ReportMetric(float64(dbBytes)/float64(total.Updates), "B/update")
	b.ReportMetric(incidentsPerUpdate, "incidents/update")
	b.Logf("%d updates per run: %s", n, total)
}

// BenchmarkGenOnly is the baseline: the same updates made by one generator,
// as Run's generator goroutine makes them, stored nowhere.
func BenchmarkGenOnly(b *testing.B) {
	n := benchUpdates(b)
	countries, err := demo.Countries()
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]civicmon.Update, gen.DefaultBatchSize)
	var textBytes int64
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		g := gen.NewGenerator(uint64(i+1), n, countries)
		for k := 1; k <= n; k++ {
			u := &batch[k%len(batch)]
			g.Update(k, u)
			textBytes += int64(len(u.Title) + len(u.Summary) + len(u.Body))
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/run")
	b.ReportMetric(float64(textBytes)/float64(n*b.N), "text-B/update")
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
