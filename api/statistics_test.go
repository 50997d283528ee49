package api_test

import (
	"encoding/json"
	"slices"
	"testing"
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
