package bench

// Search benchmarks: the fixed set of 30 queries through the store
// (civicmon.Store.SearchUpdates), each with relevance and newest-first
// sort and with facets, on a database that `civicmon gen` makes.
//
//	go test -run '^$' -bench 'BenchmarkSearch(SQLite|Postgres)$' -benchtime 1x -timeout 2h ./bench/
//
// CIVICMON_BENCH_UPDATES sets the size (default 100,000). The database is
// generated into the test's temporary directory, unless
// CIVICMON_BENCH_SEARCH_DB names a SQLite file to keep between runs (made
// when missing). PostgreSQL runs when CIVICMON_TEST_POSTGRES is set (a
// fresh schema, generated each run). A run makes CIVICMON_BENCH_ROUNDS
// rounds (default 6) of all 60 query×sort pairs, in a fixed order, with the
// store's cache of full-text lookups switched off: every run asks the
// engine. The metrics are the median and p99 over every pair's runs after
// the first round, which is reported apart ("cold"). Then one more round
// with the cache on, each query run twice, reports the second run
// ("cached": what choosing a facet or the next page costs). The table of
// every pair goes to standard output. On SQLite, when the sqlite3 command-line
// tool is installed, each text query's FTS5 MATCH is also timed with it on
// the same file, for the ratio of our time to the engine's.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/postgres"
	"github.com/civicmon/civicmon/search"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/sqlite"
	"github.com/civicmon/civicmon/storetest"
)

// SearchDBEnv names a SQLite file for the search benchmark to reuse.
const SearchDBEnv = "CIVICMON_BENCH_SEARCH_DB"

type benchQuery struct {
	kind string
	q    civicmon.SearchQuery
}

// searchQueries are the fixed 30: common words, rare words, phrases,
// filters only, and query plus filters. The synthetic text's word
// frequencies are in gen: "peaceful", "detained", "shutdown" and "мирный"
// appear only in gen.Phrases, in 20%, 9.1%, 5.9% and 4.3% of the updates.
func searchQueries() []benchQuery {
	q := func(kind, text string, mod ...func(*civicmon.SearchQuery)) benchQuery {
		bq := benchQuery{kind: kind, q: civicmon.SearchQuery{Text: text}}
		for _, m := range mod {
			m(&bq.q)
		}
		return bq
	}
	countries := func(cs ...string) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Countries = cs }
	}
	regions := func(rs ...civicmon.Region) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Regions = rs }
	}
	freedoms := func(fs ...civicmon.Freedom) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Freedoms = fs }
	}
	violations := func(vs ...string) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Violations = vs }
	}
	targets := func(ts ...string) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Targets = ts }
	}
	years := func(ys ...int) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Years = ys }
	}
	categories := func(cs ...civicmon.Category) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Categories = cs }
	}
	between := func(a, z string) func(*civicmon.SearchQuery) {
		return func(q *civicmon.SearchQuery) { q.Since, q.Until = civicmon.MustDate(a), civicmon.MustDate(z) }
	}
	return []benchQuery{
		q("common", "the"),
		q("common", "authorities"),
		q("common", "police"),
		q("common", "journalists"),
		q("common", "protest"),
		q("common", "government"),
		q("rare", "shutdown"),
		q("rare", "мирный"),
		q("rare", "Қазақстан"),
		q("rare", "spyware"),
		q("rare", "liquidation"),
		q("rare", "Жаңаөзен"),
		q("phrase", `"peaceful assembly"`),
		q("phrase", `"journalists detained"`),
		q("phrase", `"internet shutdown"`),
		q("phrase", `"мирный митинг"`),
		q("phrase", `"human rights"`),
		q("phrase", `"tear gas"`),
		// The kinds language analysis adds: other forms of a word, a
		// name in the other script, a misspelt word (widened).
		q("stemmed", "protester"),
		q("stemmed", "detaining"),
		q("names", "Zhanaozen"),
		q("names", "Qazaqstan"),
		q("misspelt", "journalsts"),
		q("misspelt", "goverment"),
		q("filters", "", countries("KZ")),
		q("filters", "", regions(civicmon.RegionEuropeCentralAsia), freedoms(civicmon.Expression)),
		q("filters", "", violations("internet-shutdown")),
		q("filters", "", targets("journalists"), years(2024)),
		q("filters", "", categories(civicmon.Repressed)),
		q("filters", "", countries("RU", "BY"), between("2021-01-01", "2022-12-31")),
		q("text+filters", "police", countries("KZ")),
		q("text+filters", `"internet shutdown"`, regions(civicmon.RegionAsiaPacific)),
		q("text+filters", "journalists", violations("detention-of-journalists"), years(2025)),
		q("text+filters", "protesters -police", freedoms(civicmon.Assembly)),
		q("text+filters", "detained OR arrested", categories(civicmon.Closed, civicmon.Repressed)),
		q("text+filters", "Қазақстан", countries("KZ")),
	}
}

