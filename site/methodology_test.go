package site_test

import (
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestMethodologyPage: the five categories with their score bands, in the
// reader's language.
func TestMethodologyPage(t *testing.T) {
	env := newEnv(t)
	env.Run(t,
		webtest.Scenario{URL: "/methodology", Contains: []string{"<h1>Methodology</h1>",
			`<td><span class="badge r-open">Open</span></td><td>81–100</td>`,
			`<td><span class="badge r-narrowed">Narrowed</span></td><td>61–80</td>`,
			`<td><span class="badge r-obstructed">Obstructed</span></td><td>41–60</td>`,
			`<td><span class="badge r-repressed">Repressed</span></td><td>21–40</td>`,
			`<td><span class="badge r-closed">Closed</span></td><td>1–20</td>`}},
		webtest.Scenario{URL: "/methodology?lang=ru", Contains: []string{`<html lang="ru"`, "81–100"}, NotContains: []string{"<h1>Methodology</h1>"}},
	)
}
