package site_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestListingPages: a region's, a freedom's and a tag's pages list their
// countries, with their ratings and how many of the list's updates are on
// each, then the updates, a page at a time; the country list, which every
// page of a list shares (and the site renders once), keeps the language
// the reader chose, and only then.
func TestListingPages(t *testing.T) {
	env := newEnv(t)
	countryItem := regexp.MustCompile(`<li><a href="/countries/kazakhstan(\?lang=fr)?">Kazakhstan</a> <span class="badge r-repressed">[^<]+</span>( <span class="n">[^<]+</span>)?</li>`)
	item := func(lang string, counted bool) func(t *testing.T, r *webtest.Response) {
		return func(t *testing.T, r *webtest.Response) {
			m := countryItem.FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatal("no list item for Kazakhstan")
			}
			if (m[1] != "") != (lang != "") || (m[2] != "") != counted {
				t.Errorf("Kazakhstan's item %q: want a link in language %q, counted %v", m[0], lang, counted)
			}
		}
	}
	env.Run(t,
		webtest.Scenario{URL: "/regions/europe-central-asia", Contains: []string{
			"<h1>Europe and Central Asia</h1>", `<h2 id="countries-heading">Countries</h2>`, `<ul class="country-list">`,
			`<h2 id="updates-heading">Research updates</h2>`, `<ol class="updates">`}, Check: item("", true)},
		webtest.Scenario{URL: "/regions/europe-central-asia?lang=fr", Contains: []string{"<h1>Europe et Asie centrale</h1>"}, Check: item("fr", true)},
		webtest.Scenario{Name: "the same list again, in the language of the request", URL: "/regions/europe-central-asia", Header: map[string]string{"Accept-Language": "fr"},
			Contains: []string{"<h1>Europe et Asie centrale</h1>"}, Check: item("", true)},
		webtest.Scenario{URL: "/freedoms/peaceful-assembly", Contains: []string{"<h1>Freedom of peaceful assembly</h1>", "Updates: "}, Check: item("", true)},
		webtest.Scenario{URL: "/tags/internet-shutdown", Contains: []string{"Muffled protests"}, Check: item("", true)},
		webtest.Scenario{URL: "/tags/censorship", Contains: []string{"<li>None yet.</li>", "<li>No updates yet.</li>"}},
		webtest.Scenario{URL: "/regions/europe-central-asia?page=99", Status: http.StatusNotFound},
	)
}
