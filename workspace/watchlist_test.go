package workspace_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

func TestManageWatchlist(t *testing.T) {
	env := webtest.New(t)
	editor := env.SignedIn(t, civicmon.RoleEditor)
	form := url.Values{"published_on": {"2026-11-15"}, "title": {"CIVICUS Monitor Watchlist, November 2026"},
		"introduction": {"Countries of concern."}, "entries.0.country": {"KZ"}, "entries.0.narrative": {"Arrests continue."},
		"entries.1.country": {""}, "entries.1.narrative": {""}}
	// Publishing shows the edition as readers will see it, and asks first.
	r := editor.Post("/admin/watchlist", form)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Publish the watchlist edition “CIVICUS Monitor Watchlist, November 2026”?") ||
		!strings.Contains(r.Body, "Preview: not published yet.") || !strings.Contains(r.Body, "Arrests continue.") ||
		!strings.Contains(r.Body, `name="entries.0.narrative" value="Arrests continue."`) {
		t.Fatalf("publish edition without confirming: %d %s", r.Status, r.Body)
	}
	if page := env.Client(t).Get("/watchlist").Body; strings.Contains(page, "November 2026") {
		t.Fatal("published before confirming")
	}
	form.Set("confirm", "1")
	if r := editor.Post("/admin/watchlist", form); r.Status != http.StatusSeeOther {
		t.Fatalf("publish edition: %d %s", r.Status, r.Body)
	}
	page := env.Client(t).Get("/watchlist").Body
	if !strings.Contains(page, "CIVICUS Monitor Watchlist, November 2026") || !strings.Contains(page, "Arrests continue.") {
		t.Fatal("the new edition is not the current one")
	}
	eds, _ := env.Store.WatchlistEditions(context.Background())
	edit := "/admin/watchlist/" + itoa(eds[0].ID)
	if r := editor.Get(edit); r.Status != 200 || !strings.Contains(r.Body, "Arrests continue.") {
		t.Fatalf("edit form: %d", r.Status)
	}
	form.Set("entries.0.narrative", "Arrests continue, and a journalist was jailed.")
	// The form carries the version it was opened at.
	form.Set("version", fmt.Sprint(eds[0].Version))
	if r := editor.Post(edit, form); r.Status != http.StatusSeeOther {
		t.Fatalf("save edition: %d %s", r.Status, r.Body)
	}
	if page := env.Client(t).Get("/watchlist").Body; !strings.Contains(page, "a journalist was jailed") {
		t.Fatal("the edited narrative is not public")
	}
	if r := editor.Get("/admin/history/watchlist/" + itoa(eds[0].ID)); r.Status != 200 || !strings.Contains(r.Body, "a journalist was jailed") {
		t.Fatalf("watchlist history: %d", r.Status)
	}
	// The same form again, from the version before that save: refused,
	// with both versions and the form holding this one, nothing lost.
	form.Set("entries.0.narrative", "Arrests continue; a second journalist was jailed.")
	r = editor.Post(edit, form)
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Your changes are not saved yet") ||
		!strings.Contains(r.Body, "a second journalist was jailed") || !strings.Contains(r.Body, `name="version" value="`+fmt.Sprint(eds[0].Version+1)+`"`) {
		t.Fatalf("stale save: %d", r.Status)
	}
	if page := env.Client(t).Get("/watchlist").Body; strings.Contains(page, "a second journalist") {
		t.Fatal("a stale save reached the public page")
	}
	form.Set("version", fmt.Sprint(eds[0].Version+1)) // "keep mine"
	if r := editor.Post(edit, form); r.Status != http.StatusSeeOther {
		t.Fatalf("keep mine: %d", r.Status)
	}
	form.Set("entries.1.country", "ZZ")
	form.Set("published_on", "2026-11-16")
	if r := editor.Post("/admin/watchlist", form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `<a href="#we1c">Country 2: Choose a country</a>`) {
		t.Fatalf("unknown country: %d", r.Status)
	}
}

