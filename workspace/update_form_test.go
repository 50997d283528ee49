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

const publishedSlug = "muffled-protests-and-persecution-of-opposition-movements-ngos-and-trade-unions"

// TestCorrectionsAndHistory: an edit of a published update with a public
// note shows as a correction; editors see the diff; the public never sees
// who changed what.
func TestCorrectionsAndHistory(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	u, err := env.Store.UpdateBySlug(ctx, publishedSlug)
	if err != nil {
		t.Fatal(err)
	}
	editor := env.SignedIn(t, civicmon.RoleEditor)
	path := fmt.Sprintf("/admin/updates/%d", u.ID)
	values := formValues(t, editor.Get(path).Body)
	values.Set("csrf_token", editor.CSRF())
	values.Set("action", "save")
	values.Set("summary", u.Summary+" (The kettling lasted over ten hours.)")
	values.Set("correction_note", "Clarified how long the kettling lasted.")
	if r := editor.Do("POST", path, values); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	page := env.Client(t).Get("/updates/" + u.Slug).Body
	if !strings.Contains(page, "Corrections") || !strings.Contains(page, "Clarified how long the kettling lasted.") {
		t.Fatal("the public page lacks the correction")
	}
	if strings.Contains(page, "The editor") {
		t.Fatal("the public page names who corrected it")
	}
	r := editor.Get(path + "/history")
	if r.Status != 200 || !strings.Contains(r.Body, "The editor") || !strings.Contains(r.Body, "The kettling lasted over ten hours.") {
		t.Fatalf("history: %d", r.Status)
	}
	if !strings.Contains(r.Body, `(The kettling lasted over ten hours.)</ins>`) || !strings.Contains(r.Body, "<dt>Summary</dt>") {
		t.Fatal("history shows no added words")
	}
}

