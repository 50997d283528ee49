package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// updates calls the public updates' operations for TestAPIConformsToOpenAPI.
func (c *conformance) updates(t *testing.T) {
	t.Helper()
	c.publicRead(t, "/api/v1/updates")
	c.publicRead(t, "/api/v1/updates/"+c.pub.UID)
	first := c.get(t, "/api/v1/updates?country=kazakhstan&limit=3", 200)
	var page struct {
		Data       []map[string]any `json:"data"`
		NextCursor *string          `json:"next_cursor"`
	}
	decode(t, first, &page)
	if len(page.Data) != 3 || page.NextCursor == nil || !strings.Contains(first.Header.Get("Link"), `rel="next"`) {
		t.Fatalf("first page of updates: %d items, cursor %v, Link %q", len(page.Data), page.NextCursor, first.Header.Get("Link"))
	}
	c.get(t, "/api/v1/updates?country=kazakhstan&limit=3&cursor="+*page.NextCursor, 200)
	c.get(t, "/api/v1/updates?freedom=expression&violation=censorship&region=europe-central-asia&since=2000-01-01&until=2100-01-01", 200)
	c.get(t, "/api/v1/updates?limit=1000&freedom=speech", 422)
	c.get(t, "/api/v1/updates?limit=1000&cursor=not-a-cursor&freedom=speech", 400) // a bad cursor first
	c.get(t, "/api/v1/updates/"+c.pub.Slug, 200)
	c.get(t, "/api/v1/updates/"+c.env.Drafts[civicmon.RoleResearcher].UID, 404) // written by a person's account, not a token
	c.get(t, "/api/v1/updates/no-such-update", 404)
}

// TestAPIDraftsNeverPublic: no public operation shows an update that is
// not published, whichever way it is asked for, nor a private field.
func TestAPIDraftsNeverPublic(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	s := env.Store
	var hidden []*civicmon.Update
	for _, st := range []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview, civicmon.StatusArchived} {
		u := &civicmon.Update{CountryCode: "KZ", Title: canary + " " + string(st), Slug: "hidden-" + strings.ReplaceAll(string(st), "_", "-"),
			Summary: canary, Body: canary, Status: st,
			PublishedOn: civicmon.MustDate("2099-01-01"), Freedoms: civicmon.NewFreedomSet(civicmon.Expression), Violations: []string{"censorship"},
			Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", Description: canary}}}
		if err := s.CreateUpdate(ctx, u); err != nil {
			t.Fatal(err)
		}
		hidden = append(hidden, u)
	}
	pub := &civicmon.Update{CountryCode: "KZ", Title: "Published with secrets", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2099-01-02"), InternalNotes: canary, AuthorID: env.Users[civicmon.RoleResearcher].ID,
		Sources:   []civicmon.Source{{URL: "https://example.org/x", Contact: canary}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", VictimName: canary}}}
	if err := s.CreateUpdate(ctx, pub); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/api/v1/updates?limit=100", "/api/v1/updates?country=KZ&since=2099-01-01", "/api/v1/incidents?limit=100",
		"/api/v1/incidents?since=2099-01-01&violation=censorship", "/api/v1/countries/KZ", "/api/v1/updates/" + pub.UID}
	for _, u := range hidden {
		paths = append(paths, "/api/v1/updates/"+u.UID, "/api/v1/updates/"+u.Slug)
	}
	for _, p := range paths {
		r := do(t, env, call{method: "GET", path: p})
		if strings.Contains(strings.ToLower(r.Body), canary) {
			t.Errorf("%s (%d) shows an unpublished update or a private field: %s", p, r.Status, r.Body)
		}
		if strings.HasPrefix(p, "/api/v1/updates/") && p != "/api/v1/updates/"+pub.UID && r.Status != 404 {
			t.Errorf("%s: %d, want 404 for an unpublished update", p, r.Status)
		}
	}
	// Every page, followed to its end, holds the published updates only.
	var ids []string
	next := "/api/v1/updates?limit=3"
	for next != "" {
		var page struct {
			Data       []struct{ ID string }
			NextCursor *string `json:"next_cursor"`
		}
		decode(t, do(t, env, call{method: "GET", path: next}), &page)
		for _, u := range page.Data {
			ids = append(ids, u.ID)
		}
		next = ""
		if page.NextCursor != nil {
			next = "/api/v1/updates?limit=3&cursor=" + *page.NextCursor
		}
	}
	want, _, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1000})
	if len(ids) != len(want) {
		t.Fatalf("paging gave %d updates, want the %d published", len(ids), len(want))
	}
	for i, u := range want {
		if ids[i] != u.UID {
			t.Fatalf("paging: update %d is %s, want %s (newest first, no duplicates)", i, ids[i], u.UID)
		}
	}
}
