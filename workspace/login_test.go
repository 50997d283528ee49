package workspace_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

func TestLogin(t *testing.T) {
	env := webtest.New(t)
	env.Run(t, webtest.Scenario{Name: "anonymous /admin", URL: "/admin", Status: http.StatusSeeOther, Check: location("/admin/login?next=%2Fadmin")})
	c := env.Client(t)
	if r := c.Login("researcher@example.org", "wrong password"); r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.Status)
	}
	if r := c.Login("nobody@example.org", webtest.Password); r.Status != http.StatusUnauthorized {
		t.Fatalf("unknown account: %d", r.Status)
	}
	c = env.SignedIn(t, civicmon.RoleResearcher)
	r := c.Get("/admin")
	if r.Status != 200 || !strings.Contains(r.Body, "Draft by the researcher") || strings.Contains(r.Body, "Draft by the editor") {
		t.Fatalf("researcher dashboard: %d", r.Status)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("workspace page may be cached: %q", r.Header.Get("Cache-Control"))
	}
	for _, c := range cookies(r) {
		t.Errorf("dashboard set cookie %s", c.Name)
	}
	if r := c.Post("/admin/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	if r := c.Get("/admin"); r.Status != http.StatusSeeOther {
		t.Fatalf("after logout /admin: %d", r.Status)
	}
}

func TestSessionCookie(t *testing.T) {
	env := webtest.New(t)
	r := env.Client(t).Login("editor@example.org", webtest.Password)
	var found bool
	for _, c := range cookies(r) {
		if c.Name == "civicmon_session" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/admin" {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/admin", c)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
}

func TestLoginThrottle(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	for i := 0; i < 5; i++ {
		if r := c.Login("editor@example.org", "wrong password"); r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
	}
	if r := c.Login("editor@example.org", webtest.Password); r.Status != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures the right password got %d, want 429", r.Status)
	}
	// Another account from the same address is not locked out by these.
	if r := c.Login("admin@example.org", webtest.Password); r.Status != http.StatusSeeOther {
		t.Fatalf("other account: %d", r.Status)
	}
}

// TestLoginForm: the form keeps the address and where to go next, and
// sends nowhere outside the workspace.
func TestLoginForm(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin/login?next=/admin/ratings", Contains: []string{`name="next" value="/admin/ratings"`, `name="csrf_token"`, `href="/admin/password-reset"`}},
		webtest.Scenario{URL: "/admin/login?next=//evil.example/admin", Contains: []string{`name="next" value="/admin"`}},
		webtest.Scenario{URL: "/admin/login?reset=1", Contains: []string{"Sign in with the new password."}},
		webtest.Scenario{Method: "POST", URL: "/admin/login", Form: map[string][]string{"email": {"Editor@Example.org"}, "password": {"wrong"}},
			Status: http.StatusUnauthorized, Contains: []string{"Wrong e-mail address or password.", `value="editor@example.org"`}},
		webtest.Scenario{Name: "sign in and go on", Method: "POST", URL: "/admin/login",
			Form:   map[string][]string{"email": {"editor@example.org"}, "password": {webtest.Password}, "next": {"/admin/ratings"}},
			Status: http.StatusSeeOther, Check: location("/admin/ratings")},
	)
}
