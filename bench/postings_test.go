package bench

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/sqlite"
)

// BenchmarkPostingsBuildSQLite builds the search's postings from every
// update of the database of BenchmarkSearchSQLite (CIVICMON_BENCH_SEARCH_DB,
// made when missing), as the first flush after a migration or a reindex
// does, and reports updates per second.
func BenchmarkPostingsBuildSQLite(b *testing.B) {
	path := os.Getenv(SearchDBEnv)
	if path == "" {
		b.Skipf("set %s to a database made by BenchmarkSearchSQLite", SearchDBEnv)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	prepareSearchDB(b, db, benchUpdates(b))
	runPostingsBuild(b, db)
}

// BenchmarkPostingsBuildPostgres is BenchmarkPostingsBuildSQLite on the
// PostgreSQL database of BenchmarkSearchPostgres (CIVICMON_BENCH_PG_DSN).
func BenchmarkPostingsBuildPostgres(b *testing.B) {
	runPostingsBuild(b, openSearchPostgres(b))
}

func runPostingsBuild(b *testing.B, db *sqldb.DB) {
	ctx := context.Background()
	s := db.Store()
	_, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		// Another format's postings are emptied and built again.
		if _, err := db.WriteDB().ExecContext(ctx, `UPDATE search_state SET postings_version = 0`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := s.FlushPostings(ctx, nil); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(total)/time.Since(start).Seconds(), "updates/s")
	}
}
