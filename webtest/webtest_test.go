package webtest_test

import (
	"net/http"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestHarness holds the harness to what it promises: roles sign in, tokens
// authenticate, forms carry the anti-forgery token, and a failed
// expectation fails.
func TestHarness(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/countries/kazakhstan", Contains: []string{"<h1>Kazakhstan</h1>"}, NotContains: []string{"private note"}},
		webtest.Scenario{URL: "/admin", Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/admin", As: "editor", Contains: []string{"Sign out (The editor)"}},
		webtest.Scenario{URL: "/admin/users", As: "researcher", Status: http.StatusForbidden},
		webtest.Scenario{URL: "/api/v1/updates/" + env.Drafts["researcher"].UID + "/editorial", As: "token:editor", Contains: []string{"Draft by the researcher"}},
		webtest.Scenario{URL: "/api/v1/updates/" + env.Drafts["researcher"].UID + "/editorial", Status: http.StatusForbidden, Contains: []string{"needs an API token"}},
		webtest.Scenario{Method: "POST", URL: "/admin/logout", As: "editor", Form: map[string][]string{}, Status: http.StatusSeeOther},
	)
	// A scenario whose expectation does not hold fails its test.
	failing := &testing.T{}
	r := env.Do(t, webtest.Scenario{URL: "/countries/kazakhstan"})
	webtest.Scenario{URL: "/countries/kazakhstan", Status: 404, Contains: []string{"no such text"}}.Expect(failing, r)
	if !failing.Failed() {
		t.Error("a scenario expecting 404 and a missing text passed on a 200 page")
	}
}
