package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/store"
	"github.com/civicmon/civicmon/web"
)

// TestUserChangesEndSessions: `user passwd` and `user set-role` sign the
// account out everywhere: a browser signed in before is sent to sign in
// again.
func TestUserChangesEndSessions(t *testing.T) {
	db := migratedDB(t)
	if code, out, errs := runCLI(t, "a long password\n", "user", "add", "--db", db, "--email", "ed@example.org", "--name", "Ed", "--role", "editor"); code != 0 {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	d, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv, err := server.New(web.Config{Store: d.Store(), Schema: d, Changes: d})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	signIn := func() string {
		u, err := d.Store().UserByEmail(context.Background(), "ed@example.org")
		if err != nil {
			t.Fatal(err)
		}
		token, hash := web.NewToken()
		if err := d.Store().CreateSession(context.Background(), &civicmon.Session{TokenHash: hash, UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return token
	}
	dashboard := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", hs.URL+"/admin", nil)
		req.AddCookie(&http.Cookie{Name: "civicmon_session", Value: token})
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"passwd", "another long password\n", []string{"user", "passwd", "--db", db, "ed@example.org"}},
		{"set-role", "", []string{"user", "set-role", "--db", db, "ed@example.org", "researcher"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			token := signIn()
			if status, _ := dashboard(token); status != http.StatusOK {
				t.Fatalf("signed in before: %d", status)
			}
			if code, out, errs := runCLI(t, c.stdin, c.args...); code != 0 {
				t.Fatalf("%s: %d %q %q", c.name, code, out, errs)
			}
			if status, loc := dashboard(token); status != http.StatusSeeOther || loc != "/admin/login?next=%2Fadmin" {
				t.Fatalf("the old session after %s: %d → %q, want a redirect to sign in", c.name, status, loc)
			}
		})
	}
}
