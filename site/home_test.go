package site_test

import (
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestHomePage: the map with a link per country, the counts by rating, the
// current watchlist edition and the latest published updates; no draft.
func TestHomePage(t *testing.T) {
	env := newEnv(t)
	env.Run(t,
		webtest.Scenario{URL: "/", Contains: []string{
			`<h2 id="map-heading">World map of ratings</h2>`, `href="/countries/kazakhstan"`,
			`<h2 id="counts-heading">Countries by rating</h2>`, `<span class="badge r-repressed">Repressed</span>`,
			`<h2 id="watchlist-heading">On the watchlist</h2>`, `<h2 id="latest-heading">Latest updates</h2>`,
			`/updates/wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests`,
		}, NotContains: []string{"Draft by the", "private note"}},
		webtest.Scenario{URL: "/?lang=fr", Contains: []string{`<html lang="fr"`, "Carte mondiale des notations",
			`href="/countries/kazakhstan?lang=fr"`}},
		webtest.Scenario{URL: "/?lang=ru", Header: map[string]string{"Accept-Language": "fr"}, Contains: []string{`<html lang="ru"`}},
	)
}
