package workspace_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// TestHistory: an update's history names who changed it, and each change
// as a diff; ratings and watchlist editions have theirs; anything else is
// not found.
func TestHistory(t *testing.T) {
	env := webtest.New(t)
	draft := fmt.Sprint(env.Drafts[civicmon.RoleResearcher].ID)
	env.Run(t,
		webtest.Scenario{URL: "/admin/updates/" + draft + "/history", As: "editor",
			Contains: []string{"<h1>History: Draft by the researcher</h1>", "the system", "<code>update.create</code>", `<pre class="diff">`,
				`class="d add">+ `, `href="/admin/updates/` + draft + `"`}},
		webtest.Scenario{URL: "/admin/updates/" + draft + "/history", As: "researcher", Status: http.StatusForbidden},
		webtest.Scenario{URL: "/admin/history/watchlist/1", As: "reviewer", Contains: []string{"<h1>History: watchlist 1</h1>", `href="/admin/watchlist/1"`}},
		webtest.Scenario{URL: "/admin/history/rating/999999", As: "editor", Status: http.StatusNotFound},
		webtest.Scenario{URL: "/admin/history/user/1", As: "editor", Status: http.StatusNotFound},
		webtest.Scenario{URL: "/admin/history/watchlist/x", As: "editor", Status: http.StatusNotFound},
	)
}
