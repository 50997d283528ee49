package site_test

import (
	"strings"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestReport: a year's report has its headline numbers, the distribution
// and the population shares, the changes, the watchlist and the top
// violations per region, each number linked, in every language; the
// stylesheet prints it.
func TestReport(t *testing.T) {
	env := newEnv(t)
	env.Run(t,
		webtest.Scenario{URL: "/reports/2020", Contains: []string{
			"<h1>Civic space in 2020</h1>", "196 countries rated at the end of 2020",
			"of the people of the rated countries live where civic space is obstructed, repressed or closed",
			"2 ratings improved and 11 worsened", `href="/statistics?year=2020#ratings"`, `href="/updates?year=2020"`,
			`<th scope="row">Closed</th><td>23</td>`, `id="population"`, "Countries whose rating changed in 2020", "Costa Rica",
			"The watchlist in 2020", "No watchlist edition was published this year.", "Most common violations per region",
		}},
		webtest.Scenario{URL: "/reports/2019", Contains: []string{"The watchlist in 2019", `href="/watchlist/2019-10-01"`}},
		webtest.Scenario{URL: "/reports/2022?lang=fr", Contains: []string{"L’espace civique en 2022", "Chiffres clés"}},
		webtest.Scenario{URL: "/reports/2022?lang=es", Contains: []string{"El espacio cívico en 2022"}},
		webtest.Scenario{URL: "/reports/2022?lang=ru", Contains: []string{"Гражданское пространство в 2022 году"}},
		webtest.Scenario{URL: "/reports/2099", Status: 404},
		webtest.Scenario{URL: "/reports/twenty", Status: 404},
		webtest.Scenario{URL: "/reports/02020", Status: 404},
		webtest.Scenario{URL: "/statistics?year=2020", Contains: []string{`href="/reports/2020"`}},
	)
	css := env.Do(t, webtest.Scenario{URL: "/statistics"}).Body
	i := strings.Index(css, `rel="stylesheet" href="`)
	if i < 0 {
		t.Fatal("no stylesheet")
	}
	href := css[i+len(`rel="stylesheet" href="`):]
	href = href[:strings.IndexByte(href, '"')]
	env.Run(t, webtest.Scenario{URL: href, Contains: []string{"@media print{", ".stats-filter,.chart-links,.follow{display:none}", "@page{margin:15mm}"}})
}
