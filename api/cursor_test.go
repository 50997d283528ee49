package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// signCursor makes a cursor as the server does: the payload and its
// HMAC-SHA256 under key, in unpadded base64url.
func signCursor(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(append([]byte(payload), m.Sum(nil)...))
}

// cursorKey is the server's cursor key, as the settings table keeps it.
func cursorKey(t *testing.T, env *webtest.Env) []byte {
	t.Helper()
	v, err := env.Store.Setting(context.Background(), civicmon.SettingAPICursorKey)
	if err != nil || v == "" {
		t.Fatalf("no cursor key in the settings (%q, %v)", v, err)
	}
	k, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(k) != 32 {
		t.Fatalf("cursor key %q: %v, %d bytes", v, err, len(k))
	}
	return k
}

// TestAPICursorsAuthenticated: a cursor the server did not make — whether
// it names a draft, an update that does not exist, or is not a cursor at
// all — is refused with one and the same problem, so that it tells an
// outsider nothing; one the server made pages on, across a restart.
func TestAPICursorsAuthenticated(t *testing.T) {
	env := webtest.New(t)
	first := do(t, env, call{method: "GET", path: "/api/v1/updates?limit=2"})
	var page struct {
		Data []struct {
			ID          string `json:"id"`
			PublishedOn string `json:"published_on"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
	}
	decode(t, first, &page)
	if page.NextCursor == nil || len(page.Data) != 2 {
		t.Fatalf("first page: %s", first.Body)
	}
	key := cursorKey(t, env)
	last := page.Data[1]
	if got := signCursor(key, "u1|"+last.PublishedOn+"|"+last.ID); got != *page.NextCursor {
		t.Fatalf("the test signs %s, the server %s", got, *page.NextCursor)
	}

	// The key is a secret: the audit log says it was set, not what it is.
	err := env.DB.Store().AuditLog(context.Background(), func(e *civicmon.AuditEntry) error {
		if e.EntityID == civicmon.SettingAPICursorKey && strings.Contains(e.Detail, base64.RawURLEncoding.EncodeToString(key)) {
			t.Errorf("the audit log holds the cursor key: %+v", e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	other := make([]byte, 32)
	rand.Read(other)
	draft := env.Drafts[civicmon.RoleEditor].UID
	unsigned := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	forged := map[string]string{
		"draft, unsigned":              unsigned("u1|" + last.PublishedOn + "|" + draft),
		"unknown, unsigned":            unsigned("u1|" + last.PublishedOn + "|zzzzzzzzzzzzzzzzzzzzzz"),
		"draft, other key":             signCursor(other, "u1|"+last.PublishedOn+"|"+draft),
		"unknown, other key":           signCursor(other, "u1|"+last.PublishedOn+"|zzzzzzzzzzzzzzzzzzzzzz"),
		"published, other key":         signCursor(other, "u1|"+last.PublishedOn+"|"+last.ID),
		"garbage":                      "not-a-cursor",
		"not base64":                   "a+b/c=",
		"signature cut":                (*page.NextCursor)[:len(*page.NextCursor)-3],
		"incidents' cursor to updates": signCursor(key, "i1|"+last.PublishedOn+"|"+last.ID+"|1"),
		"signed, names no update":      signCursor(key, "u1|"+last.PublishedOn+"|zzzzzzzzzzzzzzzzzzzzzz"),
		"signed, not a date":           signCursor(key, "u1|yesterday|"+last.ID),
		"draft, other key, for in":     signCursor(other, "i1|"+last.PublishedOn+"|"+draft+"|1"),
	}
	var want string
	for name, c := range forged {
		path := "/api/v1/updates?limit=2&cursor=" + url.QueryEscape(c)
		if strings.HasSuffix(name, "for in") {
			path = "/api/v1/incidents?limit=2&cursor=" + url.QueryEscape(c)
		}
		r := do(t, env, call{method: "GET", path: path})
		p := problem(t, r)
		if r.Status != 400 || p["type"] != "https://github.com/civicmon/civicmon/blob/main/docs/api.md#bad-request" {
			t.Errorf("%s: %d %s, want 400 bad-request", name, r.Status, r.Body)
		}
		delete(p, "instance")
		body := strings.TrimSpace(strings.NewReplacer("/api/v1/incidents", "", "/api/v1/updates", "").Replace(r.Body))
		if want == "" {
			want = body
		} else if body != want {
			t.Errorf("%s answers\n%s\nwhere another forged cursor answers\n%s", name, body, want)
		}
	}
	if env.Logs() != "" && strings.Contains(env.Logs(), "level=ERROR") {
		t.Errorf("a bad cursor logged an error: %s", env.Logs())
	}

	// The server's own cursor pages on, in this process and in another
	// on the same database (the key is kept in the settings).
	next := do(t, env, call{method: "GET", path: "/api/v1/updates?limit=2&cursor=" + *page.NextCursor})
	if next.Status != 200 {
		t.Fatalf("the server's cursor: %d %s", next.Status, next.Body)
	}
	srv, err := server.New(web.Config{Store: env.Store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	restarted := httptest.NewServer(srv.Handler())
	defer restarted.Close()
	r := env.Client(t).Send(call{method: "GET", path: "/api/v1/updates?limit=2&cursor=" + *page.NextCursor}.request(t, restarted.URL))
	var before, after struct {
		NextCursor *string `json:"next_cursor"`
	}
	decode(t, next, &before)
	decode(t, r, &after)
	if r.Status != 200 || before.NextCursor == nil || after.NextCursor == nil || *after.NextCursor != *before.NextCursor {
		t.Errorf("after a restart the cursor answers %d %s, want the page %s", r.Status, r.Body, next.Body)
	}
}
