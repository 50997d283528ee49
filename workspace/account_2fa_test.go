package workspace_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/totp"
	"github.com/civicmon/civicmon/webtest"
)

// TestAdminsRequireTwoStep: once required for a role, an account of it
// without a second factor opens only the enrolment page.
func TestAdminsRequireTwoStep(t *testing.T) {
	env := webtest.New(t)
	admin := env.SignedIn(t, civicmon.RoleAdmin)
	if r := admin.Post("/admin/settings", url.Values{"require_2fa": {"editor", "admin"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save settings: %d", r.Status)
	}
	editor := env.SignedIn(t, civicmon.RoleEditor)
	r := editor.Get("/admin")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/account/2fa?required=1" {
		t.Fatalf("an editor without a second factor: %d → %s", r.Status, r.Header.Get("Location"))
	}
	if r := editor.Post("/admin/updates", url.Values{"action": {"preview"}}); r.Status != http.StatusForbidden {
		t.Fatalf("an editor without a second factor posting: %d", r.Status)
	}
	// A researcher is not concerned.
	researcher := env.SignedIn(t, civicmon.RoleResearcher)
	if r := researcher.Get("/admin"); r.Status != 200 {
		t.Fatalf("researcher: %d", r.Status)
	}
	page := editor.Get("/admin/account/2fa?required=1").Body
	secret := secretInput.FindStringSubmatch(page)[1]
	code, _ := totp.Code(secret, time.Now())
	if r := editor.Post("/admin/account/2fa", url.Values{"secret": {secret}, "code": {code}}); r.Status != http.StatusSeeOther {
		t.Fatalf("enrol: %d", r.Status)
	}
	if r := editor.Get("/admin"); r.Status != 200 {
		t.Fatalf("after enrolling: %d", r.Status)
	}
	if r := editor.Post("/admin/account/2fa", url.Values{"action": {"disable"}, "password": {webtest.Password}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "cannot be turned off") {
		t.Fatalf("turning off a required second factor: %d", r.Status)
	}
}

// TestAccountTwoStep: the enrolment page offers a new secret and says
// what happened; a wrong code or password changes nothing.
func TestAccountTwoStep(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin/account/2fa", As: "researcher", Contains: []string{`<code class="secret">`, "otpauth://totp/", `name="code"`}},
		webtest.Scenario{URL: "/admin/account/2fa?required=1", As: "researcher", Contains: []string{"Your role must use two-step sign-in"}},
		webtest.Scenario{URL: "/admin/account/2fa?done=off", As: "researcher", Contains: []string{"Two-step sign-in is off."}},
		webtest.Scenario{Method: "POST", URL: "/admin/account/2fa", As: "researcher", Form: url.Values{"secret": {"JBSWY3DPEHPK3PXP"}, "code": {"000000"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"That code does not match", `name="secret" value="JBSWY3DPEHPK3PXP"`}},
	)
	c := env.SignedIn(t, civicmon.RoleResearcher)
	secret := secretInput.FindStringSubmatch(c.Get("/admin/account/2fa").Body)[1]
	code, _ := totp.Code(secret, time.Now())
	if r := c.Post("/admin/account/2fa", url.Values{"secret": {secret}, "code": {code}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/account/2fa?done=on" {
		t.Fatalf("turn on: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := c.Get("/admin/account/2fa?done=on"); !strings.Contains(r.Body, "Two-step sign-in is on.") || !strings.Contains(r.Body, `value="disable"`) {
		t.Fatal("the page does not say two-step sign-in is on, or offers no way to turn it off")
	}
	if r := c.Post("/admin/account/2fa", url.Values{"action": {"disable"}, "password": {"wrong password"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Wrong password") {
		t.Fatalf("turn off with a wrong password: %d", r.Status)
	}
	if r := c.Post("/admin/account/2fa", url.Values{"action": {"disable"}, "password": {webtest.Password}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/account/2fa?done=off" {
		t.Fatalf("turn off: %d %s", r.Status, r.Header.Get("Location"))
	}
}
