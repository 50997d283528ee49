package site_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// TestStatistics: the page's charts are SVG with a title, a description
// and a table of their numbers; the 2020 distribution is the published
// one; the filter lives in the URL.
func TestStatistics(t *testing.T) {
	env := newEnv(t)
	env.Run(t,
		webtest.Scenario{URL: "/statistics?year=2020", Contains: []string{
			`<svg class="chart"`, `role="img"`, `<title id="ratings-t">`, `<desc id="ratings-d">`,
			`<pattern id="ratings-closed"`, // categories are patterns too, not colour alone
			`<th scope="row">Closed</th><td>23</td>`, `<th scope="row">Repressed</th><td>44</td>`,
			`<th scope="row">Obstructed</th><td>47</td>`, `<th scope="row">Narrowed</th><td>40</td>`,
			`<th scope="row">Open</th><td>42</td>`,
			`<option value="2020" selected>`,
			`href="/statistics/ratings.csv?year=2020"`, `href="/statistics/ratings.json?year=2020"`,
			`href="/embed/statistics/ratings?year=2020"`,
			"Countries whose rating changed in 2020", "Costa Rica", "Côte d", "Population: World Bank (SP.POP.TOTL), 2020.",
			"Taiwan",
		}, NotContains: []string{"<script"}},
		webtest.Scenario{URL: "/statistics?country=KZ&freedom=expression", Contains: []string{
			`<option value="KZ" selected>`, `<option value="expression" selected>`, `id="violations"`,
			`href="/updates?country=KZ&amp;freedom=expression&amp;violation=`,
		}},
		webtest.Scenario{URL: "/statistics?year=2021&lang=fr", Contains: []string{"Statistiques", `name="lang" value="fr"`}},
		webtest.Scenario{URL: "/statistics?year=banana", Status: 400, Contains: []string{"year"}},
		webtest.Scenario{URL: "/statistics?country=ZZ&region=mars", Status: 400, Contains: []string{"country", "region"}},
		webtest.Scenario{URL: "/statistics/ratings.csv?year=2020", Check: func(t *testing.T, r *webtest.Response) {
			recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
			if err != nil || len(recs) != 6 || strings.Join(recs[0], ",") != "key,category,countries" ||
				strings.Join(recs[5], ",") != "closed,Closed,23" {
				t.Errorf("ratings.csv = %q, %v", recs, err)
			}
		}},
		webtest.Scenario{URL: "/statistics/population.json?year=2020", Check: func(t *testing.T, r *webtest.Response) {
			var v struct {
				Chart  string           `json:"chart"`
				Filter map[string]any   `json:"filter"`
				Rows   []map[string]any `json:"rows"`
			}
			if err := json.Unmarshal([]byte(r.Body), &v); err != nil || v.Chart != "population" || len(v.Rows) != 5 || v.Filter["year"] != 2020.0 {
				t.Errorf("population.json = %+v, %v", v, err)
			}
		}},
		webtest.Scenario{URL: "/statistics/nothing.csv", Status: 404},
		webtest.Scenario{URL: "/statistics/ratings.xml", Status: 404},
		webtest.Scenario{URL: "/embed/statistics/violations?country=KZ", Contains: []string{`<body class="embed">`, `<svg class="chart"`, `target="_top"`},
			NotContains: []string{`<header class="site">`},
			Check: func(t *testing.T, r *webtest.Response) {
				if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || r.Header.Get("X-Frame-Options") != "" {
					t.Errorf("an embedded chart may not be framed: %q", csp)
				}
			}},
		webtest.Scenario{URL: "/embed/statistics/nothing", Status: 404},
		webtest.Scenario{URL: "/statistics", Check: func(t *testing.T, r *webtest.Response) {
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("/statistics may be framed: %q", csp)
			}
		}},
	)
}

// TestStatisticsScheduledRating: a rating dated after today is in no
// count until its day.
func TestStatisticsScheduledRating(t *testing.T) {
	env := newEnv(t)
	if err := env.Store.AddRating(context.Background(), &civicmon.Rating{CountryCode: "KZ",
		EffectiveDate: civicmon.MustDate("2026-12-20"), Category: civicmon.Open}); err != nil {
		t.Fatal(err)
	}
	env.Run(t,
		webtest.Scenario{URL: "/statistics/rating-changes.csv", NotContains: []string{"2026-up"}},
		webtest.Scenario{URL: "/statistics?year=2026", Contains: []string{"Countries whose rating changed in 2026", "No rating changed."}},
		webtest.Scenario{URL: "/api/v1/statistics/ratings?year=2026&country=KZ", Contains: []string{`"repressed":1`, `"changes":[]`}},
	)
	env.SetNow(time.Date(2026, 12, 21, 12, 0, 0, 0, time.UTC))
	env.Run(t, webtest.Scenario{URL: "/statistics/rating-changes.csv", Contains: []string{"2026-up"}})
}
