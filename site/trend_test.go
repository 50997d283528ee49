package site_test

import (
	"context"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// TestCountryTrend: the country page shows the rating over time, the
// country per freedom, incidents per year, the region's countries, the
// feeds to follow and a citation a journalist can paste; an update shows
// the rating its country had on its date.
func TestCountryTrend(t *testing.T) {
	env := newEnv(t)
	env.Run(t,
		webtest.Scenario{URL: "/countries/kazakhstan", Contains: []string{
			`<figure class="trend"><svg class="chart"`, `<title id="trend-t">Rating over time</title>`,
			`<h2 id="freedoms-heading">By freedom</h2>`, "incidents in the last twelve months",
			`<caption id="years-caption">Incidents per year by freedom</caption>`,
			"Other countries of Europe and Central Asia", `href="/countries/kyrgyzstan"`,
			"Follow Kazakhstan", `href="/countries/kazakhstan/feed.atom"`,
			"Cite this country page", "CIVICUS Monitor, “Kazakhstan: civic space rating and research updates”, civicmon,",
			"(accessed 26 November 2026).", `href="/countries/kazakhstan/cite/bibtex"`, `href="/countries/kazakhstan/cite/text"`,
		}},
		webtest.Scenario{URL: "/countries/kazakhstan/cite/text?accessed=2026-11-26", Contains: []string{
			"CIVICUS Monitor, “Kazakhstan: civic space rating and research updates”", "/countries/kazakhstan (accessed 26 November 2026).",
		}, Check: func(t *testing.T, r *webtest.Response) {
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
			}
		}},
		webtest.Scenario{URL: "/countries/kazakhstan/cite/ris?accessed=2026-11-26", Contains: []string{"TY  - ELEC", "ID  - civicus-country-kz"}},
		webtest.Scenario{URL: "/countries/atlantis/cite/ris?accessed=2026-11-26", Status: 404},
	)
	// An update of 2019 shows the rating of 2019 (Obstructed), not today's
	// (Repressed since June 2022).
	us, _, err := env.Store.FindUpdates(context.Background(), civicmon.UpdateFilter{CountryCode: "KZ", Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var old string
	for _, u := range us {
		if u.PublishedOn.Year() < 2022 && old == "" {
			old = u.Slug
		}
	}
	if old == "" {
		t.Fatalf("the demo has no Kazakhstan update before 2022: %d updates", len(us))
	}
	recent := "kz-2023"
	if err := env.Store.CreateUpdate(context.Background(), &civicmon.Update{Slug: recent, Title: "After the downgrade", CountryCode: "KZ",
		Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2023-05-01")}); err != nil {
		t.Fatal(err)
	}
	env.Run(t,
		webtest.Scenario{URL: "/updates/" + old, Contains: []string{`<dt>Rating on that date</dt><dd><span class="badge r-obstructed">Obstructed</span>`,
			`<p class="citation">CIVICUS Monitor`, `href="/updates/` + old + `/cite/text"`}},
		webtest.Scenario{URL: "/updates/" + recent, Contains: []string{`<dt>Rating on that date</dt><dd><span class="badge r-repressed">Repressed</span>`}},
	)
}
