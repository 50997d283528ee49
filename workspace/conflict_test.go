package workspace_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
	"github.com/civicmon/civicmon/workspace"
)

// TestUpdateConflict: two people edit one update from forms opened at the
// same version. The second save is refused with both versions side by
// side, the changed fields marked, and the form holding the second
// person's text; taking one field of the saved version and saving merges
// the two, and nothing either typed is lost.
func TestUpdateConflict(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	draft := env.Drafts[civicmon.RoleEditor]
	path := fmt.Sprintf("/admin/updates/%d", draft.ID)
	editor := env.SignedIn(t, civicmon.RoleEditor)
	admin := env.SignedIn(t, civicmon.RoleAdmin)
	tabA := formValues(t, editor.Get(path).Body)
	tabB := formValues(t, admin.Get(path).Body)
	if tabA.Get("version") != fmt.Sprint(draft.Version) {
		t.Fatalf("the form carries version %q, want %d", tabA.Get("version"), draft.Version)
	}

	tabB.Set("summary", "The admin's new summary.")
	tabB.Set("action", "save")
	if r := admin.Post(path, tabB); r.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.Status)
	}
	tabA.Set("title", "The editor's new title")
	tabA.Set("action", "save")
	r := editor.Post(path, tabA)
	if r.Status != http.StatusConflict {
		t.Fatalf("the second save from the older version: %d, want 409", r.Status)
	}
	for _, want := range []string{
		"Someone else saved this update while you were editing",
		"The admin saved version 2", "while you were editing version 1",
		`value="The editor&#39;s new title"`,             // the person's text, in the form
		"The admin&#39;s new summary.",                   // the saved version, beside it
		`<input type="hidden" name="version" value="2">`, // a save now goes over version 2
		`<button type="submit" form="update-form" name="action" value="take-summary"`,
		`Keep mine: save my version`, `href="` + path + `"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the conflict page lacks %q", want)
		}
	}
	if n := strings.Count(r.Body, `<tr class="changed">`); n != 2 {
		t.Errorf("%d fields marked as changed, want 2 (title and summary)", n)
	}
	if got, _ := env.Store.UpdateByID(ctx, draft.ID); got.Title == "The editor's new title" || got.Summary != "The admin's new summary." {
		t.Fatalf("the refused save changed the update: %q, %q", got.Title, got.Summary)
	}

	// Merge by hand: the saved summary, the person's title.
	merged := formValues(t, r.Body)
	merged.Set("action", "take-summary")
	r = editor.Post(path, merged)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `>The admin&#39;s new summary.</textarea>`) ||
		!strings.Contains(r.Body, `value="The editor&#39;s new title"`) {
		t.Fatalf("take the saved summary: %d", r.Status)
	}
	merged = formValues(t, r.Body)
	merged.Set("action", "save")
	if r := editor.Post(path, merged); r.Status != http.StatusSeeOther {
		t.Fatalf("save the merge: %d", r.Status)
	}
	got, _ := env.Store.UpdateByID(ctx, draft.ID)
	if got.Title != "The editor's new title" || got.Summary != "The admin's new summary." || got.Version != 3 {
		t.Fatalf("after the merge: %q, %q, version %d", got.Title, got.Summary, got.Version)
	}
}

// TestAddAnotherRow: "add another incident" and "remove" redraw the form
// with everything typed kept, save nothing, and put the focus in the new
// row.
func TestAddAnotherRow(t *testing.T) {
	env := webtest.New(t)
	researcher := env.SignedIn(t, civicmon.RoleResearcher)
	form := formValues(t, researcher.Get("/admin/updates/new").Body)
	form.Set("country", "KZ")
	form.Set("title", "Arrests before the march")
	form.Set("incidents.0.place", "Almaty")
	form.Set("incidents.0.violation", "detention-of-activists")
	form.Set("incidents.0.occurred_on", "2026-02-30") // kept as typed, not checked yet
	form.Set("action", "add-incident")
	r := researcher.Post("/admin/updates", form)
	if r.Status != http.StatusOK {
		t.Fatalf("add another incident: %d", r.Status)
	}
	for _, want := range []string{`value="Arrests before the march"`, `name="incidents.0.place" value="Almaty"`,
		`value="2026-02-30"`, `<legend>Incident 2</legend>`, `id="inc1d" name="incidents.1.occurred_on" value="" autofocus`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("after add-incident the form lacks %q", want)
		}
	}
	if _, n, _ := env.Store.FindUpdates(context.Background(), civicmon.UpdateFilter{AuthorID: env.Users[civicmon.RoleResearcher].ID, Limit: 100}); n != 1 {
		t.Errorf("%d updates by the researcher after add-incident; it saves nothing", n)
	}
	form = formValues(t, r.Body)
	form.Set("incidents.1.place", "Astana")
	form.Set("action", "remove-incident-0")
	r = researcher.Post("/admin/updates", form)
	if r.Status != http.StatusOK || strings.Contains(r.Body, `value="Almaty"`) || !strings.Contains(r.Body, `name="incidents.0.place" value="Astana"`) {
		t.Fatalf("remove incident 1: %d", r.Status)
	}
	form = formValues(t, r.Body)
	form.Set("sources.0.url", "https://example.org/report")
	form.Set("action", "add-source")
	r = researcher.Post("/admin/updates", form)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `value="https://example.org/report"`) || !strings.Contains(r.Body, `id="src1u"`) {
		t.Fatalf("add another source: %d", r.Status)
	}
}

