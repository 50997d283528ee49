package stats_test

import (
	"context"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/stats"
	"github.com/civicmon/civicmon/storetest"
)

var ctx = context.Background()

func demoIndex(t *testing.T) *stats.Index {
	t.Helper()
	db := storetest.SQLite.Open(t)
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatal(err)
	}
	return stats.New(db.Store(), nil)
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// The 2020 distribution is the one People Power Under Attack 2020
// published.
func TestDemoDistribution2020(t *testing.T) {
	ix := demoIndex(t)
	d, err := ix.Distribution(ctx, civicmon.MustDate("2020-12-31"), stats.Place{})
	if err != nil {
		t.Fatal(err)
	}
	// Open, Narrowed, Obstructed, Repressed, Closed.
	if want := [5]int{42, 40, 47, 44, 23}; d.Counts != want {
		t.Errorf("2020: %v, want %v", d.Counts, want)
	}
	if d.Rated != 196 {
		t.Errorf("2020: %d countries rated, want 196", d.Rated)
	}
	// Per region the counts add up to the world's.
	var sum [5]int
	for _, r := range civicmon.Regions {
		rd, err := ix.Distribution(ctx, civicmon.MustDate("2020-12-31"), stats.Place{Region: r})
		if err != nil {
			t.Fatal(err)
		}
		for i := range sum {
			sum[i] += rd.Counts[i]
		}
	}
	if sum != d.Counts {
		t.Errorf("regions add up to %v, the world is %v", sum, d.Counts)
	}
}

// The rating changes of 2020 and 2021 are the announced ones.
func TestDemoChanges(t *testing.T) {
	ix := demoIndex(t)
	want := map[int][]string{}
	for _, r := range readCSV(t, "../demo/data/civicus-rating-changes.csv") {
		y, _ := strconv.Atoi(r[2])
		want[y] = append(want[y], r[0]+" "+r[3]+">"+r[4])
	}
	for _, year := range []int{2020, 2021} {
		ch, err := ix.Changes(ctx, year, stats.Place{}, civicmon.Date{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		up := 0
		for _, c := range ch {
			got = append(got, c.CountryCode+" "+c.From.Name()+">"+c.To.Name())
			if c.Up() {
				up++
			}
		}
		slices.Sort(got)
		slices.Sort(want[year])
		if !slices.Equal(got, want[year]) {
			t.Errorf("%d:\n got  %v\n want %v", year, got, want[year])
		}
		if year == 2021 && up != 1 { // Mongolia
			t.Errorf("2021: %d upgrades, want 1", up)
		}
	}
	ys, err := ix.ChangeYears(ctx, stats.Place{}, civicmon.Date{})
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range ys {
		if (y.Year == 2020 || y.Year == 2021) && y.Up+y.Down != len(want[y.Year]) {
			t.Errorf("%d: %d up, %d down; want %d changes", y.Year, y.Up, y.Down, len(want[y.Year]))
		}
	}
	// Kazakhstan's rating on a day of 2021 and of 2023.
	for day, want := range map[string]civicmon.Category{"2021-03-01": civicmon.Obstructed, "2023-01-01": civicmon.Repressed} {
		r, ok, err := ix.RatingOn(ctx, "KZ", civicmon.MustDate(day))
		if err != nil || !ok || r.Category != want {
			t.Errorf("Kazakhstan on %s: %v %v %v, want %s", day, r.Category, ok, err, want)
		}
	}
	if _, ok, _ := ix.RatingOn(ctx, "KZ", civicmon.MustDate("2010-01-01")); ok {
		t.Error("Kazakhstan rated in 2010")
	}
}

// The population shares equal a sum done here from the data files.
func TestDemoPopulationShares(t *testing.T) {
	ix := demoIndex(t)
	code3 := map[string]string{}
	for _, r := range readCSV(t, "../demo/data/countries.csv") {
		code3[r[0]] = r[1]
	}
	people := map[string]int64{}
	for _, r := range readCSV(t, "population-worldbank.csv") {
		if r[2] == "2020" {
			v, err := strconv.ParseFloat(r[3], 64)
			if err != nil {
				t.Fatal(err)
			}
			people[r[1]] = int64(v)
		}
	}
	var want [5]int64
	var total int64
	var missing []string
	for _, r := range readCSV(t, "../demo/data/civicus-ratings.csv") {
		if r[2] != "2020" {
			continue
		}
		cat, _ := civicmon.ParseCategory(r[3])
		n, ok := people[code3[r[0]]]
		if !ok {
			missing = append(missing, r[0])
			continue
		}
		want[cat.Rank()-1] += n
		total += n
	}
	d, err := ix.Distribution(ctx, civicmon.MustDate("2020-12-31"), stats.Place{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ix.PopulationShares(d)
	if err != nil {
		t.Fatal(err)
	}
	if s.Year != 2020 || s.People != want || s.Total != total {
		t.Errorf("2020 shares: year %d, %v of %d; want %v of %d", s.Year, s.People, s.Total, want, total)
	}
	slices.Sort(missing)
	if !slices.Equal(s.Missing, missing) || !slices.Contains(missing, "TW") {
		t.Errorf("without a figure: %v, want %v (Taiwan among them)", s.Missing, missing)
	}
	var shares float64
	for _, x := range s.Share {
		shares += x
	}
	if shares < 0.9999 || shares > 1.0001 {
		t.Errorf("shares add up to %f", shares)
	}
	// A later year than the table holds uses its last year.
	d, _ = ix.Distribution(ctx, civicmon.MustDate("2030-12-31"), stats.Place{})
	if s, _ := ix.PopulationShares(d); s.Year != 2024 {
		t.Errorf("2030 uses the figures of %d, want 2024", s.Year)
	}
}

func TestDemoCounts(t *testing.T) {
	ix := demoIndex(t)
	c, err := ix.Query(ctx, stats.Filter{Country: "KZ"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := ix.Query(ctx, stats.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Total.Updates == 0 || c.Total.Updates != all.Total.Updates || c.Total.Incidents == 0 {
		t.Errorf("Kazakhstan %+v, all %+v: the demo's updates are all Kazakhstan's", c.Total, all.Total)
	}
}
