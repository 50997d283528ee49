package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// How the API's callers are authenticated: web's token authentication and
// anti-forgery check, which apply to every /api/ route.

// TestAPIRevokedToken: a revoked token opens nothing, and its attempt is
// in the audit log; the tokens of other systems go on working.
func TestAPIRevokedToken(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	s := env.Store
	secret, hash := civicmon.NewAPIToken()
	tok := civicmon.APIToken{Name: "to revoke", Role: civicmon.RoleEditor, TokenHash: hash}
	if err := s.CreateAPIToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	ed := "/api/v1/updates/" + env.Drafts[civicmon.RoleEditor].UID + "/editorial"
	if r := do(t, env, call{method: "GET", path: ed, token: secret}); r.Status != 200 {
		t.Fatalf("before revoking: %d", r.Status)
	}
	if err := s.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []call{
		{method: "GET", path: ed, token: secret},
		{method: "POST", path: "/api/v1/updates", token: secret, body: map[string]any{"country": "KZ", "title": "x"}},
	} {
		r := do(t, env, c)
		if r.Status != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s %s with a revoked token: %d %q", c.method, c.path, r.Status, r.Header.Get("WWW-Authenticate"))
		}
		if p := problem(t, r); !strings.Contains(fmt.Sprint(p["detail"]), "revoked") || p["status"] != float64(401) {
			t.Errorf("problem %v", p)
		}
	}
	var refused int
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.Action == "api_token.refused" && e.ActorID == tok.UserID {
			refused++
		}
		return nil
	})
	if refused != 2 {
		t.Errorf("%d refused uses audited, want 2", refused)
	}
	if r := do(t, env, call{method: "GET", path: ed, token: env.Tokens[civicmon.RoleEditor]}); r.Status != 200 {
		t.Errorf("another token after a revocation: %d", r.Status)
	}
	if r := do(t, env, call{method: "GET", path: ed, header: map[string]string{"Authorization": "Basic dXNlcjpwdw=="}}); r.Status != 401 ||
		!strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_request") {
		t.Errorf("Basic authorization: %d %q", r.Status, r.Header.Get("WWW-Authenticate"))
	}
}

// TestAPICookieSessionNeedsCSRF: a signed-in browser's session reaches
// the API only with the anti-forgery token, as in the workspace; a token
// request needs none.
func TestAPICookieSessionNeedsCSRF(t *testing.T) {
	env := webtest.New(t)
	b := env.SignedIn(t, civicmon.RoleEditor)
	var session, csrf string
	for _, c := range b.Cookies("/admin") {
		switch c.Name {
		case "civicmon_session":
			session = c.Value
		case "civicmon_csrf":
			csrf = c.Value
		}
	}
	if session == "" || csrf == "" {
		t.Fatal("no session or CSRF cookie")
	}
	body := map[string]any{"country": "KZ", "title": "From a browser"}
	noCSRF := do(t, env, call{method: "POST", path: "/api/v1/updates", body: body, header: map[string]string{"Cookie": "civicmon_session=" + session}})
	if noCSRF.Status != 403 {
		t.Fatalf("session without CSRF token: %d", noCSRF.Status)
	}
	problem(t, noCSRF)
	ok := do(t, env, call{method: "POST", path: "/api/v1/updates", body: body, header: map[string]string{
		"Cookie": "civicmon_session=" + session + "; civicmon_csrf=" + csrf, "X-CSRF-Token": csrf}})
	if ok.Status != 201 {
		t.Fatalf("session with CSRF token: %d %s", ok.Status, ok.Body)
	}
	cross := do(t, env, call{method: "POST", path: "/api/v1/updates", body: body, header: map[string]string{
		"Cookie": "civicmon_session=" + session + "; civicmon_csrf=" + csrf, "X-CSRF-Token": csrf, "Origin": "https://evil.example"}})
	if cross.Status != 403 {
		t.Fatalf("session from another site: %d", cross.Status)
	}
	// A token and a session together: the token decides, cookies are not read.
	both := do(t, env, call{method: "POST", path: "/api/v1/updates", token: env.Tokens[civicmon.RoleReviewer], body: body,
		header: map[string]string{"Cookie": "civicmon_session=" + session}})
	if both.Status != 403 {
		t.Fatalf("reviewer token with an editor's cookie: %d", both.Status)
	}
}
