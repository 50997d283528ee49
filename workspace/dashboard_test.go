package workspace_test

import (
	"net/http"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestDashboard: each account sees its own drafts, and those who publish
// the review queue and what was published lately.
func TestDashboard(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin", Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/admin", As: "researcher", Contains: []string{"My drafts", "Draft by the researcher", `href="/admin/updates/new"`},
			NotContains: []string{"Draft by the editor", "Review queue", "Recently published"}},
		webtest.Scenario{URL: "/admin", As: "editor", Contains: []string{"My drafts", "Draft by the editor", "Review queue", "Recently published"},
			NotContains: []string{"Draft by the researcher"}},
		webtest.Scenario{URL: "/admin", As: "reviewer", Contains: []string{"<h1>Workspace</h1>"},
			NotContains: []string{"My drafts", "Review queue"}},
		webtest.Scenario{Name: "no imported drafts", URL: "/admin", As: "editor", NotContains: []string{"Imported drafts waiting"}},
	)
	// Drafts an import left are pointed out to editors, with the way to them.
	importDrafts(t, env, "Imported one", "Imported two")
	env.Run(t,
		webtest.Scenario{URL: "/admin", As: "editor", Contains: []string{"Imported drafts waiting: 2.", `href="/admin/archive?imported=1&status=draft"`}},
		webtest.Scenario{URL: "/admin", As: "researcher", NotContains: []string{"Imported drafts waiting"}},
	)
}
