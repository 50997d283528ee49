package workspace_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/totp"
	"github.com/civicmon/civicmon/webtest"
)

var secretInput = regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`)

// TestTwoStepSignIn: turning TOTP on, signing in with a code, refusing a
// wrong or replayed one.
func TestTwoStepSignIn(t *testing.T) {
	env := webtest.New(t)
	c := env.SignedIn(t, civicmon.RoleEditor)
	m := secretInput.FindStringSubmatch(c.Get("/admin/account/2fa").Body)
	if m == nil {
		t.Fatal("no secret offered")
	}
	secret := m[1]
	code, _ := totp.Code(secret, time.Now())
	if r := c.Post("/admin/account/2fa", url.Values{"secret": {secret}, "code": {code}}); r.Status != http.StatusSeeOther {
		t.Fatalf("turn on: %d %s", r.Status, r.Body)
	}
	c2 := env.Client(t)
	r := c2.Login("editor@example.org", webtest.Password)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/login/2fa") {
		t.Fatalf("sign-in with two steps goes to %q", loc)
	}
	if r := c2.Get("/admin"); r.Status != http.StatusSeeOther {
		t.Fatalf("a half-signed-in session opened /admin: %d", r.Status)
	}
	if r := c2.Get("/admin/login/2fa?next=/admin"); r.Status != 200 || !strings.Contains(r.Body, `name="code"`) {
		t.Fatalf("the code form: %d", r.Status)
	}
	if r := c2.Post("/admin/login/2fa", url.Values{"code": {"000000"}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", r.Status)
	}
	code, _ = totp.Code(secret, time.Now())
	if r := c2.Post("/admin/login/2fa", url.Values{"code": {code}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin" {
		t.Fatalf("right code: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := c2.Get("/admin"); r.Status != 200 {
		t.Fatalf("/admin after two steps: %d", r.Status)
	}
	c3 := env.Client(t)
	c3.Login("editor@example.org", webtest.Password)
	if r := c3.Post("/admin/login/2fa", url.Values{"code": {code}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("a replayed code: %d", r.Status)
	}
}

// TestTwoStepFormNeedsAHalfSignIn: the code form is only for an account
// that passed its password and owes its code.
func TestTwoStepFormNeedsAHalfSignIn(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin/login/2fa", Status: http.StatusSeeOther, Check: location("/admin/login")},
		webtest.Scenario{Method: "POST", URL: "/admin/login/2fa", Form: url.Values{"code": {"000000"}}, Status: http.StatusSeeOther, Check: location("/admin/login")},
		webtest.Scenario{URL: "/admin/login/2fa", As: "editor", Status: http.StatusSeeOther, Check: location("/admin/login")},
	)
}
