package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqlite"
	"github.com/civicmon/civicmon/web"
)

// BenchmarkSearchHTTPSQLite runs the same 30 queries × 2 sorts as
// BenchmarkSearchSQLite, but as readers ask them: GET /updates?… through
// the web server's handler, rendering the explore page with its facets.
// Each round uses a new server, so no answer comes from the page cache.
//
//	CIVICMON_BENCH_UPDATES=100000 go test -run '^$' -bench BenchmarkSearchHTTPSQLite -benchtime 1x ./bench/
func BenchmarkSearchHTTPSQLite(b *testing.B) {
	n := benchUpdates(b)
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(b.TempDir(), "search-http.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	prepareSearchDB(b, db, n)
	db.SetSearchCache(0) // every request asks the engine
	if err := db.Store().LoadSearchIndex(ctx); err != nil {
		b.Fatal(err)
	}
	var urls []string
	for _, bq := range searchQueries() {
		for _, sort := range []civicmon.SearchSort{civicmon.SortRelevance, civicmon.SortNewest} {
			urls = append(urls, exploreURL(bq.q, sort))
		}
	}
	var ds []time.Duration
	b.ResetTimer()
	for range b.N {
		for round := 0; round < 4; round++ {
			srv, err := web.New(web.Config{Store: db.Store(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			for _, u := range urls {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", u, nil)
				start := time.Now()
				srv.Handler().ServeHTTP(rec, req)
				d := time.Since(start)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", u, rec.Code, rec.Body.String()[:min(300, rec.Body.Len())])
				}
				if round > 0 { // the first round warms the facet index and SQLite's cache
					ds = append(ds, d)
				}
			}
		}
	}
	b.StopTimer()
	slices.Sort(ds)
	b.ReportMetric(ms(ds[len(ds)/2]), "median-ms")
	b.ReportMetric(ms(ds[len(ds)*99/100]), "p99-ms")
	b.ReportMetric(float64(len(ds)), "requests")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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
