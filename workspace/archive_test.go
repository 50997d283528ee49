package workspace_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// importDrafts stores drafts as an import does (the bulk path), without an
// author, and returns them as stored.
func importDrafts(t *testing.T, env *webtest.Env, titles ...string) []*civicmon.Update {
	t.Helper()
	ctx := context.Background()
	var us []civicmon.Update
	for i, title := range titles {
		us = append(us, civicmon.Update{UID: fmt.Sprintf("imp%05d%012d", len(titles), i), CountryCode: "KZ", Title: title,
			Summary: "From the dossier.", Body: "Dossier text.", Language: "en", Status: civicmon.StatusDraft})
	}
	if err := env.Store.InsertUpdates(ctx, us); err != nil {
		t.Fatal(err)
	}
	var out []*civicmon.Update
	for _, u := range us {
		stored, err := env.Store.UpdateByUID(ctx, u.UID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, stored)
	}
	return out
}

// TestArchive: the archive lists what each account may see, with its
// filters in the URL, finds an imported draft by a word of its title, and
// says what is wrong with a filter that makes no sense.
func TestArchive(t *testing.T) {
	env := webtest.New(t)
	imported := importDrafts(t, env, "Zhanaozen strike anniversary: arrests", "Second imported draft")
	mine := "Draft by the researcher"
	theirs := "Draft by the editor"
	researcher := fmt.Sprint(env.Users[civicmon.RoleResearcher].ID)
	env.Run(t,
		webtest.Scenario{URL: "/admin/archive", As: "researcher", Contains: []string{"<h1>Archive</h1>", mine, "1 updates"},
			NotContains: []string{theirs, "Zhanaozen", `action="/admin/archive/bulk"`}},
		webtest.Scenario{Name: "a researcher cannot look at another's updates", URL: "/admin/archive?author=" + fmt.Sprint(env.Users[civicmon.RoleEditor].ID),
			As: "researcher", Contains: []string{mine}, NotContains: []string{theirs}},
		webtest.Scenario{URL: "/admin/archive?status=draft", As: "editor", Contains: []string{mine, theirs, "Zhanaozen", `action="/admin/archive/bulk"`}},
		webtest.Scenario{Name: "a word of an imported draft's title", URL: "/admin/archive?q=zhanaozen&imported=1&status=draft", As: "editor",
			Contains:    []string{"1 updates", `href="/admin/updates/` + fmt.Sprint(imported[0].ID) + `"`, "imported", "no author"},
			NotContains: []string{mine, "Second imported draft"}},
		webtest.Scenario{URL: "/admin/archive?author=none&status=draft", As: "editor", Contains: []string{"Zhanaozen", "Second imported draft"}, NotContains: []string{mine}},
		webtest.Scenario{URL: "/admin/archive?author=" + researcher, As: "editor", Contains: []string{mine}, NotContains: []string{theirs}},
		webtest.Scenario{Name: "published updates by country, oldest first", URL: "/admin/archive?status=published&country=KZ&sort=published&reverse=1", As: "editor",
			Contains: []string{"Kazakhstan", `<option value="KZ" selected>`, `value="published" selected`}, NotContains: []string{mine}},
		webtest.Scenario{Name: "bad filters", URL: "/admin/archive?from=2026-02-30&status=gone&sort=size&page=x&author=me", As: "editor",
			Status: http.StatusBadRequest, Contains: []string{"Some filters could not be used", "<code>from</code>", "<code>status</code>",
				"<code>sort</code>", "<code>page</code>", "<code>author</code>", mine}},
		webtest.Scenario{Name: "bytes that are not UTF-8", URL: "/admin/archive?q=zhanaozen%FF&country=%FF&language=%FE", As: "editor",
			Contains: []string{"Zhanaozen"}},
		webtest.Scenario{URL: "/admin/archive", As: "reviewer", Status: http.StatusForbidden},
		webtest.Scenario{URL: "/admin/archive", Status: http.StatusSeeOther},
	)
	// Pages of 50: the page links keep the filters.
	var many []string
	for i := range 60 {
		many = append(many, fmt.Sprintf("Bulk draft %d", i))
	}
	importDrafts(t, env, many...)
	r := env.Do(t, webtest.Scenario{URL: "/admin/archive?imported=1&sort=title", As: "editor"})
	if !strings.Contains(r.Body, `href="/admin/archive?imported=1&amp;page=2&amp;sort=title"`) || !strings.Contains(r.Body, "Page 1 of 2") ||
		strings.Contains(r.Body, "API token:") {
		t.Errorf("no link to the second page with the filters kept, or a token in the authors:\n%s", r.Body[strings.Index(r.Body, "<h1>"):])
	}
	env.Run(t, webtest.Scenario{URL: "/admin/archive?imported=1&sort=title&page=2", As: "editor",
		Contains: []string{"Page 2 of 2", `rel="prev" href="/admin/archive?imported=1&amp;sort=title"`}})
}

