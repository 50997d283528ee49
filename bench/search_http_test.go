package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/sqlite"
	"github.com/civicmon/civicmon/web"
)

// BenchmarkSearchHTTPSQLite runs the 30 queries × 2 sorts of
// BenchmarkSearchSQLite as readers ask them: GET /updates?… through the
// web server's handler, rendering the explore page with its facets. Each
// round uses a new server, so that no answer comes from the page cache,
// and the store's cache of full-text lookups is off: every request asks
// the engine. On SQLite, each pair's FTS5 MATCHes are also timed with the
// sqlite3 command-line tool on the same file.
//
//	CIVICMON_BENCH_UPDATES=100000 go test -run '^$' -bench BenchmarkSearchHTTPSQLite -benchtime 1x ./bench/
//	CIVICMON_BENCH_UPDATES=1000000 CIVICMON_BENCH_SEARCH_DB=/tmp/s1m.db go test -run '^$' -bench BenchmarkSearchHTTPSQLite -benchtime 1x -timeout 2h ./bench/
func BenchmarkSearchHTTPSQLite(b *testing.B) {
	n := benchUpdates(b)
	path := os.Getenv(SearchDBEnv)
	if path == "" {
		path = filepath.Join(b.TempDir(), "search-http.db")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	prepareSearchDB(b, db, n)
	runSearchHTTPBench(b, db, path)
}

// BenchmarkSearchHTTPPostgres is BenchmarkSearchHTTPSQLite on PostgreSQL
// (CIVICMON_TEST_POSTGRES). CIVICMON_BENCH_PG_DSN names a database to
// reuse (made by `civicmon demo` and `civicmon gen`, say), as
// CIVICMON_BENCH_SEARCH_DB does a SQLite file.
func BenchmarkSearchHTTPPostgres(b *testing.B) {
	runSearchHTTPBench(b, openSearchPostgres(b), "")
}

func runSearchHTTPBench(b *testing.B, db *sqldb.DB, sqlitePath string) {
	ctx := context.Background()
	db.SetSearchCache(0) // every request asks the engine
	start := time.Now()
	if err := db.Store().LoadSearchIndex(ctx); err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	// What the process holds from making the data is not the server's.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()

	ts := searchTimings()
	var urls []string
	for _, bq := range searchQueries() {
		for _, sort := range []civicmon.SearchSort{civicmon.SortRelevance, civicmon.SortNewest} {
			urls = append(urls, exploreURL(bq.q, sort))
		}
	}
	rounds := 4
	if v := os.Getenv("CIVICMON_BENCH_ROUNDS"); v != "" {
		if rounds, _ = strconv.Atoi(v); rounds < 2 {
			b.Fatalf("CIVICMON_BENCH_ROUNDS=%q: want 2 or more", v)
		}
	}
	var all, cpu []time.Duration
	byKind := map[string][]time.Duration{}
	b.ResetTimer()
	for range b.N {
		for round := 0; round < rounds; round++ {
			srv, err := server.New(web.Config{Store: db.Store(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			for i, u := range urls {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", u, nil)
				c0 := cpuTime()
				start := time.Now()
				srv.Handler().ServeHTTP(rec, req)
				d := time.Since(start)
				c := cpuTime() - c0
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", u, rec.Code, rec.Body.String()[:min(300, rec.Body.Len())])
				}
				// The first round (d[0]) warms the facet index and the
				// caches of SQLite and the operating system.
				ts[i].d = append(ts[i].d, d)
				if round > 0 {
					all = append(all, d)
					cpu = append(cpu, c)
					byKind[ts[i].kind] = append(byKind[ts[i].kind], d)
				}
			}
		}
	}
	b.StopTimer()
	rssNow, peak := rss(), peakRSS()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(ms1(quantile(all, 0.5)), "median-ms")
	b.ReportMetric(ms1(quantile(all, 0.99)), "p99-ms")
	b.ReportMetric(float64(len(all)), "requests")
	b.ReportMetric(float64(peak)/1e6, "MB-peak-rss")

	var out strings.Builder
	fmt.Fprintf(&out, "%s, %d updates, through the HTTP handler: %d timed rounds of %d requests; facet index load %v\n",
		db.Dialect().Name, benchUpdates(b), rounds-1, len(urls), load.Round(time.Millisecond))
	fmt.Fprintf(&out, "all: median %.2f ms, p99 %.2f ms; CPU per request: median %.2f ms, p99 %.2f ms\n",
		ms1(quantile(all, 0.5)), ms1(quantile(all, 0.99)), ms1(quantile(cpu, 0.5)), ms1(quantile(cpu, 0.99)))
	fmt.Fprintf(&out, "process RSS: peak while serving %.0f MB, after %.0f MB; Go heap in use %.0f MB, from the OS %.0f MB\n",
		float64(peak)/1e6, float64(rssNow)/1e6, float64(ms.HeapInuse)/1e6, float64(ms.Sys)/1e6)
	for _, k := range []string{"common", "rare", "phrase", "filters", "text+filters"} {
		fmt.Fprintf(&out, "  %-13s median %.2f ms, p99 %.2f ms\n", k, ms1(quantile(byKind[k], 0.5)), ms1(quantile(byKind[k], 0.99)))
	}
	cli := sqliteCLI(b, sqlitePath, ts)
	if len(cli.ms) > 0 {
		var ours, theirs float64
		var ratios []float64
		for t, c := range cli.ms {
			o := ms1(quantile(t.d[1:], 0.5))
			ours, theirs = ours+o, theirs+c
			ratios = append(ratios, o/c)
		}
		slices.Sort(ratios)
		fmt.Fprintf(&out, "against the sqlite3 CLI's MATCHes, %d text pairs: sum of medians %.1f ms / %.1f ms = %.2f; per pair: median %.2f, max %.2f\n",
			len(ratios), ours, theirs, ours/theirs, ratios[len(ratios)/2], ratios[len(ratios)-1])
	}
	fmt.Fprintf(&out, "| kind | query | sort | matches | median | max |%s\n", cli.header)
	fmt.Fprintf(&out, "| --- | --- | --- | ---: | ---: | ---: |%s\n", cli.rule)
	totals := matchTotals(b, db, ts)
	for i, t := range ts {
		fmt.Fprintf(&out, "| %s | `%s` | %s | %d | %.2f ms | %.2f ms |%s\n", t.kind, t.label, t.sort, totals[i],
			ms1(quantile(t.d[1:], 0.5)), ms1(slices.Max(t.d[1:])), cli.cells[t])
	}
	fmt.Print(out.String())
}

// matchTotals is each pair's number of results, from the store.
func matchTotals(b *testing.B, db *sqldb.DB, ts []*timing) []int {
	queries := searchQueries()
	out := make([]int, len(ts))
	for i, t := range ts {
		q := queries[i/2].q
		q.Sort, q.NoFacets, q.Limit = t.sort, true, 1
		res, err := db.Store().SearchUpdates(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = res.Total
	}
	return out
}

// resetPeakRSS starts the process's peak resident set size (VmHWM) again
// from what it holds now.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the process's peak resident set size since resetPeakRSS.
func peakRSS() int64 { return procStatus("VmHWM:") }

// exploreURL is the /updates URL of a search.
func exploreURL(q civicmon.SearchQuery, sort civicmon.SearchSort) string {
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	for _, c := range q.Countries {
		v.Add("country", c)
	}
	for _, r := range q.Regions {
		v.Add("region", string(r))
	}
	for _, f := range q.Freedoms {
		v.Add("freedom", string(f))
	}
	for _, x := range q.Violations {
		v.Add("violation", x)
	}
	for _, x := range q.Targets {
		v.Add("target", x)
	}
	for _, c := range q.Categories {
		v.Add("rating", string(c))
	}
	for _, y := range q.Years {
		v.Add("year", strconv.Itoa(y))
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.String())
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.String())
	}
	v.Set("sort", string(sort))
	return "/updates?" + v.Encode()
}
