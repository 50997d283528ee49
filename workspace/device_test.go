package workspace_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/totp"
	"github.com/civicmon/civicmon/webtest"
)

// deviceCookie is the device cookie a client holds, nil when none.
func deviceCookie(c *webtest.Client) *http.Cookie {
	for _, k := range c.Cookies("/admin/login") {
		if k.Name == "civicmon_device" {
			return k
		}
	}
	return nil
}

// loginWith posts the sign-in form with a device cookie of the test's
// making beside the client's own cookies.
func loginWith(t *testing.T, env *webtest.Env, device *http.Cookie, email, pw string) *webtest.Response {
	t.Helper()
	c := env.Client(t)
	form := url.Values{"csrf_token": {c.CSRF()}, "email": {email}, "password": {pw}}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/admin/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(device)
	return c.Send(req)
}

// TestDeviceCookie: a successful sign-in sets a device cookie — HttpOnly,
// SameSite=Strict, under /admin, for a year.
func TestDeviceCookie(t *testing.T) {
	env := webtest.New(t)
	r := env.Client(t).Login("editor@example.org", webtest.Password)
	var found bool
	for _, c := range cookies(r) {
		if c.Name == "civicmon_device" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/admin" || c.MaxAge < 300*24*3600 {
				t.Errorf("device cookie %+v: want HttpOnly, SameSite=Strict, Path=/admin, long-lived", c)
			}
		}
	}
	if !found {
		t.Fatal("no device cookie after signing in")
	}
	// Under TLS it is Secure.
	csrf := strings.Repeat("c", 43)
	form := url.Values{"csrf_token": {csrf}, "email": {"editor@example.org"}, "password": {webtest.Password}}
	req := httptest.NewRequest(http.MethodPost, "https://monitor.example.org/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "civicmon_csrf", Value: csrf})
	rec := httptest.NewRecorder()
	env.Server.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign in under TLS: %d", rec.Code)
	}
	secure := false
	for _, c := range rec.Result().Cookies() {
		secure = secure || c.Name == "civicmon_device" && c.Secure
	}
	if !secure {
		t.Errorf("no Secure device cookie under TLS: %v", rec.Result().Cookies())
	}
	if r := env.Client(t).Login("editor@example.org", "wrong password"); len(cookies(r)) > 0 {
		for _, c := range cookies(r) {
			if c.Name == "civicmon_device" {
				t.Fatal("a failed sign-in set a device cookie")
			}
		}
	}
}

// TestLockoutSparesKnownDevices: five wrong passwords lock the account out
// for new clients (429, as before), but a browser that signed in to the
// account before — it holds the account's device cookie — is throttled on
// its own counter and still signs in with the right password. Another
// account's device cookie, or a forged one, does not help; and the device
// has five tries of its own.
func TestLockoutSparesKnownDevices(t *testing.T) {
	env := webtest.New(t)
	known := env.SignedIn(t, civicmon.RoleEditor)
	editorDevice := deviceCookie(known)
	adminDevice := deviceCookie(env.SignedIn(t, civicmon.RoleAdmin))
	if editorDevice == nil || adminDevice == nil {
		t.Fatal("no device cookie after signing in")
	}
	if r := known.Post("/admin/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.Status)
	}

	attacker := env.Client(t)
	for i := range 5 {
		if r := attacker.Login("editor@example.org", "wrong password"); r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
	}
	if r := attacker.Login("editor@example.org", webtest.Password); r.Status != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures the right password got %d, want 429", r.Status)
	}
	if r := env.Client(t).Login("editor@example.org", webtest.Password); r.Status != http.StatusTooManyRequests {
		t.Fatalf("a new client during the lockout: %d, want 429", r.Status)
	}
	if r := loginWith(t, env, adminDevice, "editor@example.org", webtest.Password); r.Status != http.StatusTooManyRequests {
		t.Fatalf("with the admin's device cookie: %d, want 429", r.Status)
	}
	nonce, rest, _ := strings.Cut(editorDevice.Value, ".")
	id := strconv.FormatInt(env.Users[civicmon.RoleEditor].ID, 10)
	for name, v := range map[string]string{
		"bad signature":      nonce + "." + id + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"another account's":  strings.Replace(adminDevice.Value, "."+strconv.FormatInt(env.Users[civicmon.RoleAdmin].ID, 10)+".", "."+id+".", 1),
		"garbage":            "x",
		"signature moved on": "AAAAAAAAAAAAAAAAAAAAAA." + rest,
	} {
		if r := loginWith(t, env, &http.Cookie{Name: "civicmon_device", Value: v}, "editor@example.org", webtest.Password); r.Status != http.StatusTooManyRequests {
			t.Errorf("forged device cookie (%s): %d, want 429", name, r.Status)
		}
	}

	if r := known.Login("editor@example.org", webtest.Password); r.Status != http.StatusSeeOther {
		t.Fatalf("the known device during the lockout: %d, want 303", r.Status)
	}
	if r := known.Get("/admin"); r.Status != http.StatusOK {
		t.Fatalf("the known device is not signed in: %d", r.Status)
	}

	// The device's own counter: five wrong passwords lock it too.
	device := env.Client(t)
	if r := device.Login("admin@example.org", webtest.Password); r.Status != http.StatusSeeOther {
		t.Fatalf("admin sign-in: %d", r.Status)
	}
	for i := range 5 {
		if r := device.Login("admin@example.org", "wrong password"); r.Status != http.StatusUnauthorized {
			t.Fatalf("device attempt %d: %d", i+1, r.Status)
		}
	}
	if r := device.Login("admin@example.org", webtest.Password); r.Status != http.StatusTooManyRequests {
		t.Fatalf("after its own 5 failures the device got %d, want 429", r.Status)
	}
}

// TestLockoutSparesKnownDevicesTwoStep: the same for an account with a
// second factor: the code form, throttled per account too, lets the known
// device through.
func TestLockoutSparesKnownDevicesTwoStep(t *testing.T) {
	env := webtest.New(t)
	u := env.Users[civicmon.RoleEditor]
	u.TOTPSecret = totp.NewSecret()
	if err := env.Store.SaveUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	env.SetNow(now)
	signIn := func(c *webtest.Client, at time.Time) int {
		r := c.Login("editor@example.org", webtest.Password)
		if r.Status != http.StatusSeeOther {
			return r.Status
		}
		code, _ := totp.Code(u.TOTPSecret, at)
		return c.Post("/admin/login/2fa", url.Values{"code": {code}}).Status
	}
	known := env.Client(t)
	if s := signIn(known, now); s != http.StatusSeeOther {
		t.Fatalf("two-step sign-in: %d", s)
	}
	known.Post("/admin/logout", nil)
	attacker := env.Client(t)
	for range 5 {
		attacker.Login("editor@example.org", "wrong password")
	}
	if s := signIn(env.Client(t), now); s != http.StatusTooManyRequests {
		t.Fatalf("a new client during the lockout: %d, want 429", s)
	}
	later := now.Add(time.Minute) // a new time step: codes are used once
	env.SetNow(later)
	if s := signIn(known, later); s != http.StatusSeeOther {
		t.Fatalf("the known device during the lockout: %d, want 303", s)
	}
}
