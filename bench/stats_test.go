package bench

// Statistics benchmarks: /statistics rendered through the server's handler
// with the page cache off, for a fixed set of filters, beside the same
// counts done by plain SQL (storetest.SQLCounts: one GROUP BY per
// dimension) in the same run, on a database that `civicmon gen` makes.
//
//	go test -run '^$' -bench 'BenchmarkStatistics(SQLite|Postgres)$' -benchtime 1x -timeout 2h ./bench/
//
// CIVICMON_BENCH_UPDATES sets the size (default 100,000);
// CIVICMON_BENCH_STATS_DB names a SQLite file to keep between runs (made
// when missing). PostgreSQL runs when CIVICMON_TEST_POSTGRES is set. Each
// of CIVICMON_BENCH_ROUNDS rounds (default 6) asks every filter once; the
// metrics are the median and p99 over every request after the first round.
// The SQL counts, which take seconds, are timed in the second round only.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/sqlite"
	"github.com/civicmon/civicmon/stats"
	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/web"
)

// statsFilters are the pages asked: the whole record, a year, a region, a
// country, a freedom, and combinations.
var statsFilters = []struct {
	query string
	f     stats.Filter
}{
	{"", stats.Filter{}},
	{"year=2022", stats.Filter{Year: 2022}},
	{"region=africa", stats.Filter{Region: civicmon.RegionAfrica}},
	{"country=KZ", stats.Filter{Country: "KZ"}},
	{"freedom=expression", stats.Filter{Freedom: civicmon.Expression}},
	{"year=2021&region=asia-pacific&freedom=peaceful-assembly", stats.Filter{Year: 2021, Region: civicmon.RegionAsiaPacific, Freedom: civicmon.Assembly}},
	{"year=2023&country=IN", stats.Filter{Year: 2023, Country: "IN"}},
	{"region=europe-central-asia&freedom=association", stats.Filter{Region: civicmon.RegionEuropeCentralAsia, Freedom: civicmon.Association}},
}

func BenchmarkStatisticsSQLite(b *testing.B) {
	n := benchUpdates(b)
	path := os.Getenv("CIVICMON_BENCH_STATS_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "stats.db")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	prepareSearchDB(b, db, n)
	runStatsBench(b, db)
}

func BenchmarkStatisticsPostgres(b *testing.B) {
	runStatsBench(b, openSearchPostgres(b))
}

func benchRounds(b *testing.B) int {
	if s := os.Getenv("CIVICMON_BENCH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			b.Fatalf("CIVICMON_BENCH_ROUNDS=%q: want a number above 1", s)
		}
		return n
	}
	return 6
}

func runStatsBench(b *testing.B, db *sqldb.DB) {
	ctx := context.Background()
	srv, err := server.New(web.Config{Store: db.Store(), Changes: db, NoPageCache: true})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	t0 := time.Now()
	if err := srv.Stats().Fresh(ctx); err != nil {
		b.Fatal(err)
	}
	load := time.Since(t0)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rounds := benchRounds(b)
	var page, query, sql []time.Duration
	b.ResetTimer()
	for range b.N {
		for round := range rounds {
			for _, sf := range statsFilters {
				req := httptest.NewRequest("GET", "/statistics?"+sf.query, nil)
				rec := httptest.NewRecorder()
				t := time.Now()
				h.ServeHTTP(rec, req)
				dp := time.Since(t)
				if rec.Code != http.StatusOK {
					b.Fatalf("/statistics?%s: %d", sf.query, rec.Code)
				}
				t = time.Now()
				f := sf.f
				f.To = civicmon.DateOf(time.Now())
				if _, err := srv.Stats().Query(ctx, f); err != nil {
					b.Fatal(err)
				}
				dq := time.Since(t)
				if round > 0 {
					page, query = append(page, dp), append(query, dq)
				}
				// The SQL counts take seconds each: one measured round.
				if round == 1 {
					t = time.Now()
					storetest.SQLCounts(b, db, sf.f)
					sql = append(sql, time.Since(t))
				}
			}
		}
	}
	b.StopTimer()
	med, p99 := func(d []time.Duration) float64 { return ms1(quantile(d, 0.5)) }, func(d []time.Duration) float64 { return ms1(quantile(d, 0.99)) }
	b.ReportMetric(med(page), "page-median-ms")
	b.ReportMetric(p99(page), "page-p99-ms")
	b.ReportMetric(med(query), "index-median-ms")
	b.ReportMetric(p99(query), "index-p99-ms")
	b.ReportMetric(med(sql), "sql-median-ms")
	b.ReportMetric(p99(sql), "sql-p99-ms")
	b.ReportMetric(float64(load.Milliseconds()), "index-load-ms")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
	fmt.Printf("statistics (%s): index loaded in %s; /statistics median %.2f ms p99 %.2f ms; index counts median %.2f ms p99 %.2f ms; the same counts by SQL median %.1f ms p99 %.1f ms\n",
		db.Dialect().Name, load.Round(time.Millisecond), med(page), p99(page), med(query), p99(query), med(sql), p99(sql))
}