// TestWatchlistPage: the list links each edition's form, public page and
// history; the form of an edition posts to it; a bad date is shown back.
func TestWatchlistPage(t *testing.T) {
	env := webtest.New(t)
	eds, _ := env.Store.WatchlistEditions(context.Background())
	id := itoa(eds[0].ID)
	env.Run(t,
		webtest.Scenario{URL: "/admin/watchlist", As: "editor", Contains: []string{`href="/admin/watchlist/` + id + `"`,
			`href="/watchlist/` + eds[0].PublishedOn.String() + `"`, `href="/admin/history/watchlist/` + id + `"`,
			"Publish a new edition", `action="/admin/watchlist"`, `name="entries.5.country"`}},
		webtest.Scenario{URL: "/admin/watchlist/" + id, As: "editor", Contains: []string{"Edit the edition", `action="/admin/watchlist/` + id + `"`,
			`value="` + eds[0].PublishedOn.String() + `"`}},
		webtest.Scenario{URL: "/admin/watchlist/999999", As: "editor", Status: http.StatusNotFound},
		webtest.Scenario{URL: "/admin/watchlist?done=1", As: "editor", Contains: []string{"Published."}},
		webtest.Scenario{Method: "POST", URL: "/admin/watchlist", As: "editor", Form: url.Values{"published_on": {"someday"}, "title": {"T"}, "entries.0.country": {"KZ"}, "entries.0.narrative": {"N"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"There is a problem: nothing was saved", `<a href="#w-date">`, `value="someday"`,
				`aria-describedby="w-date-error"`, `<option value="KZ" selected>`}},
		webtest.Scenario{Method: "POST", URL: "/admin/watchlist", As: "editor", Form: url.Values{"published_on": {eds[0].PublishedOn.String()}, "title": {"Same day"}},
			Status: http.StatusUnprocessableEntity},
	)
}

// TestScheduledEdition: an edition dated after today is listed in the
// workspace, marked as scheduled for its day and without a link to a
// public page it does not have yet; on its day the mark is gone.
func TestScheduledEdition(t *testing.T) {
	env := webtest.New(t)
	env.SetNow(time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC))
	editor := env.SignedIn(t, civicmon.RoleEditor)
	form := url.Values{"published_on": {"2026-12-10"}, "title": {"CIVICUS Monitor Watchlist, December 2026"},
		"entries.0.country": {"CL"}, "entries.0.narrative": {"Protest policing."}}
	r := editor.Post("/admin/watchlist", form)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/watchlist?scheduled=2026-12-10" {
		t.Fatalf("schedule edition: %d, Location %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	env.Run(t,
		webtest.Scenario{URL: "/admin/watchlist?scheduled=2026-12-10", As: "editor", Contains: []string{`<p class="ok" role="status">Scheduled for 2026-12-10</p>`},
			NotContains: []string{"Published."}},
		webtest.Scenario{URL: "/admin/watchlist?scheduled=%3Cb%3E", As: "editor", NotContains: []string{`<p class="ok"`, "<b>"}},
		webtest.Scenario{URL: "/admin/watchlist", As: "editor", Contains: []string{"CIVICUS Monitor Watchlist, December 2026",
			"Scheduled for 2026-12-10", `href="/watchlist/2022-03-01"`}, NotContains: []string{`href="/watchlist/2026-12-10"`}},
		webtest.Scenario{URL: "/admin/watchlist?lang=fr", As: "editor", Contains: []string{"Prévue pour le 2026-12-10"}},
		webtest.Scenario{URL: "/watchlist/2026-12-10", Status: http.StatusNotFound},
	)
	env.SetNow(time.Date(2026, 12, 10, 0, 1, 0, 0, time.UTC))
	env.Run(t,
		webtest.Scenario{URL: "/admin/watchlist", As: "editor", Contains: []string{`href="/watchlist/2026-12-10"`}, NotContains: []string{"Scheduled for"}},
		webtest.Scenario{URL: "/watchlist/2026-12-10", Contains: []string{"CIVICUS Monitor Watchlist, December 2026"}},
	)
}