// TestLongPaste: a text over the domain's limit, pasted whole (2 MB), is
// answered by the form at its field, with the text kept.
func TestLongPaste(t *testing.T) {
	env := webtest.New(t)
	researcher := env.SignedIn(t, civicmon.RoleResearcher)
	form := formValues(t, researcher.Get("/admin/updates/new").Body)
	paste := strings.Repeat("The police detained protesters. ", 2<<20/32) + "THE-END-OF-THE-PASTE"
	form.Set("country", "KZ")
	form.Set("title", "A long report")
	form.Set("body", paste)
	form.Set("action", "save")
	r := researcher.Post("/admin/updates", form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a 2 MB paste: %d", r.Status)
	}
	if !strings.Contains(r.Body, `<a href="#body">This is 2097172 bytes long; at most 500000 are allowed.`) ||
		!strings.Contains(r.Body, "THE-END-OF-THE-PASTE</textarea>") || !strings.Contains(r.Body, `value="A long report"`) {
		t.Fatal("the form does not say what is too long, or lost the paste")
	}
	if !strings.Contains(researcher.Get("/admin/updates/new").Body, "the form takes up to 8 MB in all") {
		t.Error("the form does not state its limit")
	}
}

// TestOverTheLimit: a body over the form's stated limit is answered with a
// page in the person's language that says nothing was saved and how to get
// the text back (the browser's form still holds it), and the API with a
// problem document — never a bare line of plain text.
func TestOverTheLimit(t *testing.T) {
	env := webtest.New(t)
	researcher := env.SignedIn(t, civicmon.RoleResearcher)
	form := formValues(t, researcher.Get("/admin/updates/new").Body)
	form.Set("country", "KZ")
	form.Set("title", "A report far too long")
	form.Set("body", strings.Repeat("x", workspace.UpdateFormMaxBody+1))
	form.Set("action", "save")
	r := researcher.Post("/admin/updates?lang=fr", form)
	if r.Status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.Body, "dépasse 8 Mo") || !strings.Contains(r.Body, "revenez en arrière dans votre navigateur") {
		t.Fatalf("over the limit: %d %s\n%.600s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if n, _, err := env.Store.FindUpdates(context.Background(), civicmon.UpdateFilter{AuthorID: env.Users[civicmon.RoleResearcher].ID, Limit: 100}); err != nil {
		t.Fatal(err)
	} else {
		for _, u := range n {
			if u.Title == "A report far too long" {
				t.Fatal("a body over the limit was saved")
			}
		}
	}
	// The API's limit is the server's (1 MB by default): a problem document.
	env.Run(t, webtest.Scenario{Method: "POST", URL: "/api/v1/updates", As: "token:editor",
		Body:   `{"country":"KZ","title":"T","body":"` + strings.Repeat("x", 9<<20) + `"}`,
		Header: map[string]string{"Content-Type": "application/json"}, Status: http.StatusRequestEntityTooLarge,
		Check: func(t *testing.T, r *webtest.Response) {
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("the API's answer: %s", r.Header.Get("Content-Type"))
			}
		}})
}

// TestBusyWriter: a write that runs out of its request's time while the
// database's one writer is held elsewhere (a long commit, say) is answered
// 503 with Retry-After — a page in the person's language that says
// nothing was saved and the text is still in the form, a problem document
// to the API — not the 500 of a fault; and nothing is saved.
func TestBusyWriter(t *testing.T) {
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) { c.RequestTimeout = 400 * time.Millisecond }})
	researcher := env.SignedIn(t, civicmon.RoleResearcher)
	form := formValues(t, researcher.Get("/admin/updates/new").Body)
	form.Set("country", "KZ")
	form.Set("title", "Saved while the writer was busy")
	form.Set("action", "save")

	// Hold the one writer, as a long commit would.
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- env.Store.InTx(context.Background(), func(tx civicmon.Store) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	r := researcher.Post("/admin/updates?lang=fr", form)
	env.Run(t, webtest.Scenario{Name: "the API while the writer is busy", Method: "POST", URL: "/api/v1/updates", As: "token:editor",
		Body:   `{"country":"KZ","title":"Saved through the API while busy"}`,
		Header: map[string]string{"Content-Type": "application/json"}, Status: http.StatusServiceUnavailable,
		Check: func(t *testing.T, api *webtest.Response) {
			if api.Header.Get("Retry-After") == "" || !strings.HasPrefix(api.Header.Get("Content-Type"), "application/problem+json") ||
				!strings.Contains(api.Body, "nothing was changed") {
				t.Errorf("the API's answer: %s Retry-After %q\n%.400s", api.Header.Get("Content-Type"), api.Header.Get("Retry-After"), api.Body)
			}
		}})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" ||
		!strings.Contains(r.Body, "Le serveur est occupé") || !strings.Contains(r.Body, "rien n’a été enregistré") {
		t.Errorf("the form's answer: %d Retry-After %q\n%.600s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	us, _, err := env.Store.FindUpdates(context.Background(), civicmon.UpdateFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if strings.Contains(u.Title, "while") {
			t.Errorf("saved although the answer said it was not: %q", u.Title)
		}
	}
}
