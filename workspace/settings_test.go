package workspace_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// TestSettings: the roles that must use two-step sign-in are kept, and
// unknown roles dropped.
func TestSettings(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin/settings", As: "admin", Contains: []string{`name="require_2fa" value="reviewer">`}},
		webtest.Scenario{Method: "POST", URL: "/admin/settings", As: "admin", Form: url.Values{"require_2fa": {"reviewer", "owner"}},
			Status: http.StatusSeeOther, Check: location("/admin/settings?done=1")},
		webtest.Scenario{URL: "/admin/settings?done=1", As: "admin", Contains: []string{"Saved.", `name="require_2fa" value="reviewer" checked>`,
			`name="version" value="1"`}},
		// A form opened before that save: refused, both shown, the choice kept.
		webtest.Scenario{Name: "stale settings", Method: "POST", URL: "/admin/settings", As: "admin", Form: url.Values{"require_2fa": {"editor"}, "version": {"0"}},
			Status: http.StatusConflict, Contains: []string{"Your changes are not saved yet", `name="require_2fa" value="editor" checked>`,
				`name="version" value="1"`, `<tr class="changed">`}},
	)
	if v, err := env.Store.Setting(t.Context(), civicmon.SettingRequire2FA); err != nil || v != "reviewer" {
		t.Fatalf("setting %q, %v; want reviewer", v, err)
	}
}
