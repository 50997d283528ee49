package storetest

// The statistics conformance suite: the in-memory statistics index (package
// stats) over generated data, asked random filters, must give every count
// the same plain SQL query gives — before and after writes that change,
// unpublish, delete and add updates, and a write by another process.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/stats"
)

func testStats(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	if _, err := gen.Run(ctx, s, gen.Options{Updates: 500, Seed: 7, BatchSize: 120}); err != nil {
		t.Fatal(err)
	}
	countries, err := s.Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	// Ratings: a few per country over the years, some on one day, some
	// with scores.
	for _, c := range countries {
		n := rnd.IntN(4)
		for k := range n {
			r := civicmon.Rating{CountryCode: c.Code, EffectiveDate: civicmon.NewDate(2016+k*2+rnd.IntN(2), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28)),
				Category: civicmon.Categories[rnd.IntN(5)]}
			if rnd.IntN(3) == 0 {
				r.Category, r.Score = "", 1+rnd.IntN(100)
			}
			if err := s.AddRating(ctx, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	ix := stats.New(s, db.Now)
	check := func(t *testing.T, rounds int) {
		t.Helper()
		for range rounds {
			f := randomFilter(rnd, countries)
			// The pass in one part or several, each counting its own
			// range of updates: the sums must not tell.
			ix.SetParts(rnd.IntN(5))
			got, err := ix.Query(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			want := SQLCounts(t, db, f)
			have := countsTable(got)
			for _, dim := range slices.Sorted(func(yield func(string) bool) {
				for k := range want {
					if !yield(k) {
						return
					}
				}
			}) {
				if !tallyMapsEqual(have[dim], want[dim]) {
					t.Errorf("filter %+v, by %s:\n index %v\n   SQL %v", f, dim, have[dim], want[dim])
				}
			}
			pl := stats.Place{Region: f.Region, Country: f.Country}
			on := civicmon.NewDate(2015+rnd.IntN(12), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28))
			d, err := ix.Distribution(ctx, on, pl)
			if err != nil {
				t.Fatal(err)
			}
			if w := sqlDistribution(t, db, on, pl); d.Counts != w {
				t.Errorf("distribution on %s %+v: index %v, SQL %v", on, pl, d.Counts, w)
			}
			year := 2016 + rnd.IntN(10)
			ch, err := ix.Changes(ctx, year, pl, civicmon.Date{})
			if err != nil {
				t.Fatal(err)
			}
			var gotCh []string
			for _, c := range ch {
				gotCh = append(gotCh, c.CountryCode+" "+c.Date.String()+" "+string(c.From)+">"+string(c.To))
			}
			slices.Sort(gotCh)
			if w := sqlChanges(t, db, year, pl); !slices.Equal(gotCh, w) {
				t.Errorf("changes of %d %+v:\n index %v\n   SQL %v", year, pl, gotCh, w)
			}
		}
	}
	t.Run("Generated", func(t *testing.T) { check(t, 40) })

	// Writes: the index follows them.
	us, _, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 30})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		u, err := s.UpdateByID(ctx, us[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 0: // moved and retagged
			u.CountryCode = countries[rnd.IntN(len(countries))].Code
			u.Freedoms = civicmon.NewFreedomSet(civicmon.Association)
			u.Incidents = append(u.Incidents, civicmon.Incident{Freedom: civicmon.Association, Violation: "restrictive-law", Target: "journalists", PeopleAffected: 12})
			u.PublishedOn = civicmon.MustDate("2019-02-03")
			err = s.SaveUpdate(ctx, u)
		case 1: // unpublished
			u.Status = civicmon.StatusArchived
			err = s.SaveUpdate(ctx, u)
		case 2:
			err = s.DeleteUpdate(ctx, u.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	nu := civicmon.Update{Slug: "stats-new", CountryCode: "KZ", Title: "New", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2024-05-06"), Freedoms: civicmon.NewFreedomSet(civicmon.Expression),
		Violations: []string{"censorship"},
		Incidents:  []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", Target: "journalists", PeopleAffected: 3}}}
	if err := s.CreateUpdate(ctx, &nu); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2024-01-02"), Category: civicmon.Closed}); err != nil {
		t.Fatal(err)
	}
	t.Run("AfterWrites", func(t *testing.T) { check(t, 25) })

	// Another process's write is seen within a second (or so).
	other := sqldb.New(db.WriteDB(), db.WriteDB(), db.Dialect()).Store()
	ou := civicmon.Update{Slug: "stats-elsewhere", CountryCode: "CL", Title: "Elsewhere", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2024-05-07"), Freedoms: civicmon.NewFreedomSet(civicmon.Assembly)}
	if err := other.CreateUpdate(ctx, &ou); err != nil {
		t.Fatal(err)
	}
	want := SQLCounts(t, db, stats.Filter{Country: "CL"})["total"]["all"].Updates
	deadline := time.Now().Add(3 * time.Second)
	for {
		c, err := ix.Query(ctx, stats.Filter{Country: "CL"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Total.Updates == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("another process's update is not counted after 3 s: %d, want %d", c.Total.Updates, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Run("AfterOtherProcess", func(t *testing.T) { check(t, 10) })

	// Told that the data changed, the index looks at once rather than
	// trusting itself for its second.
	ou2 := civicmon.Update{Slug: "stats-elsewhere-2", CountryCode: "CL", Title: "Elsewhere again", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2024-05-08"), Freedoms: civicmon.NewFreedomSet(civicmon.Assembly)}
	if _, err := ix.Query(ctx, stats.Filter{Country: "CL"}); err != nil {
		t.Fatal(err)
	}
	checkedAt := time.Now()
	if err := other.CreateUpdate(ctx, &ou2); err != nil {
		t.Fatal(err)
	}
	ix.Stale()
	c, err := ix.Query(ctx, stats.Filter{Country: "CL"})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(checkedAt); c.Total.Updates != want+1 && took < stats.Freshness {
		t.Errorf("after Stale, another process's update is not counted: %d, want %d", c.Total.Updates, want+1)
	}

	// Compaction after many removals keeps every count.
	if err := s.InTx(ctx, func(tx civicmon.Store) error {
		all, _, err := tx.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1000})
		if err != nil {
			return err
		}
		for i := range all {
			if i%4 != 0 {
				if err := tx.DeleteUpdate(ctx, all[i].ID); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Run("AfterCompaction", func(t *testing.T) { check(t, 10) })

	if _, err := ix.Query(ctx, stats.Filter{Country: "ZZ", Year: 3000}); civicmon.ErrorCode(err) != civicmon.EINVALID ||
		!strings.Contains(err.Error(), "year") || !strings.Contains(err.Error(), "country") {
		t.Errorf("bad filter: %v", err)
	}
}

func randomFilter(rnd *rand.Rand, countries []civicmon.Country) stats.Filter {
	var f stats.Filter
	if rnd.IntN(2) == 0 {
		f.Year = 2014 + rnd.IntN(12)
	}
	switch rnd.IntN(4) {
	case 0:
		f.Region = civicmon.Regions[rnd.IntN(len(civicmon.Regions))]
	case 1:
		f.Country = countries[rnd.IntN(len(countries))].Code
	}
	if rnd.IntN(3) == 0 {
		f.Freedom = civicmon.Freedoms[rnd.IntN(3)]
	}
	if rnd.IntN(5) == 0 {
		f.From = civicmon.NewDate(2016+rnd.IntN(8), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28))
		f.To = f.From.AddDays(rnd.IntN(900))
	}
	return f
}

// countsTable turns the index's answer into dimension → key → tally, zeros
// left out.
func countsTable(c *stats.Counts) map[string]map[string]stats.Tally {
	out := map[string]map[string]stats.Tally{"total": {"all": c.Total}}
	add := func(dim string, bs []stats.Bucket) {
		m := map[string]stats.Tally{}
		for _, b := range bs {
			if b.Tally != (stats.Tally{}) {
				m[b.Key] = b.Tally
			}
		}
		out[dim] = m
	}
	add("year", c.Years)
	add("month", c.Months)
	add("region", c.Regions)
	add("country", c.Countries)
	add("freedom", c.Freedoms)
	add("violation", c.Violations)
	add("target", c.Targets)
	rv := map[string]stats.Tally{}
	for r, bs := range c.RegionViolations {
		for _, b := range bs {
			rv[string(r)+"/"+b.Key] = stats.Tally{Incidents: b.Incidents, People: b.People, KnownPeople: b.KnownPeople}
		}
	}
	out["region×violation"] = rv
	yf := map[string]stats.Tally{}
	for _, y := range c.YearFreedoms {
		for i, n := range y.Incidents {
			if n > 0 {
				yf[strconv.Itoa(y.Year)+"/"+string(civicmon.Freedoms[i])] = stats.Tally{Incidents: n}
			}
		}
	}
	out["year×freedom"] = yf
	return out
}

func tallyMapsEqual(a, b map[string]stats.Tally) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// SQLCounts counts with GROUP BY what the index counts in memory (the
// benchmarks time it beside the index).
func SQLCounts(t testing.TB, db *sqldb.DB, f stats.Filter) map[string]map[string]stats.Tally {
	t.Helper()
	from, to := civicmon.MustDate("1900-01-01"), civicmon.MustDate("2199-12-31")
	if f.Year != 0 {
		from, to = civicmon.NewDate(f.Year, 1, 1), civicmon.NewDate(f.Year, 12, 31)
	}
	if !f.From.IsZero() && f.From.After(from) {
		from = f.From
	}
	if !f.To.IsZero() && f.To.Before(to) {
		to = f.To
	}
	place, placeArgs := "", []any{}
	if f.Country != "" {
		place += " AND u.country_code = ?"
		placeArgs = append(placeArgs, f.Country)
	}
	if f.Region != "" {
		place += " AND c.region = ?"
		placeArgs = append(placeArgs, string(f.Region))
	}
	// Updates.
	uWhere := "u.status = 'published' AND u.published_on >= ? AND u.published_on <= ?" + place
	uArgs := append([]any{from, to}, placeArgs...)
	if f.Freedom != "" {
		uWhere += " AND (u.freedoms & ?) <> 0"
		uArgs = append(uArgs, int(f.Freedom.Bit()))
	}
	uFrom := " FROM updates u JOIN countries c ON c.code = u.country_code "
	// Incidents.
	day := "COALESCE(i.occurred_on, u.published_on)"
	iWhere := "u.status = 'published' AND " + day + " >= ? AND " + day + " <= ?" + place
	iArgs := append([]any{from, to}, placeArgs...)
	if f.Freedom != "" {
		iWhere += " AND i.freedom = ?"
		iArgs = append(iArgs, string(f.Freedom))
	}
	iFrom := " FROM incidents i JOIN updates u ON u.id = i.update_id JOIN countries c ON c.code = u.country_code "
	iSums := "COUNT(*), COALESCE(SUM(CASE WHEN i.people_affected > 0 THEN i.people_affected ELSE 0 END), 0), COALESCE(SUM(CASE WHEN i.people_affected > 0 THEN 1 ELSE 0 END), 0)"
	text := func(col string) string { return "CAST(" + col + " AS TEXT)" }

	out := map[string]map[string]stats.Tally{}
	get := func(dim, key string) *stats.Tally {
		if out[dim] == nil {
			out[dim] = map[string]stats.Tally{}
		}
		v := out[dim][key]
		return &v
	}
	put := func(dim, key string, v *stats.Tally) { out[dim][key] = *v }
	updates := func(dim, keyExpr, extraFrom, extraWhere string) {
		q := "SELECT " + keyExpr + ", COUNT(DISTINCT u.id)" + uFrom + extraFrom + " WHERE " + uWhere + extraWhere + groupBy(keyExpr)
		rows, err := db.WriteDB().QueryContext(ctx, rebind(db, q), uArgs...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var n int
			if err := rows.Scan(&key, &n); err != nil {
				t.Fatal(err)
			}
			v := get(dim, key)
			v.Updates = n
			put(dim, key, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	incidents := func(dim, keyExpr string) {
		q := "SELECT " + keyExpr + ", " + iSums + iFrom + " WHERE " + iWhere + groupBy(keyExpr)
		rows, err := db.WriteDB().QueryContext(ctx, rebind(db, q), iArgs...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var n, known int
			var people int64
			if err := rows.Scan(&key, &n, &people, &known); err != nil {
				t.Fatal(err)
			}
			v := get(dim, key)
			v.Incidents, v.People, v.KnownPeople = n, people, known
			put(dim, key, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	updates("total", "'all'", "", "")
	incidents("total", "'all'")
	updates("year", "SUBSTR("+text("u.published_on")+", 1, 4)", "", "")
	incidents("year", "SUBSTR("+text(day)+", 1, 4)")
	updates("month", "SUBSTR("+text("u.published_on")+", 1, 7)", "", "")
	incidents("month", "SUBSTR("+text(day)+", 1, 7)")
	updates("region", "c.region", "", "")
	incidents("region", "c.region")
	updates("country", "u.country_code", "", "")
	incidents("country", "u.country_code")
	for _, fr := range civicmon.Freedoms {
		if f.Freedom != "" && f.Freedom != fr {
			continue
		}
		updates("freedom", "'"+string(fr)+"'", "", fmt.Sprintf(" AND (u.freedoms & %d) <> 0", fr.Bit()))
	}
	incidents("freedom", "i.freedom")
	updates("violation", "uv.violation", " JOIN update_violations uv ON uv.update_id = u.id", "")
	incidents("violation", "i.violation")
	updates("target", "i.target", " JOIN incidents i ON i.update_id = u.id", " AND i.target IS NOT NULL")
	incidents("target", "COALESCE(i.target, '')")
	delete(out["target"], "")
	incidents("region×violation", "c.region || '/' || i.violation")
	incidents("year×freedom", "SUBSTR("+text(day)+", 1, 4) || '/' || i.freedom")
	for k, v := range out["region×violation"] {
		out["region×violation"][k] = stats.Tally{Incidents: v.Incidents, People: v.People, KnownPeople: v.KnownPeople}
	}
	for k, v := range out["year×freedom"] {
		out["year×freedom"][k] = stats.Tally{Incidents: v.Incidents}
	}
	for dim, m := range out {
		for k, v := range m {
			if v == (stats.Tally{}) {
				delete(m, k)
			}
		}
		out[dim] = m
	}
	for _, dim := range []string{"year", "month", "region", "country", "freedom", "violation", "target"} {
		if out[dim] == nil {
			out[dim] = map[string]stats.Tally{}
		}
	}
	if out["total"]["all"] == (stats.Tally{}) {
		out["total"] = map[string]stats.Tally{"all": {}}
	}
	return out
}

// groupBy groups by the key, or not at all for a constant one (which
// PostgreSQL refuses to group by).
func groupBy(key string) string {
	if strings.HasPrefix(key, "'") {
		return ""
	}
	return " GROUP BY " + key
}

func rebind(db *sqldb.DB, q string) string {
	if !db.Dialect().DollarPlaceholders {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func placeSQL(pl stats.Place) (string, []any) {
	where, args := "", []any{}
	if pl.Country != "" {
		where += " AND r.country_code = ?"
		args = append(args, pl.Country)
	}
	if pl.Region != "" {
		where += " AND r.country_code IN (SELECT code FROM countries WHERE region = ?)"
		args = append(args, string(pl.Region))
	}
	return where, args
}

func sqlDistribution(t *testing.T, db *sqldb.DB, on civicmon.Date, pl stats.Place) [5]int {
	t.Helper()
	where, args := placeSQL(pl)
	q := `SELECT r.category, COUNT(*) FROM ratings r WHERE r.effective_date <= ? AND NOT EXISTS (
		SELECT 1 FROM ratings l WHERE l.country_code = r.country_code AND l.effective_date <= ?
		AND (l.effective_date > r.effective_date OR (l.effective_date = r.effective_date AND l.id > r.id)))` + where + ` GROUP BY r.category`
	rows, err := db.WriteDB().QueryContext(ctx, rebind(db, q), append([]any{on, on}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [5]int
	for rows.Next() {
		var cat string
		var n int
		if err := rows.Scan(&cat, &n); err != nil {
			t.Fatal(err)
		}
		out[slices.Index(civicmon.Categories, civicmon.Category(cat))] = n
	}
	return out
}

func sqlChanges(t *testing.T, db *sqldb.DB, year int, pl stats.Place) []string {
	t.Helper()
	where, args := placeSQL(pl)
	before := func(a, b string) string {
		return "(" + a + ".effective_date < " + b + ".effective_date OR (" + a + ".effective_date = " + b + ".effective_date AND " + a + ".id < " + b + ".id))"
	}
	q := `SELECT r.country_code, ` + "CAST(r.effective_date AS TEXT)" + `, p.category, r.category FROM ratings r
		JOIN ratings p ON p.country_code = r.country_code AND ` + before("p", "r") + `
		WHERE NOT EXISTS (SELECT 1 FROM ratings q WHERE q.country_code = r.country_code AND ` + before("p", "q") + ` AND ` + before("q", "r") + `)
		AND p.category <> r.category AND r.effective_date >= ? AND r.effective_date <= ?` + where
	rows, err := db.WriteDB().QueryContext(ctx, rebind(db, q), append([]any{civicmon.NewDate(year, 1, 1), civicmon.NewDate(year, 12, 31)}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var code, date, from, to string
		if err := rows.Scan(&code, &date, &from, &to); err != nil {
			t.Fatal(err)
		}
		out = append(out, code+" "+date[:10]+" "+from+">"+to)
	}
	slices.Sort(out)
	return out
}