// TestUpdateForm: the editor shows the update and the steps the account
// may take; saving goes through the workflow: a step the status does not
// allow is a conflict on the action, one the role does not allow is
// forbidden, and invalid fields are shown back.
func TestUpdateForm(t *testing.T) {
	env := webtest.New(t)
	u, err := env.Store.UpdateBySlug(context.Background(), publishedSlug)
	if err != nil {
		t.Fatal(err)
	}
	pub, pubVersion := fmt.Sprint(u.ID), u.Version
	draft := fmt.Sprint(env.Drafts[civicmon.RoleResearcher].ID)
	env.Run(t,
		webtest.Scenario{URL: "/admin/updates/new", As: "researcher",
			Contains: []string{"<h1>New update</h1>", `action="/admin/updates"`, `value="save"`, `name="incidents.0.violation"`, `name="sources.0.url"`, `name="translations.0.language"`,
				`value="add-incident"`, `value="add-source"`, `href="#s-incidents"`, `name="version" value="0"`},
			NotContains: []string{`value="publish"`, `name="correction_note"`, `name="incidents.1.violation"`}},
		webtest.Scenario{URL: "/admin/updates/" + draft, As: "researcher",
			Contains: []string{"Draft by the researcher", `action="/admin/updates/` + draft + `"`, "private note of the researcher", `<option value="KZ" selected>`}},
		webtest.Scenario{URL: "/admin/updates/" + draft + "?done=save", As: "editor", Contains: []string{"Saved.", `value="publish"`, `href="/admin/updates/` + draft + `/history"`}},
		webtest.Scenario{URL: "/admin/updates/" + fmt.Sprint(env.Drafts[civicmon.RoleEditor].ID), As: "researcher", Status: http.StatusForbidden},
		webtest.Scenario{URL: "/admin/updates/999999", As: "editor", Status: http.StatusNotFound},
		webtest.Scenario{URL: "/admin/updates/" + pub, As: "editor",
			Contains: []string{`href="/updates/` + publishedSlug + `"`, `name="correction_note"`, `value="unpublish"`}},
		webtest.Scenario{Name: "preview", Method: "POST", URL: "/admin/updates", As: "researcher",
			Form:     url.Values{"action": {"preview"}, "country": {"KZ"}, "title": {"A <title>"}, "body": {"Some **bold** text"}},
			Contains: []string{`id="preview-heading"`, "<strong>bold</strong>", `value="A &lt;title&gt;"`}},
		webtest.Scenario{Name: "a full preview: incidents, sources, translations, no private field", Method: "POST", URL: "/admin/updates/" + draft, As: "researcher",
			Form: url.Values{"action": {"preview"}, "country": {"KZ"}, "title": {"Arrests in Almaty"}, "language": {"en"}, "body": {"Police **detained** three."},
				"internal_notes":        {"PRIVATE note"},
				"incidents.0.violation": {"detention-of-protesters"}, "incidents.0.freedom": {"peaceful-assembly"}, "incidents.0.place": {"Almaty square"},
				"incidents.0.victim_name": {"PRIVATE victim"},
				"sources.0.url":           {"https://example.org/court"}, "sources.0.title": {"Court record"}, "sources.0.contact": {"PRIVATE contact"},
				"translations.0.language": {"ru"}, "translations.0.title": {"Аресты в Алматы"}, "translations.0.body": {"Полиция задержала троих."}},
			Contains: []string{"Preview (en): not published. Readers cannot see this page.", `<article class="update"`, "<h1>Arrests in Almaty</h1>",
				"<strong>detained</strong>", "Almaty square", "Detention of protesters", "Court record", "Kazakhstan",
				"Preview (ru): not published.", "<h1>Аресты в Алматы</h1>", "Полиция задержала троих."},
			Check: func(t *testing.T, r *webtest.Response) {
				// The form keeps what was typed; the preview shows none of the private fields.
				i, j := strings.Index(r.Body, `id="preview-heading"`), strings.Index(r.Body, `<form class="editor"`)
				if i < 0 || j < i {
					t.Fatal("no preview before the form")
				}
				if preview := r.Body[i:j]; strings.Contains(preview, "PRIVATE") {
					t.Errorf("the preview shows a private field:\n%s", preview)
				}
			}},
		webtest.Scenario{Name: "bad fields", Method: "POST", URL: "/admin/updates", As: "researcher",
			Form:   url.Values{"action": {"save"}, "country": {"KZ"}, "title": {"T"}, "published_on": {"2020-13-45"}, "incidents.0.violation": {""}, "incidents.0.people_affected": {"many"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"There is a problem: nothing was saved",
				`<a href="#published_on">2020-13-45 is not a date that exists</a>`, `value="2020-13-45"`, `aria-describedby="published_on-error"`,
				`<a href="#inc0n">Incident 1: Enter a number of 0 or more`, `value="many"`, `<a href="#inc0v">Incident 1: Choose a violation type</a>`,
				`<p class="field-error" id="inc0v-error">Choose a violation type</p>`},
			NotContains: []string{"update.incidents", "[0]"}},
		webtest.Scenario{Name: "invalid update", Method: "POST", URL: "/admin/updates", As: "researcher",
			Form: url.Values{"action": {"save"}, "country": {""}, "title": {""}}, Status: http.StatusUnprocessableEntity,
			Contains:    []string{`<a href="#title">Enter a title</a>`, `<a href="#country">Choose a country</a>`, `aria-invalid="true"`},
			NotContains: []string{"ISO 3166"}},
		webtest.Scenario{Name: "publish a published update", Method: "POST", URL: "/admin/updates/" + pub, As: "editor",
			Form: url.Values{"action": {"publish"}, "country": {"KZ"}, "title": {"T"}, "version": {fmt.Sprint(pubVersion)}}, Status: http.StatusConflict,
			Contains: []string{`<a href="#save">`, "published"}},
		webtest.Scenario{Name: "a researcher publishing", Method: "POST", URL: "/admin/updates", As: "researcher",
			Form: url.Values{"action": {"publish"}, "country": {"KZ"}, "title": {"T"}}, Status: http.StatusForbidden},
		webtest.Scenario{Name: "not an action", Method: "POST", URL: "/admin/updates", As: "researcher",
			Form: url.Values{"action": {"frobnicate"}, "country": {"KZ"}, "title": {"Kept"}}, Status: http.StatusBadRequest,
			Contains: []string{`<a href="#save">`, "frobnicate", `value="Kept"`}},
	)
	// A new draft is the author's; submitting it moves it to review.
	c := env.SignedIn(t, civicmon.RoleResearcher)
	r := c.Post("/admin/updates", url.Values{"country": {"KZ"}, "title": {"Arrests in Almaty"}, "summary": {"Three were detained."}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "?done=save") {
		t.Fatalf("save a new draft: %d %s", r.Status, r.Header.Get("Location"))
	}
	path := strings.TrimSuffix(r.Header.Get("Location"), "?done=save")
	values := formValues(t, c.Get(path).Body)
	values.Set("action", "submit")
	if r := c.Post(path, values); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	var id int64
	fmt.Sscanf(path, "/admin/updates/%d", &id)
	got, err := env.Store.UpdateByID(context.Background(), id)
	if err != nil || got.Status != civicmon.StatusInReview || got.AuthorID != env.Users[civicmon.RoleResearcher].ID {
		t.Fatalf("the submitted draft: %+v %v", got, err)
	}
	if r := c.Post(path, values); r.Status != http.StatusForbidden {
		t.Fatalf("the author saving an update in review: %d", r.Status)
	}
	if r := env.SignedIn(t, civicmon.RoleEditor).Get("/admin"); !strings.Contains(r.Body, "Arrests in Almaty") {
		t.Fatal("the submitted draft is not in the editor's review queue")
	}
}
