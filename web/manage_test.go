package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
)

func TestManageAccounts(t *testing.T) {
	ws := newWorkspace(t)
	admin := ws.signedIn(t, civicmon.RoleAdmin)
	resp, body := admin.do("POST", "/admin/users", url.Values{"csrf_token": {admin.token()}, "email": {"New@Example.org"},
		"name": {"New Person"}, "role": {"researcher"}, "password": {"a first password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	if resp := ws.browser(t).login("new@example.org", "a first password"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new account cannot sign in: %d", resp.StatusCode)
	}
	resp, body = admin.do("POST", "/admin/users", url.Values{"csrf_token": {admin.token()}, "email": {"new@example.org"},
		"name": {"Again"}, "role": {"owner"}, "password": {"a first password"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `&#34;owner&#34; is not a role`) {
		t.Fatalf("bad role: %d", resp.StatusCode)
	}
	// Disabling signs the account out at once.
	editor := ws.signedIn(t, civicmon.RoleEditor)
	id := ws.users[civicmon.RoleEditor].ID
	if resp, _ := admin.do("POST", "/admin/users/"+itoa(id), url.Values{"csrf_token": {admin.token()}, "action": {"disable"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := editor.do("GET", "/admin", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a disabled account still opens /admin: %d", resp.StatusCode)
	}
	if resp := ws.browser(t).login("editor@example.org", testPassword); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a disabled account signs in: %d", resp.StatusCode)
	}
	if resp, _ := admin.do("POST", "/admin/users/"+itoa(ws.users[civicmon.RoleAdmin].ID), url.Values{"csrf_token": {admin.token()}, "action": {"disable"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("an admin disabling themselves: %d", resp.StatusCode)
	}
}

func TestManageVocabulariesAndWatchlist(t *testing.T) {
	ws := newWorkspace(t)
	admin := ws.signedIn(t, civicmon.RoleAdmin)
	if resp, body := admin.do("POST", "/admin/vocabularies", url.Values{"csrf_token": {admin.token()}, "kind": {"violation"}, "name": {"Travel ban"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add term: %d %s", resp.StatusCode, body)
	}
	v, _ := ws.db.Store().Vocabulary(context.Background())
	if !v.HasViolation("travel-ban") {
		t.Fatal("the new violation type is not in the vocabulary")
	}
	if resp, _ := ws.browser(t).do("GET", "/tags/travel-ban", nil); resp.StatusCode != 200 {
		t.Fatalf("/tags/travel-ban: %d", resp.StatusCode)
	}
	editor := ws.signedIn(t, civicmon.RoleEditor)
	form := url.Values{"csrf_token": {editor.token()}, "published_on": {"2026-11-15"}, "title": {"CIVICUS Monitor Watchlist, November 2026"},
		"introduction": {"Countries of concern."}, "entries.0.country": {"KZ"}, "entries.0.narrative": {"Arrests continue."},
		"entries.1.country": {""}, "entries.1.narrative": {""}}
	if resp, body := editor.do("POST", "/admin/watchlist", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish edition: %d %s", resp.StatusCode, body)
	}
	_, page := ws.browser(t).do("GET", "/watchlist", nil)
	if !strings.Contains(page, "CIVICUS Monitor Watchlist, November 2026") || !strings.Contains(page, "Arrests continue.") {
		t.Fatal("the new edition is not the current one")
	}
	eds, _ := ws.db.Store().WatchlistEditions(context.Background())
	edit := "/admin/watchlist/" + itoa(eds[0].ID)
	if resp, page := editor.do("GET", edit, nil); resp.StatusCode != 200 || !strings.Contains(page, "Arrests continue.") {
		t.Fatalf("edit form: %d", resp.StatusCode)
	}
	form.Set("entries.0.narrative", "Arrests continue, and a journalist was jailed.")
	if resp, body := editor.do("POST", edit, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save edition: %d %s", resp.StatusCode, body)
	}
	if _, page := ws.browser(t).do("GET", "/watchlist", nil); !strings.Contains(page, "a journalist was jailed") {
		t.Fatal("the edited narrative is not public")
	}
	if resp, page := editor.do("GET", "/admin/history/watchlist/"+itoa(eds[0].ID), nil); resp.StatusCode != 200 || !strings.Contains(page, "a journalist was jailed") {
		t.Fatalf("watchlist history: %d", resp.StatusCode)
	}
	form.Set("entries.1.country", "ZZ")
	form.Set("published_on", "2026-11-16")
	if resp, body := editor.do("POST", "/admin/watchlist", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a known country code") {
		t.Fatalf("unknown country: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
