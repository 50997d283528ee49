package api_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/stats"
	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/webtest"
)

func (c *conformance) statistics(t *testing.T) {
	t.Helper()
	c.publicRead(t, "/api/v1/statistics/counts")
	c.publicRead(t, "/api/v1/statistics/ratings")
	r := c.get(t, "/api/v1/statistics/counts?year=2021&country=kazakhstan&freedom=expression&region=europe-central-asia", 200)
	var counts struct {
		Filter map[string]any `json:"filter"`
		Total  struct{ Updates, Incidents int }
		Years  []struct{ Key string }
	}
	if err := json.Unmarshal([]byte(r.Body), &counts); err != nil || counts.Filter["country"] != "KZ" || counts.Total.Updates == 0 ||
		len(counts.Years) != 1 || counts.Years[0].Key != "2021" {
		t.Errorf("counts of Kazakhstan's expression in 2021: %+v, %v", counts, err)
	}
	r = c.get(t, "/api/v1/statistics/ratings?year=2020", 200)
	var ratings struct {
		Distribution map[string]int
		Population   struct{ Missing []string }
		ChangesYear  int `json:"changes_year"`
		Changes      []struct{ Country string }
	}
	if err := json.Unmarshal([]byte(r.Body), &ratings); err != nil {
		t.Fatal(err)
	}
	if d := ratings.Distribution; d["closed"] != 23 || d["repressed"] != 44 || d["obstructed"] != 47 || d["narrowed"] != 40 || d["open"] != 42 {
		t.Errorf("2020 distribution %v", d)
	}
	if ratings.ChangesYear != 2020 || len(ratings.Changes) != 13 || !slices.Contains(ratings.Population.Missing, "TW") {
		t.Errorf("2020: %d changes of %d, without population %v", len(ratings.Changes), ratings.ChangesYear, ratings.Population.Missing)
	}
	c.get(t, "/api/v1/statistics/ratings?country=KZ&region=africa", 200)
	c.get(t, "/api/v1/statistics/counts?year=twenty&country=atlantis&freedom=speech", 422)
	c.get(t, "/api/v1/statistics/ratings?year=1800&freedom=expression", 422)
}

// TestStatisticsCountsEqualSQL: over generated data, the API's counts for
// random filters are the same counts done by plain SQL.
func TestStatisticsCountsEqualSQL(t *testing.T) {
	env := webtest.New(t)
	env.SetNow(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	if _, err := gen.Run(context.Background(), env.Store, gen.Options{Updates: 300, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	counted := 0
	defer func() {
		if counted == 0 {
			t.Error("no filter counted any incident: the comparison proves nothing")
		}
	}()
	for range 12 {
		var f stats.Filter
		q := url.Values{}
		if rnd.IntN(2) == 0 {
			f.Year = 2016 + rnd.IntN(10)
			q.Set("year", strconv.Itoa(f.Year))
		}
		switch rnd.IntN(3) {
		case 0:
			f.Region = civicmon.Regions[rnd.IntN(len(civicmon.Regions))]
			q.Set("region", string(f.Region))
		case 1:
			f.Country = []string{"KZ", "IN", "BR", "NG", "FR", "RU"}[rnd.IntN(6)]
			q.Set("country", f.Country)
		}
		if rnd.IntN(2) == 0 {
			f.Freedom = civicmon.Freedoms[rnd.IntN(3)]
			q.Set("freedom", string(f.Freedom))
		}
		r := env.Do(t, webtest.Scenario{URL: "/api/v1/statistics/counts?" + q.Encode()})
		var got stats.Counts
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Fatalf("%s: %v", q.Encode(), err)
		}
		counted += got.Total.Incidents
		sf := f
		sf.To = civicmon.MustDate("2026-11-26")
		want := storetest.SQLCounts(t, env.DB, sf)
		if got.Total != want["total"]["all"] {
			t.Errorf("%s: total %+v, SQL %+v", q.Encode(), got.Total, want["total"]["all"])
		}
		for dim, bs := range map[string][]stats.Bucket{"year": got.Years, "month": got.Months, "country": got.Countries,
			"violation": got.Violations, "target": got.Targets} {
			m := map[string]stats.Tally{}
			for _, b := range bs {
				m[b.Key] = b.Tally
			}
			if len(m) != len(want[dim]) {
				t.Errorf("%s by %s: %d keys, SQL %d", q.Encode(), dim, len(m), len(want[dim]))
			}
			for k, v := range want[dim] {
				if m[k] != v {
					t.Errorf("%s by %s, %s: %+v, SQL %+v", q.Encode(), dim, k, m[k], v)
				}
			}
		}
	}
}