func BenchmarkSearchSQLite(b *testing.B) {
	n := benchUpdates(b)
	path := os.Getenv(SearchDBEnv)
	if path == "" {
		path = filepath.Join(b.TempDir(), "search.db")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	prepareSearchDB(b, db, n)
	runSearchBench(b, db, path)
}

func BenchmarkSearchPostgres(b *testing.B) {
	runSearchBench(b, openSearchPostgres(b), "")
}

// openSearchPostgres opens the PostgreSQL database of the search
// benchmarks (CIVICMON_BENCH_PG_DSN, or a new schema on the
// CIVICMON_TEST_POSTGRES server, dropped at the end), fills it as
// prepareSearchDB does and analyses it. It skips without PostgreSQL.
func openSearchPostgres(b *testing.B) *sqldb.DB {
	if os.Getenv(storetest.PostgresEnv) == "" {
		b.Skipf("set %s to run against PostgreSQL", storetest.PostgresEnv)
	}
	dsn := os.Getenv("CIVICMON_BENCH_PG_DSN")
	if dsn == "" {
		dsn = storetest.PostgresDSN(b)
	}
	db, err := postgres.Open(dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	prepareSearchDB(b, db, benchUpdates(b))
	if _, err := db.WriteDB().Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return db
}

// prepareSearchDB migrates db and fills it with n synthetic updates (seed
// 1) and the demo ratings, unless it holds them already.
func prepareSearchDB(b *testing.B, db *sqldb.DB, n int) {
	ctx := context.Background()
	if err := db.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	s := db.Store()
	_, have, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	if have >= n && have <= n+100 { // made by gen, or by demo and gen
		b.Logf("reusing the database with %d updates", have)
		return
	}
	if have != 0 {
		b.Fatalf("the database holds %d updates, not %d: remove it", have, n)
	}
	if _, err := demo.LoadCountries(ctx, s); err != nil {
		b.Fatal(err)
	}
	rs, err := demo.Ratings()
	if err != nil {
		b.Fatal(err)
	}
	for i := range rs {
		if err := s.AddRating(ctx, &rs[i]); err != nil {
			b.Fatal(err)
		}
	}
	st, err := gen.Run(ctx, s, gen.Options{Updates: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated: %s", st)
}

type timing struct {
	kind, label string
	sort        civicmon.SearchSort
	d           []time.Duration
	total       int
	expr        string   // the FTS5 MATCH expression, for text queries
	exprs       []string // every MATCH the store runs for the pair
	ts          string   // the tsquery, for text queries
	engine      []time.Duration
	// The engine's own ranked search of the query as typed (no analysis):
	// FTS5's ORDER BY rank (bm25) or ts_rank, first 20.
	rawExpr, rawTS string
	rank           []time.Duration
}

// searchTimings is a timing for each of the 60 query×sort pairs, in the
// order of searchQueries, relevance first.
func searchTimings() []*timing {
	var ts []*timing
	for _, bq := range searchQueries() {
		for _, sort := range []civicmon.SearchSort{civicmon.SortRelevance, civicmon.SortNewest} {
			q := bq.q
			q.Sort = sort
			label := bq.q.Text
			if label == "" {
				label = "(no text)"
			}
			var f []string
			if len(q.Countries) > 0 {
				f = append(f, "country="+strings.Join(q.Countries, ","))
			}
			for _, r := range q.Regions {
				f = append(f, "region="+string(r))
			}
			for _, fr := range q.Freedoms {
				f = append(f, "freedom="+string(fr))
			}
			for _, v := range q.Violations {
				f = append(f, "violation="+v)
			}
			for _, t := range q.Targets {
				f = append(f, "target="+t)
			}
			for _, y := range q.Years {
				f = append(f, "year="+strconv.Itoa(y))
			}
			for _, c := range q.Categories {
				f = append(f, "category="+string(c))
			}
			if !q.Since.IsZero() {
				f = append(f, "since="+q.Since.String()+" until="+q.Until.String())
			}
			if len(f) > 0 {
				label += " [" + strings.Join(f, " ") + "]"
			}
			pq := search.Parse(q.Text)
			eq := pq.Expand()
			t := &timing{kind: bq.kind, label: label, sort: sort, expr: eq.MatchFTS5(), ts: eq.MatchTS(),
				rawExpr: pq.MatchFTS5(), rawTS: pq.MatchTS()}
			if t.expr != "" {
				// Every MATCH the store runs for the pair: for relevance,
				// each scored clause in the title and in the summary too,
				// and as written anywhere.
				t.exprs = []string{t.expr}
				if sort == civicmon.SortRelevance {
					pos, epos := pq.Positive(), eq.Positive()
					for j, c := range epos[:min(len(epos), 4)] {
						t.exprs = append(t.exprs, search.ClauseFTS5(c, "title"), search.ClauseFTS5(c, "summary"),
							(&search.Query{Clauses: []search.Clause{{Alts: pos[j].Alts}}}).MatchFTS5())
					}
				}
			}
			ts = append(ts, t)
		}
	}
	return ts
}

func runSearchBench(b *testing.B, db *sqldb.DB, sqlitePath string) {
	ctx := context.Background()
	s := db.Store()
	db.SetSearchCache(0)
	// The search's postings: built when the database has none (as the
	// server would in the background), brought up to date otherwise.
	// CIVICMON_BENCH_POSTINGS=off measures the engine's index instead.
	start := time.Now()
	if err := s.FlushPostings(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("postings brought up to date in %v", time.Since(start).Round(time.Millisecond))
	usePostings := os.Getenv("CIVICMON_BENCH_POSTINGS") != "off"
	db.SetSearchPostings(usePostings)
	if ready, err := s.PostingsReady(ctx); err != nil {
		b.Fatal(err)
	} else if usePostings && !ready {
		b.Fatal("the postings are not ready after a flush")
	}
	// The first search loads the facet index.
	start = time.Now()
	if _, err := s.SearchUpdates(ctx, civicmon.SearchQuery{Limit: 1}); err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	ts := searchTimings()
	queries := searchQueries()
	rounds := 6
	if v := os.Getenv("CIVICMON_BENCH_ROUNDS"); v != "" {
		if rounds, _ = strconv.Atoi(v); rounds < 2 {
			b.Fatalf("CIVICMON_BENCH_ROUNDS=%q: want 2 or more", v)
		}
	}
	b.ResetTimer()
	for r := 0; r < rounds; r++ {
		for i, t := range ts {
			q := queries[i/2].q
			q.Sort = t.sort
			start := time.Now()
			res, err := s.SearchUpdates(ctx, q)
			d := time.Since(start)
			if err != nil {
				b.Fatalf("%s (%s): %v", t.label, t.sort, err)
			}
			t.d = append(t.d, d)
			t.total = res.Total
		}
	}
	b.StopTimer()

	// Cached: each pair twice, the second timed.
	db.SetSearchCache(1 << 21)
	var cached []time.Duration
	for i, t := range ts {
		q := queries[i/2].q
		q.Sort = t.sort
		for k := range 2 {
			start := time.Now()
			if _, err := s.SearchUpdates(ctx, q); err != nil {
				b.Fatal(err)
			}
			if k == 1 {
				cached = append(cached, time.Since(start))
			}
		}
	}

	// The engine under us: the same MATCH (or @@) as the store's, alone,
	// through the same driver.
	for r := 0; r < rounds; r++ {
		for i, t := range ts {
			if t.expr == "" || i%2 == 1 {
				continue
			}
			var list *string
			query, arg := `SELECT group_concat(rowid) FROM update_search WHERE update_search MATCH ?`, t.expr
			if db.Dialect().Name == "postgres" {
				query, arg = `SELECT string_agg(update_id::text, ',') FROM update_search WHERE doc @@ $1::tsquery`, t.ts
			}
			start := time.Now()
			if err := db.WriteDB().QueryRowContext(ctx, query, arg).Scan(&list); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			t.engine = append(t.engine, d)
			ts[i+1].engine = append(ts[i+1].engine, d)
		}
	}
	// The engines' own ranked top 20 of the query as typed, in the same
	// run: what "letting the engine rank" costs.
	for r := 0; r < rounds; r++ {
		for i, t := range ts {
			if t.rawExpr == "" || i%2 == 1 {
				continue
			}
			query, arg := `SELECT group_concat(rowid) FROM (SELECT rowid FROM update_search WHERE update_search MATCH ? ORDER BY rank LIMIT 20)`, t.rawExpr
			if db.Dialect().Name == "postgres" {
				query, arg = `SELECT string_agg(update_id::text, ',') FROM (SELECT update_id FROM update_search WHERE doc @@ $1::tsquery
					ORDER BY ts_rank(doc, $1::tsquery) DESC LIMIT 20) r`, t.rawTS
			}
			var list *string
			start := time.Now()
			if err := db.WriteDB().QueryRowContext(ctx, query, arg).Scan(&list); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			t.rank = append(t.rank, d)
			ts[i+1].rank = append(ts[i+1].rank, d)
		}
	}

	var cold, warm []time.Duration
	byKind := map[string][]time.Duration{}
	for _, t := range ts {
		cold = append(cold, t.d[0])
		warm = append(warm, t.d[1:]...)
		byKind[t.kind] = append(byKind[t.kind], t.d[1:]...)
	}
	b.ReportMetric(ms1(quantile(warm, 0.5)), "ms-median")
	b.ReportMetric(ms1(quantile(warm, 0.99)), "ms-p99")
	b.ReportMetric(ms1(quantile(cold, 0.5)), "ms-cold-median")
	b.ReportMetric(ms1(quantile(cold, 0.99)), "ms-cold-p99")
	b.ReportMetric(ms1(quantile(cached, 0.5)), "ms-cached-median")
	b.ReportMetric(ms1(quantile(cached, 0.99)), "ms-cached-p99")
	b.ReportMetric(ms1(load), "ms-index-load")
	b.ReportMetric(float64(ms.HeapInuse)/1e6, "MB-heap")
	b.ReportMetric(float64(rss())/1e6, "MB-rss")

	var out strings.Builder
	matcher := "postings"
	if !usePostings {
		matcher = "the engine's index"
	}
	fmt.Fprintf(&out, "%s, %d updates, text matched by %s: %d rounds of %d runs; index load %v; heap %.0f MB, RSS %.0f MB\n",
		db.Dialect().Name, benchUpdates(b), matcher, rounds, len(ts), load.Round(time.Millisecond), float64(ms.HeapInuse)/1e6, float64(rss())/1e6)
	fmt.Fprintf(&out, "all: median %.2f ms, p99 %.2f ms; cold (first round): median %.2f ms, p99 %.2f ms; "+
		"cached (repeated): median %.2f ms, p99 %.2f ms\n",
		ms1(quantile(warm, 0.5)), ms1(quantile(warm, 0.99)), ms1(quantile(cold, 0.5)), ms1(quantile(cold, 0.99)),
		ms1(quantile(cached, 0.5)), ms1(quantile(cached, 0.99)))
	for _, k := range []string{"common", "rare", "phrase", "filters", "text+filters", "stemmed", "names", "misspelt"} {
		fmt.Fprintf(&out, "  %-13s median %.2f ms, p99 %.2f ms\n", k, ms1(quantile(byKind[k], 0.5)), ms1(quantile(byKind[k], 0.99)))
	}
	cli := sqliteCLI(b, sqlitePath, ts)
	fmt.Fprintf(&out, "| kind | query | sort | matches | median | max | engine | ratio | engine ranked top 20 |%s\n", cli.header)
	fmt.Fprintf(&out, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |%s\n", cli.rule)
	for _, t := range ts {
		engine, ratio := "", ""
		if len(t.engine) > 1 {
			e := ms1(quantile(t.engine[1:], 0.5))
			engine, ratio = fmt.Sprintf("%.2f ms", e), fmt.Sprintf("%.2f", ms1(quantile(t.d[1:], 0.5))/e)
		}
		rank := ""
		if len(t.rank) > 1 {
			rank = fmt.Sprintf("%.2f ms", ms1(quantile(t.rank[1:], 0.5)))
		}
		fmt.Fprintf(&out, "| %s | `%s` | %s | %d | %.2f ms | %.2f ms | %s | %s | %s |%s\n", t.kind, t.label, t.sort, t.total,
			ms1(quantile(t.d[1:], 0.5)), ms1(slices.Max(t.d)), engine, ratio, rank, cli.cells[t])
	}
	fmt.Print(out.String())
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s)) + 0.5)
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms1(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rss is the process's resident set size, from /proc (0 elsewhere).
func rss() int64 { return procStatus("VmRSS:") }

// procStatus reads a size in kB from /proc/self/status (0 elsewhere).
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

type cliTimes struct {
	header, rule string
	cells        map[*timing]string
	ms           map[*timing]float64 // the sqlite3 time of each pair's MATCHes
}

const cliReps = 20

var runTime = regexp.MustCompile(`Run Time: real ([0-9.]+)`)

// sqliteCLI times, with the sqlite3 command-line tool on the same file,
// every FTS5 MATCH the store runs for each pair (the best of three runs of
// each), and gives their sum beside our time: the engine's own work.
func sqliteCLI(b *testing.B, path string, ts []*timing) cliTimes {
	out := cliTimes{cells: map[*timing]string{}, ms: map[*timing]float64{}}
	bin, err := exec.LookPath("sqlite3")
	if path == "" || err != nil {
		return out
	}
	out.header, out.rule = " sqlite3 CLI | ratio |", " ---: | ---: |"
	best := map[string]float64{}
	for _, t := range ts {
		for _, expr := range t.exprs {
			if _, ok := best[expr]; ok {
				continue
			}
			// The timer counts milliseconds: run the MATCH cliReps times
			// in one statement (correlated, so that it is not run once
			// and cached), three times over.
			sql := ".timer on\n"
			lit := "'" + strings.ReplaceAll(expr, "'", "''") + "'"
			for range 3 {
				sql += fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "+
					"SELECT sum((SELECT length(group_concat(rowid)) FROM update_search WHERE update_search MATCH %s AND rowid > -n.i)) FROM n;\n",
					cliReps, lit)
			}
			cmd := exec.Command(bin, "-readonly", path)
			cmd.Stdin = strings.NewReader(sql)
			res, err := cmd.CombinedOutput()
			if err != nil {
				b.Logf("sqlite3: %v: %s", err, res)
				return cliTimes{cells: map[*timing]string{}, ms: map[*timing]float64{}}
			}
			v := -1.0
			for _, m := range runTime.FindAllStringSubmatch(string(res), -1) {
				if x, _ := strconv.ParseFloat(m[1], 64); v < 0 || x < v {
					v = x
				}
			}
			best[expr] = v * 1000 / cliReps
		}
		if len(t.exprs) == 0 {
			continue
		}
		var cliMS float64
		for _, expr := range t.exprs {
			cliMS += best[expr]
		}
		ours := ms1(quantile(t.d[1:], 0.5))
		out.ms[t] = cliMS
		out.cells[t] = fmt.Sprintf(" %.2f ms | %.2f |", cliMS, ours/cliMS)
	}
	return out
}
