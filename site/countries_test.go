package site_test

import (
	"net/http"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestCountriesPage: every rated country by region with its rating, and
// the filters by region and rating, which keep their choice in the form.
func TestCountriesPage(t *testing.T) {
	env := newEnv(t)
	env.Run(t,
		webtest.Scenario{URL: "/countries", Contains: []string{"<h1>Countries</h1>", "Countries and territories: 197",
			`<h2 id="r-africa"><a href="/regions/africa">Africa</a></h2>`,
			`<a href="/countries/kazakhstan">Kazakhstan</a> <span class="badge r-repressed">Repressed</span>`}},
		webtest.Scenario{URL: "/countries?region=africa&rating=closed", Contains: []string{"Countries and territories: 6",
			`<option value="africa" selected>`, `<option value="closed" selected>`}, NotContains: []string{"Kazakhstan"}},
		webtest.Scenario{URL: "/countries?region=atlantis", Status: http.StatusNotFound, Contains: []string{"Page not found"}},
		webtest.Scenario{URL: "/countries?lang=es", Contains: []string{`<html lang="es"`, `href="/countries/kazakhstan?lang=es"`}},
	)
}
