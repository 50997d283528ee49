package workspace_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// TestAccountChangesEndSessions: an admin's change of an account's role,
// or disabling it, ends every session of the account: its browser is sent
// to sign in again (SaveUser ends them; storetest holds both engines to it).
func TestAccountChangesEndSessions(t *testing.T) {
	env := webtest.New(t)
	admin := env.SignedIn(t, civicmon.RoleAdmin)
	editor := env.Users[civicmon.RoleEditor]
	path := "/admin/users/" + strconv.FormatInt(editor.ID, 10)
	for _, c := range []struct {
		name string
		form url.Values
	}{
		{"role", url.Values{"action": {"role"}, "role": {"researcher"}}},
		{"disable", url.Values{"action": {"disable"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if u, _ := env.Store.UserByID(t.Context(), editor.ID); u.Disabled || u.Role != civicmon.RoleEditor {
				u.Disabled, u.Role = false, civicmon.RoleEditor
				if err := env.Store.SaveUser(t.Context(), u); err != nil {
					t.Fatal(err)
				}
			}
			browser := env.SignedIn(t, civicmon.RoleEditor)
			if r := browser.Get("/admin"); r.Status != http.StatusOK {
				t.Fatalf("signed in: %d", r.Status)
			}
			if r := admin.Post(path, c.form); r.Status != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", c.name, r.Status, r.Body)
			}
			if r := browser.Get("/admin"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/login?next=%2Fadmin" {
				t.Fatalf("after %s the old session answers %d → %q", c.name, r.Status, r.Header.Get("Location"))
			}
		})
	}
}