// TestArchiveBulk: an editor assigns imported drafts, dates them and
// publishes them from the archive, publishing after a confirmation; a step
// refused on one update leaves it unchanged and says why.
func TestArchiveBulk(t *testing.T) {
	env := webtest.New(t)
	imported := importDrafts(t, env, "Zhanaozen strike anniversary: arrests", "Second imported draft")
	ids := []string{fmt.Sprint(imported[0].ID), fmt.Sprint(imported[1].ID)}
	researcher := env.Users[civicmon.RoleResearcher]
	back := "/admin/archive?imported=1&status=draft"
	form := func(kv ...string) url.Values {
		v := url.Values{"id": ids, "back": {back}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	env.Run(t,
		webtest.Scenario{Name: "assign", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form: form("action", "assign", "author", fmt.Sprint(researcher.ID)), Status: http.StatusSeeOther,
			Check: location("/admin/archive?done=assign&imported=1&n=2&status=draft")},
		webtest.Scenario{Name: "the message", URL: "/admin/archive?done=assign&n=2", As: "editor", Contains: []string{"Assigned to a new author: 2 updates."}},
		webtest.Scenario{Name: "the researcher now has them", URL: "/admin/archive", As: "researcher", Contains: []string{"Zhanaozen", "Second imported draft"}},
		webtest.Scenario{Name: "date", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form: form("action", "date", "date", "2026-01-15"), Status: http.StatusSeeOther},
		webtest.Scenario{Name: "a bad date", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form: form("action", "date", "date", "15/01/2026"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"<code>date</code>", "is not a date in the form YYYY-MM-DD", "Zhanaozen"}},
		webtest.Scenario{Name: "nothing chosen", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form: url.Values{"action": {"publish"}}, Status: http.StatusUnprocessableEntity, Contains: []string{"Choose at least one update."}},
		webtest.Scenario{Name: "publish asks first", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form: form("action", "publish"), Contains: []string{"Publish these updates?", "Zhanaozen", "Publish 2 updates", `name="confirm" value="1"`}},
		webtest.Scenario{Name: "not yet public", URL: "/updates/" + imported[0].Slug, Status: http.StatusNotFound},
		webtest.Scenario{Name: "a researcher may not", Method: "POST", URL: "/admin/archive/bulk", As: "researcher",
			Form: form("action", "publish", "confirm", "1"), Status: http.StatusForbidden},
		webtest.Scenario{Name: "publish", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form: form("action", "publish", "confirm", "1"), Status: http.StatusSeeOther, Check: location("/admin/archive?done=publish&imported=1&n=2&status=draft")},
		webtest.Scenario{Name: "public, on its date", URL: "/updates/" + imported[0].Slug, Contains: []string{"Zhanaozen strike anniversary", "2026"}},
		webtest.Scenario{Name: "published twice", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form: form("action", "publish", "confirm", "1"), Status: http.StatusConflict,
			Contains: []string{"Some updates were not changed", "0 of 2 updates done", "cannot publish an update that is published"}},
		webtest.Scenario{Name: "back leads only into the archive", Method: "POST", URL: "/admin/archive/bulk", As: "editor",
			Form:   url.Values{"id": ids, "back": {"https://evil.example/"}, "action": {"date"}, "date": {"2026-01-16"}},
			Status: http.StatusSeeOther, Check: location("/admin/archive?done=date&n=2")},
	)
	stored, err := env.Store.UpdateByID(context.Background(), imported[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.AuthorID != researcher.ID || stored.Status != civicmon.StatusPublished || stored.PublishedOn.String() != "2026-01-16" {
		t.Fatalf("stored after the bulk steps: author %d, %s, %s", stored.AuthorID, stored.Status, stored.PublishedOn)
	}
}

// TestArchiveLists: the archives of rating changes and watchlist editions
// filter, sort and say what is wrong with a filter.
func TestArchiveLists(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	ed := &civicmon.Editorial{Store: env.Store}
	editor, reviewer := env.Users[civicmon.RoleEditor], env.Users[civicmon.RoleReviewer]
	for _, p := range []civicmon.RatingProposal{
		{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2026-06-01"), Category: civicmon.Closed, Rationale: "Mass arrests in Zhanaozen"},
		{CountryCode: "CL", EffectiveDate: civicmon.MustDate("2026-05-01"), Category: civicmon.Narrowed, Rationale: "Protest law amended"},
	} {
		if err := ed.ProposeRating(ctx, editor, &p); err != nil {
			t.Fatal(err)
		}
		if p.CountryCode == "CL" {
			if _, err := ed.DecideRating(ctx, reviewer, p.ID, false, "Sources too thin"); err != nil {
				t.Fatal(err)
			}
		}
	}
	env.Run(t,
		webtest.Scenario{URL: "/admin/archive/ratings", As: "reviewer", Contains: []string{"2 rating changes", "Mass arrests", "Chile", "Rejected", "Pending", "The editor", "The reviewer"},
			NotContains: []string{`href="/admin/archive"`}},
		webtest.Scenario{URL: "/admin/archive/ratings?status=rejected", As: "researcher", Contains: []string{"1 rating changes", "Chile"}, NotContains: []string{"<td>Kazakhstan</td>"}},
		webtest.Scenario{URL: "/admin/archive/ratings?q=thin", As: "editor", Contains: []string{"1 rating changes", "Chile"}},
		webtest.Scenario{URL: "/admin/archive/ratings?country=KZ&sort=effective&reverse=1&proposer=" + fmt.Sprint(editor.ID), As: "editor",
			Contains: []string{"<td>Kazakhstan</td>"}, NotContains: []string{"<td>Chile</td>"}},
		webtest.Scenario{URL: "/admin/archive/ratings?status=maybe&from=x&sort=y&proposer=z", As: "editor", Status: http.StatusBadRequest,
			Contains: []string{"<code>status</code>", "<code>from</code>", "<code>sort</code>", "<code>proposer</code>"}},
		webtest.Scenario{URL: "/admin/archive/ratings", Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/admin/archive/watchlist", As: "editor", Contains: []string{"2019-10-01", "Kazakhstan", "Public", `href="/admin/history/watchlist/1"`}},
		webtest.Scenario{URL: "/admin/archive/watchlist?year=2019&state=public", As: "editor", Contains: []string{"2019-10-01"}, NotContains: []string{"2022-03-01"}},
		webtest.Scenario{URL: "/admin/archive/watchlist?state=scheduled", As: "editor", Contains: []string{"Nothing here."}},
		webtest.Scenario{URL: "/admin/archive/watchlist?q=kazakhstan", As: "editor", Contains: []string{"Kazakhstan"}},
		webtest.Scenario{URL: "/admin/archive/watchlist?q=nowhere-at-all", As: "editor", Contains: []string{"Nothing here."}},
		webtest.Scenario{URL: "/admin/archive/watchlist?state=x&year=y", As: "editor", Status: http.StatusBadRequest, Contains: []string{"<code>state</code>", "<code>year</code>"}},
		webtest.Scenario{URL: "/admin/archive/watchlist", As: "researcher", Status: http.StatusForbidden},
	)
}
