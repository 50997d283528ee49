package workspace_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestManageAccounts(t *testing.T) {
	env := webtest.New(t)
	admin := env.SignedIn(t, civicmon.RoleAdmin)
	r := admin.Post("/admin/users", url.Values{"email": {"New@Example.org"},
		"name": {"New Person"}, "role": {"researcher"}, "password": {"a first password"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	if r := env.Client(t).Login("new@example.org", "a first password"); r.Status != http.StatusSeeOther {
		t.Fatalf("the new account cannot sign in: %d", r.Status)
	}
	r = admin.Post("/admin/users", url.Values{"email": {"new@example.org"},
		"name": {"Again"}, "role": {"owner"}, "password": {"a first password"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `&#34;owner&#34; is not a role`) {
		t.Fatalf("bad role: %d", r.Status)
	}
	// Disabling signs the account out at once.
	editor := env.SignedIn(t, civicmon.RoleEditor)
	id := env.Users[civicmon.RoleEditor].ID
	if r := admin.Post("/admin/users/"+itoa(id), url.Values{"action": {"disable"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.Status)
	}
	if r := editor.Get("/admin"); r.Status != http.StatusSeeOther {
		t.Fatalf("a disabled account still opens /admin: %d", r.Status)
	}
	if r := env.Client(t).Login("editor@example.org", webtest.Password); r.Status != http.StatusUnauthorized {
		t.Fatalf("a disabled account signs in: %d", r.Status)
	}
	if r := admin.Post("/admin/users/"+itoa(env.Users[civicmon.RoleAdmin].ID), url.Values{"action": {"disable"}}); r.Status != http.StatusConflict {
		t.Fatalf("an admin disabling themselves: %d", r.Status)
	}
}

// TestAccountsPage: the list shows each account with its forms; roles
// change, accounts come back, and an admin keeps their own role.
func TestAccountsPage(t *testing.T) {
	env := webtest.New(t)
	editor := itoa(env.Users[civicmon.RoleEditor].ID)
	self := itoa(env.Users[civicmon.RoleAdmin].ID)
	env.Run(t,
		webtest.Scenario{URL: "/admin/users", As: "admin", Contains: []string{"editor@example.org", `action="/admin/users/` + editor + `"`,
			`<select id="role` + editor + `" name="role">`, `value="disable"`, `id="u-password"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/users", As: "admin", Form: url.Values{"email": {"x@example.org"}, "name": {"X"}, "role": {"editor"}, "password": {"short"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"<code>user.password</code>", `value="x@example.org"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/users/" + editor, As: "admin", Form: url.Values{"action": {"role"}, "role": {"reviewer"}},
			Status: http.StatusSeeOther, Check: location("/admin/users?done=1")},
		webtest.Scenario{Method: "POST", URL: "/admin/users/" + self, As: "admin", Form: url.Values{"action": {"role"}, "role": {"editor"}},
			Status: http.StatusConflict, Contains: []string{"you cannot take the admin role from yourself"}},
		webtest.Scenario{Method: "POST", URL: "/admin/users/" + editor, As: "admin", Form: url.Values{"action": {"nothing"}}, Status: http.StatusNotFound},
		webtest.Scenario{Method: "POST", URL: "/admin/users/" + editor, As: "admin", Form: url.Values{"action": {"disable"}}, Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/admin/users?done=1", As: "admin", Contains: []string{"Saved.", "editor@example.org (disabled)", `value="enable"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/users/" + editor, As: "admin", Form: url.Values{"action": {"enable"}}, Status: http.StatusSeeOther},
	)
	if u, _ := env.Store.UserByID(t.Context(), env.Users[civicmon.RoleEditor].ID); u.Disabled || u.Role != civicmon.RoleReviewer {
		t.Fatalf("the editor's account: disabled %v, role %s; want enabled, reviewer", u.Disabled, u.Role)
	}
}
